// Token attribution (model/training/tokenattribution.h, Engine::attribute): gradient x input against
// central finite differences, integrated-gradients completeness with an error bound that shrinks
// as 1/steps^2 (the midpoint rule), both on the tiny reference decoder (float64 weights; its
// softmax and norms compute in float32, hence the float32-sized tolerances); and the Engine facade
// end to end on a tiny checkpoint with a saved adapter, under every mask.
#include "adapterio.h"
#include "decoderfixture.h"
#include "engine.h"
#include "fsllmerror.h"
#include "tinycheckpoint.h"
#include "tokenattribution.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace fsllm;
using namespace fsllm::testing;

namespace {

const std::string kLlama = std::string(FSLLM_TEST_DATA_DIR) + "/reference/tiny_llama";
const std::vector<int64_t> kProbe = {1, 17, 42, 99, 7, 63, 3}; // vocabulary: 101

const MaskSpec kMasks[] = {
    {MaskMode::Causal, 0.0}, {MaskMode::Decay, 0.5}, {MaskMode::Bidirectional, 0.0}};

// A float64 score: the mean-pooled final hidden state dotted with a fixed random direction.
struct LinearProbe {
    mutable Decoder decoder; // forward is non-const
    MaskSpec mask;
    torch::Tensor direction; // [D] f64

    torch::Tensor operator()(const torch::Tensor& embeddings) const { // [B, T, D] -> [B]
        auto lengths = torch::full({embeddings.size(0)}, embeddings.size(1), torch::kInt64);
        auto output = decoder->forwardEmbeddings(embeddings, lengths, {mask, false, false});
        return torch::matmul(output.hidden.mean(1), direction);
    }
};

} // namespace

class TstAttribution : public QObject {
    Q_OBJECT

    Decoder m_decoder{nullptr};
    torch::Tensor m_input; // [T, D] f64

    LinearProbe probe(const MaskSpec& mask) const {
        torch::manual_seed(11);
        return LinearProbe{m_decoder, mask,
                           torch::randn({m_input.size(1)}, torch::kFloat64)};
    }

private slots:
    void initTestCase() {
        torch::set_num_threads(1);
        m_decoder = loadDecoder(kLlama, torch::kFloat64);
        torch::NoGradGuard noGrad;
        m_input = m_decoder->embedTokens(torch::tensor(kProbe).unsqueeze(0))[0].clone();
    }

    void forwardEmbeddingsMatchesForward() {
        auto [ids, lengths] = padBatch({kProbe});
        torch::NoGradGuard noGrad;
        const ForwardOptions options{kMasks[1], false, false};
        auto fromIds = m_decoder->forward(ids, lengths, options).hidden;
        auto fromEmbeddings =
            m_decoder->forwardEmbeddings(m_input.unsqueeze(0), lengths, options).hidden;
        QCOMPARE(maxAbsDiff(fromIds, fromEmbeddings), 0.0);
    }

    // a_t = d/dh f(x + h * x restricted to token t) at h = 0, so a central difference along that
    // direction must give the same number for every token under every mask.
    void gradientTimesInputMatchesFiniteDifferences() {
        for (const MaskSpec& mask : kMasks) {
            const LinearProbe f = probe(mask);
            const torch::Tensor attributions = TokenAttribution::gradientTimesInput(f, m_input);
            QCOMPARE(attributions.size(0), m_input.size(0));
            torch::NoGradGuard noGrad;
            const double h = 1e-2; // float32 internals: rounding ~1e-7 / h
            double largest = 0.0;
            for (int64_t t = 0; t < m_input.size(0); ++t) {
                auto direction = torch::zeros_like(m_input);
                direction[t].copy_(m_input[t]);
                const double up = f((m_input + h * direction).unsqueeze(0))[0].item<double>();
                const double down = f((m_input - h * direction).unsqueeze(0))[0].item<double>();
                const double expected = (up - down) / (2 * h);
                const double got = attributions[t].item<double>();
                largest = std::max(largest, std::abs(expected));
                QVERIFY2(std::abs(got - expected) <= 1e-4 + 1e-3 * std::abs(expected),
                         qPrintable(QStringLiteral("%1 token %2: %3 vs finite difference %4")
                                        .arg(QString::fromStdString(mask.describe()))
                                        .arg(t).arg(got).arg(expected)));
            }
            QVERIFY(largest > 1e-4); // the check compared real, non-zero sensitivities
        }
    }

