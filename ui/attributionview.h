// The Inspect tab's "Attribution" page: for each mask (causal, decay(lambda), bidirectional) the
// class the classifier predicts under it, and two signed colour strips over the tokens
// (TokenStrip): gradient x input and integrated gradients (AttributionResult). Red tokens push
// the score f (the predicted class's logit) up, blue ones down; each method has one colour scale
// over the three masks, so masks compare at a glance. A line under each strip states the
// integrated-gradients check: sum of attributions vs f(x) - f(baseline). For a token classifier
// the score is one token's tag, and a Token choice picks which token (automatic: the most
// confident entity). Thread-safety: GUI only.
#pragma once

#include "attributionresult.h"

#include <QWidget>

#include <array>
#include <vector>

class QComboBox;
class QLabel;

namespace fsllm {

class AttributionView : public QWidget {
    Q_OBJECT

public:
    enum Method { GradientTimesInput, IntegratedGradients, MethodCount };
    static constexpr int kMasks = 3; // causal, decay, bidirectional

    explicit AttributionView(QWidget* parent = nullptr);

    // Three results (causal, decay, bidirectional) of one sentence; false and a hint otherwise.
    bool setResults(const std::vector<AttributionResult>& results);
    void showHint(const QString& text); // clears the strips
    bool hasResults() const { return m_hasResults; }

    QString headline(int mask) const; // "decay (λ = 0.5): pos (p = 0.83)"
    QString stripHtml(int mask, Method method) const;
    QString hint() const;

    // Token classifiers: the tokens to choose from (BOS first) and the chosen one (-1:
    // automatic). An empty list hides the choice (sequence classifiers).
    void setTokenChoices(const std::vector<std::string>& tokens, int chosen);
    int chosenToken() const; // -1: automatic
    bool tokenChoiceShown() const;
    double scale(Method method) const { return m_scales[method]; } // the max |attribution|

signals:
    void tokenChosen(int token); // the user picked a token (-1: automatic)

private:
    QWidget* m_tokenRow;
    QComboBox* m_tokenChoice;
    QLabel* m_hint;
    std::array<QLabel*, kMasks> m_headlines{};
    std::array<std::array<QLabel*, MethodCount>, kMasks> m_strips{};
    std::array<QLabel*, kMasks> m_checks{};
    std::array<double, MethodCount> m_scales{};
    bool m_hasResults = false;
};

} // namespace fsllm
