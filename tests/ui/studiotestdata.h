// Generated inputs for the studio suites that train for real: a TSV whose label is told by one cue
// word ("good ..." vs "bad ...") and the form settings of a short run on a tiny model.
// Test use only; GUI thread only.
#pragma once

#include "maskspec.h"
#include "tinycheckpoint.h"
#include "trainsettingsform.h"

#include <QCoreApplication>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QStringList>
#include <QtTest>

#include <random>

namespace fsllm::testing {

// Keeps the suite's settings (QSettings, as INI files under `settingsDir`) and data folders
// (QStandardPaths' test mode) away from the user's, under the application name `suite`.
inline void isolateSettings(const QString& settingsDir, const QString& suite) {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir);
    QCoreApplication::setOrganizationName(QStringLiteral("FS-LLM Studio Tests"));
    QCoreApplication::setApplicationName(suite);
}

// A tiny generated LLaMA at `directory` with the repository's tiny corpus as its tokenizer text;
// `qkStd` is the q/k initialisation (larger: sharper attention).
inline void writeTinyModel(const QString& directory, double qkStd) {
    TinyCheckpointOptions options;
    options.corpusPath = FSLLM_SOURCE_DIR "/resources/corpus/tiny_corpus.txt";
    options.qkStd = qkStd;
    TinyCheckpoint::write(directory.toStdString(), options);
}

// `rows` sentences of six filler words plus "good" (label pos) or "bad" (label neg).
inline void writeCueTsv(const QString& path, int rows, unsigned seed) {
    const QStringList filler = {"the", "film", "was", "a",    "story", "of",   "people",
                                "and", "time", "in",  "city", "with",  "music"};
    std::mt19937 random(seed);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("sentence\tlabel\n");
    for (int i = 0; i < rows; ++i) {
        const bool positive = random() % 2 == 0;
        QStringList words;
        for (int w = 0; w < 6; ++w)
            words << filler[int(random() % filler.size())];
        words.insert(int(random() % 6), positive ? "good" : "bad");
        file.write((words.join(' ') + '\t' + (positive ? "pos" : "neg") + '\n').toUtf8());
    }
}

// Batch 8, an evaluation every 4 steps, a loss point every step, decay(0.5) mask.
inline void configureShortRun(TrainSettingsForm* form, const QString& model, const QString& train,
                              const QString& dev, const QString& runDir, int epochs) {
    form->setModelDir(model);
    form->setTrainFile(train);
    form->setDevFile(dev);
    form->setRunFolder(runDir);
    form->setEpochs(epochs);
    form->setBatchSize(8);
    form->setEvalEvery(4);
    form->setLogEvery(1);
    form->setMask(MaskSpec{MaskMode::Decay, 0.5});
}

} // namespace fsllm::testing
