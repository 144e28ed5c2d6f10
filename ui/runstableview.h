// The Runs tab's table: one row per checked run with its status (running, completed, stopped,
// failed), the results table's columns (mask, lambda, pooling, head, best step, dev scores, and
// the significance columns: mean ± std over seeds, Δ vs causal, 95% CI, p) and
// every hyper-parameter of its run.json (learning rate, batch, epochs, LoRA, length, seed,
// steps). Click a header to sort; numbers sort as numbers, missing values last.
// Thread-safety: GUI thread only.
#pragma once

#include "resultstable.h"
#include "runrecord.h"
#include "runstatus.h"

#include <QTableWidget>

namespace fsllm {

class RunsTableView : public QTableWidget {
    Q_OBJECT

public:
    static constexpr int kStatusColumn = 1;

    explicit RunsTableView(QWidget* parent = nullptr);

    static QStringList headers();
    void clearRuns();
    void addRun(const RunRecord& run, const RunStatus& status);
    // Fills the significance columns of the rows whose run folders are `table`'s rows' (after
    // ResultsTable::computeSignificance); rows of other runs are left as they are.
    void setSignificance(const ResultsTable& table);
    // The cell text of the row whose run is named `run` ("" if none).
    QString text(const QString& run, const QString& header) const;
};

} // namespace fsllm
