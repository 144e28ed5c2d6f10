// `fsllm-studio`: the desktop studio. Parses the command line (StudioOptions), then either writes
// a headless comparison report (--report ... --out DIR) and exits, or opens the main window with
// the requested (or the bundled default) model and data, optionally rendering it to a PNG
// (--screenshot) once loaded. Exit codes: 0 success, 1 screenshot/report failure, 2 bad usage.
#include "inspectpanel.h"
#include "mainwindow.h"
#include "reportwriter.h"
#include "resourcelocator.h"
#include "runspanel.h"
#include "studiooptions.h"
#include "studioscreenshot.h"
#include "trainpanel.h"
#include "trainsettingsform.h"

#include <QApplication>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace {

int writeReport(const fsllm::StudioOptions& options) {
    fsllm::ReportWriter writer;
    if (!writer.run(options.reportRuns, options.reportOut)) {
        std::fprintf(stderr, "fsllm-studio: %s\n", qPrintable(writer.errorString()));
        return 1;
    }
    for (const QString& file : writer.writtenFiles())
        std::printf("wrote %s\n", qPrintable(file));
    return 0;
}

// Preloads what the command line names, or the default model and the demo data.
void preload(fsllm::MainWindow& window, const fsllm::StudioOptions& options) {
    if (!options.runsDir.isEmpty())
        window.runsPanel()->setRunsFolder(options.runsDir);
    if (!options.adapterDir.isEmpty())
        window.setInspectAdapter(options.adapterDir);
    if (!options.sentence.isEmpty())
        window.inspectPanel()->setSentence(options.sentence);
    if (options.epochs > 0)
        window.trainPanel()->form()->setEpochs(options.epochs);
    if (!options.trainFile.isEmpty() || !options.devFile.isEmpty())
        window.setDataFiles(options.trainFile, options.devFile);
    else
        window.setDataFiles(fsllm::ResourceLocator::demoTrainFile(),
                            fsllm::ResourceLocator::demoDevFile());
    if (options.modelDir.isEmpty())
        window.openDefaultModel();
    else
        window.openModel(options.modelDir);
    const QString tab = options.tab;
    window.setCurrentTab(tab == QLatin1String("inspect") ? fsllm::MainWindow::Tab::Inspect
                         : tab == QLatin1String("runs")  ? fsllm::MainWindow::Tab::Runs
                                                         : fsllm::MainWindow::Tab::Train);
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FS-LLM Studio"));
    QApplication::setApplicationName(QStringLiteral("fsllm-studio"));
    QApplication::setApplicationVersion(QStringLiteral(FSLLM_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("fsllm-studio"));

    fsllm::StudioOptions options;
    int exitCode = 0;
    if (!fsllm::StudioOptions::parse(app, &options, &exitCode))
        return exitCode;
    spdlog::set_default_logger(spdlog::stderr_color_mt("studio"));
    if (options.reportMode())
        return writeReport(options);

    fsllm::MainWindow window;
    QApplication::setWindowIcon(window.windowIcon()); // from the resources MainWindow registers
    fsllm::StudioScreenshot screenshot(&window, options);
    if (options.autostart) {
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = QObject::connect(window.inspectPanel(), &fsllm::InspectPanel::modelOpened,
                                       &window, [&window, &screenshot, connection] {
                                           QObject::disconnect(*connection);
                                           screenshot.noteTrainingStarted();
                                           window.trainPanel()->startTraining();
                                       });
    }
    preload(window, options);
    if (!options.screenshot.isEmpty()) {
        window.resize(options.screenshotWidth, options.screenshotHeight);
        screenshot.start();
    }
    window.show();
    return app.exec();
}
