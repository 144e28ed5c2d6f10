// Hugging Face config.json <-> ModelConfig (see modelconfig.h). Every field is type- and
// range-checked; errors read "<source>: field '<name>': <problem>".
// Thread-safety: free of shared state; safe from any thread.
#include "modelconfig.h"

#include "configreader.h"
#include "familytable.h"
#include "fsllmerror.h"
#include "jsontext.h"
#include "lfspointer.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

namespace fsllm {

namespace {

using Json = nlohmann::json;

std::string shown(const Json& value) {
    return ConfigReader::shown(value);
}

void readModelType(const ConfigReader& reader, ModelConfig& config) {
    const Json& value = reader.require("model_type");
    if (!value.is_string())
        reader.fail("model_type", "expected a string, got " + shown(value));
    config.modelType = value.get<std::string>();
    if (!FamilyTable::find(config.modelType))
        reader.fail("model_type", "model type " + TextFile::inQuotes(config.modelType) +
                                      " is not supported; supported model types: " +
                                      FamilyTable::supportedNames());
}

void readSizes(const ConfigReader& reader, ModelConfig& config) {
    config.hiddenSize = reader.requiredPositive("hidden_size");
    config.intermediateSize = reader.requiredPositive("intermediate_size");
    config.numLayers = reader.requiredPositive("num_hidden_layers");
    config.numHeads = reader.requiredPositive("num_attention_heads");
    config.vocabSize = reader.requiredPositive("vocab_size");
    config.maxPositionEmbeddings =
        reader.optionalPositive("max_position_embeddings", config.maxPositionEmbeddings);

    config.numKvHeads = reader.optionalPositive("num_key_value_heads", config.numHeads);
    if (config.numHeads % config.numKvHeads != 0)
        reader.fail("num_key_value_heads", "num_attention_heads (" +
                                               std::to_string(config.numHeads) +
                                               ") is not divisible by num_key_value_heads (" +
                                               std::to_string(config.numKvHeads) + ")");

    if (reader.find("head_dim")) {
        config.headDim = reader.optionalPositive("head_dim", 0);
    } else {
        if (config.hiddenSize % config.numHeads != 0)
            reader.fail("hidden_size", std::to_string(config.hiddenSize) +
                                           " is not divisible by num_attention_heads (" +
                                           std::to_string(config.numHeads) + "); set head_dim");
        config.headDim = config.hiddenSize / config.numHeads;
    }
    if (config.headDim % 2 != 0)
        reader.fail("head_dim", "head dimension " + std::to_string(config.headDim) +
                                    " is odd; rotary embeddings need an even head_dim");
}

// A number field of the rope_scaling object; `fallback` when absent (NaN: required).
double ropeNumber(const ConfigReader& reader, const char* field, const Json& scaling,
                  const char* key, double fallback) {
    const auto it = scaling.find(key);
    if (it == scaling.end() || it->is_null()) {
        if (std::isnan(fallback))
            reader.fail(field, "needs a positive number \"" + std::string(key) + "\", got " +
                                   shown(scaling));
        return fallback;
    }
    if (!it->is_number() || !(it->get<double>() > 0.0) || !std::isfinite(it->get<double>()))
        reader.fail(field, "\"" + std::string(key) + "\" must be a positive number, got " +
                               shown(*it));
    return it->get<double>();
}

// rope_theta and rope_scaling; transformers 5 writes both into one rope_parameters object.
void readRope(const ConfigReader& reader, ModelConfig& config) {
    config.ropeTheta = reader.optionalPositiveNumber("rope_theta", config.ropeTheta);
    const char* field = reader.find("rope_parameters") ? "rope_parameters" : "rope_scaling";
    const Json* scaling = reader.find(field);
    config.ropeType = "default";
    config.ropeScalingFactor = 1.0;
    if (!scaling)
        return;
    if (!scaling->is_object())
        reader.fail(field, "expected null or an object like {\"rope_type\": \"linear\", "
                           "\"factor\": 2.0}, got " +
                               shown(*scaling));
    if (std::string(field) == "rope_parameters")
        config.ropeTheta = ropeNumber(reader, field, *scaling, "rope_theta", config.ropeTheta);
    const auto typeIt =
        scaling->contains("rope_type") ? scaling->find("rope_type") : scaling->find("type");
    if (typeIt == scaling->end() && std::string(field) == "rope_parameters")
        return; // only rope_theta
    if (typeIt == scaling->end() || !typeIt->is_string())
        reader.fail(field, "needs a string \"rope_type\" (or \"type\"), got " + shown(*scaling));
    const std::string type = typeIt->get<std::string>();
    if (type == "default")
        return;
    if (type != "linear" && type != "dynamic" && type != "llama3")
        reader.fail(field, "rope type " + TextFile::inQuotes(type) +
                               " is not supported; supported rope types: default, linear, "
                               "dynamic, llama3");
    const double required = std::numeric_limits<double>::quiet_NaN();
    config.ropeType = type;
    config.ropeScalingFactor = ropeNumber(reader, field, *scaling, "factor", required);
    if (type != "llama3")
        return;
    config.ropeLowFreqFactor = ropeNumber(reader, field, *scaling, "low_freq_factor", required);
    config.ropeHighFreqFactor = ropeNumber(reader, field, *scaling, "high_freq_factor", required);
    if (!(config.ropeHighFreqFactor > config.ropeLowFreqFactor))
        reader.fail(field, "high_freq_factor (" + shown(scaling->at("high_freq_factor")) +
                               ") must be larger than low_freq_factor (" +
                               shown(scaling->at("low_freq_factor")) + ")");
    // Hugging Face falls back to max_position_embeddings when the original length is absent.
    const auto original = scaling->find("original_max_position_embeddings");
    config.ropeOriginalMaxPositions =
        original == scaling->end() || original->is_null()
            ? config.maxPositionEmbeddings
            : reader.positive("original_max_position_embeddings", *original);
}

void readTokens(const ConfigReader& reader, ModelConfig& config) {
    config.bosTokenId = reader.optionalTokenId("bos_token_id", config.bosTokenId);
    config.eosTokenId = reader.optionalTokenId("eos_token_id", config.eosTokenId);
    const Json* pad = reader.find("pad_token_id");
    config.padTokenId = -1;
    if (pad) {
        config.padTokenId = reader.integer("pad_token_id", *pad);
        if (config.padTokenId < -1)
            reader.fail("pad_token_id", "must be a token id >= 0 (or null / -1 for none), got " +
                                            std::to_string(config.padTokenId));
    }
}

void readArchitectureFlags(const ConfigReader& reader, ModelConfig& config) {
    config.rmsNormEps = reader.optionalPositiveNumber("rms_norm_eps", config.rmsNormEps);
    config.tieWordEmbeddings = reader.optionalBool("tie_word_embeddings", false);
    if (reader.optionalBool("mlp_bias", false))
        reader.fail("mlp_bias", "MLP biases are not supported; use a checkpoint without them");
    if (const Json* act = reader.find("hidden_act")) {
        if (!act->is_string() || act->get<std::string>() != "silu")
            reader.fail("hidden_act", "activation " + shown(*act) +
                                          " is not supported; LLaMA-family models use \"silu\"");
    }
}

} // namespace

ModelConfig ModelConfig::fromFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FsllmError(path + ": cannot open (" + std::strerror(errno) +
                         "); check that the checkpoint folder has a config.json");
    std::stringstream text;
    text << in.rdbuf();
    const std::string bytes = text.str();
    LfsPointer::refuse(path, bytes, bytes.size());
    return fromJsonText(bytes, path);
}

