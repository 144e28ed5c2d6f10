// The model-family seam (model/families/): each family's options against the reference numbers
// of tests/reference/make_family_reference.py (the forward parity itself is
// tst_decoder::matchesReference), RoPE inverse frequencies (llama3 scaling), sliding-window
// masks, checkpoints with tensors the family does not use (refused by name, never dropped;
// rotary inv_freq buffers skipped), and LoRA + PEFT round trips on every family.
#include "adapterio.h"
#include "chatglmbackend.h"
#include "checkpointindex.h"
#include "checkpointshapes.h"
#include "classificationhead.h"
#include "decoderfixture.h"
#include "familytable.h"
#include "fsllmerror.h"
#include "loadedmodel.h"
#include "masking.h"
#include "picklepatch.h"
#include "rotaryembedding.h"
#include "safetensorsfile.h"
#include "safetensorswriter.h"
#include "tensorutil.h"
#include "tokenizer.h"
#include "torchbincheckpoint.h"
#include "weightloader.h"

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

// ChatGLM's inputs start with [gMASK] sop (ids 513 and 515 after tok512's 512 pieces).
const std::vector<int64_t> kChatGlmProbe = {513, 515, 17, 402, 80, 5};

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

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
            // the LLaMA fields plus the family's own, or (chatglm) all of config.json itself
            QVERIFY((family->readOptions && family->writeOptions) ||
                    (family->readConfig && family->writeConfig));
            QCOMPARE(FamilyTable::find(family->modelType), family);
        }
        QCOMPARE(types, (std::set<std::string>{"llama", "mistral", "qwen2", "qwen3", "chatglm"}));
        const std::string message = errorOf([] { FamilyTable::require("gpt2", "x/config.json"); });
        QVERIFY2(contains(message, "x/config.json: model type 'gpt2' is not supported; supported "
                                   "model types: llama, mistral, qwen2, qwen3, chatglm"),
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
        QTest::newRow("chatglm") << "tiny_chatglm2"
                                 << "ChatGLMModel"
                                 << "q/k/v bias, RoPE on 6 of 12 head dims (interleaved pairs)";
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
        QTest::newRow("chatglm, kv_channels / 2 dims, base 1e4 x rope_ratio") << "tiny_chatglm2";
    }
    void ropeInverseFrequencies() {
        QFETCH(QString, model);
        const std::string dir = kReference + "/" + model.toStdString();
        const ModelConfig config = ModelConfig::fromFile(dir + "/config.json");
        SafetensorsFile reference(dir + "/reference.safetensors");
        const auto expected = tensorFromView(reference.tensor("rope.inv_freq"), torch::kFloat32);
        const auto actual = RotaryEmbedding::inverseFrequency(config);
        QCOMPARE(actual.size(0), int64_t(config.rotatedDims() / 2));
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

    // The issue's case: a Qwen2 checkpoint relabelled llama used to load with its q/k/v biases
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

    // ChatGLM2's layout: pytorch_model.bin shards read by LibTorch's unpickler as views of the
    // mapped files (nothing copied); the same weights in one pytorch_model.bin saved from an
    // OrderedDict with `_metadata` and a transposed (non-contiguous) tensor give the same
    // numbers; WeightLoader::save writes the fused tensors back as they were.
    void chatglmBinCheckpoints() {
        const std::string shards = kReference + "/tiny_chatglm2";
        LoadedModel model = LoadedModel::open(shards, "cpu", "auto", true);
        QCOMPARE(model.config.modelType, std::string("chatglm"));
        QCOMPARE(model.config.numKvHeads, 2);
        QVERIFY(model.weightStats.sharedBytes > 0);
        QCOMPARE(model.weightStats.copiedBytes, std::int64_t{0});
        const MaskSpec causal{MaskMode::Causal, 0.0};
        const auto fromShards = runAlone(*model.decoder, kChatGlmProbe, causal);
        const auto fromSingle =
            runAlone(*loadDecoder(kReference + "/tiny_chatglm2_single"), kChatGlmProbe, causal);
        QCOMPARE(maxAbsDiff(fromShards.logits, fromSingle.logits), 0.0);

        QTemporaryDir dir;
        const std::string saved = dir.path().toStdString() + "/model.safetensors";
        WeightLoader::save(*model.decoder, saved);
        SafetensorsFile written(saved);
        const auto original = TorchBinCheckpoint::open(shards);
        int compared = 0;
        for (const std::string& name : original->names()) {
            if (model.config.family().ignores(name))
                continue; // the rotary inv_freq buffer
            QVERIFY2(written.contains(name), name.c_str());
            QCOMPARE(maxAbsDiff(tensorFromView(written.tensor(name), torch::kFloat32),
                                tensorFromView(original->tensor(name), torch::kFloat32)),
                     0.0);
            ++compared;
        }
        QCOMPARE(compared, 17);
        QCOMPARE(int(written.names().size()), compared);
    }

    // Broken .bin checkpoints are refused naming the file and the fix, never crash.
    void chatglmBadBinFiles_data() {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing shard") << "missing"
                                       << "shard 'pytorch_model-00002-of-00002.bin'";
        QTest::newRow("LFS pointer") << "lfs"
                                     << "this is a Git LFS pointer";
        QTest::newRow("HTML page") << "html"
                                   << "this is an HTML page";
        QTest::newRow("legacy format") << "legacy"
                                       << "legacy (pre-1.6) format";
        QTest::newRow("not a zip") << "garbage"
                                   << "is not a PyTorch checkpoint";
        QTest::newRow("truncated") << "truncated"
                                   << "cannot read the PyTorch checkpoint";
        QTest::newRow("wrong shard in index") << "index"
                                              << "but that shard does not contain it";
    }
    void chatglmBadBinFiles() {
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        std::filesystem::copy(kReference + "/tiny_chatglm2", folder,
                              std::filesystem::copy_options::recursive |
                                  std::filesystem::copy_options::overwrite_existing);
        const std::string shard = folder + "/pytorch_model-00002-of-00002.bin";
        if (damage == "missing") {
            std::filesystem::remove(shard);
        } else if (damage == "lfs") {
            writeBytes(shard, "version https://git-lfs.github.com/spec/v1\noid sha256:ab\n"
                              "size 117251\n");
        } else if (damage == "html") {
            writeBytes(shard, "<!DOCTYPE html>\n<html><body>Access denied</body></html>\n");
        } else if (damage == "legacy") {
            writeBytes(shard, std::string("\x80\x02\x8a\x0a", 4) + "legacy magic");
        } else if (damage == "garbage") {
            writeBytes(shard, "not a checkpoint at all");
        } else if (damage == "truncated") {
            std::filesystem::resize_file(shard, std::filesystem::file_size(shard) / 2);
        } else {
            const std::string index = folder + "/pytorch_model.bin.index.json";
            std::ifstream in(index);
            nlohmann::json json = nlohmann::json::parse(in);
            json["weight_map"]["transformer.output_layer.weight"] =
                "pytorch_model-00001-of-00002.bin";
            std::ofstream(index) << json.dump(2);
        }
        const std::string message =
            errorOf([&] { LoadedModel::open(folder, "cpu", "auto", false); });
        QVERIFY2(contains(message, folder + "/pytorch_model"), message.c_str());
        QVERIFY2(contains(message, expected.toStdString()), message.c_str());
    }

    // The LibTorch rewrite, opcode by opcode: ")R" after the OrderedDict global (or a memo GET
    // of it) becomes NEWOBJ "}" (LibTorch's NEWOBJ pops), a BUILD goes with its state, a SETITEM
    // becomes MARK ... SETITEMS; text that looks like opcodes stays; bad pickles are refused.
    void picklePatchRewritesForLibTorch() {
        using namespace std::string_literals; // "..."s keeps the NUL bytes
        const std::string global = "\x80\x02"
                                   "ccollections\nOrderedDict\nq\x00"s;
        const std::string item = "X\x03\x00\x00\x00)R.K\x07"s;        // "')R.'": 7
        const std::string pickle = global + ")Rq\x01"s + item + "s" + // OrderedDict(), one item
                                   "}X\x01\x00\x00\x00mh\x00)Rsb."s;  // state {"m": OD()}
        int orderedDicts = 0;
        const std::string rewritten = PicklePatch::rewrite(pickle, "p", &orderedDicts);
        QCOMPARE(orderedDicts, 2);
        QCOMPARE(rewritten, global + "\x81}q\x01("s + item + "u.");

        const auto refused = [](const std::string& bad) {
            return errorOf([&] { PicklePatch::rewrite(bad, "x.pkl"); });
        };
        QVERIFY(contains(refused("\x80\x02\xff"s),
                         "x.pkl: byte 2: pickle opcode 0xff is not one torch.save writes"));
        QVERIFY(contains(refused("\x80\x02X\x09\x00\x00\x00"
                                 "ab"s),
                         "ends inside an opcode's argument"));
        QVERIFY(contains(refused("\x80\x02}"s), "ends inside an opcode's argument"));
        QVERIFY(contains(refused("\x80\x02R."s), "takes more values than the stack holds"));
        QVERIFY(contains(refused("\x80\x02u."s), "needs a MARK"));
    }

    // ChatGLM's tokenizer: tok512 plus [MASK] [gMASK] [sMASK] sop eop, every input starting with
    // [gMASK] sop (no BOS), words aligned after the two-token prefix.
    void chatglmTokenizer() {
        const std::string folder = kReference + "/tiny_chatglm2";
        const Tokenizer tokenizer(Tokenizer::fileInFolder(folder));
        QVERIFY2(contains(tokenizer.kind(), "ChatGLM"), tokenizer.kind().c_str());
        QCOMPARE(tokenizer.vocabSize(), 517);
        QCOMPARE(tokenizer.bosId(), -1);
        QCOMPARE(tokenizer.prefixIds(), (std::vector<int>{513, 515}));
        QCOMPARE(tokenizer.pieces({512, 513, 514, 515, 516}), ChatGlmBackend::specialTokens());
        QCOMPARE(tokenizer.pieceToId("sop"), 515);
        QVERIFY(contains(errorOf([&] { tokenizer.pieces({517}); }), "outside the vocabulary"));

        // The rest is the plain sentencepiece encoding (the same file without the config).
        QTemporaryDir dir;
        const std::string plainPath = dir.path().toStdString() + "/tokenizer.model";
        std::filesystem::copy_file(folder + "/tokenizer.model", plainPath);
        const Tokenizer plain(plainPath);
        const std::string text = "Once upon a time, Tim found a ball.";
        const std::vector<int> ids = tokenizer.encode(text);
        std::vector<int> expected = {513, 515};
        for (const int id : plain.encode(text, /*addBos=*/false))
            expected.push_back(id);
        QCOMPARE(ids, expected);
        QCOMPARE(tokenizer.decode(std::vector<int>(ids.begin() + 2, ids.end())), text);
        QCOMPARE(tokenizer.decode(ids), "[gMASK]sop" + text);

        const WordAlignment words = tokenizer.encodeWords({"Once", "upon", "a", "time"});
        QCOMPARE(std::vector<int>(words.ids.begin(), words.ids.begin() + 2),
                 (std::vector<int>{513, 515}));
        QCOMPARE(words.wordOfToken[0], -1);
        QCOMPARE(words.wordOfToken[1], -1);
        QCOMPARE(words.firstSubToken[0], 2);
        QCOMPARE(words.wordOfToken[std::size_t(words.firstSubToken[3])], 3);
    }

    // A PEFT adapter trained on ChatGLM's fused query_key_value (rank r, one shared A) loads
    // exactly: q, k and v each get A and their rows of B. A block form (rank 3r) whose
    // off-diagonal blocks are not zero cannot be split and is refused.
    void chatglmFusedPeftAdapters() {
        const std::string source = kReference + "/tiny_chatglm2";
        const std::int64_t D = 32, rows = 96, r = 4; // rows: q 48, k 24, v 24
        const auto writeAdapter = [](const std::string& folder, const std::string& config,
                                     std::int64_t rank, std::map<std::string, torch::Tensor>& a,
                                     std::map<std::string, torch::Tensor>& b) {
            std::ofstream(folder + "/adapter_config.json") << config;
            SafetensorsWriter writer;
            for (int layer = 0; layer < 2; ++layer) {
                const std::string key = "base_model.model.transformer.encoder.layers." +
                                        std::to_string(layer) + ".self_attention.query_key_value";
                a[key] = torch::randn({rank, D});
                b[key] = torch::randn({rows, rank});
                addTensor(writer, key + ".lora_A.weight", a[key]);
                addTensor(writer, key + ".lora_B.weight", b[key]);
            }
            writer.write(folder + "/adapter_model.safetensors");
        };
        torch::manual_seed(3);
        QTemporaryDir shared;
        std::map<std::string, torch::Tensor> a, b;
        writeAdapter(shared.path().toStdString(),
                     R"({"peft_type": "LORA", "r": 4, "lora_alpha": 8, "bias": "none",
                         "target_modules": ["query_key_value"]})",
                     r, a, b);
        Decoder decoder = loadDecoder(source);
        AdapterIo::load(shared.path().toStdString(), *decoder, nullptr);
        const std::string key1 =
            "base_model.model.transformer.encoder.layers.1.self_attention.query_key_value";
        int checked = 0;
        for (auto& [path, layer] : decoder->loraLayers()) {
            if (path.rfind("layers.1.", 0) != 0)
                continue;
            const std::int64_t offset = contains(path, "q_proj")   ? 0
                                        : contains(path, "k_proj") ? 48
                                                                   : 72;
            QCOMPARE(maxAbsDiff(layer->loraA, a[key1]), 0.0);
            QCOMPARE(maxAbsDiff(layer->loraB, b[key1].narrow(0, offset, layer->loraB.size(0))),
                     0.0);
            ++checked;
        }
        QCOMPARE(checked, 3);

        QTemporaryDir blocks;
        writeAdapter(blocks.path().toStdString(),
                     R"({"peft_type": "LORA", "r": 4, "lora_alpha": 8, "bias": "none",
                         "target_modules": ["query_key_value"],
                         "rank_pattern": {"query_key_value": 12},
                         "alpha_pattern": {"query_key_value": 24}})",
                     3 * r, a, b);
        Decoder fresh = loadDecoder(source);
        const std::string message =
            errorOf([&] { AdapterIo::load(blocks.path().toStdString(), *fresh, nullptr); });
        QVERIFY2(contains(message, "is not block-diagonal over 3 projections"), message.c_str());
    }

    // LoRA on every projection, a few training steps, the PEFT files and a reload that gives
    // the same numbers, on each family (biases and q/k norm stay frozen base weights).
    void loraRoundTripOnEveryFamily_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("qwen2") << "tiny_qwen2";
        QTest::newRow("qwen3") << "tiny_qwen3";
        QTest::newRow("llama3") << "tiny_llama3";
        QTest::newRow("chatglm2") << "tiny_chatglm2";
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
        if (model == "tiny_chatglm2") {
            // PEFT's ChatGLM modules: q/k/v and gate/up fused in block form (rank 3r and 2r)
            const std::string layer = "base_model.model.transformer.encoder.layers.1.";
            QCOMPARE(weights.tensor(layer + "self_attention.query_key_value.lora_A.weight").shape,
                     (std::vector<std::int64_t>{12, D}));
            QCOMPARE(weights.tensor(layer + "mlp.dense_h_to_4h.lora_B.weight").shape,
                     (std::vector<std::int64_t>{144, 8}));
            QVERIFY(weights.contains(layer + "self_attention.dense.lora_A.weight"));
            QVERIFY(weights.contains(layer + "mlp.dense_4h_to_h.lora_B.weight"));
            int loraTensors = 0; // A and B of 4 modules in 2 layers
            for (const std::string& name : weights.names())
                loraTensors += name.find(".lora_") != std::string::npos ? 1 : 0;
            QCOMPARE(loraTensors, 2 * 4 * 2);
            const AdapterConfig written = AdapterConfig::load(out);
            QCOMPARE(written.peftTargets,
                     (std::vector<std::string>{"query_key_value", "dense", "dense_h_to_4h",
                                               "dense_4h_to_h"}));
            QCOMPARE(written.rankOf("query_key_value"), std::int64_t{12});
            QCOMPARE(written.alphaPattern.at("query_key_value"), 48.0); // alpha / r kept: 16 / 4
        } else {
            QVERIFY(
                weights.contains("base_model.model.model.layers.1.self_attn.k_proj.lora_A.weight"));
            QVERIFY(
                weights.contains("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"));
        }

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
