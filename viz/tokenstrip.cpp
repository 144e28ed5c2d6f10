#include "tokenstrip.h"

#include "attentionheatmap.h"

#include <algorithm>
#include <cmath>

namespace fsllm {

QColor TokenStrip::colorFor(double value, double maxAbs) {
    if (!(maxAbs > 0.0) || !std::isfinite(value))
        return QColor(0xf7, 0xf7, 0xf7);
    const double clamped = std::clamp(value, -maxAbs, maxAbs);
    return QColor(AttentionHeatmap::divergingGradient().color(clamped, QCPRange(-maxAbs, maxAbs)));
}

double TokenStrip::maxAbs(const std::vector<float>& values) {
    double top = 0.0;
    for (float v : values)
        if (std::isfinite(v))
            top = std::max(top, double(std::abs(v)));
    return top;
}

QString TokenStrip::html(const QStringList& tokens, const std::vector<float>& values,
                         double maxAbs) {
    if (std::size_t(tokens.size()) != values.size())
        return {};
    QString out;
    for (int i = 0; i < tokens.size(); ++i) {
        const double v = double(values[std::size_t(i)]);
        const QColor background = colorFor(v, maxAbs);
        const QColor text = background.lightnessF() < 0.45 ? Qt::white : Qt::black;
        QString token = tokens[i].toHtmlEscaped();
        token.replace(QChar(0x2581), QStringLiteral("·")); // sentencepiece's word-start mark
        out += QStringLiteral("<span title=\"%1\" style=\"background-color:%2; color:%3;\">"
                              "&nbsp;%4&nbsp;</span> ")
                   .arg(QString::number(v, 'g', 3), background.name(), text.name(), token);
    }
    return out;
}

} // namespace fsllm