ModelConfig ModelConfig::fromJsonText(const std::string& text, const std::string& sourceName) {
    const Json root = JsonText::parse(text, sourceName, "fix or re-download config.json");
    if (!root.is_object())
        throw FsllmError(sourceName + ": config is a JSON " + root.type_name() +
                         ", not an object; give a Hugging Face config.json");
    const ConfigReader reader(root, sourceName);
    ModelConfig config;
    readModelType(reader, config);
    if (const auto readConfig = config.family().readConfig) {
        readConfig(reader, config); // a family with its own field names (chatglm)
        return config;
    }
    readSizes(reader, config);
    readRope(reader, config);
    readTokens(reader, config);
    readArchitectureFlags(reader, config);
    config.torchDtype = reader.torchDtype();
    config.family().readOptions(reader, config); // biases, q/k norm, sliding window
    return config;
}

std::string ModelConfig::toJsonText() const {
    nlohmann::ordered_json json;
    const ModelFamily& row = family();
    json["architectures"] = {row.architecture};
    json["model_type"] = modelType;
    if (row.writeConfig) {
        row.writeConfig(*this, json);
        return json.dump(2) + "\n";
    }
    json["hidden_size"] = hiddenSize;
    json["intermediate_size"] = intermediateSize;
    json["num_hidden_layers"] = numLayers;
    json["num_attention_heads"] = numHeads;
    json["num_key_value_heads"] = numKvHeads;
    json["head_dim"] = headDim;
    json["vocab_size"] = vocabSize;
    json["max_position_embeddings"] = maxPositionEmbeddings;
    json["hidden_act"] = "silu";
    json["rms_norm_eps"] = rmsNormEps;
    json["rope_theta"] = ropeTheta;
    if (ropeType == "default")
        json["rope_scaling"] = nullptr;
    else if (ropeType == "linear" || ropeType == "dynamic")
        json["rope_scaling"] = {{"rope_type", ropeType}, {"factor", ropeScalingFactor}};
    else
        json["rope_scaling"] = {{"rope_type", ropeType},
                                {"factor", ropeScalingFactor},
                                {"low_freq_factor", ropeLowFreqFactor},
                                {"high_freq_factor", ropeHighFreqFactor},
                                {"original_max_position_embeddings", ropeOriginalMaxPositions}};
    json["tie_word_embeddings"] = tieWordEmbeddings;
    row.writeOptions(*this, json);
    json["bos_token_id"] = bosTokenId;
    json["eos_token_id"] = eosTokenId;
    json["pad_token_id"] =
        padTokenId < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(padTokenId);
    json["torch_dtype"] = torchDtype;
    return json.dump(2) + "\n";
}

