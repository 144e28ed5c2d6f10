#include "formwording.h"

#include <QObject>
#include <QRegularExpression>

#include <utility>

namespace fsllm {

namespace {

struct Wording {
    const char* key;   // run.json field, also the flag's name with '_' -> '-'
    const char* label; // the form's label
};

const Wording kFields[] = {
    {"model", QT_TRANSLATE_NOOP("FormWording", "Model")},
    {"task", QT_TRANSLATE_NOOP("FormWording", "Task")},
    {"train", QT_TRANSLATE_NOOP("FormWording", "Train")},
    {"dev", QT_TRANSLATE_NOOP("FormWording", "Dev")},
    {"format", QT_TRANSLATE_NOOP("FormWording", "Format")},
    {"text_column", QT_TRANSLATE_NOOP("FormWording", "Text column")},
    {"label_column", QT_TRANSLATE_NOOP("FormWording", "Label column")},
    {"out", QT_TRANSLATE_NOOP("FormWording", "Run folder")},
    {"mask", QT_TRANSLATE_NOOP("FormWording", "Mask")},
    {"lambda", QT_TRANSLATE_NOOP("FormWording", "Lambda λ")},
    {"mask_from_layer", QT_TRANSLATE_NOOP("FormWording", "Mask from layer")},
    {"pooling", QT_TRANSLATE_NOOP("FormWording", "Pooling")},
    {"head", QT_TRANSLATE_NOOP("FormWording", "Head")},
    {"lora_rank", QT_TRANSLATE_NOOP("FormWording", "Rank r")},
    {"lora_alpha", QT_TRANSLATE_NOOP("FormWording", "Alpha")},
    {"lora_dropout", QT_TRANSLATE_NOOP("FormWording", "LoRA dropout")},
    {"lora_targets", QT_TRANSLATE_NOOP("FormWording", "Targets")},
    {"lr", QT_TRANSLATE_NOOP("FormWording", "Learning rate")},
    {"batch_size", QT_TRANSLATE_NOOP("FormWording", "Batch size")},
    {"epochs", QT_TRANSLATE_NOOP("FormWording", "Epochs")},
    {"max_length", QT_TRANSLATE_NOOP("FormWording", "Max length")},
    {"eval_every", QT_TRANSLATE_NOOP("FormWording", "Eval every")},
    {"log_every", QT_TRANSLATE_NOOP("FormWording", "Log every")},
    {"seed", QT_TRANSLATE_NOOP("FormWording", "Seed")},
    {"device", QT_TRANSLATE_NOOP("FormWording", "Device")},
    {"threads", QT_TRANSLATE_NOOP("FormWording", "Threads")},
};

} // namespace

QString FormWording::fieldLabel(const QString& key) {
    for (const Wording& field : kFields)
        if (key == QLatin1String(field.key))
            return QObject::tr(field.label);
    return key;
}

QString FormWording::forForm(const QString& message) {
    QString text = message;
    // "field 'out': give ..." -> "Run folder: give ..."
    static const QRegularExpression field(QStringLiteral("field '([a-z_]+)'"));
    for (auto match = field.match(text); match.hasMatch(); match = field.match(text))
        text.replace(match.capturedStart(), match.capturedLength(), fieldLabel(match.captured(1)));
    // " (--model DIR)" and the like: the form's field already says where.
    static const QRegularExpression hint(QStringLiteral(" ?\\(--[a-z-]+(?: [A-Z_]+)?\\)"));
    text.remove(hint);
    // Remaining flags in running text.
    static const QRegularExpression resume(QStringLiteral("--resume(?: RUN_DIR)?"));
    text.replace(resume, QObject::tr("Resume run…"));
    static const QRegularExpression flag(QStringLiteral("--([a-z][a-z-]*)(?: [A-Z_]+)?"));
    for (auto match = flag.match(text); match.hasMatch(); match = flag.match(text)) {
        QString key = match.captured(1);
        key.replace(QLatin1Char('-'), QLatin1Char('_'));
        const QString label = fieldLabel(key); // the key itself when the form lacks it
        text.replace(match.capturedStart(), match.capturedLength(), label);
    }
    return text;
}

} // namespace fsllm
