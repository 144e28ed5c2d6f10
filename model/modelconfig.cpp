// Hugging Face config.json <-> ModelConfig (see modelconfig.h). Every field is type- and
// range-checked; errors read "<source>: field '<name>': <problem>".
// Thread-safety: free of shared state; safe from any thread.
#include "modelconfig.h"

#include "fsllmerror.h"
#include "jsontext.h"
#include "lfspointer.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace fsllm {

namespace {

using Json = nlohmann::json;

// A JSON value as a short one-line text for messages.
std::string shown(const Json& value) {
    return JsonText::shown(value);
}

// Reads typed fields out of the config object; absent and null optional fields take defaults.
class ConfigReader {
public:
    ConfigReader(const Json& root, const std::string& source) : m_root(root), m_source(source) {}

    [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
        throw FsllmError(m_source + ": field '" + field + "': " + problem);
    }

    // The field's value, or nullptr when it is absent or null.
    const Json* find(const char* key) const {
        const auto it = m_root.find(key);
        return it == m_root.end() || it->is_null() ? nullptr : &*it;
    }

    const Json& require(const char* key) const {
        const Json* value = find(key);
        if (!value)
            fail(key,
                 m_root.contains(key) ? "is null; it is required" : "is missing; it is required");
        return *value;
    }

    int integer(const char* key, const Json& value) const {
        if (!value.is_number_integer())
            fail(key, "expected an integer, got " + shown(value));
        const bool fits =
            value.is_number_unsigned()
                ? value.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<int>::max())
                : value.get<std::int64_t>() >= std::numeric_limits<int>::min() &&
                      value.get<std::int64_t>() <= std::numeric_limits<int>::max();
        if (!fits)
            fail(key, shown(value) + " is out of range");
        return value.get<int>();
    }

    int positive(const char* key, const Json& value) const {
        const int result = integer(key, value);
        if (result <= 0)
            fail(key, "must be a positive size, got " + std::to_string(result));
        return result;
    }

    int requiredPositive(const char* key) const { return positive(key, require(key)); }

    int optionalPositive(const char* key, int fallback) const {
        const Json* value = find(key);
        return value ? positive(key, *value) : fallback;
    }

    double optionalPositiveNumber(const char* key, double fallback) const {
        const Json* value = find(key);
        if (!value)
            return fallback;
        if (!value->is_number())
            fail(key, "expected a number, got " + shown(*value));
        const double result = value->get<double>();
        if (!(result > 0.0))
            fail(key, "must be positive, got " + shown(*value));
        return result;
    }

    bool optionalBool(const char* key, bool fallback) const {
        const Json* value = find(key);
        if (!value)
            return fallback;
        if (!value->is_boolean())
            fail(key, "expected true or false, got " + shown(*value));
        return value->get<bool>();
    }

    const std::string& source() const { return m_source; }

private:
    const Json& m_root;
    std::string m_source;
};

