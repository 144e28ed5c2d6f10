// The command line of `fsllm-studio`: what to preload in the GUI (--model, --train/--dev,
// --adapter, --runs, --run, --sentence, --tab, --inspect-page, --compare), the headless report
// (--report RUN_DIR... --out DIR), the screenshot mode (--screenshot FILE, optionally after a
// short --autostart training) and the benchmarks (--measure-open, --measure-slider).
// Thread-safety: value type.
#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace fsllm {

struct StudioOptions {
    QString modelDir;
    QString trainFile;
    QString devFile;
    QString adapterDir;
    QString runsDir;
    QString selectedRun; // --run: selected on the Runs tab, its per-class scores shown
    QString predictionsFile; // --predictions: which evaluation of --run the scores show
    QString sentence;
    int attributionToken = -1; // token classifiers: the token whose tag is attributed (-1: auto)
    QString tab = QStringLiteral("train"); // train | inspect | runs
    QString inspectPage = QStringLiteral("masks"); // masks | heads | difference | attribution |
                                                   // sweep | runs
    QStringList compareRuns; // runs for the Inspect tab's "Runs side by side" page
    QStringList reportRuns;
    QString reportOut;
    QString screenshot;
    int screenshotWidth = 1400;
    int screenshotHeight = 900;
    bool autostart = false; // start training once the model is open
    bool measureOpen = false; // time the open of --model and its longest stall, print, exit
    bool measureSlider = false; // time lambda-slider redraws on --model (SliderBenchmark), exit
    int epochs = 0;         // > 0: overrides the form's epochs
    int timeoutSeconds = 900;
    int threads = 0; // > 0: CPU threads for training and inspection (the form's Threads field)

    bool reportMode() const { return !reportRuns.isEmpty(); }

    // Parses the application's arguments; on an error (or --help/--version) prints to
    // stdout/stderr and returns false with `exitCode` set. Needs a QCoreApplication only (no
    // display): main() parses before it creates the QApplication.
    static bool parse(const QCoreApplication& app, StudioOptions* options, int* exitCode);
};

} // namespace fsllm
