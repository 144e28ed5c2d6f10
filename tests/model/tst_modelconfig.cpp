// Tests for ModelConfig: real llama and mistral config.json files, defaults, the toJsonText round
// trip, and every bad field refused with "<source>: field '<name>': <problem>".
#include "fsllmerror.h"
#include "modelconfig.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace fsllm;
using Json = nlohmann::json;

namespace {

const char* const kSource = "/checkpoints/tiny/config.json";

// Llama-2-7b-hf's config.json, verbatim.
const char* const kLlama2Config = R"({
  "_name_or_path": "meta-llama/Llama-2-7b-hf",
  "architectures": ["LlamaForCausalLM"],
  "bos_token_id": 1,
  "eos_token_id": 2,
  "hidden_act": "silu",
  "hidden_size": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 11008,
  "max_position_embeddings": 4096,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 32,
  "pretraining_tp": 1,
  "rms_norm_eps": 1e-05,
  "rope_scaling": null,
  "tie_word_embeddings": false,
  "torch_dtype": "float16",
  "transformers_version": "4.31.0.dev0",
  "use_cache": true,
  "vocab_size": 32000
})";

// Mistral-7B-v0.1's config.json, verbatim.
const char* const kMistralConfig = R"({
  "architectures": ["MistralForCausalLM"],
  "bos_token_id": 1,
  "eos_token_id": 2,
  "hidden_act": "silu",
  "hidden_size": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 14336,
  "max_position_embeddings": 32768,
  "model_type": "mistral",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "rms_norm_eps": 1e-05,
  "rope_theta": 10000.0,
  "sliding_window": 4096,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.34.0.dev0",
  "use_cache": true,
  "vocab_size": 32000
})";

// The smallest accepted config; bad-field cases patch it.
Json minimalConfig() {
    return Json{{"model_type", "llama"},  {"hidden_size", 64},        {"intermediate_size", 128},
                {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"vocab_size", 100}};
}

template <typename Fn> std::string errorOf(Fn&& fn) {
    try {
        fn();
    } catch (const FsllmError& e) {
        return e.what();
    }
    return {};
}

bool sameConfig(const ModelConfig& a, const ModelConfig& b) {
    return a.modelType == b.modelType && a.hiddenSize == b.hiddenSize &&
           a.intermediateSize == b.intermediateSize && a.numLayers == b.numLayers &&
           a.numHeads == b.numHeads && a.numKvHeads == b.numKvHeads && a.headDim == b.headDim &&
           a.vocabSize == b.vocabSize && a.maxPositionEmbeddings == b.maxPositionEmbeddings &&
           a.rmsNormEps == b.rmsNormEps && a.ropeTheta == b.ropeTheta &&
           a.ropeType == b.ropeType && a.ropeScalingFactor == b.ropeScalingFactor &&
           a.ropeLowFreqFactor == b.ropeLowFreqFactor &&
           a.ropeHighFreqFactor == b.ropeHighFreqFactor &&
           a.ropeOriginalMaxPositions == b.ropeOriginalMaxPositions &&
           a.tieWordEmbeddings == b.tieWordEmbeddings && a.qkvBias == b.qkvBias &&
           a.outputBias == b.outputBias && a.qkNorm == b.qkNorm &&
           a.slidingWindow == b.slidingWindow && a.fullAttentionLayers == b.fullAttentionLayers &&
           a.bosTokenId == b.bosTokenId && a.eosTokenId == b.eosTokenId &&
           a.padTokenId == b.padTokenId && a.torchDtype == b.torchDtype;
}

ModelConfig parse(const Json& json) {
    return ModelConfig::fromJsonText(json.dump(), kSource);
}

} // namespace

