// Finds the studio's data files with the engine's rule (TinyCheckpoint::defaultCorpusPath):
// $FSLLM_RESOURCES, then the install prefix's share/fsllm (also relative to the executable, for
// a moved install), then the source tree's resources/. Provides the default model: the bundled
// resources/models/fsllm-default when present, else a tiny model generated once into the user's
// data folder (QStandardPaths::AppDataLocation). Thread-safety: all functions are reentrant;
// ensureDefaultModel() blocks (seconds on first start) - call it off the GUI thread.
#pragma once

#include <QString>
#include <QStringList>

namespace fsllm {

class ResourceLocator {
public:
    static constexpr const char* kBundledModel = "models/fsllm-default";
    static constexpr const char* kGeneratedModel = "models/fsllm-tiny";

    // Candidate resource roots in search order (existing or not).
    static QStringList searchRoots();
    // The first root that holds `relative` (a file or folder), as an absolute path; "" if none.
    static QString find(const QString& relative);

    static QString bundledModelDir();   // "" when not shipped
    static QString generatedModelDir(); // where the tiny model goes (may not exist yet)
    static QString demoTrainFile();     // resources/demo/brown_genre_train.tsv or ""
    static QString demoDevFile();       // resources/demo/brown_genre_dev.tsv or ""
    static QString defaultSentence();   // a sentence for inspection

    // True when `dir` holds config.json and model.safetensors (or its sharded index).
    static bool isModelDir(const QString& dir);

    // The bundled model, or the generated one (written on first use). Returns "" and sets
    // `error` when neither exists nor can be generated.
    static QString ensureDefaultModel(QString* error);

    // "runs" in the user's data folder (QStandardPaths::AppDataLocation, on Linux
    // $XDG_DATA_HOME/FS-LLM Studio/fsllm-studio/runs); default parent of new run folders.
    static QString runsRoot();
};

} // namespace fsllm
