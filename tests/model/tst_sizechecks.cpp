// Sizes and values from files are checked before anything is allocated from them: config.json's
// sizes against the checkpoint's tensor headers (CheckpointShapes), an adapter's rank against its
// lora_A/lora_B shapes, NaN/Inf adapter weights, PEFT options that change what the weights mean
// (use_rslora is supported, DoRA and fan_in_fan_out refused). Every error names the file.
#include "adapterio.h"
#include "checkpointshapes.h"
#include "classificationhead.h"
#include "decoderfixture.h"
#include "fsllmerror.h"
#include "safetensorsfile.h"
#include "safetensorswriter.h"
#include "tensorutil.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

using namespace fsllm;
using namespace fsllm::testing;

namespace {

const std::string kLlama = std::string(FSLLM_TEST_DATA_DIR) + "/reference/tiny_llama";
const std::string kMistral = std::string(FSLLM_TEST_DATA_DIR) + "/reference/tiny_mistral";
const MaskSpec kDecay{MaskMode::Decay, 0.5};
const std::vector<int64_t> kProbe = {1, 17, 42, 100, 5, 63, 28};
constexpr int64_t kHidden = 64;

std::string errorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const FsllmError& e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

nlohmann::json readJson(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

void writeText(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

void editJson(const std::string& path, const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json json = readJson(path);
    edit(json);
    writeText(path, json.dump(2));
}

// Saves an adapter (LoRA on q and v, a linear 2-label head) with non-zero B after a few
// random updates, so its effect on the output is visible.
void saveAdapter(const std::string& directory, const LoraSettings& lora) {
    Decoder decoder = loadDecoder(kLlama);
    AdapterConfig config;
    config.lora = lora;
    config.targets = LoraTargets::parse("q,v");
    decoder->enableLora(config.lora, config.targets);
    torch::NoGradGuard noGrad;
    for (auto& [path, layer] : decoder->loraLayers())
        layer->loraB.normal_(0.0, 0.05);
    ClassificationHead head(kHidden, 2, HeadKind::Linear, 0, 1e-5, torch::kCPU);
    AdapterIo::save(directory, *decoder, head.get(), config);
}

// The hidden states of the base model with the adapter in `directory` loaded.
torch::Tensor adaptedHidden(const std::string& directory) {
    Decoder decoder = loadDecoder(kLlama);
    ClassificationHead head(kHidden, 2, HeadKind::Linear, 0, 1e-5, torch::kCPU);
    AdapterIo::load(directory, *decoder, head.get());
    return runAlone(*decoder, kProbe, kDecay).hidden;
}

// Rewrites one tensor of a safetensors file with `value` written into its first element.
void poisonTensor(const std::string& path, const std::string& tensor, float value) {
    SafetensorsWriter writer;
    {
        const SafetensorsFile file(path);
        for (const std::string& name : file.names()) {
            torch::Tensor t = tensorFromView(file.tensor(name), torch::kFloat32).clone();
            if (name == tensor)
                t.view(-1)[0] = value;
            addTensor(writer, name, t);
        }
    }
    writer.write(path);
}

} // namespace

class TstSizeChecks : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        torch::set_num_threads(1);
        torch::manual_seed(11);
    }

    // CheckpointShapes must name exactly the decoder's parameters with their shapes, or the
    // pre-allocation check would refuse good checkpoints or miss bad ones.
    void expectedShapesAreTheDecodersParameters_data() {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<bool>("attentionBias");
        QTest::newRow("llama (GQA)") << QString::fromStdString(kLlama) << false;
        QTest::newRow("mistral (tied)") << QString::fromStdString(kMistral) << false;
        QTest::newRow("llama with attention bias") << QString::fromStdString(kLlama) << true;
    }
    void expectedShapesAreTheDecodersParameters() {
        QFETCH(QString, folder);
        QFETCH(bool, attentionBias);
        ModelConfig config = ModelConfig::fromFile(folder.toStdString() + "/config.json");
        config.qkvBias = attentionBias;
        config.outputBias = attentionBias;
        Decoder decoder(config, torch::TensorOptions());
        std::map<std::string, std::vector<int64_t>> parameters;
        for (const auto& item : decoder->named_parameters(/*recurse=*/true))
            parameters[item.key()] =
                std::vector<int64_t>(item.value().sizes().begin(), item.value().sizes().end());
        std::map<std::string, std::vector<int64_t>> expected;
        for (const auto& tensor : CheckpointShapes::expected(config)) {
            QCOMPARE(tensor.fields.size(), tensor.shape.size());
            expected[tensor.parameter] = tensor.shape;
            // The Hugging Face LLaMA layout: the decoder's name under "model." (LM head apart).
            const std::string hf =
                tensor.parameter == "lm_head.weight" ? tensor.parameter : "model." + tensor.parameter;
            QCOMPARE(tensor.name, hf);
        }
        QCOMPARE(expected, parameters);
    }

