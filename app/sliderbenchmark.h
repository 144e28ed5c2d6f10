// `fsllm-studio --model DIR --measure-slider`: the Inspect tab's lambda slider, timed end to end.
// Once the model is open and the sentence inspected, the slider is moved to kMoves positions
// spread over its range, one after another; each move is timed from the slider's change to the
// end of the synchronous repaint of the window that shows its new maps (the worker's forward pass
// under decay(lambda), the queued result, the views' updates and the paint). Prints the median,
// 90th percentile and maximum, and the worker's forward-pass time, then quits: exit 0, or 1 when
// the model failed to open or a move got no result within kTimeoutMs.
// Thread-safety: GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <vector>

class QSlider;

namespace fsllm {

class MainWindow;

class SliderBenchmark : public QObject {
    Q_OBJECT

public:
    static constexpr int kMoves = 24;
    static constexpr int kTimeoutMs = 60000;

    // 32 tokens (BOS included) with the default model's tokenizer.
    static constexpr const char* kDefaultSentence =
        "The quiet film follows a young musician who returns to her small town and slowly "
        "learns to love the old songs of her childhood again at last.";

    // `sentence`: the text inspected (empty: kDefaultSentence).
    SliderBenchmark(MainWindow* window, const QString& sentence);
    // Starts when the model opens (call before the model is opened).
    void arm();

private:
    void onInspected();
    void nextMove();
    void finish();

    MainWindow* m_window;
    QString m_sentence;
    QString m_computeDtype; // what the Inspect tab's engine computes in
    QSlider* m_slider = nullptr;
    QElapsedTimer m_clock;
    int m_move = -1; // -1: waiting for the first (unmeasured) inspection
    std::vector<double> m_redrawMs;
    std::vector<double> m_forwardMs;
};

} // namespace fsllm