class TstModelConfig : public QObject {
    Q_OBJECT

private slots:
    void readsLlama2Config() {
        const ModelConfig config = ModelConfig::fromJsonText(kLlama2Config, kSource);
        QCOMPARE(config.modelType, std::string("llama"));
        QCOMPARE(config.hiddenSize, 4096);
        QCOMPARE(config.intermediateSize, 11008);
        QCOMPARE(config.numLayers, 32);
        QCOMPARE(config.numHeads, 32);
        QCOMPARE(config.numKvHeads, 32);
        QCOMPARE(config.headDim, 128);
        QCOMPARE(config.vocabSize, 32000);
        QCOMPARE(config.maxPositionEmbeddings, 4096);
        QCOMPARE(config.rmsNormEps, 1e-5);
        QCOMPARE(config.ropeTheta, 10000.0);
        QCOMPARE(config.ropeScalingFactor, 1.0);
        QCOMPARE(config.tieWordEmbeddings, false);
        QCOMPARE(config.qkvBias, false);
        QCOMPARE(config.outputBias, false);
        QCOMPARE(config.bosTokenId, 1);
        QCOMPARE(config.eosTokenId, 2);
        QCOMPARE(config.padTokenId, -1);
        QCOMPARE(config.torchDtype, std::string("float16"));
    }

    void readsMistralConfig() {
        const ModelConfig config = ModelConfig::fromJsonText(kMistralConfig, kSource);
        QCOMPARE(config.modelType, std::string("mistral"));
        QCOMPARE(config.intermediateSize, 14336);
        QCOMPARE(config.numHeads, 32);
        QCOMPARE(config.numKvHeads, 8);
        QCOMPARE(config.headDim, 128);
        QCOMPARE(config.maxPositionEmbeddings, 32768);
        QCOMPARE(config.torchDtype, std::string("bfloat16"));
    }

    void appliesDefaults() {
        const ModelConfig config = parse(minimalConfig());
        QCOMPARE(config.numKvHeads, 4); // = num_attention_heads
        QCOMPARE(config.headDim, 16);   // = hidden_size / num_attention_heads
        QCOMPARE(config.maxPositionEmbeddings, 2048);
        QCOMPARE(config.rmsNormEps, 1e-6);
        QCOMPARE(config.ropeTheta, 10000.0);
        QCOMPARE(config.ropeScalingFactor, 1.0);
        QCOMPARE(config.tieWordEmbeddings, false);
        QCOMPARE(config.qkvBias, false);
        QCOMPARE(config.outputBias, false);
        QCOMPARE(config.bosTokenId, 1);
        QCOMPARE(config.eosTokenId, 2);
        QCOMPARE(config.padTokenId, -1);
        QCOMPARE(config.torchDtype, std::string("float32"));
    }

    void nullOptionalFieldsTakeDefaults() {
        Json json = minimalConfig();
        for (const char* key : {"num_key_value_heads", "head_dim", "rope_scaling", "pad_token_id",
                                "bos_token_id", "eos_token_id", "torch_dtype", "rope_theta"})
            json[key] = nullptr;
        QVERIFY(sameConfig(parse(json), parse(minimalConfig())));
    }

    void readsOptionalFields() {
        Json json = minimalConfig();
        json["head_dim"] = 32; // need not be hidden_size / heads (Mistral NeMo style)
        json["num_key_value_heads"] = 2;
        json["tie_word_embeddings"] = true;
        json["attention_bias"] = true;
        json["pad_token_id"] = 0;
        json["bos_token_id"] = 5;
        json["eos_token_id"] = {7, 8}; // Llama-3 style list: the first is used
        json["rope_theta"] = 500000.0;
        json["rms_norm_eps"] = 1e-5;
        json["dtype"] = "bfloat16"; // newer transformers' spelling of torch_dtype
        const ModelConfig config = parse(json);
        QCOMPARE(config.headDim, 32);
        QCOMPARE(config.numKvHeads, 2);
        QCOMPARE(config.tieWordEmbeddings, true);
        QCOMPARE(config.qkvBias, true);
        QCOMPARE(config.outputBias, true);
        QCOMPARE(config.padTokenId, 0);
        QCOMPARE(config.bosTokenId, 5);
        QCOMPARE(config.eosTokenId, 7);
        QCOMPARE(config.ropeTheta, 500000.0);
        QCOMPARE(config.torchDtype, std::string("bfloat16"));
    }

    void readsLinearRopeScaling() {
        Json json = minimalConfig();
        json["rope_scaling"] = {{"type", "linear"}, {"factor", 4.0}};
        QCOMPARE(parse(json).ropeScalingFactor, 4.0);
        json["rope_scaling"] = {{"rope_type", "linear"}, {"factor", 2}};
        QCOMPARE(parse(json).ropeScalingFactor, 2.0);
        json["rope_scaling"] = {{"rope_type", "default"}};
        QCOMPARE(parse(json).ropeScalingFactor, 1.0);
    }