void readModelType(const ConfigReader& reader, ModelConfig& config) {
    const Json& value = reader.require("model_type");
    if (!value.is_string())
        reader.fail("model_type", "expected a string, got " + shown(value));
    config.modelType = value.get<std::string>();
    if (config.modelType != "llama" && config.modelType != "mistral")
        reader.fail("model_type", "model type " + TextFile::inQuotes(config.modelType) +
                                      " is not supported; FS-LLM Studio reads llama and "
                                      "mistral checkpoints");
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

void readRopeScaling(const ConfigReader& reader, ModelConfig& config) {
    const Json* scaling = reader.find("rope_scaling");
    config.ropeScalingFactor = 1.0;
    if (!scaling)
        return;
    if (!scaling->is_object())
        reader.fail("rope_scaling", "expected null or an object like {\"type\": \"linear\", "
                                    "\"factor\": 2.0}, got " +
                                        shown(*scaling));
    const auto typeIt =
        scaling->contains("rope_type") ? scaling->find("rope_type") : scaling->find("type");
    if (typeIt == scaling->end() || !typeIt->is_string())
        reader.fail("rope_scaling",
                    "needs a string \"type\" (or \"rope_type\"), got " + shown(*scaling));
    const std::string type = typeIt->get<std::string>();
    if (type == "default")
        return;
    if (type != "linear")
        reader.fail("rope_scaling", "rope scaling type " + TextFile::inQuotes(type) +
                                        " is not supported; only 'linear' scaling (or none) is");
    const auto factor = scaling->find("factor");
    if (factor == scaling->end() || !factor->is_number() || !(factor->get<double>() > 0.0))
        reader.fail("rope_scaling",
                    "linear scaling needs a positive number \"factor\", got " + shown(*scaling));
    config.ropeScalingFactor = factor->get<double>();
}

// A token id: a non-negative integer; eos_token_id may also be a list (the first one is used).
int readTokenId(const ConfigReader& reader, const char* key, int fallback) {
    const Json* value = reader.find(key);
    if (!value)
        return fallback;
    const Json* id = value;
    if (value->is_array()) {
        if (value->empty())
            reader.fail(key, "is an empty list; give a token id");
        id = &value->front();
    }
    const int result = reader.integer(key, *id);
    if (result < 0)
        reader.fail(key, "must be a token id >= 0, got " + std::to_string(result));
    return result;
}

void readTokens(const ConfigReader& reader, ModelConfig& config) {
    config.bosTokenId = readTokenId(reader, "bos_token_id", config.bosTokenId);
    config.eosTokenId = readTokenId(reader, "eos_token_id", config.eosTokenId);
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
    config.ropeTheta = reader.optionalPositiveNumber("rope_theta", config.ropeTheta);
    config.tieWordEmbeddings = reader.optionalBool("tie_word_embeddings", false);
    config.attentionBias = reader.optionalBool("attention_bias", false);
    if (reader.optionalBool("mlp_bias", false))
        reader.fail("mlp_bias", "MLP biases are not supported; use a checkpoint without them");
    if (const Json* act = reader.find("hidden_act")) {
        if (!act->is_string() || act->get<std::string>() != "silu")
            reader.fail("hidden_act", "activation " + shown(*act) +
                                          " is not supported; LLaMA-family models use \"silu\"");
    }
}

void readTorchDtype(const ConfigReader& reader, ModelConfig& config) {
    // Newer transformers write "dtype"; older ones "torch_dtype".
    const char* key = reader.find("torch_dtype") ? "torch_dtype" : "dtype";
    const Json* value = reader.find(key);
    config.torchDtype = "float32";
    if (!value)
        return;
    if (!value->is_string())
        reader.fail(key, "expected a string such as \"float16\", got " + shown(*value));
    const std::string dtype = value->get<std::string>();
    if (dtype != "float32" && dtype != "float16" && dtype != "bfloat16")
        reader.fail(key, TextFile::inQuotes(dtype) +
                             " is not supported; use float32, float16 or bfloat16");
    config.torchDtype = dtype;
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
    readSizes(reader, config);
    readRopeScaling(reader, config);
    readTokens(reader, config);
    readArchitectureFlags(reader, config);
    readTorchDtype(reader, config);
    return config;
}

std::string ModelConfig::toJsonText() const {
    nlohmann::ordered_json json;
    json["architectures"] = {modelType == "mistral" ? "MistralForCausalLM" : "LlamaForCausalLM"};
    json["model_type"] = modelType;
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
    if (ropeScalingFactor == 1.0)
        json["rope_scaling"] = nullptr;
    else
        json["rope_scaling"] = {{"type", "linear"}, {"factor", ropeScalingFactor}};
    json["tie_word_embeddings"] = tieWordEmbeddings;
    json["attention_bias"] = attentionBias;
    json["bos_token_id"] = bosTokenId;
    json["eos_token_id"] = eosTokenId;
    json["pad_token_id"] =
        padTokenId < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(padTokenId);
    json["torch_dtype"] = torchDtype;
    return json.dump(2) + "\n";
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
