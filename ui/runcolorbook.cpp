#include "runcolorbook.h"

#include "runcurves.h"

#include <QDir>

namespace fsllm {

QColor RunColorBook::color(const QString& runDir) {
    const QString clean = QDir(runDir).absolutePath();
    auto it = m_index.constFind(clean);
    if (it == m_index.constEnd())
        it = m_index.insert(clean, int(m_index.size()));
    return RunCurves::runColor(it.value());
}

void RunColorBook::moveRun(const QString& from, const QString& to) {
    const QString clean = QDir(from).absolutePath();
    if (m_index.contains(clean))
        m_index.insert(QDir(to).absolutePath(), m_index.take(clean));
}

} // namespace fsllm
