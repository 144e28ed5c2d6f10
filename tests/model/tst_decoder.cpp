// The decoder against stored reference numbers (tests/reference/make_reference.py, an independent
// plain-PyTorch implementation) and the properties the method must have (docs/design.md §2).
#include "checkpointindex.h"
#include "checkpointshapes.h"
#include "decoderfixture.h"
#include "fsllmerror.h"
#include "loadedmodel.h"
#include "masking.h"
#include "safetensorsfile.h"
#include "safetensorswriter.h"
#include "tensorutil.h"
#include "weightloader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <limits>

using namespace fsllm;
using namespace fsllm::testing;

namespace {

const std::string kReference = std::string(FSLLM_TEST_DATA_DIR) + "/reference";

struct ModeCase {
    const char* key;
    MaskSpec spec;
};

const ModeCase kModes[] = {
    {"causal", {MaskMode::Causal, 0.0}},
    {"bidirectional", {MaskMode::Bidirectional, 0.0}},
    {"decay0.5", {MaskMode::Decay, 0.5}},
    {"decay2.0", {MaskMode::Decay, 2.0}},
};

std::vector<int64_t> idsOf(const SafetensorsFile& reference, const std::string& input) {
    auto ids = tensorFromView(reference.tensor(input + ".ids"), torch::kFloat32);
    std::vector<int64_t> result;
    for (int64_t i = 0; i < ids.numel(); ++i)
        result.push_back(static_cast<int64_t>(std::lround(ids[i].item<float>())));
    return result;
}

// The hidden states, logits and attention of one input alone within 1e-4 of the reference's
// "<prefix>hidden", "<prefix>logits" and "<prefix>attention" ([L, H, T, T]); a failure is
// recorded for the calling test (check QTest::currentTestFailed()).
void expectReference(const DecoderOutput& out, const SafetensorsFile& reference,
                     const std::string& prefix) {
    const auto expect = [&](const char* what) {
        return tensorFromView(reference.tensor(prefix + what), torch::kFloat32);
    };
    const auto attention = torch::stack(out.attention).squeeze(1); // [L, H, T, T]
    const double hiddenError = maxAbsDiff(out.hidden[0], expect("hidden"));
    const double logitsError = maxAbsDiff(out.logits[0], expect("logits"));
    const double attentionError = maxAbsDiff(attention, expect("attention"));
    const QByteArray where = QByteArray::fromStdString(prefix);
    QVERIFY2(hiddenError < 1e-4, where + "hidden " + QByteArray::number(hiddenError));
    QVERIFY2(logitsError < 1e-4, where + "logits " + QByteArray::number(logitsError));
    QVERIFY2(attentionError < 1e-4, where + "attention " + QByteArray::number(attentionError));
}

} // namespace

