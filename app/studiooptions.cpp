#include "studiooptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

namespace fsllm {

namespace {

bool fail(const QString& message, int* exitCode) {
    std::fprintf(stderr, "fsllm-studio: %s\n", qPrintable(message));
    *exitCode = 2;
    return false;
}

} // namespace

bool StudioOptions::parse(const QCoreApplication& app, StudioOptions* o, int* exitCode) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "FS-LLM Studio: fine-tune decoder LLMs as classifiers, inspect their attention, compare "
        "runs.\nHeadless report: fsllm-studio --report RUN_DIR [RUN_DIR...] --out DIR"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model({QStringLiteral("m"), QStringLiteral("model")},
                                   QStringLiteral("Checkpoint folder to open."),
                                   QStringLiteral("DIR"));
    const QCommandLineOption train(QStringLiteral("train"), QStringLiteral("Training data."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption dev(QStringLiteral("dev"), QStringLiteral("Development data."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption adapter(QStringLiteral("adapter"),
                                     QStringLiteral("Run folder whose classifier Inspect uses."),
                                     QStringLiteral("RUN_DIR"));
    const QCommandLineOption runs(QStringLiteral("runs"),
                                  QStringLiteral("Folder of run folders for the Runs tab."),
                                  QStringLiteral("DIR"));
    const QCommandLineOption selectedRun(
        QStringLiteral("run"),
        QStringLiteral("Run folder to select on the Runs tab (shows its per-class scores)."),
        QStringLiteral("RUN_DIR"));
    const QCommandLineOption predictions(
        QStringLiteral("predictions"),
        QStringLiteral("With --run: show the per-class scores of this data file's evaluation "
                       "(fsllm eval or Evaluate file…) instead of dev."),
        QStringLiteral("FILE"));
    const QCommandLineOption sentence(QStringLiteral("sentence"),
                                      QStringLiteral("Sentence for the Inspect tab."),
                                      QStringLiteral("TEXT"));
    const QCommandLineOption tab(QStringLiteral("tab"),
                                 QStringLiteral("Tab to show: train, inspect or runs."),
                                 QStringLiteral("NAME"), QStringLiteral("train"));
    const QCommandLineOption inspectPage(
        QStringLiteral("inspect-page"),
        QStringLiteral("Page of the Inspect tab: masks, heads, difference, attribution, sweep or "
                       "runs."),
        QStringLiteral("NAME"), QStringLiteral("masks"));
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QStringLiteral("A run to compare on the Inspect tab's runs page (give it twice or more)."),
        QStringLiteral("RUN_DIR"));
    const QCommandLineOption report(
        QStringLiteral("report"),
        QStringLiteral("Write comparison figures and tables of these runs (more run folders may "
                       "follow as arguments) into --out, then exit."),
        QStringLiteral("RUN_DIR"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Report folder."),
                                 QStringLiteral("DIR"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the main window to this PNG once it has loaded, then exit."),
        QStringLiteral("FILE"));
    const QCommandLineOption size(QStringLiteral("size"),
                                  QStringLiteral("Window size for --screenshot (WxH)."),
                                  QStringLiteral("WxH"), QStringLiteral("1400x900"));
    const QCommandLineOption autostart(QStringLiteral("autostart"),
                                       QStringLiteral("Start training as soon as the model is "
                                                      "open (with --screenshot: shoot when it "
                                                      "ends)."));
    const QCommandLineOption epochs(QStringLiteral("epochs"),
                                    QStringLiteral("Epochs for --autostart."), QStringLiteral("N"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Seconds --screenshot waits at most."),
                                     QStringLiteral("S"), QStringLiteral("900"));
    const QCommandLineOption threads(
        QStringLiteral("threads"),
        QStringLiteral("CPU threads for training and inspection (default: all cores)."),
        QStringLiteral("N"));
    const QCommandLineOption measureOpen(
        QStringLiteral("measure-open"),
        QStringLiteral("Open --model, print the time it took, the longest event-loop stall "
                       "meanwhile and the peak memory, then exit (1 when it failed)."));
    const QCommandLineOption attributionToken(
        QStringLiteral("attribution-token"),
        QStringLiteral("With a token classifier as --adapter: the token (0 = BOS) whose tag the "
                       "Attribution page explains (default: the most confident entity)."),
        QStringLiteral("N"));
    const QCommandLineOption measureSlider(
        QStringLiteral("measure-slider"),
        QStringLiteral("Open --model (with --adapter and --sentence if given), move the Inspect "
                       "tab's lambda slider 24 times, print the redraw times, then exit."));
    parser.addOptions({model, train, dev, adapter, runs, selectedRun, predictions, sentence, tab,
                       inspectPage,
                       compare, report, out, screenshot, size, autostart, epochs, timeout,
                       threads, measureOpen, measureSlider, attributionToken});
    parser.addPositionalArgument(QStringLiteral("RUN_DIR"),
                                 QStringLiteral("More run folders for --report."),
                                 QStringLiteral("[RUN_DIR...]"));
    if (!parser.parse(app.arguments()))
        return fail(parser.errorText(), exitCode);
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        *exitCode = 0;
        return false;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("fsllm-studio %s\n", qPrintable(app.applicationVersion()));
        *exitCode = 0;
        return false;
    }

    o->modelDir = parser.value(model);
    o->trainFile = parser.value(train);
    o->devFile = parser.value(dev);
    o->adapterDir = parser.value(adapter);
    o->runsDir = parser.value(runs);
    o->selectedRun = parser.value(selectedRun);
    o->predictionsFile = parser.value(predictions);
    if (!o->predictionsFile.isEmpty() && o->selectedRun.isEmpty())
        return fail(QStringLiteral("--predictions needs --run RUN_DIR"), exitCode);
    o->sentence = parser.value(sentence);
    o->tab = parser.value(tab).toLower();
    o->screenshot = parser.value(screenshot);
    o->autostart = parser.isSet(autostart);
    o->measureOpen = parser.isSet(measureOpen);
    if (o->measureOpen && o->modelDir.isEmpty())
        return fail(QStringLiteral("--measure-open needs --model DIR"), exitCode);
    o->measureSlider = parser.isSet(measureSlider);
    if (o->measureSlider && o->modelDir.isEmpty())
        return fail(QStringLiteral("--measure-slider needs --model DIR"), exitCode);
    if (o->measureSlider && o->measureOpen)
        return fail(QStringLiteral("--measure-slider and --measure-open are separate runs; give "
                                   "one"),
                    exitCode);
    if (!QStringList{"train", "inspect", "runs"}.contains(o->tab))
        return fail(QStringLiteral("--tab: '%1' is not train, inspect or runs").arg(o->tab),
                    exitCode);
    o->inspectPage = parser.value(inspectPage).toLower();
    if (!QStringList{"masks", "heads", "difference", "attribution", "sweep", "runs"}.contains(
            o->inspectPage))
        return fail(QStringLiteral("--inspect-page: '%1' is not masks, heads, difference, "
                                   "attribution, sweep or runs")
                        .arg(o->inspectPage),
                    exitCode);
    o->compareRuns = parser.values(compare);
    if (parser.isSet(report)) {
        o->reportRuns = parser.values(report) + parser.positionalArguments();
        o->reportOut = parser.value(out);
        if (o->reportOut.isEmpty())
            return fail(QStringLiteral("--report needs --out DIR"), exitCode);
    } else if (!parser.positionalArguments().isEmpty()) {
        return fail(QStringLiteral("unexpected argument '%1' (run folders go with --report)")
                        .arg(parser.positionalArguments().first()),
                    exitCode);
    }
    const QStringList wh = parser.value(size).split(QLatin1Char('x'));
    bool okW = false, okH = false;
    if (wh.size() == 2) {
        o->screenshotWidth = wh[0].toInt(&okW);
        o->screenshotHeight = wh[1].toInt(&okH);
    }
    if (!okW || !okH || o->screenshotWidth < 200 || o->screenshotHeight < 200)
        return fail(QStringLiteral("--size: expected WxH, e.g. 1400x900"), exitCode);
    if (parser.isSet(epochs)) {
        bool ok = false;
        o->epochs = parser.value(epochs).toInt(&ok);
        if (!ok || o->epochs < 1)
            return fail(QStringLiteral("--epochs: expected a positive whole number"), exitCode);
    }
    if (parser.isSet(attributionToken)) {
        bool ok = false;
        o->attributionToken = parser.value(attributionToken).toInt(&ok);
        if (!ok || o->attributionToken < 0)
            return fail(QStringLiteral("--attribution-token: expected a token index >= 0 "
                                       "(0 is BOS)"),
                        exitCode);
    }
    if (parser.isSet(threads)) {
        bool ok = false;
        o->threads = parser.value(threads).toInt(&ok);
        if (!ok || o->threads < 1 || o->threads > 1024)
            return fail(QStringLiteral("--threads: expected a whole number from 1 to 1024"),
                        exitCode);
    }
    bool ok = false;
    o->timeoutSeconds = parser.value(timeout).toInt(&ok);
    if (!ok || o->timeoutSeconds < 1)
        return fail(QStringLiteral("--timeout: expected seconds"), exitCode);
    return true;
}

} // namespace fsllm