    // sum_t IG_t -> f(x) - f(x') as steps grow: the midpoint rule's error falls as 1/steps^2
    // once the path is resolved, so each 4x more steps must cut the error at least 4x (16x in
    // theory), down to kFloor (the float32 rounding of the decoder's softmax and norms), and
    // 128 steps must be within 1 % of f(x) - f(x').
    void integratedGradientsAreComplete() {
        for (const MaskSpec& mask : kMasks) {
            const LinearProbe f = probe(mask);
            const auto baseline = TokenAttribution::zeroBaselineKeepingPrefix(m_input, 1);
            QCOMPARE(maxAbsDiff(baseline[0], m_input[0]), 0.0);
            QCOMPARE(baseline.slice(0, 1).abs().sum().item<double>(), 0.0);
            // ChatGLM's two-token prefix ([gMASK] sop) is kept whole; a prefix longer than the
            // input keeps all of it.
            const auto two = TokenAttribution::zeroBaselineKeepingPrefix(m_input, 2);
            QCOMPARE(maxAbsDiff(two.slice(0, 0, 2), m_input.slice(0, 0, 2)), 0.0);
            QCOMPARE(two.slice(0, 2).abs().sum().item<double>(), 0.0);
            QCOMPARE(maxAbsDiff(TokenAttribution::zeroBaselineKeepingPrefix(m_input, 999), m_input),
                     0.0);
            const double kFloor = 1e-5;
            double previous = INFINITY;
            QString errors;
            for (int steps : {8, 32, 128}) {
                const auto ig = TokenAttribution::integratedGradients(f, m_input, baseline, steps);
                const double delta = ig.inputScore - ig.baselineScore;
                QVERIFY(std::abs(delta) > 1e-3);
                QCOMPARE(ig.attributions[0].item<double>(), 0.0); // BOS is the same in both
                const double error = std::abs(ig.attributions.sum().item<double>() - delta);
                errors += QStringLiteral(" %1 steps: %2 of %3;").arg(steps).arg(error).arg(delta);
                QVERIFY2(error <= previous / 4.0 + kFloor,
                         qPrintable(QString::fromStdString(mask.describe()) + errors));
                if (steps == 128)
                    QVERIFY2(error <= 0.01 * std::abs(delta) + kFloor,
                             qPrintable(QString::fromStdString(mask.describe()) + errors));
                previous = error;
            }
        }
    }

    void badStepCountsAreRefused() {
        const LinearProbe f = probe(kMasks[0]);
        for (int steps : {0, -3, TokenAttribution::kMaxSteps + 1})
            QVERIFY_THROWS_EXCEPTION(FsllmError, TokenAttribution::integratedGradients(
                                                     f, m_input, m_input * 0, steps));
    }

    // A tiny checkpoint in <dir>/model with a saved 3-label adapter in <dir>/adapter (random
    // LoRA B, so every mask sees the adapter); returns {model, adapter}.
    static std::pair<std::string, std::string> writeModelAndAdapter(
        const QTemporaryDir& dir, TaskKind task, const std::vector<std::string>& labels) {
        const std::string model = dir.filePath("model").toStdString();
        TinyCheckpointOptions options;
        options.qkStd = 0.2;
        options.corpusPath = std::string(FSLLM_SOURCE_DIR) + "/resources/corpus/tiny_corpus.txt";
        TinyCheckpoint::write(model, options);
        const std::string adapter = dir.filePath("adapter").toStdString();
        Decoder decoder = loadDecoder(model);
        AdapterConfig config;
        decoder->enableLora(config.lora, config.targets);
        torch::manual_seed(5);
        torch::NoGradGuard noGrad;
        for (auto& [path, layer] : decoder->loraLayers())
            layer->loraB.normal_(0.0, 0.05);
        ClassificationHead head(options.hidden, static_cast<int64_t>(labels.size()), HeadKind::Fs,
                                0, 1e-5, torch::kCPU);
        AdapterIo::save(adapter, *decoder, head.get(), config);
        ClassifierSpec spec;
        spec.task = task;
        spec.labels = labels;
        spec.mask = {MaskMode::Decay, 0.5};
        spec.save(adapter);
        return {model, adapter};
    }

    // Integrated gradients add up to f(x) - f(x'), within the midpoint rule's error.
    static void checkCompleteness(const AttributionResult& result) {
        double sum = 0.0;
        for (float a : result.integratedGradients)
            sum += a;
        const double delta = result.inputScore - result.baselineScore;
        QVERIFY2(std::abs(sum - delta) <= 1e-3 + 0.05 * std::abs(delta),
                 qPrintable(QStringLiteral("%1: sum %2 vs delta %3")
                                .arg(QString::fromStdString(result.mask.describe()))
                                .arg(sum).arg(delta)));
    }

