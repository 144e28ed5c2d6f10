// Rewrites the engine's messages, which speak the command line's language ("field 'out'",
// "--out RUN_DIR", "--resume"), in the words of the studio's form: the field labels ("Run
// folder", "Learning rate") and buttons ("Resume run…"), so a GUI error names what to change.
// Thread-safety: reentrant.
#pragma once

#include <QString>

namespace fsllm {

class FormWording {
public:
    // The form label of a run.json / command-line field ("out" -> "Run folder"); the key itself
    // when the form has no such field.
    static QString fieldLabel(const QString& key);
    // `message` with "field 'key':" turned into "Label:", "(--flag ARG)" hints dropped and any
    // remaining --flag replaced by its form label ("choose another Run folder").
    static QString forForm(const QString& message);
};

} // namespace fsllm
