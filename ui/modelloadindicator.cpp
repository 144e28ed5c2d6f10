#include "modelloadindicator.h"

#include <QHBoxLayout>
#include <QProgressBar>
#include <QToolButton>

namespace fsllm {

namespace {

QString gibibytes(qint64 bytes) {
    return QString::number(double(bytes) / (1024.0 * 1024.0 * 1024.0), 'f', 1);
}

} // namespace

ModelLoadIndicator::ModelLoadIndicator(QWidget* parent)
    : QWidget(parent), m_bar(new QProgressBar), m_cancel(new QToolButton) {
    m_bar->setTextVisible(true);
    m_bar->setMaximumWidth(260);
    m_bar->setToolTip(tr("Weights of the model being opened"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop opening this model"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        m_cancel->setEnabled(false); // one request; the worker stops between two tensors
        m_bar->setFormat(tr("cancelling …"));
        emit cancelRequested();
    });
    hide();
}

void ModelLoadIndicator::start() {
    m_bar->setRange(0, 0); // busy until the weights report
    m_bar->setFormat(tr("opening …"));
    m_cancel->setEnabled(true);
    show();
}

void ModelLoadIndicator::setProgress(qint64 bytesDone, qint64 bytesTotal) {
    if (isHidden() || !m_cancel->isEnabled())
        return; // finished, or a cancel is on its way
    m_bar->setRange(0, 1000);
    m_bar->setValue(bytesTotal > 0 ? int(bytesDone * 1000 / bytesTotal) : 1000);
    m_bar->setFormat(tr("weights %1 / %2 GiB").arg(gibibytes(bytesDone), gibibytes(bytesTotal)));
}

void ModelLoadIndicator::finish() {
    hide();
}

int ModelLoadIndicator::permille() const {
    return isHidden() || m_bar->maximum() == 0 ? -1 : m_bar->value();
}

QString ModelLoadIndicator::progressText() const {
    return m_bar->format();
}

} // namespace fsllm
