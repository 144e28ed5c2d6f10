// A data file's preview: the first kPreviewRows examples in a table (text and label, or words and
// tags for token tasks), the number of examples and the label set found (LabelSet::fromExamples).
// The file is read off the GUI thread; a newer showFile() supersedes an older one. A read error
// is shown in the panel (red) and emitted, never thrown. Thread-safety: GUI thread only.
#pragma once

#include "datareader.h"

#include <QStringList>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace fsllm {

class DataPreview : public QWidget {
    Q_OBJECT

public:
    static constexpr int kPreviewRows = 50;

    explicit DataPreview(QWidget* parent = nullptr);

    void showFile(const QString& path, const DataReadOptions& options);
    void clear();

    QString path() const { return m_path; }
    bool isLoading() const { return m_loading; }
    QString errorText() const { return m_error; }
    int exampleCount() const { return m_examples; }
    QStringList labels() const { return m_labels; }
    int previewRowCount() const;

signals:
    void loaded(const QString& path, int examples, const QStringList& labels);
    void failed(const QString& path, const QString& error);

private:
    struct Result;
    void showResult(const Result& result);

    QLabel* m_summary;
    QTableWidget* m_table;
    QString m_path;
    QString m_error;
    QStringList m_labels;
    int m_examples = 0;
    int m_generation = 0;
    bool m_loading = false;
};

} // namespace fsllm
