// The model-family seam (model/families/): each family's options against the reference numbers
// of tests/reference/make_family_reference.py (the forward parity itself is
// tst_decoder::matchesReference), RoPE inverse frequencies (llama3 scaling), sliding-window
// masks, checkpoints with tensors the family does not use (refused by name, never dropped;
// rotary inv_freq buffers skipped), and LoRA + PEFT round trips on every family.
#include "adapterio.h"
#include "checkpointshapes.h"
#include "classificationhead.h"
#include "decoderfixture.h"
#include "familytable.h"
#include "fsllmerror.h"
#include "loadedmodel.h"
#include "masking.h"
#include "rotaryembedding.h"
#include "safetensorsfile.h"
#include "safetensorswriter.h"
#include "tensorutil.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>

using namespace fsllm;
using namespace fsllm::testing;

namespace {

const std::string kReference = std::string(FSLLM_TEST_DATA_DIR) + "/reference";
const float kNegInf = -std::numeric_limits<float>::infinity();

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

// Copies a reference checkpoint folder (config.json, model.safetensors) into `target`, editing
// config.json and adding tensors on the way.
void copyCheckpoint(const std::string& source, const std::string& target,
                    const std::function<void(nlohmann::json&)>& editConfig,
                    const std::map<std::string, torch::Tensor>& extraTensors = {}) {
    std::ifstream in(source + "/config.json");
    nlohmann::json config = nlohmann::json::parse(in);
    editConfig(config);
    std::ofstream(target + "/config.json") << config.dump(2);
    SafetensorsWriter writer;
    SafetensorsFile weights(source + "/model.safetensors");
    for (const std::string& name : weights.names())
        addTensor(writer, name, tensorFromView(weights.tensor(name), torch::kFloat32));
    for (const auto& [name, tensor] : extraTensors)
        addTensor(writer, name, tensor);
    writer.write(target + "/model.safetensors");
}

const std::vector<int64_t> kProbe = {1, 12, 40, 3, 59, 21, 33, 8, 17};

} // namespace

