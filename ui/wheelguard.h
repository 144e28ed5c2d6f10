// The mouse wheel over a combo box or spin box that does not have the keyboard focus scrolls the
// scroll area around it instead of changing the field: a scroll past a field never changes it.
// Thread-safety: GUI thread only.
#pragma once

#include <QObject>

class QWidget;

namespace fsllm {

class WheelGuard : public QObject {
    Q_OBJECT

public:
    // Guards `field` (focus by click or Tab, not by wheel); one shared guard per application.
    static void install(QWidget* field);
    // Guards every combo box and spin box under `root`.
    static void installOnFields(QWidget* root);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    using QObject::QObject;
};

} // namespace fsllm