    // Dynamic NTK scaling (LLaMA-2 fine-tunes, Hugging Face's "dynamic"): read, described and
    // written back.
    void readsDynamicRopeScaling() {
        Json json = minimalConfig();
        json["rope_scaling"] = {{"type", "dynamic"}, {"factor", 2.0}};
        const ModelConfig config = parse(json);
        QCOMPARE(config.ropeType, std::string("dynamic"));
        QCOMPARE(config.ropeScalingFactor, 2.0);
        QVERIFY2(config.describeOptions().find("RoPE dynamic x2 past ") != std::string::npos,
                 config.describeOptions().c_str());
        const ModelConfig back = ModelConfig::fromJsonText(config.toJsonText(), "round trip");
        QVERIFY(sameConfig(config, back));
    }

    void padTokenMinusOneMeansNone() {
        Json json = minimalConfig();
        json["pad_token_id"] = -1;
        QCOMPARE(parse(json).padTokenId, -1);
    }

    void roundTripsLlamaAndMistral() {
        for (const char* text : {kLlama2Config, kMistralConfig}) {
            const ModelConfig config = ModelConfig::fromJsonText(text, kSource);
            const ModelConfig back = ModelConfig::fromJsonText(config.toJsonText(), "round trip");
            QVERIFY(sameConfig(config, back));
        }
    }

    void roundTripsEveryField() {
        ModelConfig config;
        config.modelType = "mistral";
        config.hiddenSize = 96;
        config.intermediateSize = 200;
        config.numLayers = 3;
        config.numHeads = 6;
        config.numKvHeads = 2;
        config.headDim = 24;
        config.vocabSize = 257;
        config.maxPositionEmbeddings = 512;
        config.rmsNormEps = 1.2345678901234567e-7;
        config.ropeTheta = 12345.678;
        config.ropeType = "linear";
        config.ropeScalingFactor = 2.5;
        config.tieWordEmbeddings = true;
        config.qkvBias = true;
        config.outputBias = true;
        config.slidingWindow = 40;
        config.bosTokenId = 0;
        config.eosTokenId = 256;
        config.padTokenId = 3;
        config.torchDtype = "bfloat16";
        const std::string text = config.toJsonText();
        QVERIFY(sameConfig(ModelConfig::fromJsonText(text, "round trip"), config));

        const Json json = Json::parse(text);
        QCOMPARE(json["architectures"], Json::array({"MistralForCausalLM"}));
        QCOMPARE(json["model_type"], Json("mistral"));
        config.modelType = "llama";
        QCOMPARE(Json::parse(config.toJsonText())["architectures"],
                 Json::array({"LlamaForCausalLM"}));
    }

    void roundTripsDefaults() {
        const ModelConfig config = parse(minimalConfig());
        QVERIFY(sameConfig(ModelConfig::fromJsonText(config.toJsonText(), "x"), config));
        QVERIFY(Json::parse(config.toJsonText())["pad_token_id"].is_null());
    }

    void readsFromFile() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = QDir(dir.path()).filePath("config.json").toStdString();
        std::ofstream(path) << kMistralConfig;
        QCOMPARE(ModelConfig::fromFile(path).numKvHeads, 8);

