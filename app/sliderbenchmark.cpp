#include "sliderbenchmark.h"

#include "inspectpanel.h"
#include "mainwindow.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSlider>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace fsllm {

namespace {

// The q-quantile (0..1) of `values` (nearest rank); 0 for none.
double quantile(std::vector<double> values, double q) {
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(q * double(values.size() - 1) + 0.5);
    return values[std::min(rank, values.size() - 1)];
}

} // namespace

SliderBenchmark::SliderBenchmark(MainWindow* window, const QString& sentence)
    : QObject(window), m_window(window),
      m_sentence(sentence.isEmpty() ? QString::fromUtf8(kDefaultSentence) : sentence) {}

void SliderBenchmark::arm() {
    InspectPanel* panel = m_window->inspectPanel();
    m_slider = panel->findChild<QSlider*>(QStringLiteral("lambdaSlider"));
    connect(panel, &InspectPanel::modelOpened, this,
            [this, panel](const QString&, const ModelSummary& summary) {
        m_computeDtype = QString::fromStdString(summary.computeDtype);
        m_window->setCurrentTab(MainWindow::Tab::Inspect);
        panel->setSentence(m_sentence);
        panel->inspectNow();
    });
    connect(panel, &InspectPanel::modelFailed, this, [](const QString& dir, const QString& error) {
        std::printf("%s: the model failed to open (%s)\n", qPrintable(dir), qPrintable(error));
        std::fflush(stdout);
        QCoreApplication::exit(1);
    });
    connect(panel, &InspectPanel::inspected, this, &SliderBenchmark::onInspected);
}

void SliderBenchmark::onInspected() {
    const InspectPanel* panel = m_window->inspectPanel();
    if (m_move >= 0 && panel->lastOutcome().lambda != panel->lambda())
        return; // an earlier position's result: this move's is still on its way
    if (m_move >= 0) {
        m_window->repaint(); // synchronous: the new maps are on screen when it returns
        m_redrawMs.push_back(double(m_clock.nsecsElapsed()) / 1e6);
        m_forwardMs.push_back(panel->lastOutcome().milliseconds);
    }
    ++m_move;
    if (m_move >= kMoves) {
        finish();
        return;
    }
    QTimer::singleShot(0, this, &SliderBenchmark::nextMove); // after this result's own updates
}

void SliderBenchmark::nextMove() {
    const int steps = m_slider->maximum() - m_slider->minimum();
    // Spread over the range and never the current position (which would not move the slider).
    int position = m_slider->minimum() + (m_move * 7 + 1) * steps / (7 * kMoves) + 1;
    if (position == m_slider->value())
        position = position > m_slider->minimum() ? position - 1 : position + 1;
    const int move = m_move;
    QTimer::singleShot(kTimeoutMs, this, [this, move] {
        if (m_move != move)
            return;
        std::printf("slider move %d got no result within %d ms\n", move, kTimeoutMs);
        std::fflush(stdout);
        QCoreApplication::exit(1);
    });
    m_clock.start();
    m_slider->setValue(position);
}

void SliderBenchmark::finish() {
    const InspectPanel* panel = m_window->inspectPanel();
    std::printf("%s (%s): lambda slider, %zu moves at %d tokens (%d layers x %d heads): redraw "
                "median %.1f ms, 90th percentile %.1f ms, max %.1f ms; of which the "
                "decay(lambda) inspection median %.1f ms\n",
                qPrintable(QFileInfo(panel->modelDir()).fileName()), qPrintable(m_computeDtype),
                m_redrawMs.size(),
                panel->lastOutcome().causal.tokenCount, panel->lastOutcome().causal.layers,
                panel->lastOutcome().causal.heads, quantile(m_redrawMs, 0.5),
                quantile(m_redrawMs, 0.9), quantile(m_redrawMs, 1.0),
                quantile(m_forwardMs, 0.5));
    std::fflush(stdout);
    QCoreApplication::exit(0);
}

} // namespace fsllm
