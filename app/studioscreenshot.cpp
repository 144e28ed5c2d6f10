#include "studioscreenshot.h"

#include "classreportview.h"
#include "datapreview.h"
#include "attributionview.h"
#include "inspectpanel.h"
#include "lambdasweepview.h"
#include "mainwindow.h"
#include "runcomparisonview.h"
#include "runspanel.h"
#include "trainpanel.h"

#include <QApplication>
#include <QImage>
#include <QPixmap>

#include <spdlog/spdlog.h>

namespace fsllm {

StudioScreenshot::StudioScreenshot(MainWindow* window, const StudioOptions& options,
                                   QObject* parent)
    : QObject(parent), m_window(window), m_options(options) {
    m_timer.setInterval(kPollMs);
    connect(&m_timer, &QTimer::timeout, this, &StudioScreenshot::poll);
}

void StudioScreenshot::start() {
    m_clock.start();
    m_timer.start();
}

bool StudioScreenshot::ready() const {
    const InspectPanel* inspect = m_window->inspectPanel();
    const TrainPanel* train = m_window->trainPanel();
    if (!inspect->isModelReady() && inspect->errorText().isEmpty())
        return false;
    if (train->trainPreview()->isLoading() || train->devPreview()->isLoading())
        return false;
    if (m_options.autostart && (!m_trainingStarted || train->isTraining()))
        return false;
    if (m_window->runsPanel()->isLoading() || m_window->runsPanel()->classReport()->isLoading())
        return false;
    if (m_options.tab == QLatin1String("inspect") && inspect->isModelReady() &&
        !inspect->hasOutcome() && inspect->errorText().isEmpty())
        return false;
    // The slower analyses of the page shown (the attribution with any classifier as adapter).
    if (m_options.tab == QLatin1String("inspect") && inspect->hasOutcome()) {
        if (m_options.inspectPage == QLatin1String("sweep") && !inspect->sweepView()->hasSweep())
            return false;
        if (m_options.inspectPage == QLatin1String("attribution") &&
            inspect->lastOutcome().hasPrediction && !inspect->attribution()->hasResults())
            return false;
        if (m_options.inspectPage == QLatin1String("runs") &&
            inspect->runsView()->runs().size() >= 2 && inspect->runsView()->columnCount() == 0)
            return false;
    }
    return true;
}

void StudioScreenshot::poll() {
    const qint64 now = m_clock.elapsed();
    if (now > qint64(m_options.timeoutSeconds) * 1000) {
        shoot(true);
        return;
    }
    if (!ready()) {
        m_readySinceMs = -1;
        return;
    }
    if (m_readySinceMs < 0)
        m_readySinceMs = now;
    if (now - m_readySinceMs >= kSettleMs)
        shoot(false);
}

void StudioScreenshot::shoot(bool timedOut) {
    m_timer.stop();
    if (timedOut)
        spdlog::warn("screenshot: timed out after {} s waiting for the window to load",
                     m_options.timeoutSeconds);
    const QImage image = m_window->grab().toImage();
    const bool saved = image.save(m_options.screenshot, "PNG");
    if (saved)
        spdlog::info("screenshot: wrote {} ({}x{})", m_options.screenshot.toStdString(),
                     image.width(), image.height());
    else
        spdlog::error("screenshot: cannot write {}", m_options.screenshot.toStdString());
    QApplication::exit(saved && !timedOut ? 0 : 1);
}

} // namespace fsllm