    void configSizesCheckedAgainstWeights_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("value");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("2^31-1 layers") << "num_hidden_layers" << 2147483647 << "hold 2 layer";
        QTest::newRow("20000 layers") << "num_hidden_layers" << 20000 << "hold 2 layer";
        QTest::newRow("1 layer") << "num_hidden_layers" << 1 << "hold 2 layer";
        QTest::newRow("vocab 10^9") << "vocab_size" << 1000000000 << "model.embed_tokens.weight";
        QTest::newRow("intermediate 10^8") << "intermediate_size" << 100000000 << "gate_proj";
        QTest::newRow("hidden 2^30") << "hidden_size" << (1 << 30) << "model.embed_tokens.weight";
        QTest::newRow("kv heads 1") << "num_key_value_heads" << 1 << "k_proj";
    }
    void configSizesCheckedAgainstWeights() {
        QFETCH(QString, field);
        QFETCH(int, value);
        QFETCH(QString, fragment);
        ModelConfig config = ModelConfig::fromFile(kLlama + "/config.json");
        const std::string key = field.toStdString();
        if (key == "num_hidden_layers")
            config.numLayers = value;
        else if (key == "vocab_size")
            config.vocabSize = value;
        else if (key == "intermediate_size")
            config.intermediateSize = value;
        else if (key == "hidden_size")
            config.hiddenSize = value;
        else
            config.numKvHeads = value;
        const CheckpointIndex checkpoint(kLlama);
        QElapsedTimer timer;
        timer.start();
        const std::string message =
            errorOf([&] { CheckpointShapes::check(config, checkpoint, "x/config.json"); });
        QVERIFY2(timer.elapsed() < 1000, "the check must not build anything of the config's size");
        QVERIFY2(contains(message, "x/config.json: field '" + key + "': "), message.c_str());
        QVERIFY2(contains(message, fragment.toStdString()), message.c_str());
    }

    void adapterRankCheckedBeforeAllocation_data() {
        QTest::addColumn<int>("rank");
        QTest::newRow("2,000,000") << 2000000;
        QTest::newRow("65536") << 65536;
        QTest::newRow("8 (weights have 4)") << 8;
    }
    void adapterRankCheckedBeforeAllocation() {
        QFETCH(int, rank);
        QTemporaryDir dir;
        const std::string adapter = dir.path().toStdString();
        saveAdapter(adapter, LoraSettings{4, 16.0, 0.0});
        editJson(adapter + "/adapter_config.json", [&](nlohmann::json& j) { j["r"] = rank; });
        Decoder decoder = loadDecoder(kLlama);
        ClassificationHead head(kHidden, 2, HeadKind::Linear, 0, 1e-5, torch::kCPU);
        const std::string message =
            errorOf([&] { AdapterIo::load(adapter, *decoder, head.get()); });
        QVERIFY2(contains(message, adapter + "/adapter_config.json: field 'r': "), message.c_str());
        QVERIFY(decoder->loraLayers().empty()); // nothing of that rank was allocated
    }

    void rankAboveFeaturesRefused() {
        QTemporaryDir dir;
        const std::string adapter = dir.path().toStdString();
        saveAdapter(adapter, LoraSettings{kHidden + 8, 16.0, 0.0}); // A [72, 64]
        Decoder decoder = loadDecoder(kLlama);
        ClassificationHead head(kHidden, 2, HeadKind::Linear, 0, 1e-5, torch::kCPU);
        const std::string message =
            errorOf([&] { AdapterIo::load(adapter, *decoder, head.get()); });
        QVERIFY2(contains(message, "adapter_config.json: field 'r': 72 exceeds"), message.c_str());
    }

    void nonFiniteWeightsRefused_data() {
        QTest::addColumn<float>("value");
        QTest::newRow("NaN") << std::numeric_limits<float>::quiet_NaN();
        QTest::newRow("+Inf") << std::numeric_limits<float>::infinity();
    }
    void nonFiniteWeightsRefused() {
        QFETCH(float, value);
        QTemporaryDir dir;
        const std::string adapter = dir.path().toStdString();
        saveAdapter(adapter, LoraSettings{4, 16.0, 0.0});
        const std::string tensor = "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight";
        poisonTensor(adapter + "/adapter_model.safetensors", tensor, value);
        const std::string message = errorOf([&] { adaptedHidden(adapter); });
        QVERIFY2(contains(message, adapter + "/adapter_model.safetensors: tensor '" + tensor),
                 message.c_str());
        QVERIFY2(contains(message, "NaN or infinite"), message.c_str());
    }

    // PEFT's use_rslora scales by alpha / sqrt(r): the same weights with alpha' = alpha *
    // sqrt(r) and plain scaling give the same outputs; plain scaling with alpha does not.
    void rsLoraScalesBySqrtRank() {
        QTemporaryDir dir;
        const std::string adapter = dir.path().toStdString();
        saveAdapter(adapter, LoraSettings{4, 16.0, 0.0, /*rsLora=*/true});
        QCOMPARE(readJson(adapter + "/adapter_config.json")["use_rslora"].get<bool>(), true);
        const torch::Tensor rs = adaptedHidden(adapter);

        editJson(adapter + "/adapter_config.json", [](nlohmann::json& j) {
            j["use_rslora"] = false;
            j["lora_alpha"] = 32.0; // 16 * sqrt(4)
        });
        QVERIFY(maxAbsDiff(rs, adaptedHidden(adapter)) < 1e-5);
        editJson(adapter + "/adapter_config.json",
                 [](nlohmann::json& j) { j["lora_alpha"] = 16.0; });
        QVERIFY(maxAbsDiff(rs, adaptedHidden(adapter)) > 1e-3);
    }

    void deepAdapterConfigRefused() {
        const std::string deep = "{\"r\": " + std::string(100000, '[');
        const std::string message =
            errorOf([&] { AdapterConfig::fromJsonText(deep, "a/adapter_config.json"); });
        QVERIFY2(contains(message, "a/adapter_config.json: JSON nested deeper than 64 levels"),
                 message.c_str());
    }

    void weightChangingOptionsRefused_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("json");
        QTest::newRow("use_dora") << "use_dora"
                                  << "true";
        QTest::newRow("fan_in_fan_out") << "fan_in_fan_out"
                                        << "true";
        QTest::newRow("rank_pattern") << "rank_pattern"
                                      << R"({"q_proj": 8})";
        QTest::newRow("use_rslora not a bool") << "use_rslora"
                                               << R"("yes")";
        QTest::newRow("lora_dropout 5") << "lora_dropout"
                                        << "5";
        QTest::newRow("lora_alpha a string") << "lora_alpha"
                                             << R"("32")";
    }
    void weightChangingOptionsRefused() {
        QFETCH(QString, key);
        QFETCH(QString, json);
        QTemporaryDir dir;
        const std::string adapter = dir.path().toStdString();
        saveAdapter(adapter, LoraSettings{4, 16.0, 0.0});
        editJson(adapter + "/adapter_config.json", [&](nlohmann::json& j) {
            j[key.toStdString()] = nlohmann::json::parse(json.toStdString());
        });
        const std::string message = errorOf([&] { adaptedHidden(adapter); });
        QVERIFY2(contains(message, adapter + "/adapter_config.json: field '" + key.toStdString()),
                 message.c_str());
    }
};

QTEST_GUILESS_MAIN(TstSizeChecks)
#include "tst_sizechecks.moc"
