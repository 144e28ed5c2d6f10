#include "wheelguard.h"

#include <QAbstractScrollArea>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QScrollBar>
#include <QWidget>

namespace fsllm {

void WheelGuard::install(QWidget* field) {
    static WheelGuard* guard = new WheelGuard(QCoreApplication::instance());
    field->setFocusPolicy(Qt::StrongFocus);
    field->installEventFilter(guard);
}

void WheelGuard::installOnFields(QWidget* root) {
    for (QWidget* field : root->findChildren<QWidget*>())
        if (qobject_cast<QComboBox*>(field) || qobject_cast<QAbstractSpinBox*>(field))
            install(field);
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Wheel) {
        auto* field = qobject_cast<QWidget*>(watched);
        if (field && !field->hasFocus()) {
            // The scroll area around the field scrolls instead (its scroll bar takes the wheel).
            for (QWidget* parent = field->parentWidget(); parent; parent = parent->parentWidget())
                if (auto* area = qobject_cast<QAbstractScrollArea*>(parent)) {
                    QCoreApplication::sendEvent(area->verticalScrollBar(), event);
                    return true;
                }
            event->ignore();
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace fsllm
