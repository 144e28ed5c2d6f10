#include "plottitle.h"

#include <qcustomplot.h>

namespace fsllm {

QCPTextElement* PlotTitle::set(QCustomPlot* plot, QCPTextElement* current, const QString& text) {
    if (text.isEmpty()) {
        if (current) {
            plot->plotLayout()->remove(current); // deletes it
            plot->plotLayout()->simplify();      // drops the empty row
        }
        return nullptr;
    }
    if (current) {
        current->setText(text);
        return current;
    }
    QFont font = plot->font();
    font.setPointSizeF(font.pointSizeF() * kFontScale);
    font.setBold(true);
    auto* title = new QCPTextElement(plot, text, font);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, title);
    return title;
}

} // namespace fsllm
