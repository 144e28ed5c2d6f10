// Keeps chosen window shortcuts working while a text field has the focus. QLineEdit and the spin
// boxes claim some key combinations for editing (on Linux Ctrl+E moves to the end of the line),
// which swallowed the window's Ctrl+E (Export plots). Installed on the application, this filter
// lets such keys reach the window's actions: the field's claim is refused, and a key press that
// arrives anyway triggers the action. Thread-safety: GUI thread only.
#pragma once

#include <QList>
#include <QObject>
#include <QPointer>

class QAction;
class QWidget;

namespace fsllm {

class TextFieldShortcuts : public QObject {
    Q_OBJECT

public:
    // Filters the application's events for the text fields inside `window` (it is the parent).
    explicit TextFieldShortcuts(QWidget* window);
    ~TextFieldShortcuts() override;

    void add(QAction* action); // its shortcut wins over the text fields' own bindings

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QAction* actionFor(QObject* watched, QEvent* event) const;

    QWidget* m_window;
    QList<QPointer<QAction>> m_actions;
};

} // namespace fsllm
