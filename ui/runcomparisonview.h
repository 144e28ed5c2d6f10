// The Inspect tab's "Runs side by side" page: the inspected sentence through two or more trained
// runs (e.g. the causal run and the decay run), one column each: the run and its mask, the
// prediction, the last layer's attention (mean of heads) under the run's mask, and the
// integrated-gradients attribution of the predicted class as a token strip (one colour scale
// over all columns). The work runs on Qt's thread pool (BackgroundCall, RunComparison); a newer
// comparison, new input or the view's end stops the running one, whose result is dropped. The
// engines opened for a comparison stay in a RunEngineCache while the view lives, so comparing
// another sentence reuses them; removing a run or changing the model releases its engines, and
// the view's end releases them all.
// Thread-safety: GUI thread only.
#pragma once

#include "runcomparison.h"

#include <QWidget>

#include <atomic>
#include <memory>

class QLabel;
class QListWidget;
class QPushButton;
class QHBoxLayout;

namespace fsllm {

class AttentionHeatmap;
class RunEngineCache;

class RunComparisonView : public QWidget {
    Q_OBJECT

public:
    explicit RunComparisonView(QWidget* parent = nullptr);
    ~RunComparisonView() override;

    void addRun(const QString& runDir); // ignored when already listed
    void removeRun(const QString& runDir);
    QStringList runs() const;
    // The model and sentence to compare on; a change stops a running comparison, clears the
    // columns and, once compared before with enough runs, compares again.
    void setInput(const QString& modelDir, const QString& text);
    void setAttributionSteps(int steps) { m_steps = steps; }
    bool canCompare() const;
    void compare();
    // Compare whenever the input changes and enough runs are listed (on after the first
    // compare(); the command line's --compare turns it on from the start).
    void setAutoCompare(bool on) { m_autoCompare = on; }
    bool isComparing() const { return m_busy; }

    int columnCount() const { return int(m_columns.size()); }
    QString columnHeadline(int column) const; // run, mask, prediction (or the error)
    AttentionHeatmap* columnHeatmap(int column) const;
    QString columnStrip(int column) const;
    QString statusText() const;
    // The opened engines (shared with a running comparison, which may outlive the view).
    std::shared_ptr<RunEngineCache> engineCache() const { return m_engines; }

signals:
    void compared(); // new columns are shown

private:
    struct Column {
        QLabel* headline = nullptr;
        AttentionHeatmap* heatmap = nullptr;
        QLabel* strip = nullptr;
        QWidget* box = nullptr;
    };
    void showResult(const RunComparisonResult& result);
    void clearColumns();
    void updateButtons();

    QListWidget* m_list;
    QPushButton* m_compare;
    QPushButton* m_remove;
    QLabel* m_status;
    QHBoxLayout* m_columnsLayout;
    std::vector<Column> m_columns;
    QString m_modelDir, m_text;
    int m_steps = 32;
    bool m_busy = false;
    bool m_autoCompare = false; // compared once: follow new input
    std::shared_ptr<std::atomic<quint64>> m_current; // the comparison whose result is wanted
    std::shared_ptr<RunEngineCache> m_engines;
};

} // namespace fsllm