    // Through the facade: a tiny checkpoint with a saved 3-label adapter; every mask gives one
    // attribution per token, the predicted label, and IG that sums to f(x) - f(x').
    void engineAttributesThePredictedClass() {
        QTemporaryDir dir;
        const auto [model, adapter] =
            writeModelAndAdapter(dir, TaskKind::Sequence, {"neg", "neu", "pos"});
        auto engine = Engine::open(model);
        AttributionRequest request;
        request.text = "the film was good and the music was better";
        QVERIFY_THROWS_EXCEPTION(FsllmError, engine->attribute(request)); // no adapter yet
        engine->loadAdapter(adapter);
        for (const MaskSpec& mask : kMasks) {
            request.mask = mask;
            request.steps = 64;
            const AttributionResult result = engine->attribute(request);
            const std::size_t T = result.tokens.size();
            QVERIFY(T > 3);
            QCOMPARE(result.gradientTimesInput.size(), T);
            QCOMPARE(result.integratedGradients.size(), T);
            QCOMPARE(result.steps, 64);
            QVERIFY(result.labelIndex >= 0 && result.labelIndex < 3);
            QCOMPARE(result.label, std::vector<std::string>({"neg", "neu", "pos"})
                                       .at(std::size_t(result.labelIndex)));
            InspectRequest inspect;
            inspect.text = request.text;
            inspect.mask = mask;
            const InspectResult prediction = engine->inspect(inspect);
            QCOMPARE(float(result.probability),
                     prediction.probabilities.at(std::size_t(result.labelIndex)));
            for (float p : prediction.probabilities)
                QVERIFY(p <= result.probability + 1e-6);
            QCOMPARE(result.tokenIndex, -1);
            checkCompleteness(result);
            if (QTest::currentTestFailed())
                return;
        }
        // A cancel flag that is already set stops before any gradient; one that turns true
        // after two polls stops inside integrated gradients.
        request.cancel = [] { return true; };
        QVERIFY(engine->attribute(request).cancelled);
        int polls = 0;
        request.cancel = [&polls] { return ++polls > 2; };
        const AttributionResult stopped = engine->attribute(request);
        QVERIFY(stopped.cancelled);
        QVERIFY(stopped.integratedGradients.empty());
        QCOMPARE(polls, 3);
    }

    // Several masks in one batched forward pass (the studio's Inspect tab for a new sentence):
    // each result as inspect() gives it for that mask alone, prediction included.
    void engineInspectsSeveralMasksAtOnce() {
        QTemporaryDir dir;
        const auto [model, adapter] =
            writeModelAndAdapter(dir, TaskKind::Sequence, {"neg", "neu", "pos"});
        auto engine = Engine::open(model);
        engine->loadAdapter(adapter);
        InspectRequest request;
        request.text = "the film was good and the music was better";
        const std::vector<MaskSpec> masks(std::begin(kMasks), std::end(kMasks));
        const std::vector<InspectResult> together = engine->inspectMasks(request, masks);
        QCOMPARE(together.size(), masks.size());
        for (std::size_t i = 0; i < masks.size(); ++i) {
            request.mask = masks[i];
            const InspectResult alone = engine->inspect(request);
            QCOMPARE(together[i].mask.describe(), masks[i].describe());
            QCOMPARE(together[i].tokens, alone.tokens);
            QCOMPARE(together[i].attention.size(), alone.attention.size());
            QVERIFY(!alone.attention.empty());
            for (std::size_t j = 0; j < alone.attention.size(); ++j)
                QVERIFY(std::abs(together[i].attention[j] - alone.attention[j]) < 1e-5f);
            QVERIFY(together[i].hasPrediction);
            QCOMPARE(together[i].probabilities.size(), std::size_t{3});
            for (std::size_t c = 0; c < 3; ++c)
                QVERIFY(std::abs(together[i].probabilities[c] - alone.probabilities[c]) < 1e-5f);
        }
        QVERIFY_THROWS_EXCEPTION(FsllmError, engine->inspectMasks(request, {}));
    }

