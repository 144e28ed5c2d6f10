// The Runs tab's colour of each run: fixed the first time the run is asked for (the order the
// runs were first listed in) and kept for as long as the studio runs, also across renames, so
// adding, removing, renaming or unchecking runs never recolours the others (RunCurves' palette).
// Thread-safety: GUI thread only.
#pragma once

#include <QColor>
#include <QMap>
#include <QString>

namespace fsllm {

class RunColorBook {
public:
    QColor color(const QString& runDir); // assigns the next palette colour to a new run
    void moveRun(const QString& from, const QString& to); // a renamed run keeps its colour

private:
    QMap<QString, int> m_index; // palette index by absolute run folder, first come first
};

} // namespace fsllm
