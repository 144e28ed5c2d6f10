// `fsllm-studio --screenshot FILE`: waits until the main window has loaded what the command line
// asked for (model open, data previews read, the inspected sentence shown, runs read, an
// --autostart training finished), lets the plots settle, renders the window to a PNG and quits
// the application with exit code 0 (1 when it timed out or could not write the file).
// Thread-safety: GUI thread only.
#pragma once

#include "studiooptions.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace fsllm {

class MainWindow;

class StudioScreenshot : public QObject {
    Q_OBJECT

public:
    static constexpr int kPollMs = 100;
    static constexpr int kSettleMs = 1200; // coalesced replots (10 Hz) and layouts

    StudioScreenshot(MainWindow* window, const StudioOptions& options, QObject* parent = nullptr);
    void start();

    void noteTrainingStarted() { m_trainingStarted = true; }

private:
    bool ready() const;
    void poll();
    void shoot(bool timedOut);

    MainWindow* m_window;
    StudioOptions m_options;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_readySinceMs = -1;
    bool m_trainingStarted = false;
};

} // namespace fsllm
