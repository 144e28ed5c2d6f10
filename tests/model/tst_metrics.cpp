// Metrics on hand-computed cases: classification scores and the confusion matrix, and entity
// chunks counted as conlleval counts them (IOB1, IOB2, IOBES). Expected numbers are worked out
// in the comments.
#include "fsllmerror.h"
#include "metrics.h"

#include <QtTest>

#include <cmath>

using namespace fsllm;

namespace {

using Tags = std::vector<std::string>;
using Sentences = std::vector<Tags>;

constexpr double kTolerance = 1e-12;

bool near(double a, double b) {
    return std::abs(a - b) < kTolerance;
}

} // namespace

#define COMPARE_NEAR(actual, expected)                                                             \
    QVERIFY2(near((actual), (expected)), qPrintable(QString("%1 = %2, expected %3")                \
                                                        .arg(#actual)                              \
                                                        .arg(actual, 0, 'g', 15)                   \
                                                        .arg(expected, 0, 'g', 15)))

class TstMetrics : public QObject {
    Q_OBJECT

private slots:
    // ---- Classification ---------------------------------------------------------------------

    void threeClasses() {
        // gold: a a a b b b c c c c
        // pred: a a b b b b c c a a
        // confusion [gold][pred]: a: 2 1 0 | b: 0 3 0 | c: 2 0 2   -> 7 of 10 correct
        // a: predicted 4, correct 2, support 3 -> P 1/2, R 2/3, F1 = (2/3)/(7/6) = 4/7
        // b: predicted 4, correct 3, support 3 -> P 3/4, R 1,   F1 = 1.5/1.75   = 6/7
        // c: predicted 2, correct 2, support 4 -> P 1,   R 1/2, F1 = 1/1.5      = 2/3
        // macro P = (1/2 + 3/4 + 1) / 3 = 3/4; macro R = (2/3 + 1 + 1/2) / 3 = 13/18;
        // macro F1 = (4/7 + 6/7 + 2/3) / 3 = 44/63; micro P = R = F1 = accuracy = 7/10.
        const std::vector<int> gold{0, 0, 0, 1, 1, 1, 2, 2, 2, 2};
        const std::vector<int> pred{0, 0, 1, 1, 1, 1, 2, 2, 0, 0};
        const ClassificationMetrics m = Metrics::classification(gold, pred, {"a", "b", "c"});
        QCOMPARE(m.total, 10);
        COMPARE_NEAR(m.accuracy, 0.7);
        const std::vector<std::vector<int>> confusion{{2, 1, 0}, {0, 3, 0}, {2, 0, 2}};
        QCOMPARE(m.confusion, confusion);
        QCOMPARE(m.perClass.size(), std::size_t(3));
        QCOMPARE(m.perClass[0].label, std::string("a"));
        QCOMPARE(m.perClass[0].predicted, 4);
        QCOMPARE(m.perClass[0].correct, 2);
        QCOMPARE(m.perClass[0].support, 3);
        COMPARE_NEAR(m.perClass[0].precision, 0.5);
        COMPARE_NEAR(m.perClass[0].recall, 2.0 / 3.0);
        COMPARE_NEAR(m.perClass[0].f1, 4.0 / 7.0);
        COMPARE_NEAR(m.perClass[1].precision, 0.75);
        COMPARE_NEAR(m.perClass[1].recall, 1.0);
        COMPARE_NEAR(m.perClass[1].f1, 6.0 / 7.0);
        COMPARE_NEAR(m.perClass[2].precision, 1.0);
        COMPARE_NEAR(m.perClass[2].recall, 0.5);
        COMPARE_NEAR(m.perClass[2].f1, 2.0 / 3.0);
        COMPARE_NEAR(m.macroPrecision, 0.75);
        COMPARE_NEAR(m.macroRecall, 13.0 / 18.0);
        COMPARE_NEAR(m.macroF1, 44.0 / 63.0);
        COMPARE_NEAR(m.microPrecision, 0.7);
        COMPARE_NEAR(m.microRecall, 0.7);
        COMPARE_NEAR(m.microF1, 0.7);
    }

    void classNeverPredicted() {
        // gold: neg neg pos pos; pred: pos pos pos pos -> accuracy 2/4.
        // neg: predicted 0 -> P 0 (zero_division = 0), R 0/2 = 0, F1 0.
        // pos: predicted 4, correct 2, support 2 -> P 1/2, R 1, F1 2/3.
        // macro P = 1/4, R = 1/2, F1 = 1/3.
        const ClassificationMetrics m =
            Metrics::classification({0, 0, 1, 1}, {1, 1, 1, 1}, {"neg", "pos"});
        COMPARE_NEAR(m.accuracy, 0.5);
        QCOMPARE(m.perClass[0].predicted, 0);
        COMPARE_NEAR(m.perClass[0].precision, 0.0);
        COMPARE_NEAR(m.perClass[0].recall, 0.0);
        COMPARE_NEAR(m.perClass[0].f1, 0.0);
        COMPARE_NEAR(m.perClass[1].precision, 0.5);
        COMPARE_NEAR(m.perClass[1].recall, 1.0);
        COMPARE_NEAR(m.perClass[1].f1, 2.0 / 3.0);
        COMPARE_NEAR(m.macroPrecision, 0.25);
        COMPARE_NEAR(m.macroRecall, 0.5);
        COMPARE_NEAR(m.macroF1, 1.0 / 3.0);
        const std::vector<std::vector<int>> confusion{{0, 2}, {0, 2}};
        QCOMPARE(m.confusion, confusion);
    }

    void classAbsentFromGoldAndPredictions() {
        // "c" occurs in neither: it is listed with zeros but left out of the macro average,
        // as scikit-learn does when it finds the labels in the data.
        const ClassificationMetrics m = Metrics::classification({0, 1}, {0, 1}, {"a", "b", "c"});
        QCOMPARE(m.perClass[2].label, std::string("c"));
        QCOMPARE(m.perClass[2].support, 0);
        COMPARE_NEAR(m.macroF1, 1.0);
        COMPARE_NEAR(m.macroPrecision, 1.0);
    }

    void classificationEdgeCases() {
        const ClassificationMetrics empty = Metrics::classification({}, {}, {"a", "b"});
        QCOMPARE(empty.total, 0);
        COMPARE_NEAR(empty.accuracy, 0.0);
        COMPARE_NEAR(empty.macroF1, 0.0);
        QVERIFY_EXCEPTION_THROWN(Metrics::classification({0, 1}, {0}, {"a", "b"}), FsllmError);
        QVERIFY_EXCEPTION_THROWN(Metrics::classification({0, 2}, {0, 1}, {"a", "b"}), FsllmError);
        // -1 is Metrics::kNotPredicted (notPredictedClassification); other ids outside throw.
        QVERIFY_EXCEPTION_THROWN(Metrics::classification({0, 1}, {0, -2}, {"a", "b"}), FsllmError);
    }

    // ---- Entities (conlleval) ---------------------------------------------------------------

    void iob2ExactChunks() {
        // Two chunks (PER "B I", LOC "B"), both found exactly: P = R = F1 = 1.
        const Sentences gold{{"B-PER", "I-PER", "O", "B-LOC"}};
        const EntityMetrics m = Metrics::entities(gold, gold);
        QCOMPARE(m.goldChunks, 2);
        QCOMPARE(m.predictedChunks, 2);
        QCOMPARE(m.correctChunks, 2);
        COMPARE_NEAR(m.precision, 1.0);
        COMPARE_NEAR(m.recall, 1.0);
        COMPARE_NEAR(m.f1, 1.0);
        COMPARE_NEAR(m.tokenAccuracy, 1.0);
    }

    void iob1Chunks() {
        // IOB1 gold "I-PER I-PER O I-LOC": I-PER after O starts a chunk, the second I-PER
        // continues it -> 2 chunks (PER of 2 tokens, LOC).
        // Predicted "I-PER B-PER O I-LOC": B-PER after I-PER ends the first chunk and starts
        // another -> 3 chunks (PER, PER, LOC). Only LOC matches (the first predicted PER ends
        // where the gold one does not) -> correct 1.
        // P = 1/3, R = 1/2, F1 = 2 * (1/3) * (1/2) / (5/6) = 2/5. Tokens: 3 of 4 equal.
        const Sentences gold{{"I-PER", "I-PER", "O", "I-LOC"}};
        const Sentences pred{{"I-PER", "B-PER", "O", "I-LOC"}};
        const EntityMetrics m = Metrics::entities(gold, pred);
        QCOMPARE(m.goldChunks, 2);
        QCOMPARE(m.predictedChunks, 3);
        QCOMPARE(m.correctChunks, 1);
        COMPARE_NEAR(m.precision, 1.0 / 3.0);
        COMPARE_NEAR(m.recall, 0.5);
        COMPARE_NEAR(m.f1, 0.4);
        COMPARE_NEAR(m.tokenAccuracy, 0.75);
        QCOMPARE(m.perType.size(), std::size_t(2));
        QCOMPARE(m.perType[1].label, std::string("PER"));
        QCOMPARE(m.perType[1].support, 1);
        QCOMPARE(m.perType[1].predicted, 2);
        QCOMPARE(m.perType[1].correct, 0);
        // And the same IOB1 tags read against themselves: "I-PER B-PER" is two chunks.
        QCOMPARE(Metrics::entities(pred, pred).goldChunks, 3);
    }

    void wrongType() {
        // One gold PER chunk; the prediction covers the same tokens as ORG -> 1 gold, 1 found,
        // 0 correct; P = R = F1 = 0. ORG has no support, PER no predictions.
        const EntityMetrics m =
            Metrics::entities({{"B-PER", "I-PER", "O"}}, {{"B-ORG", "I-ORG", "O"}});
        QCOMPARE(m.goldChunks, 1);
        QCOMPARE(m.predictedChunks, 1);
        QCOMPARE(m.correctChunks, 0);
        COMPARE_NEAR(m.f1, 0.0);
        QCOMPARE(m.perType.size(), std::size_t(2));
        QCOMPARE(m.perType[0].label, std::string("ORG"));
        QCOMPARE(m.perType[0].support, 0);
        QCOMPARE(m.perType[0].predicted, 1);
        QCOMPARE(m.perType[1].label, std::string("PER"));
        QCOMPARE(m.perType[1].support, 1);
        QCOMPARE(m.perType[1].predicted, 0);
    }

    void wrongBoundary() {
        // Right type, one token short: not correct. Gold LOC spans 3 tokens, predicted 2.
        EntityMetrics m =
            Metrics::entities({{"B-LOC", "I-LOC", "I-LOC", "O"}}, {{"B-LOC", "I-LOC", "O", "O"}});
        QCOMPARE(m.goldChunks, 1);
        QCOMPARE(m.predictedChunks, 1);
        QCOMPARE(m.correctChunks, 0);
        // One token too long, ending at the sentence end: not correct either.
        m = Metrics::entities({{"B-LOC", "O"}}, {{"B-LOC", "I-LOC"}});
        QCOMPARE(m.correctChunks, 0);
        // Starting one token early: not correct.
        m = Metrics::entities({{"O", "B-LOC"}}, {{"B-LOC", "I-LOC"}});
        QCOMPARE(m.correctChunks, 0);
    }

    void insideAfterOutsideStartsChunk() {
        // IOB2 gold "O B-PER I-PER"; predicted "O I-PER I-PER". conlleval starts a chunk at
        // I-PER after O, so the prediction has one PER chunk over the same tokens -> correct.
        // P = R = F1 = 1, but only 2 of 3 tags are equal (I-PER vs B-PER): token accuracy 2/3.
        const EntityMetrics m =
            Metrics::entities({{"O", "B-PER", "I-PER"}}, {{"O", "I-PER", "I-PER"}});
        QCOMPARE(m.goldChunks, 1);
        QCOMPARE(m.predictedChunks, 1);
        QCOMPARE(m.correctChunks, 1);
        COMPARE_NEAR(m.f1, 1.0);
        COMPARE_NEAR(m.tokenAccuracy, 2.0 / 3.0);
        // I-X after a different type also starts a chunk: "I-PER I-LOC" is two chunks.
        QCOMPARE(Metrics::entities({{"I-PER", "I-LOC"}}, {{"O", "O"}}).goldChunks, 2);
    }

    void iobes() {
        // gold: S-PER O B-LOC I-LOC E-LOC S-ORG S-ORG   -> PER, LOC(3), ORG, ORG = 4 chunks
        // pred: S-PER O B-LOC E-LOC O     S-ORG S-MISC  -> PER, LOC(2), ORG, MISC = 4 chunks
        // PER: exact -> correct. LOC: predicted E-LOC ends it a token early -> wrong boundary.
        // First ORG: exact -> correct (S- ends a chunk). Second: MISC for ORG -> wrong type.
        // correct 2: P = R = F1 = 2/4. Per type: LOC 1/1/0, MISC 0/1/0, ORG 2/1/1
        // (P 1, R 1/2, F1 2/3), PER 1/1/1. Tokens: 4 of 7 equal (not I/E-LOC, E-LOC/O, ORG/MISC).
        const Sentences gold{{"S-PER", "O", "B-LOC", "I-LOC", "E-LOC", "S-ORG", "S-ORG"}};
        const Sentences pred{{"S-PER", "O", "B-LOC", "E-LOC", "O", "S-ORG", "S-MISC"}};
        const EntityMetrics m = Metrics::entities(gold, pred);
        QCOMPARE(m.goldChunks, 4);
        QCOMPARE(m.predictedChunks, 4);
        QCOMPARE(m.correctChunks, 2);
        COMPARE_NEAR(m.precision, 0.5);
        COMPARE_NEAR(m.recall, 0.5);
        COMPARE_NEAR(m.f1, 0.5);
        COMPARE_NEAR(m.tokenAccuracy, 4.0 / 7.0);
        QCOMPARE(m.perType.size(), std::size_t(4));
        const char* names[] = {"LOC", "MISC", "ORG", "PER"};
        const int support[] = {1, 0, 2, 1}, predicted[] = {1, 1, 1, 1}, correct[] = {0, 0, 1, 1};
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(m.perType[i].label, std::string(names[i]));
            QCOMPARE(m.perType[i].support, support[i]);
            QCOMPARE(m.perType[i].predicted, predicted[i]);
            QCOMPARE(m.perType[i].correct, correct[i]);
        }
        COMPARE_NEAR(m.perType[2].precision, 1.0);
        COMPARE_NEAR(m.perType[2].recall, 0.5);
        COMPARE_NEAR(m.perType[2].f1, 2.0 / 3.0);
        // "S-PER S-PER" and "B-PER E-PER B-PER E-PER" are two chunks each.
        QCOMPARE(Metrics::entities({{"S-PER", "S-PER"}}, {{"O", "O"}}).goldChunks, 2);
        QCOMPARE(Metrics::entities({{"B-PER", "E-PER", "B-PER", "E-PER"}}, {{"O", "O", "O", "O"}})
                     .goldChunks,
                 2);
    }

    void sentenceBoundaryEndsChunks() {
        // A chunk never crosses sentences: "I-PER" | "I-PER" is two chunks, both found.
        // Sentence 3 finds nothing of its LOC and invents a MISC: gold 3, found 3, correct 2.
        const Sentences gold{{"I-PER"}, {"I-PER", "O"}, {"B-LOC", "O"}};
        const Sentences pred{{"I-PER"}, {"I-PER", "O"}, {"O", "B-MISC"}};
        const EntityMetrics m = Metrics::entities(gold, pred);
        QCOMPARE(m.goldChunks, 3);
        QCOMPARE(m.predictedChunks, 3);
        QCOMPARE(m.correctChunks, 2);
        COMPARE_NEAR(m.precision, 2.0 / 3.0);
        COMPARE_NEAR(m.recall, 2.0 / 3.0);
        COMPARE_NEAR(m.tokenAccuracy, 3.0 / 5.0);
    }

    void hyphenatedTypes() {
        // Everything after the first '-' is the type, as in conlleval.
        const EntityMetrics m = Metrics::entities({{"B-WORK-OF-ART", "I-WORK-OF-ART"}},
                                                  {{"B-WORK-OF-ART", "I-WORK-OF-ART"}});
        QCOMPARE(m.correctChunks, 1);
        QCOMPARE(m.perType.front().label, std::string("WORK-OF-ART"));
    }

    void cutWordsAreNotPredicted() {
        // Words cut by --max-length: "B-PER I-PER" past the cut is missed (gold 2, found 1,
        // correct 1), no chunk is predicted there, and every cut word is a wrong tag, also
        // where gold is O (tokens: 5, correct: B-LOC, O = 2).
        const std::string cut = Metrics::kCutTag;
        const EntityMetrics m =
            Metrics::entities({{"B-LOC", "O", "O", "B-PER", "I-PER"}}, {{"B-LOC", "O", cut, cut, cut}});
        QCOMPARE(m.goldChunks, 2);
        QCOMPARE(m.predictedChunks, 1);
        QCOMPARE(m.correctChunks, 1);
        COMPARE_NEAR(m.precision, 1.0);
        COMPARE_NEAR(m.recall, 0.5);
        COMPARE_NEAR(m.tokenAccuracy, 2.0 / 5.0);
        // A chunk cut in the middle is wrong in extent: gold I-PER continues past the cut.
        const EntityMetrics split = Metrics::entities({{"B-PER", "I-PER"}}, {{"B-PER", cut}});
        QCOMPARE(split.predictedChunks, 1);
        QCOMPARE(split.correctChunks, 0);
    }

    void notPredictedClassification() {
        // gold a b b, predicted a, (not predicted), b: b's recall 1/2, its precision 1/1; no
        // confusion cell for the word not predicted; accuracy 2/3.
        const ClassificationMetrics m = Metrics::classification(
            {0, 1, 1}, {0, Metrics::kNotPredicted, 1}, {"a", "b"});
        QCOMPARE(m.notPredicted, 1);
        QCOMPARE(m.perClass[1].support, 2);
        QCOMPARE(m.perClass[1].predicted, 1);
        COMPARE_NEAR(m.perClass[1].recall, 0.5);
        COMPARE_NEAR(m.perClass[1].precision, 1.0);
        COMPARE_NEAR(m.accuracy, 2.0 / 3.0);
        QCOMPARE(m.confusion[1][0] + m.confusion[1][1], 1);
        QVERIFY_EXCEPTION_THROWN(
            Metrics::classification({Metrics::kNotPredicted}, {0}, {"a"}), FsllmError);
    }

    void entityEdgeCases() {
        const EntityMetrics none = Metrics::entities({{"O", "O"}}, {{"O", "O"}});
        QCOMPARE(none.goldChunks, 0);
        COMPARE_NEAR(none.f1, 0.0);
        COMPARE_NEAR(none.tokenAccuracy, 1.0);
        QVERIFY(none.perType.empty());
        COMPARE_NEAR(Metrics::entities({}, {}).f1, 0.0);
        QVERIFY_EXCEPTION_THROWN(Metrics::entities({{"O"}}, {}), FsllmError);
        QVERIFY_EXCEPTION_THROWN(Metrics::entities({{"O", "O"}}, {{"O"}}), FsllmError);
    }
};

QTEST_GUILESS_MAIN(TstMetrics)
#include "tst_metrics.moc"
