// The statistics of the results tables (PairedStatistics, DevUnits, ResultsSignificance,
// SweepSummary) and the sweep's grid and completion check (SweepGrid, RunCompletion), torch-free:
// McNemar values worked out by hand, a bootstrap interval that covers the true difference of
// synthetic runs and excludes 0, p = 1 for identical runs, the same numbers for the same seed,
// entity F1 from per-sentence chunk counts equal to conlleval's corpus F1, and run groups read
// from run folders written here.
#include "atomicfile.h"
#include "devunits.h"
#include "fsllmerror.h"
#include "metrics.h"
#include "pairedstatistics.h"
#include "runcompletion.h"
#include "runsignificance.h"
#include "sweepgrid.h"
#include "sweepsummary.h"
#include "trainingconfig.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

using namespace fsllm;

namespace {

bool near(double a, double b, double tolerance = 1e-12) {
    return std::abs(a - b) < tolerance;
}

// A deterministic stream of uniform numbers in [0, 1) for synthetic predictions.
class Lcg {
public:
    explicit Lcg(unsigned long long seed) : m_state(seed) {}
    double next() {
        m_state = m_state * 6364136223846793005ull + 1442695040888963407ull;
        return double(m_state >> 11) / double(1ull << 53);
    }

private:
    unsigned long long m_state;
};

// Per-example accuracy units of a run that is right with probability `p` (draws from `random`).
UnitScores accuracyRun(int examples, double p, Lcg& random) {
    UnitScores run;
    for (int i = 0; i < examples; ++i)
        run.units.push_back({random.next() < p ? 1.0 : 0.0, 1.0, 1.0});
    return run;
}

// A run folder with run.json and dev_predictions.tsv: `correct[i]` says whether example i
// (gold "pos" for even i, "neg" for odd i) was predicted right.
void writeRun(const std::string& dir, MaskMode mode, int seed, HeadKind head,
              const std::vector<bool>& correct) {
    std::filesystem::create_directories(dir);
    TrainingConfig c;
    c.modelDir = "/models/tiny";
    c.trainFile = "/data/genre_train.tsv";
    c.devFile = "/data/genre_dev.tsv";
    c.outDir = dir;
    c.mask = {mode, mode == MaskMode::Decay ? 0.5 : 0.0};
    c.seed = seed;
    c.head = head;
    c.threads = seed; // runtime settings do not split groups
    AtomicFile::write(dir + "/run.json", c.toJsonText());
    std::string tsv = "line\tgold\tpredicted\tp_neg\tp_pos\n";
    for (std::size_t i = 0; i < correct.size(); ++i) {
        const std::string gold = i % 2 == 0 ? "pos" : "neg";
        const std::string other = i % 2 == 0 ? "neg" : "pos";
        tsv += std::to_string(i + 2) + "\t" + gold + "\t" + (correct[i] ? gold : other) +
               "\t0.5\t0.5\n";
    }
    AtomicFile::write(dir + "/dev_predictions.tsv", tsv);
}

TrainingConfig configOf(const std::string& dir) {
    return TrainingConfig::load(dir + "/run.json");
}

} // namespace

class TstStatistics : public QObject {
    Q_OBJECT

private slots:
    void meanAndStandardDeviation() {
        QVERIFY(near(PairedStatistics::mean({1, 2, 3, 4}), 2.5));
        // Sample variance: (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3.
        QVERIFY(near(PairedStatistics::standardDeviation({1, 2, 3, 4}), std::sqrt(5.0 / 3.0)));
        QCOMPARE(PairedStatistics::standardDeviation({0.7}), 0.0);
        QVERIFY(std::isnan(PairedStatistics::mean({})));
    }