class TstFamilies : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void tableListsEveryFamilyOnce() {
        std::set<std::string> types;
        for (const ModelFamily* family : FamilyTable::all()) {
            QVERIFY(types.insert(family->modelType).second);
            QVERIFY(!family->architecture.empty() && !family->summary.empty());
            QVERIFY(family->readOptions && family->writeOptions);
            QCOMPARE(FamilyTable::find(family->modelType), family);
        }
        QCOMPARE(types, (std::set<std::string>{"llama", "mistral", "qwen2", "qwen3"}));
        const std::string message = errorOf([] { FamilyTable::require("gpt2", "x/config.json"); });
        QVERIFY2(contains(message, "x/config.json: model type 'gpt2' is not supported; supported "
                                   "model types: llama, mistral, qwen2, qwen3"),
                 message.c_str());
    }

    // Every reference config survives ModelConfig's write/read and names its architecture.
    void configsRoundTrip_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<QString>("options");
        QTest::newRow("llama") << "tiny_llama" << "LlamaForCausalLM" << "none";
        QTest::newRow("llama3") << "tiny_llama3" << "LlamaForCausalLM"
                                << "RoPE llama3 x8 (low 1, high 4, original 256)";
        QTest::newRow("mistral") << "tiny_mistral" << "MistralForCausalLM"
                                 << "tied embeddings, RoPE linear x2";
        QTest::newRow("qwen2") << "tiny_qwen2" << "Qwen2ForCausalLM"
                               << "q/k/v bias, sliding window 4 from layer 1";
        QTest::newRow("qwen3") << "tiny_qwen3" << "Qwen3ForCausalLM"
                               << "q/k RMSNorm, tied embeddings";
    }
    void configsRoundTrip() {
        QFETCH(QString, model);
        QFETCH(QString, architecture);
        QFETCH(QString, options);
        const ModelConfig config =
            ModelConfig::fromFile(kReference + "/" + model.toStdString() + "/config.json");
        QCOMPARE(QString::fromStdString(config.describeOptions()), options);
        const std::string text = config.toJsonText();
        const ModelConfig back = ModelConfig::fromJsonText(text, "round trip");
        QCOMPARE(back.describeOptions(), config.describeOptions());
        QCOMPARE(back.headDim, config.headDim);
        QCOMPARE(back.ropeTheta, config.ropeTheta);
        QCOMPARE(nlohmann::json::parse(text)["architectures"][0].get<std::string>(),
                 architecture.toStdString());
    }

    // RotaryEmbedding's inverse frequencies equal Hugging Face's formulas (the reference stores
    // them from its own float64 code): plain theta^(-2i/d) and llama3's three bands.
    void ropeInverseFrequencies_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("llama3 scaling") << "tiny_llama3";
        QTest::newRow("qwen2, theta 1e6") << "tiny_qwen2";
        QTest::newRow("qwen3, head_dim 16 != D/H") << "tiny_qwen3";
    }
    void ropeInverseFrequencies() {
        QFETCH(QString, model);
        const std::string dir = kReference + "/" + model.toStdString();
        const ModelConfig config = ModelConfig::fromFile(dir + "/config.json");
        SafetensorsFile reference(dir + "/reference.safetensors");
        const auto expected = tensorFromView(reference.tensor("rope.inv_freq"), torch::kFloat32);
        const auto actual = RotaryEmbedding::inverseFrequency(config);
        QCOMPARE(actual.size(0), int64_t(config.headDim / 2));
        const double relative =
            ((actual - expected.to(torch::kFloat64)).abs() / expected.to(torch::kFloat64))
                .max()
                .item<double>();
        QVERIFY2(relative < 1e-6, QByteArray::number(relative)); // f32 storage of the reference
    }

    // llama3 keeps high frequencies, divides low ones by the factor and interpolates between.
    void llama3BandsAreDistinct() {
        ModelConfig config = ModelConfig::fromFile(kReference + "/tiny_llama3/config.json");
        const auto scaled = RotaryEmbedding::inverseFrequency(config);
        ModelConfig plain = config;
        plain.ropeType = "default";
        const auto base = RotaryEmbedding::inverseFrequency(plain);
        const auto ratio = base / scaled; // 1 (kept), 8 (scaled), between (smoothed)
        QCOMPARE(ratio[0].item<double>(), 1.0);
        QVERIFY(std::abs(ratio[7].item<double>() - 8.0) < 1e-12);
        bool between = false;
        for (int64_t i = 0; i < ratio.size(0); ++i)
            between = between || (ratio[i].item<double>() > 1.0 + 1e-9 &&
                                  ratio[i].item<double>() < 8.0 - 1e-9);
        QVERIFY(between);
    }

    // Dynamic (NTK-aware) scaling, as Hugging Face's _compute_dynamic_ntk_parameters for a model
    // that sees T positions: up to max_position_embeddings nothing changes; past it theta becomes
    // theta * (factor * T / max - (factor - 1))^(d / (d - 2)), recomputed for every length.
    void dynamicRopeGrowsThetaPastTheMaximum() {
        ModelConfig config = ModelConfig::fromFile(kReference + "/tiny_llama/config.json");
        config.maxPositionEmbeddings = 8;
        ModelConfig plain = config;
        config.ropeType = "dynamic";
        config.ropeScalingFactor = 2.0;
        const double d = config.headDim, theta = config.ropeTheta;
        const auto expectedFor = [&](int64_t T) { // [hd/2] f64, written from the formula
            const double grown =
                T <= 8 ? theta : theta * std::pow(2.0 * double(T) / 8.0 - 1.0, d / (d - 2.0));
            std::vector<double> values;
            for (int i = 0; i < config.headDim; i += 2)
                values.push_back(1.0 / std::pow(grown, double(i) / d));
            return torch::tensor(values, torch::kFloat64);
        };
        for (const int64_t T : {0, 5, 8, 9, 16, 40}) {
            const auto actual = RotaryEmbedding::inverseFrequency(config, T);
            const double relative =
                ((actual - expectedFor(T)).abs() / expectedFor(T)).max().item<double>();
            QVERIFY2(relative < 1e-12, qPrintable(QString("T=%1: %2").arg(T).arg(relative)));
        }
        QVERIFY(!torch::allclose(RotaryEmbedding::inverseFrequency(config, 16),
                                 RotaryEmbedding::inverseFrequency(plain)));
        // The cached tables follow the length up and down (never a slice of another length's).
        RotaryEmbedding rope(config), unscaled(plain);
        for (const int64_t T : {6, 16, 12, 8, 3, 12}) {
            const auto [cos, sin] = rope.table(T, torch::kCPU, torch::kFloat64);
            const auto angles = torch::outer(torch::arange(T, torch::kFloat64), expectedFor(T));
            const auto embedding = torch::cat({angles, angles}, -1); // [T, hd]
            QVERIFY2(torch::allclose(cos, embedding.cos(), 0.0, 1e-12) &&
                         torch::allclose(sin, embedding.sin(), 0.0, 1e-12),
                     qPrintable(QString("T=%1").arg(T)));
            if (T <= 8)
                QVERIFY(torch::equal(cos, unscaled.table(T, torch::kCPU, torch::kFloat64).first));
        }
        // In the decoder: bit for bit the unscaled model up to the maximum, different past it.
        CheckpointIndex checkpoint(kReference + "/tiny_llama");
        Decoder scaled(config, torch::TensorOptions()), base(plain, torch::TensorOptions());
        WeightLoader::load(*scaled, checkpoint);
        WeightLoader::load(*base, checkpoint);
        scaled->eval();
        base->eval();
        const std::vector<int64_t> shortIds = {1, 12, 76, 40, 3, 59, 21, 68};
        std::vector<int64_t> longIds = shortIds;
        longIds.insert(longIds.end(), {33, 9, 75, 25});
        const MaskSpec decay{MaskMode::Decay, 0.5};
        QCOMPARE(maxAbsDiff(runAlone(*scaled, shortIds, decay).hidden,
                            runAlone(*base, shortIds, decay).hidden),
                 0.0);
        QVERIFY(maxAbsDiff(runAlone(*scaled, longIds, decay).logits,
                           runAlone(*base, longIds, decay).logits) > 1e-4);
    }

    // M with a window W: everything |i - j| >= W is -inf in every mode, the rest as without.
    void slidingWindowMaskDefinition() {
        const int64_t T = 6, W = 3;
        auto lengths = torch::tensor(std::vector<int64_t>{T, 4}); // [2] int64
        for (const MaskSpec spec : {MaskSpec{MaskMode::Causal, 0.0},
                                    MaskSpec{MaskMode::Bidirectional, 0.0},
                                    MaskSpec{MaskMode::Decay, 0.5}}) {
            const auto plain = buildAttentionBias(spec, lengths, T);        // [2, 1, T, T]
            const auto windowed = buildAttentionBias(spec, lengths, T, W);  // [2, 1, T, T]
            for (int64_t i = 0; i < T; ++i)
                for (int64_t j = 0; j < T; ++j) {
                    const float got = windowed[0][0][i][j].item<float>();
                    if (std::abs(i - j) >= W)
                        QCOMPARE(got, kNegInf);
                    else
                        QCOMPARE(got, plain[0][0][i][j].item<float>());
                }
            // Causal under W sees exactly the W most recent keys (Hugging Face's definition).
            if (spec.mode == MaskMode::Causal)
                QCOMPARE((windowed[0][0][5] == 0).sum().item<int64_t>(), W);
            // Padding query rows keep real keys visible, so no row is entirely -inf.
            const auto rowMax = std::get<0>(windowed.max(-1)); // [2, 1, T]
            QVERIFY(torch::isfinite(rowMax).all().item<bool>());
            // A window at least as long as the input changes nothing.
            QVERIFY(torch::equal(buildAttentionBias(spec, lengths, T, T), plain));
        }
    }

    // Mistral's sliding_window: absent or longer than the input leaves the outputs bit for bit;
    // shorter changes them; a padded batch still equals each sentence alone.
    void slidingWindowInTheDecoder() {
        const std::string dir = kReference + "/tiny_mistral";
        ModelConfig config = ModelConfig::fromFile(dir + "/config.json");
        QCOMPARE(config.slidingWindow, 0);
        Decoder base = loadDecoder(dir);
        const std::vector<int64_t> ids = {1, 12, 76, 40, 3, 59, 21, 68, 33};
        CheckpointIndex checkpoint(dir);
        for (const int window : {9, 4096, 3}) {
            config.slidingWindow = window;
            Decoder decoder(config, torch::TensorOptions());
            WeightLoader::load(*decoder, checkpoint);
            decoder->eval();
            for (const MaskSpec spec :
                 {MaskSpec{MaskMode::Causal, 0.0}, MaskSpec{MaskMode::Bidirectional, 0.0},
                  MaskSpec{MaskMode::Decay, 0.5}}) {
                const auto a = runAlone(*base, ids, spec);
                const auto b = runAlone(*decoder, ids, spec);
                if (window >= int(ids.size()))
                    QCOMPARE(maxAbsDiff(a.hidden, b.hidden), 0.0);
                else
                    QVERIFY(maxAbsDiff(a.logits, b.logits) > 1e-3);
            }
        }
        // window 3: padded rows (also shorter than the window) give each sentence alone's numbers
        Decoder decoder(config, torch::TensorOptions());
        WeightLoader::load(*decoder, checkpoint);
        decoder->eval();
        const std::vector<std::vector<int64_t>> sentences = {ids, {1, 44, 9, 75, 25}, {1, 9}};
        auto [batch, lengths] = padBatch(sentences);
        torch::NoGradGuard noGrad;
        const MaskSpec decay{MaskMode::Decay, 0.5};
        const auto out = decoder->forward(batch, lengths, ForwardOptions{decay, true, true});
        QVERIFY(torch::isfinite(out.hidden).all().item<bool>());
        for (std::size_t b = 0; b < sentences.size(); ++b) {
            const auto alone = runAlone(*decoder, sentences[b], decay);
            const int64_t len = static_cast<int64_t>(sentences[b].size());
            QVERIFY(maxAbsDiff(out.hidden[b].narrow(0, 0, len), alone.hidden[0]) < 1e-5);
        }
    }

    // The case: a Qwen2 checkpoint relabelled llama used to load with its q/k/v biases
    // silently dropped. Now every entry point refuses it, naming the tensors and the cause.
    void relabelledCheckpointsAreRefused_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("relabel");
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<QString>("cause");
        QTest::newRow("qwen2 as llama") << "tiny_qwen2" << "llama" << "self_attn.k_proj.bias"
                                        << "is this a qwen2 checkpoint?";
        QTest::newRow("qwen2 as mistral") << "tiny_qwen2" << "mistral" << "self_attn.q_proj.bias"
                                          << "is this a qwen2 checkpoint?";
        QTest::newRow("qwen3 as llama") << "tiny_qwen3" << "llama" << "self_attn.k_norm.weight"
                                        << "is this a qwen3 checkpoint?";
    }
    void relabelledCheckpointsAreRefused() {
        QFETCH(QString, model);
        QFETCH(QString, relabel);
        QFETCH(QString, tensor);
        QFETCH(QString, cause);
        QTemporaryDir dir;
        const std::string target = dir.path().toStdString();
        copyCheckpoint(kReference + "/" + model.toStdString(), target,
                       [&](nlohmann::json& c) { c["model_type"] = relabel.toStdString(); });
        for (const auto& open : std::vector<std::function<void()>>{
                 [&] { ModelHeaders::read(target, "cpu", "auto", false); },
                 [&] { LoadedModel::open(target, "cpu", "auto", false); },
                 [&] { loadDecoder(target); }}) {
            const std::string message = errorOf(open);
            QVERIFY2(contains(message, target + ": "), message.c_str());
            QVERIFY2(contains(message, "model.layers.0." + tensor.toStdString()) ||
                         contains(message, "model.layers.1." + tensor.toStdString()),
                     message.c_str());
            QVERIFY2(contains(message, "that a " + relabel.toStdString() +
                                           " model as configured does not use"),
                     message.c_str());
            QVERIFY2(contains(message, cause.toStdString()), message.c_str());
        }
    }

    // Rotary inv_freq buffers (older transformers saved them) are skipped; any other unused
    // tensor is refused by name; an untied lm_head under tie_word_embeddings is explained.
    void unusedTensors() {
        QTemporaryDir dir;
        const std::string target = dir.path().toStdString();
        const std::string source = kReference + "/tiny_llama";
        copyCheckpoint(source, target, [](nlohmann::json&) {},
                       {{"model.layers.0.self_attn.rotary_emb.inv_freq", torch::ones({8})},
                        {"model.layers.1.self_attn.rotary_emb.inv_freq", torch::ones({8})}});
        const auto expected = runAlone(*loadDecoder(source), kProbe, {MaskMode::Causal, 0.0});
        const auto loaded = runAlone(*loadDecoder(target), kProbe, {MaskMode::Causal, 0.0});
        QCOMPARE(maxAbsDiff(expected.hidden, loaded.hidden), 0.0);
        QCOMPARE(LoadedModel::open(target, "cpu", "auto", false).config.modelType,
                 std::string("llama"));

        QTemporaryDir extraDir;
        const std::string extra = extraDir.path().toStdString();
        copyCheckpoint(source, extra, [](nlohmann::json&) {},
                       {{"model.layers.0.mlp.extra_proj.weight", torch::ones({4, 4})}});
        std::string message = errorOf([&] { ModelHeaders::read(extra, "cpu", "auto", false); });
        QVERIFY2(contains(message, extra + ": 1 tensor(s) that a llama model as configured does "
                                           "not use: model.layers.0.mlp.extra_proj.weight; "),
                 message.c_str());
        QVERIFY2(contains(message, "model_type 'llama' may be wrong"), message.c_str());

        QTemporaryDir biasDir;
        const std::string bias = biasDir.path().toStdString();
        copyCheckpoint(source, bias, [](nlohmann::json&) {},
                       {{"model.layers.0.self_attn.o_proj.bias", torch::zeros({64})}});
        message = errorOf([&] { ModelHeaders::read(bias, "cpu", "auto", false); });
        QVERIFY2(contains(message, "'self_attn.o_proj.bias' is present but config.json asks for "
                                   "no such bias"),
                 message.c_str());

        QTemporaryDir tiedDir;
        const std::string tied = tiedDir.path().toStdString();
        copyCheckpoint(source, tied, [](nlohmann::json& c) { c["tie_word_embeddings"] = true; });
        message = errorOf([&] { ModelHeaders::read(tied, "cpu", "auto", false); });
        QVERIFY2(contains(message, "lm_head.weight") &&
                     contains(message, "set tie_word_embeddings to false"),
                 message.c_str());
    }

    // LoRA on every projection, a few training steps, the PEFT files and a reload that gives
    // the same numbers, on each family (biases and q/k norm stay frozen base weights).
    void loraRoundTripOnEveryFamily_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("qwen2") << "tiny_qwen2";
        QTest::newRow("qwen3") << "tiny_qwen3";
        QTest::newRow("llama3") << "tiny_llama3";
    }
    void loraRoundTripOnEveryFamily() {
        QFETCH(QString, model);
        const std::string source = kReference + "/" + model.toStdString();
        Decoder decoder = loadDecoder(source);
        const int64_t D = decoder->config().hiddenSize;
        AdapterConfig config;
        config.lora = LoraSettings{4, 16.0, 0.0};
        config.targets = LoraTargets::parse("q,k,v,o,gate,up,down");
        config.baseModel = source;
        decoder->enableLora(config.lora, config.targets);
        ClassificationHead head(D, 2, HeadKind::Fs, 0, 1e-5, torch::kCPU);
        {
            auto [ids, lengths] = padBatch({kProbe, {1, 50, 7}, {1, 9, 9, 9}});
            auto labels = torch::tensor({0, 1, 0}, torch::kInt64);
            std::vector<torch::Tensor> trainable;
            for (auto& parameter : decoder->parameters())
                if (parameter.requires_grad())
                    trainable.push_back(parameter);
            QCOMPARE(trainable.size(), std::size_t(2 * 7 * decoder->config().numLayers));
            for (auto& parameter : head->parameters())
                trainable.push_back(parameter);
            torch::optim::AdamW optimizer(trainable, torch::optim::AdamWOptions(1e-2));
            decoder->train();
            head->train();
            for (int step = 0; step < 3; ++step) {
                optimizer.zero_grad();
                auto out = decoder->forward(ids, lengths,
                                            ForwardOptions{{MaskMode::Decay, 0.5}, false, false});
                auto logits = head->forward(poolHidden(out.hidden, lengths, Pooling::Last));
                torch::nn::functional::cross_entropy(logits, labels).backward();
                optimizer.step();
            }
            decoder->eval();
            head->eval();
        }
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/adapter";
        AdapterIo::save(out, *decoder, head.get(), config);
        SafetensorsFile weights(out + "/adapter_model.safetensors");
        QVERIFY(weights.contains("base_model.model.model.layers.1.self_attn.k_proj.lora_A.weight"));
        QVERIFY(weights.contains("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"));

        Decoder reloaded = loadDecoder(source);
        ClassificationHead reloadedHead(D, 2, HeadKind::Fs, 0, 1e-5, torch::kCPU);
        AdapterIo::load(out, *reloaded, reloadedHead.get());
        const MaskSpec decay{MaskMode::Decay, 0.5};
        const auto before = runAlone(*decoder, kProbe, decay);
        const auto after = runAlone(*reloaded, kProbe, decay);
        QCOMPARE(maxAbsDiff(before.hidden, after.hidden), 0.0);
        const auto base = runAlone(*loadDecoder(source), kProbe, decay);
        QVERIFY(maxAbsDiff(base.hidden, after.hidden) > 1e-4); // the adapter did something
        reloaded->mergeLora();
        QVERIFY(maxAbsDiff(runAlone(*reloaded, kProbe, decay).hidden, after.hidden) < 1e-4);
    }
};

QTEST_GUILESS_MAIN(TstFamilies)
#include "tst_families.moc"