class TstDecoder : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void matchesReference_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("llama, untied, GQA 4/2") << "tiny_llama";
        QTest::newRow("mistral, tied, linear RoPE x2") << "tiny_mistral";
        // tests/reference/make_family_reference.py, written from Hugging Face's modeling files
        QTest::newRow("qwen2, q/k/v bias, sliding window 4 from layer 1") << "tiny_qwen2";
        QTest::newRow("qwen3, q/k norm, head_dim != D/H, tied") << "tiny_qwen3";
        QTest::newRow("llama, llama3 RoPE scaling") << "tiny_llama3";
        // tests/reference/make_chatglm_reference.py: pytorch_model.bin shards, fused q/k/v
        QTest::newRow("chatglm2, fused qkv, multi-query, half-head pair RoPE") << "tiny_chatglm2";
    }
    void matchesReference() {
        QFETCH(QString, model);
        const std::string dir = kReference + "/" + model.toStdString();
        Decoder decoder = loadDecoder(dir);
        SafetensorsFile reference(dir + "/reference.safetensors");
        for (const char* input : {"s0", "s1"}) {
            const auto ids = idsOf(reference, input);
            for (const auto& mode : kModes) {
                expectReference(runAlone(*decoder, ids, mode.spec), reference,
                                std::string(input) + "." + mode.key + ".");
                if (QTest::currentTestFailed())
                    return;
            }
        }
    }

    // A real pretrained LLaMA (stories260K; tests/data/reference/stories260K/README.md): the
    // model card's prompt tokenizes to the stored ids, the forward under every mask equals the
    // independent float64 reference (make_stories_reference.py), and greedy decoding gives the
    // reference's 24 ids and text.
    void realPretrainedModel() {
        const std::string dir = kReference + "/stories260K";
        LoadedModel model = LoadedModel::open(dir, "cpu", "auto", true);
        SafetensorsFile reference(dir + "/reference.safetensors");
        const std::vector<int64_t> ids = idsOf(reference, "prompt");
        const std::vector<int> encoded = model.tokenizer->encode(
            "Once upon a time, there was a little boy named Tim. He found a shiny red ball in the "
            "garden.");
        QCOMPARE(std::vector<int64_t>(encoded.begin(), encoded.end()), ids);
        for (const auto& mode : kModes) {
            expectReference(runAlone(*model.decoder, ids, mode.spec), reference,
                            std::string("prompt.") + mode.key + ".");
            if (QTest::currentTestFailed())
                return;
        }
        std::vector<int64_t> sequence = ids;
        std::vector<int> generated;
        for (int step = 0; step < 24; ++step) {
            const DecoderOutput out = runAlone(*model.decoder, sequence, {MaskMode::Causal, 0.0});
            sequence.push_back(out.logits[0][-1].argmax().item<int64_t>());
            generated.push_back(static_cast<int>(sequence.back()));
        }
        const std::vector<int64_t> expected = idsOf(reference, "greedy");
        QCOMPARE(std::vector<int64_t>(generated.begin(), generated.end()), expected);
        // The reference decodes from the tokenizer's pieces itself; the model card's sample
        // shares the first nine words (it then says "it", both decoders "his ball").
        const std::string text = model.tokenizer->decode(generated);
        QCOMPARE(text, reference.metadata().at("greedy.text"));
        QVERIFY2(text.rfind("He was very happy. He wanted to play with", 0) == 0, text.c_str());
    }

    void maskLimits() {
        Decoder decoder = loadDecoder(kReference + "/tiny_llama");
        const std::vector<int64_t> ids = {1, 17, 42, 100, 5, 63, 28, 81, 3};
        const auto causal = runAlone(*decoder, ids, {MaskMode::Causal, 0.0});
        const auto bidirectional = runAlone(*decoder, ids, {MaskMode::Bidirectional, 0.0});
        const auto large = runAlone(*decoder, ids, {MaskMode::Decay, 60.0});
        const auto infinite =
            runAlone(*decoder, ids, {MaskMode::Decay, std::numeric_limits<double>::infinity()});
        const auto zero = runAlone(*decoder, ids, {MaskMode::Decay, 0.0});
        QVERIFY(maxAbsDiff(large.hidden, causal.hidden) < 1e-6);
        QCOMPARE(maxAbsDiff(infinite.hidden, causal.hidden), 0.0);
        QCOMPARE(maxAbsDiff(zero.hidden, bidirectional.hidden), 0.0);
        // The masks must actually matter on this model.
        QVERIFY(maxAbsDiff(causal.hidden, bidirectional.hidden) > 1e-2);
        const auto mid = runAlone(*decoder, ids, {MaskMode::Decay, 0.5});
        QVERIFY(maxAbsDiff(mid.hidden, causal.hidden) > 1e-3);
        QVERIFY(maxAbsDiff(mid.hidden, bidirectional.hidden) > 1e-3);
    }

    // The mask from layer k (as BiLLM does): layers below k are exactly the causal forward's,
    // layers from k see the future; k = 0 is the plain mask; a k past the last layer is refused.
    void maskFromLayerKeepsLowerLayersCausal() {
        Decoder decoder = loadDecoder(kReference + "/tiny_llama"); // 2 layers
        const std::vector<int64_t> ids = {1, 17, 42, 100, 5, 63, 28, 81, 3};
        const auto causal = runAlone(*decoder, ids, {MaskMode::Causal, 0.0});
        const auto decay = runAlone(*decoder, ids, {MaskMode::Decay, 0.5});
        MaskSpec fromOne{MaskMode::Decay, 0.5};
        fromOne.fromLayer = 1;
        QCOMPARE(fromOne.describe(), std::string("decay(lambda=0.5) from layer 1"));
        const auto mixed = runAlone(*decoder, ids, fromOne);
        QCOMPARE(maxAbsDiff(mixed.attention[0], causal.attention[0]), 0.0);
        QCOMPARE(torch::triu(mixed.attention[0][0], 1).abs().max().item<float>(), 0.0f);
        QVERIFY(torch::triu(mixed.attention[1][0], 1).abs().max().item<float>() > 1e-3f);
        QVERIFY(maxAbsDiff(mixed.hidden, causal.hidden) > 1e-4);
        QVERIFY(maxAbsDiff(mixed.hidden, decay.hidden) > 1e-4);
        MaskSpec fromZero{MaskMode::Decay, 0.5};
        fromZero.fromLayer = 0;
        QCOMPARE(maxAbsDiff(runAlone(*decoder, ids, fromZero).hidden, decay.hidden), 0.0);
        MaskSpec pastTheEnd{MaskMode::Bidirectional, 0.0};
        pastTheEnd.fromLayer = 2;
        try {
            runAlone(*decoder, ids, pastTheEnd);
            QFAIL("a mask starting past the last layer was accepted");
        } catch (const FsllmError& e) {
            QVERIFY2(QString(e.what()).contains("has 2 decoder layers"), e.what());
        }
        MaskSpec negative{MaskMode::Decay, 0.5};
        negative.fromLayer = -1;
        QVERIFY_THROWS_EXCEPTION(FsllmError, negative.validate());
        MaskSpec causalFromLate{MaskMode::Causal, 0.0}; // causal everywhere anyway: accepted
        causalFromLate.fromLayer = 5;
        QCOMPARE(maxAbsDiff(runAlone(*decoder, ids, causalFromLate).hidden, causal.hidden), 0.0);
    }

    void attentionRowsAndCausalZeros() {
        Decoder decoder = loadDecoder(kReference + "/tiny_mistral");
        const std::vector<int64_t> ids = {1, 12, 76, 40, 3, 59, 21};
        for (const auto& mode : kModes) {
            const auto out = runAlone(*decoder, ids, mode.spec);
            for (const auto& layer : out.attention) {
                auto rowSums = layer.sum(-1); // [1, H, T]
                QVERIFY(maxAbsDiff(rowSums, torch::ones_like(rowSums)) < 1e-5);
                QVERIFY(layer.min().item<float>() >= 0.0f);
                auto above = torch::triu(layer[0], /*diagonal=*/1);
                if (mode.spec.mode == MaskMode::Causal)
                    QCOMPARE(above.abs().max().item<float>(), 0.0f);
                else
                    QVERIFY(above.abs().max().item<float>() > 1e-3f);
            }
        }
    }

    void paddedBatchEqualsAlone() {
        Decoder decoder = loadDecoder(kReference + "/tiny_llama");
        const std::vector<std::vector<int64_t>> sentences = {
            {1, 17, 42, 100, 5, 63, 28, 81, 3}, {1, 50, 7, 99, 33}, {1, 9}};
        auto [ids, lengths] = padBatch(sentences, /*padId=*/0);
        for (const auto& mode : kModes) {
            torch::NoGradGuard noGrad;
            const auto batch =
                decoder->forward(ids, lengths, ForwardOptions{mode.spec, true, true});
            for (std::size_t b = 0; b < sentences.size(); ++b) {
                const int64_t len = static_cast<int64_t>(sentences[b].size());
                const auto alone = runAlone(*decoder, sentences[b], mode.spec);
                QVERIFY(maxAbsDiff(batch.hidden[b].narrow(0, 0, len), alone.hidden[0]) < 1e-5);
                QVERIFY(maxAbsDiff(batch.logits[b].narrow(0, 0, len), alone.logits[0]) < 1e-5);
                for (std::size_t l = 0; l < batch.attention.size(); ++l) {
                    auto rows = batch.attention[l][b].narrow(1, 0, len); // [H, len, T]
                    QVERIFY(maxAbsDiff(rows.narrow(2, 0, len), alone.attention[l][0]) < 1e-5);
                    // Padded keys get exactly zero probability.
                    if (len < ids.size(1))
                        QCOMPARE(rows.narrow(2, len, ids.size(1) - len).abs().max().item<float>(),
                                 0.0f);
                }
            }
        }
    }

    // One batched forward with a mask per row (ForwardOptions::rowMasks, Engine::inspectMasks):
    // each row as that mask alone gives it, with padding and a mask from layer 1 among them.
    void rowMasksEqualEachMaskAlone() {
        Decoder decoder = loadDecoder(kReference + "/tiny_mistral");
        MaskSpec fromOne{MaskMode::Decay, 2.0};
        fromOne.fromLayer = 1;
        const std::vector<MaskSpec> masks = {{MaskMode::Causal, 0.0},
                                             {MaskMode::Bidirectional, 0.0},
                                             {MaskMode::Decay, 0.5},
                                             fromOne};
        const std::vector<std::vector<int64_t>> sentences = {
            {1, 12, 76, 40, 3, 59, 21, 8, 14, 30}, {1, 12, 76, 40, 3, 59, 21, 8, 14, 30},
            {1, 50, 7, 33}, {1, 12, 76, 40, 3, 59, 21}};
        auto [ids, lengths] = padBatch(sentences, /*padId=*/0);
        ForwardOptions options{masks.front(), true, true};
        options.rowMasks = masks;
        torch::NoGradGuard noGrad;
        const auto batch = decoder->forward(ids, lengths, options);
        for (std::size_t b = 0; b < masks.size(); ++b) {
            const int64_t len = static_cast<int64_t>(sentences[b].size());
            const auto alone = runAlone(*decoder, sentences[b], masks[b]);
            QVERIFY(maxAbsDiff(batch.hidden[b].narrow(0, 0, len), alone.hidden[0]) < 1e-5);
            for (std::size_t l = 0; l < batch.attention.size(); ++l)
                QVERIFY(maxAbsDiff(batch.attention[l][b].narrow(1, 0, len).narrow(2, 0, len),
                                   alone.attention[l][0]) < 1e-5);
        }
        // The rows really differ: the same sentence under causal and bidirectional.
        QVERIFY(maxAbsDiff(batch.hidden[0], batch.hidden[1]) > 1e-3);
        options.rowMasks.pop_back();
        QVERIFY_THROWS_EXCEPTION(FsllmError, decoder->forward(ids, lengths, options));
    }

    void biasMatrixMatchesDefinition() {
        auto lengths = torch::tensor({4, 2}, torch::kInt64);
        auto bias = buildAttentionBias({MaskMode::Decay, 0.7}, lengths, 4); // [2, 1, 4, 4]
        QCOMPARE(bias.sizes().vec(), (std::vector<int64_t>{2, 1, 4, 4}));
        QCOMPARE(bias[0][0][0][0].item<float>(), 0.0f);
        QCOMPARE(bias[0][0][2][1].item<float>(), 0.0f);
        QVERIFY(std::abs(bias[0][0][0][3].item<float>() - (-0.7f * 3)) < 1e-6);
        QVERIFY(std::isinf(bias[1][0][0][2].item<float>())); // padded key of row 1
        const auto plain = maskMatrix(4, {MaskMode::Decay, 0.7});
        QVERIFY(std::abs(plain[0 * 4 + 3] - (-2.1f)) < 1e-6);
        QCOMPARE(plain[3 * 4 + 0], 0.0f);
        QVERIFY(std::isinf(maskMatrix(3, {MaskMode::Causal, 0.0})[1]));
        // The tensor and the studio's matrix agree entry for entry on an unpadded sentence.
        const double inf = std::numeric_limits<double>::infinity();
        for (const MaskSpec& spec : {MaskSpec{MaskMode::Causal, 0.0},
                                     MaskSpec{MaskMode::Bidirectional, 0.0},
                                     MaskSpec{MaskMode::Decay, 0.3}, MaskSpec{MaskMode::Decay, inf}}) {
            const auto tensor = buildAttentionBias(spec, torch::full({1}, 6, torch::kInt64), 6);
            const auto values = tensor[0][0].contiguous(); // [6, 6] f32
            const auto matrix = maskMatrix(6, spec);
            QCOMPARE(std::size_t(values.numel()), matrix.size());
            for (std::size_t i = 0; i < matrix.size(); ++i)
                QVERIFY2(values.data_ptr<float>()[i] == matrix[i],
                         qPrintable(QString::fromStdString(spec.describe())));
        }
        QVERIFY_THROWS_EXCEPTION(FsllmError, (MaskSpec{MaskMode::Decay, -1.0}.validate()));
        QVERIFY_THROWS_EXCEPTION(FsllmError, (MaskSpec{MaskMode::Decay, NAN}.validate()));
    }

    // Stored dtype == compute dtype on the CPU: every base weight is the file's own bytes, and the
    // mapping outlives the checkpoint object; another dtype copies every tensor instead.
    void weightsAreViewsOfTheMappedFile() {
        const std::string dir = kReference + "/tiny_llama";
        const ModelConfig config = ModelConfig::fromFile(dir + "/config.json");
        Decoder shared(config, torch::TensorOptions().dtype(torch::kFloat32));
        WeightLoadStats sharedStats;
        {
            CheckpointIndex checkpoint(dir);
            WeightLoader::load(*shared, checkpoint, &sharedStats);
            int checked = 0;
            const auto parameters = shared->named_parameters();
            for (const auto& tensor : CheckpointShapes::expected(config)) {
                const TensorView& view = checkpoint.tensor(tensor.name);
                QVERIFY2(parameters[tensor.parameter].data_ptr() ==
                             static_cast<const void*>(view.data),
                         tensor.name.c_str());
                ++checked;
            }
            QVERIFY(checked > 10);
        }
        QVERIFY(sharedStats.sharedBytes > 0);
        QCOMPARE(sharedStats.copiedBytes, std::int64_t{0});

        Decoder copied(config, torch::TensorOptions().dtype(torch::kBFloat16));
        WeightLoadStats copiedStats;
        WeightLoader::load(*copied, CheckpointIndex(dir), &copiedStats);
        QCOMPARE(copiedStats.sharedBytes, std::int64_t{0});
        QCOMPARE(copiedStats.copiedBytes, sharedStats.sharedBytes);

        // The checkpoint objects are gone; the weights still read the file's values.
        shared->eval();
        SafetensorsFile reference(dir + "/reference.safetensors");
        const auto ids = idsOf(reference, "s0");
        const auto output = runAlone(*shared, ids, {MaskMode::Causal, 0.0});
        QVERIFY(maxAbsDiff(output.hidden[0], tensorFromView(reference.tensor("s0.causal.hidden"),
                                                            torch::kFloat32)) < 1e-4);
    }

    // A load reports the tensor bytes placed, from 0 to all of them (one call before the first
    // tensor and one after each); a progress that returns false stops it with LoadCancelled
    // naming the folder.
    void loadReportsProgressAndCancels() {
        const std::string dir = kReference + "/tiny_llama";
        const ModelConfig config = ModelConfig::fromFile(dir + "/config.json");
        std::int64_t tensorBytes = 0;
        {
            CheckpointIndex checkpoint(dir);
            for (const auto& tensor : CheckpointShapes::expected(config))
                tensorBytes += static_cast<std::int64_t>(checkpoint.tensor(tensor.name).byteSize);
        }
        std::vector<std::pair<std::int64_t, std::int64_t>> calls;
        const LoadedModel model = LoadedModel::open(
            dir, "cpu", "auto", /*requireTokenizer=*/false,
            [&calls](std::int64_t done, std::int64_t total) {
                calls.emplace_back(done, total);
                return true;
            });
        QVERIFY(model.decoder);
        QCOMPARE(calls.size(), CheckpointShapes::expected(config).size() + 1);
        QCOMPARE(calls.front().first, std::int64_t{0});
        QCOMPARE(calls.back().first, tensorBytes);
        for (std::size_t i = 0; i < calls.size(); ++i) {
            QCOMPARE(calls[i].second, tensorBytes);
            if (i > 0)
                QVERIFY(calls[i].first > calls[i - 1].first);
        }

        int seen = 0;
        try {
            LoadedModel::open(dir, "cpu", "auto", false, [&seen](std::int64_t, std::int64_t) {
                return ++seen < 3;
            });
            QFAIL("the load was not cancelled");
        } catch (const LoadCancelled& e) {
            QCOMPARE(std::string(e.what()), dir + ": opening cancelled");
        }
        QCOMPARE(seen, 3);
    }

    // ForwardOptions::stop is polled before each layer; true stops the forward with Cancelled.
    void forwardStopsBetweenLayers() {
        const std::string dir = kReference + "/tiny_llama";
        Decoder decoder = loadDecoder(dir);
        const std::vector<int64_t> ids = {1, 12, 76, 40};
        auto [batch, lengths] = padBatch({ids});
        ForwardOptions options{MaskSpec{MaskMode::Decay, 0.5}, true, true};
        int polls = 0;
        options.stop = [&polls] { return ++polls > 1; };
        torch::NoGradGuard noGrad;
        try {
            decoder->forward(batch, lengths, options);
            QFAIL("the forward did not stop");
        } catch (const Cancelled& e) {
            QCOMPARE(std::string(e.what()), std::string("stopped before decoder layer 1"));
        }
        QCOMPARE(polls, 2);
        options.stop = [] { return false; }; // never: the whole forward, as without
        const auto output = decoder->forward(batch, lengths, options);
        QCOMPARE(int64_t(output.attention.size()), int64_t(decoder->config().numLayers));
    }

    void bf16CheckpointAgreesWithF32() {
        const std::string source = kReference + "/tiny_llama";
        QTemporaryDir dir;
        const std::string target = dir.path().toStdString();
        std::filesystem::copy_file(source + "/config.json", target + "/config.json");
        {
            SafetensorsFile f32(source + "/model.safetensors");
            SafetensorsWriter writer;
            for (const auto& name : f32.names())
                addTensor(writer, name,
                          tensorFromView(f32.tensor(name), torch::kFloat32).to(torch::kBFloat16));
            writer.write(target + "/model.safetensors");
        }
        QCOMPARE(SafetensorsFile(target + "/model.safetensors").tensor("model.norm.weight").dtype,
                 DType::BF16);
        Decoder full = loadDecoder(source);
        Decoder half = loadDecoder(target, torch::kBFloat16);
        QCOMPARE(half->dtype(), torch::kBFloat16);
        const std::vector<int64_t> ids = {1, 17, 42, 100, 5, 63, 28, 81, 3};
        for (const auto& mode : kModes) {
            const auto a = runAlone(*full, ids, mode.spec);
            const auto b = runAlone(*half, ids, mode.spec);
            const double scale = a.hidden.abs().max().item<double>();
            // bf16 keeps 8 significant bits (relative step 2^-8 ~ 0.4%); allow a few steps.
            QVERIFY2(maxAbsDiff(a.hidden, b.hidden) < 0.05 * scale,
                     QByteArray::number(maxAbsDiff(a.hidden, b.hidden) / scale));
            QVERIFY(maxAbsDiff(torch::stack(a.attention), torch::stack(b.attention)) < 0.02);
        }
    }
};

QTEST_GUILESS_MAIN(TstDecoder)
#include "tst_decoder.moc"