    // By hand: b = 10, c = 2, n = 12: exact p = 2 (C(12,0) + C(12,1) + C(12,2)) / 2^12
    // = 2 * 79 / 4096 = 0.03857421875; chi-square (|10 - 2| - 1)^2 / 12 = 49/12 = 4.0833,
    // P(chi2_1 > 4.0833) = erfc(sqrt(4.0833 / 2)) = 0.0433081.
    void mcNemarKnownValues() {
        McNemarResult m = PairedStatistics::mcNemar(10, 2);
        QVERIFY(near(m.pExact, 158.0 / 4096.0));
        QVERIFY(near(m.pChiSquare, 0.0433081428, 1e-9));
        // b = 0, c = 5: 2 * (1/32) = 0.0625; chi2 = 16/5 = 3.2, p = 0.0736383.
        m = PairedStatistics::mcNemar(0, 5);
        QVERIFY(near(m.pExact, 0.0625));
        QVERIFY(near(m.pChiSquare, 0.0736382701, 1e-9));
        // Symmetric tables and no discordant pairs: no evidence, p = 1.
        QCOMPARE(PairedStatistics::mcNemar(7, 7).pExact, 1.0);
        QCOMPARE(PairedStatistics::mcNemar(7, 7).pChiSquare, 1.0);
        QCOMPARE(PairedStatistics::mcNemar(0, 0).pExact, 1.0);
        // From per-example correctness: b counts baseline-only, c candidate-only right answers.
        m = PairedStatistics::mcNemar({true, true, false, false, true},
                                      {true, false, true, true, true});
        QCOMPARE(m.onlyBaselineCorrect, 1);
        QCOMPARE(m.onlyCandidateCorrect, 2);
        QVERIFY(near(m.pExact, 1.0)); // 2 * (1 + 3) / 8 = 1
        QVERIFY_THROWS_EXCEPTION(FsllmError, PairedStatistics::mcNemar({true}, {true, false}));
        // Large n stays finite (log-space binomial): 600 vs 400 is far from 1/2.
        QVERIFY(PairedStatistics::mcNemar(600, 400).pExact < 1e-9);
    }

    // Synthetic runs: 3 seeds right with probability 0.80, 3 baseline seeds with 0.70, on 2000
    // examples. The true difference is 0.10: the 95% interval covers it and excludes 0.
    void bootstrapCoversTrueDifference() {
        Lcg random(7);
        std::vector<UnitScores> candidates, baselines;
        for (int s = 0; s < 3; ++s) {
            candidates.push_back(accuracyRun(2000, 0.80, random));
            baselines.push_back(accuracyRun(2000, 0.70, random));
        }
        std::vector<const UnitScores*> a, b;
        for (int s = 0; s < 3; ++s) {
            a.push_back(&candidates[s]);
            b.push_back(&baselines[s]);
        }
        const BootstrapResult r = PairedStatistics::pairedBootstrap(a, b, 1000, 42);
        QVERIFY2(r.ciLow < 0.10 && 0.10 < r.ciHigh,
                 qPrintable(QStringLiteral("[%1, %2]").arg(r.ciLow).arg(r.ciHigh)));
        QVERIFY(r.ciLow > 0.0);
        QVERIFY(r.ciLow <= r.difference && r.difference <= r.ciHigh);
        QVERIFY(r.pValue < 0.01);
        QCOMPARE(r.resamples, 1000);
        // No real difference (both 0.7): p is large and the interval covers 0.
        Lcg other(11);
        const UnitScores x = accuracyRun(2000, 0.70, other), y = accuracyRun(2000, 0.70, other);
        const BootstrapResult same = PairedStatistics::pairedBootstrap({&x}, {&y}, 1000, 42);
        QVERIFY(same.ciLow < 0.0 && 0.0 < same.ciHigh);
        QVERIFY(same.pValue > 0.05);
    }

    void identicalRunsGivePOne() {
        Lcg random(3);
        const UnitScores run = accuracyRun(300, 0.6, random);
        const BootstrapResult r = PairedStatistics::pairedBootstrap({&run}, {&run}, 500, 1);
        QCOMPARE(r.difference, 0.0);
        QCOMPARE(r.pValue, 1.0);
        QCOMPARE(r.ciLow, 0.0);
        QCOMPARE(r.ciHigh, 0.0);
    }

