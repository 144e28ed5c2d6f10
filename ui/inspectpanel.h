// The Inspect tab: a sentence box, the model (the selected checkpoint, optionally with a run's
// adapter), a lambda slider (0..5, finer near 0), the sentence's tokens, the prediction and the
// attention maps under the causal, decay(lambda) and bidirectional masks side by side, and four
// more views on pages beside them: all heads at once (a layers x heads grid; a click opens a head
// in the big maps), difference maps (decay - causal, bidirectional - causal), token attribution
// for the predicted class under each mask, and attention entropy / future share over a lambda
// grid, and the same sentence through several runs side by side. Edits are debounced
// (kDebounceMs); slider moves are sent at once. Both are inspected by an InspectWorker on this
// panel's own thread, which keeps only the newest waiting request (so moves made while it works
// coalesce into one); the slower analyses (sweep, attribution) of a superseded request stop
// early and never arrive. A new model or adapter, an empty sentence or an error clears
// every earlier result (maps, tokens, prediction, its export), and results of queries sent
// before are dropped. Thread-safety: GUI thread only; shutdown() joins the thread.
#pragma once

#include "inspectworker.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QSlider;
class QTabWidget;
class QThread;
class QTimer;

namespace fsllm {

class AttentionComparison;
class AttentionDifference;
class AttentionHeadsView;
class AttributionView;
class LambdaSweepView;
class RunComparisonView;
class PathField;
class PredictionView;
struct NamedPlot;

class InspectPanel : public QWidget {
    Q_OBJECT

public:
    static constexpr int kDebounceMs = 150;
    static constexpr int kSliderSteps = 1000;
    static constexpr double kMaxLambda = 5.0;
    static constexpr double kDefaultLambda = 0.5;

    explicit InspectPanel(QWidget* parent = nullptr);
    ~InspectPanel() override;

    // Opens `modelDir` on the worker (with `adapterDir`'s classifier when not empty).
    void openModel(const QString& modelDir, const QString& adapterDir = QString());
    void setAdapter(const QString& runOrAdapterDir); // reopens the current model with it
    // Stops the open in progress between two weight tensors (modelFailed: "opening cancelled").
    void cancelOpen();
    QString modelDir() const { return m_modelDir; }
    QString adapterDir() const { return m_adapterDir; }
    bool isModelReady() const { return m_modelReady; }
    // The worker (its own thread); for tests that need to hold its queue.
    InspectWorker* worker() const { return m_worker; }

    void setSentence(const QString& text); // inspects after the debounce delay
    QString sentence() const;
    void setLambda(double lambda); // exactly this value; the slider moves to the nearest position
    double lambda() const;
    void inspectNow(); // skips the debounce

    enum Page { MasksPage, HeadsPage, DifferencePage, AttributionPage, SweepPage, RunsPage };

    AttentionComparison* comparison() const { return m_comparison; }
    AttentionHeadsView* headsView() const { return m_heads; }
    AttentionDifference* difference() const { return m_difference; }
    AttributionView* attribution() const { return m_attribution; }
    LambdaSweepView* sweepView() const { return m_sweep; }
    RunComparisonView* runsView() const { return m_runs; }
    QTabWidget* pages() const { return m_pages; }
    void setPage(Page page);
    // Integrated-gradients points for attribution (default 32); applies to the next query.
    void setAttributionSteps(int steps) { m_attributionSteps = steps; }
    // Token classifiers: the token whose tag the Attribution page explains (-1: automatic), as
    // if chosen in its list; a new sentence goes back to automatic.
    void setAttributionToken(int token) { m_attributionToken = token; }
    int attributionSteps() const { return m_attributionSteps; }
    PredictionView* prediction() const { return m_prediction; }
    QList<NamedPlot> plots() const;
    bool hasOutcome() const { return m_hasOutcome; }
    const InspectOutcome& lastOutcome() const { return m_outcome; }
    QString tokensText() const;
    QString errorText() const { return m_error; }

    // Slider position <-> lambda: 0 -> 0, kSliderSteps -> kMaxLambda, exponential in between.
    static double lambdaForPosition(int position);
    static int positionForLambda(double lambda);

    // Joins the worker thread; afterwards no worker signal reaches this panel and openModel(),
    // setAdapter() and inspectNow() do nothing. Idempotent.
    void shutdown();
    bool isShutDown() const { return m_worker == nullptr; }

signals:
    void modelOpened(const QString& modelDir, const fsllm::ModelSummary& summary);
    void modelFailed(const QString& modelDir, const QString& error);
    // While the current model's weights load: bytes placed so far and in all.
    void loadProgress(const QString& modelDir, qint64 bytesDone, qint64 bytesTotal);
    void inspected(); // a new outcome is shown
    void swept();      // a new lambda sweep is shown
    void attributed(); // new token attributions are shown

private:
    QWidget* buildInputs();
    void scheduleInspect();
    void onModelOpened(const QString& dir, const ModelSummary& summary, const QString& adapter);
    void onModelFailed(const QString& dir, const QString& error);
    void onInspected(const InspectOutcome& outcome);
    void onInspectFailed(quint64 id, const QString& error);
    void onSwept(const SweepOutcome& outcome);
    void onAttributed(const AttributionOutcome& outcome);
    void onAnalysisFailed(quint64 id, const QString& error);
    void updateDifference(); // follows the big maps' layer and head
    QString contextText() const;
    void showStatus(const QString& text, bool error);
    void clearResults(const QString& hint); // maps, tokens, prediction and outcome
    void updateLambdaLabel();

    QLineEdit* m_sentence;
    PathField* m_adapter;
    QSlider* m_lambda;
    QLabel* m_lambdaValue;
    QLabel* m_status;
    QLabel* m_tokens;
    AttentionComparison* m_comparison;
    AttentionHeadsView* m_heads;
    AttentionDifference* m_difference;
    AttributionView* m_attribution;
    LambdaSweepView* m_sweep;
    RunComparisonView* m_runs;
    QTabWidget* m_pages;
    PredictionView* m_prediction;
    QTimer* m_debounce;
    QThread* m_thread;
    InspectWorker* m_worker;
    QString m_modelDir;
    QString m_adapterDir;
    QString m_adapterDescription;
    QString m_error;
    InspectOutcome m_outcome;
    double m_lambdaOverride = kDefaultLambda; // NaN: the slider position decides
    int m_attributionSteps = 32;
    int m_attributionToken = -1; // token classifiers: the token explained (-1: automatic)
    quint64 m_nextId = 1;
    quint64 m_firstCurrentId = 1; // outcomes of older queries are stale
    bool m_hasOutcome = false;
    bool m_modelReady = false;
};

} // namespace fsllm
