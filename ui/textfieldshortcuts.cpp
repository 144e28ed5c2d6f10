#include "textfieldshortcuts.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTextEdit>

namespace fsllm {

TextFieldShortcuts::TextFieldShortcuts(QWidget* window) : QObject(window), m_window(window) {
    qApp->installEventFilter(this);
}

TextFieldShortcuts::~TextFieldShortcuts() {
    qApp->removeEventFilter(this);
}

void TextFieldShortcuts::add(QAction* action) {
    m_actions.append(action);
}

QAction* TextFieldShortcuts::actionFor(QObject* watched, QEvent* event) const {
    auto* field = qobject_cast<QWidget*>(watched);
    if (!field || !(qobject_cast<QLineEdit*>(field) || qobject_cast<QAbstractSpinBox*>(field) ||
                    qobject_cast<QTextEdit*>(field) || qobject_cast<QPlainTextEdit*>(field)))
        return nullptr;
    if (field->window() != m_window)
        return nullptr;
    const auto* key = static_cast<QKeyEvent*>(event);
    const QKeySequence pressed(key->keyCombination());
    for (const QPointer<QAction>& action : m_actions)
        if (action && action->isEnabled() && action->shortcut() == pressed)
            return action;
    return nullptr;
}

bool TextFieldShortcuts::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::ShortcutOverride) {
        if (actionFor(watched, event)) {
            event->ignore(); // the field does not claim it: the window's shortcut runs
            return true;
        }
    } else if (event->type() == QEvent::KeyPress) {
        if (QAction* action = actionFor(watched, event)) {
            action->trigger();
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace fsllm
