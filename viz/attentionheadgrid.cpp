#include "attentionheadgrid.h"

#include "attentionheatmap.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace fsllm {

AttentionHeadGrid::AttentionHeadGrid(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
}

bool AttentionHeadGrid::setAttention(const std::vector<float>& attention, int layers, int heads,
                                     int tokenCount, AttentionScale scale) {
    const std::size_t cells = std::size_t(std::max(tokenCount, 0)) * std::size_t(std::max(tokenCount, 0));
    if (layers <= 0 || heads <= 0 || tokenCount <= 0 ||
        attention.size() != std::size_t(layers) * std::size_t(heads) * cells) {
        clear();
        return false;
    }
    m_layers = layers;
    m_heads = heads;
    m_tokenCount = tokenCount;
    m_scale = scale;
    m_scaled.resize(attention.size());
    for (std::size_t slab = 0; slab < std::size_t(layers) * std::size_t(heads); ++slab) {
        const std::vector<float> one(attention.begin() + std::ptrdiff_t(slab * cells),
                                     attention.begin() + std::ptrdiff_t((slab + 1) * cells));
        const std::vector<float> scaled = AttentionScaling::apply(one, tokenCount, scale);
        std::copy(scaled.begin(), scaled.end(), m_scaled.begin() + std::ptrdiff_t(slab * cells));
    }
    switch (scale) {
    case AttentionScale::Global: {
        const float top = AttentionScaling::maximum(m_scaled);
        m_low = 0.0;
        m_high = top > 0.0f ? double(top) : 1.0;
        break;
    }
    case AttentionScale::PerRow:
        m_low = 0.0;
        m_high = 1.0;
        break;
    case AttentionScale::Log:
        m_low = std::log10(double(kLogFloor));
        m_high = 0.0;
        break;
    }
    QCPColorGradient gradient = AttentionHeatmap::defaultGradient();
    const QCPRange range(m_low, m_high);
    m_images.clear();
    m_images.reserve(std::size_t(layers) * std::size_t(heads));
    for (std::size_t slab = 0; slab < std::size_t(layers) * std::size_t(heads); ++slab) {
        QImage image(tokenCount, tokenCount, QImage::Format_RGB32);
        const float* values = m_scaled.data() + slab * cells;
        for (int row = 0; row < tokenCount; ++row) {
            auto* line = reinterpret_cast<QRgb*>(image.scanLine(row));
            for (int col = 0; col < tokenCount; ++col) {
                const float v = values[std::size_t(row) * std::size_t(tokenCount) + std::size_t(col)];
                line[col] = std::isfinite(v) ? gradient.color(double(v), range)
                                             : AttentionHeatmap::maskedColor().rgb();
            }
        }
        m_images.push_back(image);
    }
    updateGeometry();
    update();
    return true;
}

void AttentionHeadGrid::clear() {
    m_scaled.clear();
    m_images.clear();
    m_layers = m_heads = m_tokenCount = 0;
    m_selectedLayer = m_selectedHead = -1;
    updateGeometry();
    update();
}

void AttentionHeadGrid::setCaption(const QString& caption) {
    m_caption = caption;
    update();
}

void AttentionHeadGrid::setSelected(int layer, int head) {
    m_selectedLayer = layer;
    m_selectedHead = head;
    update();
}

float AttentionHeadGrid::scaledValue(int layer, int head, int row, int col) const {
    if (layer < 0 || head < 0 || row < 0 || col < 0 || layer >= m_layers || head >= m_heads ||
        row >= m_tokenCount || col >= m_tokenCount)
        return std::numeric_limits<float>::quiet_NaN();
    const std::size_t t = std::size_t(m_tokenCount);
    return m_scaled[((std::size_t(layer) * std::size_t(m_heads) + std::size_t(head)) * t +
                     std::size_t(row)) * t + std::size_t(col)];
}

QRgb AttentionHeadGrid::pixel(int layer, int head, int row, int col) const {
    if (std::isnan(scaledValue(layer, head, row, col)))
        return 0;
    return m_images[std::size_t(layer) * std::size_t(m_heads) + std::size_t(head)].pixel(col, row);
}

int AttentionHeadGrid::captionHeight() const {
    return m_caption.isEmpty() ? 0 : fontMetrics().height() * (int(m_caption.count('\n')) + 1) + 4;
}

int AttentionHeadGrid::cellSize() const {
    if (m_layers == 0 || m_heads == 0)
        return kMinCell;
    const int width = (this->width() - kLabelMargin - kBarWidth) / m_heads - kGap;
    const int height = (this->height() - kLabelMargin - captionHeight()) / m_layers - kGap;
    return std::max(kMinCell, std::min(width, height));
}

QRect AttentionHeadGrid::cellRect(int layer, int head) const {
    return cellRectAt(captionHeight(), cellSize(), layer, head);
}

QRect AttentionHeadGrid::cellRectAt(int top, int cell, int layer, int head) const {
    return QRect(kLabelMargin + head * (cell + kGap), top + kLabelMargin + layer * (cell + kGap),
                 cell, cell);
}

bool AttentionHeadGrid::cellAt(const QPoint& pixel, int* layer, int* head) const {
    for (int l = 0; l < m_layers; ++l)
        for (int h = 0; h < m_heads; ++h)
            if (cellRect(l, h).contains(pixel)) {
                *layer = l;
                *head = h;
                return true;
            }
    return false;
}

QSize AttentionHeadGrid::minimumSizeHint() const {
    return QSize(kLabelMargin + kBarWidth + std::max(m_heads, 1) * (kMinCell + kGap),
                 captionHeight() + kLabelMargin + std::max(m_layers, 1) * (kMinCell + kGap));
}

