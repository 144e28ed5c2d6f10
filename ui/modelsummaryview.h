// Shows a checkpoint's Engine::summary(): architecture, size, dtypes, device, tokenizer and the
// runtime (LibTorch, BLAS, threads); or that it is loading; or why it could not be opened.
// The summary itself is computed off the GUI thread (InspectWorker opens the model).
// Thread-safety: GUI thread only.
#pragma once

#include "engine.h"

#include <QLabel>

namespace fsllm {

class ModelSummaryView : public QLabel {
    Q_OBJECT

public:
    explicit ModelSummaryView(QWidget* parent = nullptr);

    void showLoading(const QString& directory);
    void showSummary(const ModelSummary& summary);
    void showError(const QString& directory, const QString& error);
    void showNone();

    bool hasSummary() const { return m_hasSummary; }
    // "llama · 4 layers · d=128 · …" (one line), for tests and the status bar.
    static QString oneLine(const ModelSummary& summary);

private:
    bool m_hasSummary = false;
};

} // namespace fsllm