    void bootstrapIsDeterministicWithTheSeed() {
        Lcg random(5);
        const UnitScores a = accuracyRun(400, 0.7, random), b = accuracyRun(400, 0.65, random);
        const BootstrapResult first = PairedStatistics::pairedBootstrap({&a}, {&b}, 1000, 99);
        const BootstrapResult again = PairedStatistics::pairedBootstrap({&a}, {&b}, 1000, 99);
        QCOMPARE(first.ciLow, again.ciLow);
        QCOMPARE(first.ciHigh, again.ciHigh);
        QCOMPARE(first.pValue, again.pValue);
        const BootstrapResult other = PairedStatistics::pairedBootstrap({&a}, {&b}, 1000, 100);
        QVERIFY(other.ciLow != first.ciLow || other.ciHigh != first.ciHigh);
        QCOMPARE(other.difference, first.difference); // the observed difference has no chance
        QVERIFY_THROWS_EXCEPTION(FsllmError, PairedStatistics::pairedBootstrap({&a}, {}, 10, 1));
        const UnitScores shorter = accuracyRun(10, 0.5, random);
        QVERIFY_THROWS_EXCEPTION(FsllmError,
                                 PairedStatistics::pairedBootstrap({&a}, {&shorter}, 10, 1));
    }

    // Token task: per-sentence chunk counts add up to conlleval's corpus counts, so the score of
    // the units is the corpus entity F1, and the bootstrap resamples sentences.
    void entityF1FromSentenceCounts() {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("dev_predictions.conll")).toStdString();
        // Sentence 1: PER right, LOC missed. Sentence 2: ORG right, a spurious MISC.
        // Sentence 3: "Paris" cut by --max-length (gold LOC missed, nothing predicted).
        AtomicFile::write(path, "John B-PER B-PER\nvisited O O\nParis B-LOC O\n\n"
                                "ACME B-ORG B-ORG\nsells O B-MISC\ncars O O\n\n"
                                "in O O\nParis B-LOC <cut>\n\n");
        const DevUnits units = DevUnits::readFile(path);
        QCOMPARE(units.metric, std::string("entity F1"));
        QCOMPARE(int(units.scores.units.size()), 3);
        const EntityMetrics corpus = Metrics::entities(
            {{"B-PER", "O", "B-LOC"}, {"B-ORG", "O", "O"}, {"O", "B-LOC"}},
            {{"B-PER", "O", "O"}, {"B-ORG", "B-MISC", "O"}, {"O", Metrics::kCutTag}});
        // correct 2, predicted 3, gold 4: F1 = 4 / 7.
        QVERIFY(near(corpus.f1, 4.0 / 7.0));
        QVERIFY(near(units.scores.score(), corpus.f1));
        QCOMPARE(units.scores.kind, ScoreKind::F1);
        // A sentence drawn twice counts twice: weights (2, 1, 0) give correct 3, predicted 4,
        // gold 5, F1 = 6 / 9.
        QVERIFY(near(units.scores.weightedScore({2, 1, 0}), 6.0 / 9.0));
        // Plain tags (POS): token accuracy over words, sentence units.
        AtomicFile::write(path, "the DET DET\ndog NOUN VERB\n\nran VERB VERB\n\n");
        const DevUnits pos = DevUnits::readFile(path);
        QCOMPARE(pos.metric, std::string("token accuracy"));
        QVERIFY(near(pos.scores.score(), 2.0 / 3.0));
        AtomicFile::write(path, "no-tags-here\n");
        try {
            DevUnits::readFile(path);
            QFAIL("a malformed line was accepted");
        } catch (const FsllmError& e) {
            QVERIFY2(std::string(e.what()).find(":1:") != std::string::npos, e.what());
        }
    }

    // Groups from run folders: causal and decay with two seeds each share every other setting;
    // the decay group is tested against the causal one (bootstrap and McNemar over the seeds
    // both have), the causal group is the baseline, and a linear-head run without a causal
    // partner gets its mean but no test.
    void groupsAndBaselineFromRunFolders() {
        QTemporaryDir root;
        auto dir = [&](const char* name) { return root.filePath(name).toStdString(); };
        std::vector<bool> causal1(40, false), causal2(40, false), decay1(40, false),
            decay2(40, false);
        for (int i = 0; i < 40; ++i) {
            causal1[i] = i < 20; // 0.50
            causal2[i] = i < 24; // 0.60
            decay1[i] = i < 32;  // 0.80
            decay2[i] = i < 28;  // 0.70
        }
        writeRun(dir("c1"), MaskMode::Causal, 1, HeadKind::Fs, causal1);
        writeRun(dir("c2"), MaskMode::Causal, 2, HeadKind::Fs, causal2);
        writeRun(dir("d1"), MaskMode::Decay, 1, HeadKind::Fs, decay1);
        writeRun(dir("d2"), MaskMode::Decay, 2, HeadKind::Fs, decay2);
        writeRun(dir("l1"), MaskMode::Decay, 1, HeadKind::Linear, decay1);
        std::filesystem::create_directories(dir("empty"));
        TrainingConfig fresh = configOf(dir("d1"));
        fresh.seed = 3;
        AtomicFile::write(dir("empty") + "/run.json", fresh.toJsonText()); // no predictions yet
        std::vector<RunToCompare> runs;
        for (const char* name : {"c1", "c2", "d1", "d2", "l1", "empty"})
            runs.push_back({dir(name), configOf(dir(name))});
        const auto stats = ResultsSignificance::compute(runs);
        QCOMPARE(stats[0].group, stats[1].group);
        QCOMPARE(stats[2].group, stats[3].group);
        QCOMPARE(stats[2].group, stats[5].group);
        QVERIFY(stats[0].group != stats[2].group);
        QVERIFY(stats[0].isBaseline && !stats[0].tested);
        QCOMPARE(stats[0].seeds, 2);
        QVERIFY(near(stats[0].mean, 0.55));
        QVERIFY(near(stats[0].std, std::sqrt(0.005)));
        QVERIFY(stats[2].tested && !stats[2].isBaseline);
        QCOMPARE(stats[2].seeds, 2); // the run without predictions is not a seed yet
        QVERIFY(near(stats[2].mean, 0.75));
        QVERIFY(near(stats[2].difference, 0.20));
        QVERIFY(stats[2].ciLow > 0.0 && stats[2].pValue < 0.05);
        // McNemar over seeds 1 and 2: b = 0, c = (32 - 20) + (28 - 24) = 16: p = 2 / 2^16.
        QVERIFY(near(stats[2].pMcNemar, 2.0 / 65536.0));
        QVERIFY(near(stats[3].pValue, stats[2].pValue)); // shared by the group
        QVERIFY(near(stats[2].score, 0.80) && near(stats[3].score, 0.70));
        QVERIFY(std::isnan(stats[5].score));
        QVERIFY(!stats[4].tested);
        QVERIFY2(stats[4].note.find("no causal run") != std::string::npos, stats[4].note.c_str());
        QVERIFY(near(stats[4].mean, 0.80));

        const auto rows = SweepSummary::rows(runs);
        QCOMPARE(int(rows.size()), 3);
        QCOMPARE(rows[0].mask, std::string("causal"));
        QCOMPARE(rows[1].runs, 3);
        const std::string markdown = SweepSummary::toMarkdown(rows);
        QVERIFY2(markdown.find("| 55.00 ± 7.07 (n=2) | baseline |") != std::string::npos,
                 markdown.c_str());
        QVERIFY2(markdown.find("| 75.00 ± 7.07 (n=2) | +20.00 |") != std::string::npos,
                 markdown.c_str());
        const std::string csv = SweepSummary::toCsv(rows);
        QVERIFY2(csv.find("genre_train.tsv,decay,0.5,0,fs,last,3,2,accuracy,0.75,") !=
                     std::string::npos,
                 csv.c_str());
    }

    void gridExpandsAndNamesRuns() {
        TrainingConfig base;
        base.trainFile = "data/genre_train.tsv";
        base.devFile = "data/genre_dev.tsv";
        SweepGrid grid;
        grid.masks = SweepGrid::parseMasks("causal,decay,bidirectional", "--masks");
        grid.lambdas = SweepGrid::parseNumbers("0.1,0.5", "--lambdas");
        grid.fromLayers = SweepGrid::parseIntegers("0,1", "--mask-from-layers");
        grid.seeds = SweepGrid::parseIntegers("1,2", "--seeds");
        const auto points = grid.expand(base, "sweep");
        // causal: 1 x 2 seeds; decay: 2 lambdas x 2 layers x 2 seeds; bidirectional: 2 x 2.
        QCOMPARE(int(points.size()), 2 + 8 + 4);
        QCOMPARE(points[0].name, std::string("genre-causal-fs-s1"));
        QCOMPARE(points[2].name, std::string("genre-decay0.1-fs-s1"));
        QCOMPARE(points[4].name, std::string("genre-decay0.1-from1-fs-s1"));
        QCOMPARE(points[4].config.mask.fromLayer, 1);
        QCOMPARE(points[4].config.outDir, std::string("sweep/genre-decay0.1-from1-fs-s1"));
        QCOMPARE(points.back().name, std::string("genre-bidirectional-from1-fs-s2"));

        const SweepGrid file = SweepGrid::fromJsonText(
            R"({"masks": ["causal", "decay"], "heads": ["fs", "linear"], "seeds": [3],
                "data": ["a_train.tsv:a_dev.tsv", {"name": "b", "train": "x.tsv", "dev": "y.tsv"}]})",
            "grid.json");
        const auto filePoints = file.expand(base, "out");
        QCOMPARE(int(filePoints.size()), 2 * 2 * 2);
        QCOMPARE(filePoints[0].name, std::string("a-causal-fs-s3"));
        QCOMPARE(filePoints[0].config.devFile, std::string("a_dev.tsv"));
        QCOMPARE(filePoints.back().name, std::string("b-decay0.5-linear-s3"));
        QCOMPARE(SweepGrid::fromJsonText(file.toJsonText(), "again").expand(base, "out").size(),
                 filePoints.size());
        for (const auto& [text, fragment] :
             std::vector<std::pair<std::string, std::string>>{
                 {R"({"masks": ["causual"]})", "grid.json: field 'masks'"},
                 {R"({"seed": [1]})", "unknown field 'seed'"},
                 {R"({"lambdas": [-1]})", "field 'lambdas'"},
                 {R"({"data": ["nodev.tsv"]})", "TRAIN:DEV"}}) {
            try {
                SweepGrid::fromJsonText(text, "grid.json");
                QFAIL(qPrintable(QString::fromStdString(text) + " was accepted"));
            } catch (const FsllmError& e) {
                QVERIFY2(std::string(e.what()).find(fragment) != std::string::npos, e.what());
            }
        }
        grid.seeds = {1, 1};
        QVERIFY_THROWS_EXCEPTION(FsllmError, grid.expand(base, "sweep")); // shared folder names
    }

    void completionFromTheLog() {
        QTemporaryDir root;
        const std::string dir = root.filePath(QStringLiteral("run")).toStdString();
        QCOMPARE(RunCompletion::of(dir), RunProgress::Missing);
        writeRun(dir, MaskMode::Causal, 1, HeadKind::Fs, {true, false});
        QCOMPARE(RunCompletion::of(dir), RunProgress::Restart); // never finished, no checkpoint
        AtomicFile::write(dir + "/train.log",
                          "2026-01-01 10:00:00  training 6 optimizer steps (2 epochs)\n"
                          "2026-01-01 10:00:09  finished: stopped by user after 3 steps, 9 s\n");
        std::filesystem::create_directories(dir + "/checkpoint");
        QCOMPARE(RunCompletion::of(dir), RunProgress::Resumable);
        AtomicFile::appendLines(dir + "/train.log",
                                "2026-01-01 10:01:00  resumed from step 3 (epoch 1)\n"
                                "2026-01-01 10:01:05  finished: completed after 6 steps, 14 s\n");
        QCOMPARE(RunCompletion::of(dir), RunProgress::Complete);
        std::filesystem::remove(dir + "/dev_predictions.tsv"); // no predictions: not complete
        QCOMPARE(RunCompletion::of(dir), RunProgress::Resumable);
    }
};

QTEST_GUILESS_MAIN(TstStatistics)
#include "tst_statistics.moc"
