// The classifier's prediction for the inspected sentence: class probabilities as bars for
// sequence tasks, or the words coloured by their predicted tag (the first sub-token's argmax)
// for token tasks; a hint when no adapter is loaded. Thread-safety: GUI thread only.
#pragma once

#include "exportdialog.h"
#include "inspectresult.h"

#include <QWidget>

class QLabel;
class QStackedWidget;

namespace fsllm {

class ProbabilityBars;

class PredictionView : public QWidget {
    Q_OBJECT

public:
    explicit PredictionView(QWidget* parent = nullptr);

    void showResult(const InspectResult& result, const QString& source);
    void showHint(const QString& text);

    ProbabilityBars* bars() const { return m_bars; }
    QString headline() const; // "news (87.5 %)" or the tagged words as plain text
    QStringList wordTags() const { return m_wordTags; } // token tasks: "word/TAG"

    // Words of a sentencepiece token sequence with the index of each word's first piece
    // (BOS and other control pieces are skipped).
    static QList<QPair<QString, int>> wordsOf(const std::vector<std::string>& pieces);
    static QColor tagColor(const QString& tag); // transparent for "O"

private:
    void showSequence(const InspectResult& result, const QString& source);
    void showTokens(const InspectResult& result, const QString& source);

    QLabel* m_headline;
    QStackedWidget* m_stack;
    ProbabilityBars* m_bars;
    QLabel* m_tagged;
    QLabel* m_hint;
    QStringList m_wordTags;
};

} // namespace fsllm