QSize AttentionHeadGrid::sizeHint() const {
    return minimumSizeHint().expandedTo(QSize(600, 400));
}

void AttentionHeadGrid::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    if (!m_caption.isEmpty())
        painter.drawText(QRect(0, 0, width(), captionHeight()), Qt::AlignLeft | Qt::AlignVCenter,
                         m_caption);
    if (m_images.empty()) {
        painter.drawText(rect(), Qt::AlignCenter, tr("No attention to show yet."));
        return;
    }
    paintGrid(painter, captionHeight(), cellSize(), width(), height(), palette().text().color());
}

QImage AttentionHeadGrid::toImage(const QString& title, double scale) const {
    QFont titleFont = font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2); // as PlotTitle's
    titleFont.setBold(true);
    const QFontMetrics titleMetrics(titleFont);
    const QStringList lines = title.split(QLatin1Char('\n'));
    int titleWidth = 0;
    for (const QString& line : lines)
        titleWidth = std::max(titleWidth, titleMetrics.horizontalAdvance(line));
    const int titleHeight = title.isEmpty() ? 0 : titleMetrics.height() * int(lines.size()) + 8;
    const int cell = m_images.empty() ? kMinCell : cellSize();
    const int gridWidth = kLabelMargin + std::max(m_heads, 1) * (cell + kGap) + kBarWidth;
    const int gridHeight = kLabelMargin + std::max(m_layers, 1) * (cell + kGap) +
                           fontMetrics().height() + 8; // the colour bar's unit below it
    const int width = std::max(gridWidth, titleWidth + 16);
    const int height = titleHeight + std::max(gridHeight, 120);
    QImage image(QSize(width, height) * scale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.setPen(Qt::black);
    painter.setFont(titleFont);
    for (int i = 0; i < lines.size(); ++i)
        painter.drawText(QRect(8, 4 + i * titleMetrics.height(), width - 16, titleMetrics.height()),
                         Qt::AlignHCenter | Qt::AlignVCenter, lines[i]);
    painter.setFont(font());
    if (m_images.empty())
        painter.drawText(QRect(0, titleHeight, width, height - titleHeight), Qt::AlignCenter,
                         tr("No attention to show yet."));
    else
        paintGrid(painter, titleHeight, cell, gridWidth, height, Qt::black);
    return image;
}

void AttentionHeadGrid::paintGrid(QPainter& painter, int top, int cell, int width, int height,
                                  const QColor& text) const {
    const QFontMetrics metrics = painter.fontMetrics();
    painter.setPen(text);
    for (int h = 0; h < m_heads; ++h)
        painter.drawText(QRect(cellRectAt(top, cell, 0, h).left(), top, cell, kLabelMargin),
                         Qt::AlignCenter, QStringLiteral("H%1").arg(h));
    for (int l = 0; l < m_layers; ++l) {
        const QRect row = cellRectAt(top, cell, l, 0);
        painter.drawText(QRect(0, row.top(), kLabelMargin - 4, cell),
                         Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("L%1").arg(l));
        for (int h = 0; h < m_heads; ++h)
            painter.drawImage(cellRectAt(top, cell, l, h),
                              m_images[std::size_t(l) * std::size_t(m_heads) + std::size_t(h)]);
    }
    if (m_selectedLayer >= 0 && m_selectedLayer < m_layers && m_selectedHead >= 0 &&
        m_selectedHead < m_heads) {
        painter.setPen(QPen(palette().highlight().color(), 3));
        painter.drawRect(
            cellRectAt(top, cell, m_selectedLayer, m_selectedHead).adjusted(-2, -2, 1, 1));
    }
    // Colour bar: the grid's one range, top = high.
    QCPColorGradient gradient = AttentionHeatmap::defaultGradient();
    const QRect bar(width - kBarWidth + 8, top + kLabelMargin, 14,
                    std::max(40, std::min(height - top - kLabelMargin - 8,
                                          m_layers * (cell + kGap))));
    for (int y = 0; y < bar.height(); ++y) {
        const double v = m_high - (m_high - m_low) * y / std::max(1, bar.height() - 1);
        painter.setPen(QColor(gradient.color(v, QCPRange(m_low, m_high))));
        painter.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
    }
    painter.setPen(text);
    painter.drawRect(bar);
    const QString unit = m_scale == AttentionScale::Log ? QStringLiteral("log10 p")
                         : m_scale == AttentionScale::PerRow ? tr("p / row max")
                                                            : QStringLiteral("p");
    painter.drawText(bar.right() + 4, bar.top() + metrics.ascent(),
                     QString::number(m_high, 'g', 2));
    painter.drawText(bar.right() + 4, bar.bottom(), QString::number(m_low, 'g', 2));
    painter.drawText(bar.left(), bar.bottom() + metrics.height() + 2, unit);
}

void AttentionHeadGrid::mousePressEvent(QMouseEvent* event) {
    int layer = 0, head = 0;
    if (event->button() == Qt::LeftButton && cellAt(event->position().toPoint(), &layer, &head)) {
        setSelected(layer, head);
        emit headClicked(layer, head);
        return;
    }
    QWidget::mousePressEvent(event);
}

bool AttentionHeadGrid::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        int layer = 0, head = 0;
        if (cellAt(help->pos(), &layer, &head))
            QToolTip::showText(help->globalPos(),
                               tr("layer %1, head %2: click to open it").arg(layer).arg(head),
                               this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

} // namespace fsllm