const ModelFamily& ModelConfig::family() const {
    return FamilyTable::require(modelType, "config.json");
}

std::string ModelConfig::describeOptions() const {
    std::vector<std::string> parts;
    if (qkvBias && outputBias)
        parts.push_back("q/k/v/o bias");
    else if (qkvBias)
        parts.push_back("q/k/v bias");
    else if (outputBias)
        parts.push_back("o bias");
    if (qkNorm)
        parts.push_back("q/k RMSNorm");
    if (tieWordEmbeddings)
        parts.push_back("tied embeddings");
    std::ostringstream rope;
    if (ropeType == "linear")
        rope << "RoPE linear x" << ropeScalingFactor;
    else if (ropeType == "dynamic")
        rope << "RoPE dynamic x" << ropeScalingFactor << " past " << maxPositionEmbeddings;
    else if (ropeType == "llama3")
        rope << "RoPE llama3 x" << ropeScalingFactor << " (low " << ropeLowFreqFactor
             << ", high " << ropeHighFreqFactor << ", original " << ropeOriginalMaxPositions
             << ")";
    if (!rope.str().empty())
        parts.push_back(rope.str());
    if (rotaryDim > 0 && rotaryDim < headDim)
        parts.push_back("RoPE on " + std::to_string(rotaryDim) + " of " + std::to_string(headDim) +
                        " head dims" + (ropeInterleaved ? " (interleaved pairs)" : ""));
    else if (ropeInterleaved)
        parts.push_back("RoPE in interleaved pairs");
    if (slidingWindow > 0)
        parts.push_back("sliding window " + std::to_string(slidingWindow) +
                        (fullAttentionLayers > 0
                             ? " from layer " + std::to_string(fullAttentionLayers)
                             : std::string()));
    std::string text;
    for (const std::string& part : parts)
        text += (text.empty() ? "" : ", ") + part;
    return text.empty() ? "none" : text;
}

ModelConfig ModelConfig::llamaShaped(const std::string& who, int layers, int hidden, int heads,
                                     int kvHeads, int intermediate, int vocab) {
    if (layers < 1 || hidden < 1 || heads < 1 || kvHeads < 1 || vocab < 1 || intermediate < 0)
        throw FsllmError(who + ": layers, hidden, heads, kv-heads and vocab must be >= 1");
    if (hidden % heads != 0 || (hidden / heads) % 2 != 0 || heads % kvHeads != 0)
        throw FsllmError(who + ": hidden must be a multiple of heads with an even head size, "
                               "and heads a multiple of kv-heads");
    ModelConfig config;
    config.hiddenSize = hidden;
    config.intermediateSize = intermediate > 0 ? intermediate : ((hidden * 8 / 3 + 15) / 16) * 16;
    config.numLayers = layers;
    config.numHeads = heads;
    config.numKvHeads = kvHeads;
    config.headDim = hidden / heads;
    config.vocabSize = vocab;
    config.rmsNormEps = 1e-5;
    return config;
}

} // namespace fsllm