        const std::string missing = QDir(dir.path()).filePath("absent.json").toStdString();
        const std::string message = errorOf([&] { ModelConfig::fromFile(missing); });
        QVERIFY2(message.find(missing) != std::string::npos, message.c_str());
        QVERIFY2(message.find("cannot open") != std::string::npos, message.c_str());
    }

    void fileErrorsNameThePath() {
        QTemporaryDir dir;
        const std::string path = QDir(dir.path()).filePath("config.json").toStdString();
        std::ofstream(path) << R"({"model_type": "llama", "hidden_size": "big"})";
        const std::string message = errorOf([&] { ModelConfig::fromFile(path); });
        QVERIFY2(message.find(path + ": field 'hidden_size'") == 0, message.c_str());
    }

    void rejectsInvalidJson() {
        const std::string message = errorOf([] { ModelConfig::fromJsonText("{\"a\": ", kSource); });
        QVERIFY2(message.find(std::string(kSource) + ": not valid JSON") == 0, message.c_str());
    }

    void rejectsNonObject() {
        const std::string message = errorOf([] { ModelConfig::fromJsonText("[1]", kSource); });
        QVERIFY2(message.find(kSource) == 0 && message.find("not an object") != std::string::npos,
                 message.c_str());
    }

    // Each row: a JSON object merged over minimalConfig() (with `remove` deleted first), the
    // field the message must name, and a word it must contain.
    void rejectsBadField_data() {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("remove");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("word");
        const auto row = [](const char* name, const char* patch, const char* remove,
                            const char* field, const char* word) {
            QTest::newRow(name) << patch << remove << field << word;
        };
        row("model_type gpt2", R"({"model_type": "gpt2"})", "", "model_type",
            "'gpt2' is not supported; supported model types: llama, mistral, qwen2, qwen3, "
            "chatglm");
        // chatglm reads its own field names: a LLaMA config relabelled chatglm lacks them
        row("model_type chatglm, llama fields", R"({"model_type": "chatglm"})", "",
            "ffn_hidden_size", "missing");
        row("model_type missing", "{}", "model_type", "model_type", "missing");
        row("model_type number", R"({"model_type": 7})", "", "model_type", "string");
        row("hidden_size string", R"({"hidden_size": "64"})", "", "hidden_size", "integer");
        row("hidden_size float", R"({"hidden_size": 64.5})", "", "hidden_size", "integer");
        row("hidden_size zero", R"({"hidden_size": 0})", "", "hidden_size", "positive");
        row("hidden_size negative", R"({"hidden_size": -64})", "", "hidden_size", "positive");
        row("hidden_size missing", "{}", "hidden_size", "hidden_size", "missing");
        row("intermediate_size missing", "{}", "intermediate_size", "intermediate_size", "missing");
        row("intermediate_size zero", R"({"intermediate_size": 0})", "", "intermediate_size",
            "positive");
        row("num_hidden_layers null", R"({"num_hidden_layers": null})", "", "num_hidden_layers",
            "null");
        row("num_attention_heads zero", R"({"num_attention_heads": 0})", "", "num_attention_heads",
            "positive");
        row("vocab_size out of range", R"({"vocab_size": 1000000000000})", "", "vocab_size",
            "out of range");
        row("vocab_size bool", R"({"vocab_size": true})", "", "vocab_size", "integer");
        row("max_position_embeddings zero", R"({"max_position_embeddings": 0})", "",
            "max_position_embeddings", "positive");
        row("kv heads zero", R"({"num_key_value_heads": 0})", "", "num_key_value_heads",
            "positive");
        row("kv heads not dividing", R"({"num_key_value_heads": 3})", "", "num_key_value_heads",
            "not divisible");
        row("hidden not divisible", R"({"hidden_size": 66})", "", "hidden_size", "not divisible");
        row("head_dim odd", R"({"head_dim": 15})", "", "head_dim", "odd");
        row("derived head_dim odd", R"({"hidden_size": 60})", "", "head_dim", "odd");
        row("head_dim zero", R"({"head_dim": 0})", "", "head_dim", "positive");
        row("rope dynamic without factor", R"({"rope_scaling": {"type": "dynamic"}})", "",
            "rope_scaling", "factor");
        row("rope llama3 without low_freq_factor",
            R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "high_freq_factor": 4.0}})",
            "", "rope_scaling", "low_freq_factor");
        row("rope llama3 high <= low",
            R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0,
                "high_freq_factor": 4.0}})",
            "", "rope_scaling", "larger than low_freq_factor");
        row("rope llama3 original zero",
            R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                "high_freq_factor": 4.0, "original_max_position_embeddings": 0}})",
            "", "original_max_position_embeddings", "positive");
        row("rope yarn", R"({"rope_scaling": {"type": "yarn", "factor": 4.0}})", "", "rope_scaling",
            "supported rope types: default, linear, dynamic, llama3");
        row("rope_parameters longrope", R"({"rope_parameters": {"rope_type": "longrope"}})", "",
            "rope_parameters", "'longrope' is not supported");
        row("rope no type", R"({"rope_scaling": {"factor": 2.0}})", "", "rope_scaling", "type");
        row("rope no factor", R"({"rope_scaling": {"type": "linear"}})", "", "rope_scaling",
            "factor");
        row("rope factor zero", R"({"rope_scaling": {"type": "linear", "factor": 0}})", "",
            "rope_scaling", "positive");
        row("rope not object", R"({"rope_scaling": "linear"})", "", "rope_scaling", "object");
        row("rms_norm_eps string", R"({"rms_norm_eps": "1e-5"})", "", "rms_norm_eps", "number");
        row("rms_norm_eps negative", R"({"rms_norm_eps": -1e-5})", "", "rms_norm_eps", "positive");
        row("rope_theta zero", R"({"rope_theta": 0})", "", "rope_theta", "positive");
        row("tie not bool", R"({"tie_word_embeddings": "yes"})", "", "tie_word_embeddings",
            "true or false");
        row("attention_bias number", R"({"attention_bias": 1})", "", "attention_bias",
            "true or false");
        row("bos negative", R"({"bos_token_id": -5})", "", "bos_token_id", ">= 0");
        row("eos string", R"({"eos_token_id": "2"})", "", "eos_token_id", "integer");
        row("eos empty list", R"({"eos_token_id": []})", "", "eos_token_id", "empty");
        row("pad below -1", R"({"pad_token_id": -2})", "", "pad_token_id", ">= 0");
        row("pad float", R"({"pad_token_id": 0.5})", "", "pad_token_id", "integer");
        row("torch_dtype float64", R"({"torch_dtype": "float64"})", "", "torch_dtype",
            "'float64' is not supported");
        row("torch_dtype number", R"({"torch_dtype": 16})", "", "torch_dtype", "string");
        row("hidden_act gelu", R"({"hidden_act": "gelu"})", "", "hidden_act", "silu");
        row("mlp_bias true", R"({"mlp_bias": true})", "", "mlp_bias", "not supported");
        row("mistral window zero", R"({"model_type": "mistral", "sliding_window": 0})", "",
            "sliding_window", "positive");
        row("qwen window used but unset",
            R"({"model_type": "qwen2", "use_sliding_window": true, "sliding_window": null})", "",
            "sliding_window", "use_sliding_window is true");
        row("qwen layer_types wrong length",
            R"({"model_type": "qwen3", "layer_types": ["full_attention"]})", "", "layer_types",
            "list of 2");
        row("qwen layer_types sliding first",
            R"({"model_type": "qwen3", "sliding_window": 8,
                "layer_types": ["sliding_attention", "full_attention"]})",
            "", "layer_types", "not supported");
        row("qwen max_window_layers negative",
            R"({"model_type": "qwen2", "max_window_layers": -1})", "", "max_window_layers", ">= 0");
    }

    // Each family's own fields map to the options (model/families/).
    void familiesMapTheirFields() {
        Json json = minimalConfig();
        json["model_type"] = "qwen2";
        json["attention_bias"] = false; // not a Qwen2 field: q/k/v biases are always there
        ModelConfig config = parse(json);
        QCOMPARE(config.qkvBias, true);
        QCOMPARE(config.outputBias, false);
        QCOMPARE(config.qkNorm, false);
        QCOMPARE(config.slidingWindow, 0);

        json["model_type"] = "qwen3";
        json["head_dim"] = 32; // Qwen3: independent of hidden_size / heads
        config = parse(json);
        QCOMPARE(config.qkNorm, true);
        QCOMPARE(config.qkvBias, false);
        QCOMPARE(config.outputBias, false);
        QCOMPARE(config.headDim, 32);
        json["attention_bias"] = true;
        config = parse(json);
        QCOMPARE(config.qkvBias, true);
        QCOMPARE(config.outputBias, true);

        json = minimalConfig();
        json["model_type"] = "mistral";
        json["sliding_window"] = 4096;
        config = parse(json);
        QCOMPARE(config.slidingWindow, 4096);
        QCOMPARE(config.fullAttentionLayers, 0);
        QVERIFY(config.slidesAt(0) && config.slidesAt(1));

        json["model_type"] = "llama"; // LLaMA has no sliding window: the field is not read
        QCOMPARE(parse(json).slidingWindow, 0);
    }

    // Qwen: the window only with use_sliding_window, from layer max_window_layers on; a
    // Qwen2.5 config (use_sliding_window false, sliding_window 32768) has none.
    void qwenSlidingWindowFields() {
        Json json = minimalConfig();
        json["model_type"] = "qwen2";
        json["num_hidden_layers"] = 4;
        json["use_sliding_window"] = false;
        json["sliding_window"] = 32768;
        json["max_window_layers"] = 2;
        QCOMPARE(parse(json).slidingWindow, 0);
        json["use_sliding_window"] = true;
        ModelConfig config = parse(json);
        QCOMPARE(config.slidingWindow, 32768);
        QCOMPARE(config.fullAttentionLayers, 2);
        QVERIFY(!config.slidesAt(1) && config.slidesAt(2) && config.slidesAt(3));
        json["max_window_layers"] = 4; // every layer full
        QCOMPARE(parse(json).slidingWindow, 0);
        json.erase("max_window_layers");
        json["layer_types"] = {"full_attention", "sliding_attention", "sliding_attention",
                               "sliding_attention"};
        config = parse(json);
        QCOMPARE(config.fullAttentionLayers, 1);
        QCOMPARE(config.slidingWindow, 32768);
        QVERIFY(sameConfig(ModelConfig::fromJsonText(config.toJsonText(), "round trip"), config));
        QCOMPARE(Json::parse(config.toJsonText())["architectures"],
                 Json::array({"Qwen2ForCausalLM"}));
        json["use_sliding_window"] = false; // transformers: no window without it
        QCOMPARE(parse(json).slidingWindow, 0);
    }

    // LLaMA 3.1's rope_scaling, verbatim, and transformers 5's rope_parameters spelling.
    void readsLlama3RopeScaling() {
        Json json = minimalConfig();
        json["max_position_embeddings"] = 131072;
        json["rope_theta"] = 500000.0;
        json["rope_scaling"] = Json::parse(R"({"factor": 8.0, "high_freq_factor": 4.0,
            "low_freq_factor": 1.0, "original_max_position_embeddings": 8192,
            "rope_type": "llama3"})");
        ModelConfig config = parse(json);
        QCOMPARE(config.ropeType, std::string("llama3"));
        QCOMPARE(config.ropeScalingFactor, 8.0);
        QCOMPARE(config.ropeLowFreqFactor, 1.0);
        QCOMPARE(config.ropeHighFreqFactor, 4.0);
        QCOMPARE(config.ropeOriginalMaxPositions, 8192);
        QVERIFY(sameConfig(ModelConfig::fromJsonText(config.toJsonText(), "round trip"), config));
        // Without original_max_position_embeddings, Hugging Face uses max_position_embeddings.
        json["rope_scaling"].erase("original_max_position_embeddings");
        QCOMPARE(parse(json).ropeOriginalMaxPositions, 131072);

        json.erase("rope_scaling");
        json.erase("rope_theta");
        json["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 1000000.0}};
        config = parse(json);
        QCOMPARE(config.ropeTheta, 1000000.0);
        QCOMPARE(config.ropeType, std::string("default"));
        json["rope_parameters"] = {{"rope_type", "linear"}, {"factor", 2.0}, {"rope_theta", 5.0}};
        config = parse(json);
        QCOMPARE(config.ropeType, std::string("linear"));
        QCOMPARE(config.ropeTheta, 5.0);
    }

    void rejectsBadField() {
        QFETCH(QString, patch);
        QFETCH(QString, remove);
        QFETCH(QString, field);
        QFETCH(QString, word);
        Json json = minimalConfig();
        if (!remove.isEmpty())
            json.erase(remove.toStdString());
        const Json changes = Json::parse(patch.toStdString());
        for (const auto& item : changes.items())
            json[item.key()] = item.value();

        const QString message = QString::fromStdString(errorOf([&] { parse(json); }));
        QVERIFY2(!message.isEmpty(), "no FsllmError thrown");
        const QString prefix = QString("%1: field '%2': ").arg(kSource, field);
        QVERIFY2(message.startsWith(prefix), qPrintable(message));
        QVERIFY2(message.contains(word), qPrintable(message + "  [expected: " + word + "]"));
        QVERIFY2(!message.contains('\n'), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TstModelConfig)
#include "tst_modelconfig.moc"