    // A token classifier: the tag of a chosen token is attributed (its probability is the one
    // inspect gives that token), -1 picks the most confident non-"O" token after BOS, and a
    // token past the end is refused by name.
    void engineAttributesATokensTag() {
        QTemporaryDir dir;
        const std::vector<std::string> labels = {"O", "B-PER", "I-PER"};
        const auto [model, adapter] = writeModelAndAdapter(dir, TaskKind::Token, labels);
        auto engine = Engine::open(model);
        engine->loadAdapter(adapter);
        AttributionRequest request;
        request.text = "the film was good and the music was better";
        request.steps = 64;
        const std::size_t C = labels.size();
        for (const MaskSpec& mask : kMasks) {
            request.mask = mask;
            InspectRequest inspect;
            inspect.text = request.text;
            inspect.mask = mask;
            const InspectResult prediction = engine->inspect(inspect); // [T, C] probabilities
            const int T = prediction.tokenCount;
            QVERIFY(T > 3);
            auto probability = [&](int token, std::size_t tag) {
                return prediction.probabilities.at(std::size_t(token) * C + tag);
            };
            auto predictedTag = [&](int token) {
                std::size_t best = 0;
                for (std::size_t c = 1; c < C; ++c)
                    if (probability(token, c) > probability(token, best))
                        best = c;
                return best;
            };
            for (int token : {2, T - 1}) {
                request.token = token;
                const AttributionResult result = engine->attribute(request);
                QCOMPARE(result.tokenIndex, token);
                QCOMPARE(result.gradientTimesInput.size(), std::size_t(T));
                QCOMPARE(result.integratedGradients.size(), std::size_t(T));
                QCOMPARE(std::size_t(result.labelIndex), predictedTag(token));
                QCOMPARE(result.label, labels.at(std::size_t(result.labelIndex)));
                QCOMPARE(float(result.probability),
                         probability(token, std::size_t(result.labelIndex)));
                checkCompleteness(result);
                if (QTest::currentTestFailed())
                    return;
            }
            // Automatic choice: the rule, recomputed from inspect's probabilities.
            int expected = T - 1;
            float best = -1.0f;
            for (int token = 1; token < T; ++token) {
                const std::size_t tag = predictedTag(token);
                if (labels[tag] != "O" && probability(token, tag) > best) {
                    best = probability(token, tag);
                    expected = token;
                }
            }
            request.token = -1;
            QCOMPARE(engine->attribute(request).tokenIndex, expected);
            request.token = T;
            try {
                engine->attribute(request);
                QFAIL("a token past the end was accepted");
            } catch (const FsllmError& e) {
                QVERIFY2(QString(e.what()).contains("out of range"), e.what());
            }
        }
    }

    // Inspection options: a small bfloat16 checkpoint is inspected in float32 (many times faster
    // on a CPU) with the same numbers to bfloat16 rounding; a float32 one, or an explicit
    // --dtype, is left alone.
    void smallHalfPrecisionModelsAreInspectedInFloat32() {
        QTemporaryDir dir;
        TinyCheckpointOptions options;
        options.corpusPath = std::string(FSLLM_SOURCE_DIR) + "/resources/corpus/tiny_corpus.txt";
        options.dtype = "bfloat16";
        const std::string half = dir.filePath("half").toStdString();
        TinyCheckpoint::write(half, options);
        options.dtype = "float32";
        const std::string full = dir.filePath("full").toStdString();
        TinyCheckpoint::write(full, options);

        QCOMPARE(Engine::inspectionOptions(half).dtype, std::string("float32"));
        QCOMPARE(Engine::inspectionOptions(full).dtype, std::string("auto"));
        EngineOptions explicitHalf;
        explicitHalf.dtype = "bfloat16";
        QCOMPARE(Engine::inspectionOptions(half, explicitHalf).dtype, std::string("bfloat16"));
        QCOMPARE(Engine::inspectionOptions(dir.filePath("missing").toStdString()).dtype,
                 std::string("auto"));

        auto inFloat32 = Engine::open(half, Engine::inspectionOptions(half));
        QCOMPARE(inFloat32->summary().computeDtype, std::string("float32"));
        QCOMPARE(inFloat32->summary().storedDtype, std::string("bfloat16"));
        // "auto" computes a small bfloat16 model in float32 everywhere (training too); an
        // explicit --dtype bfloat16 keeps it.
        QCOMPARE(Engine::open(half)->summary().computeDtype, std::string("float32"));
        auto inHalf = Engine::open(half, explicitHalf);
        QCOMPARE(inHalf->summary().computeDtype, std::string("bfloat16"));
        InspectRequest request;
        request.text = "the film was good";
        request.mask = {MaskMode::Decay, 0.5};
        const InspectResult a = inFloat32->inspect(request);
        const InspectResult b = inHalf->inspect(request);
        QCOMPARE(a.attention.size(), b.attention.size());
        double worst = 0.0;
        for (std::size_t i = 0; i < a.attention.size(); ++i)
            worst = std::max(worst, double(std::abs(a.attention[i] - b.attention[i])));
        QVERIFY2(worst < 0.05, qPrintable(QString::number(worst))); // bfloat16: ~3 digits
    }
};

QTEST_GUILESS_MAIN(TstAttribution)
#include "tst_attribution.moc"
