#include "trainsettingsform.h"

#include "memoryestimatelabel.h"
#include "pathfield.h"
#include "resourcelocator.h"
#include "wheelguard.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace fsllm {

namespace {

QComboBox* combo(const QStringList& items) {
    auto* box = new QComboBox;
    box->addItems(items);
    return box;
}

QSpinBox* spin(int min, int max, int value, const QString& special = {}) {
    auto* box = new QSpinBox;
    box->setRange(min, max);
    box->setValue(value);
    if (!special.isEmpty())
        box->setSpecialValueText(special);
    return box;
}

QDoubleSpinBox* doubleSpin(double min, double max, double value, int decimals, double step) {
    auto* box = new QDoubleSpinBox;
    box->setRange(min, max);
    box->setDecimals(decimals);
    box->setSingleStep(step);
    box->setValue(value);
    return box;
}

QGroupBox* group(const QString& title, QFormLayout* form) {
    auto* box = new QGroupBox(title);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    box->setLayout(form);
    return box;
}

QStringList splitColumns(const QString& text) {
    QStringList columns;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!part.trimmed().isEmpty())
            columns << part.trimmed();
    return columns;
}

} // namespace

TrainSettingsForm::TrainSettingsForm(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildModelGroup());
    layout->addWidget(buildDataGroup());
    layout->addWidget(buildMethodGroup());
    layout->addWidget(buildLoraGroup());
    layout->addWidget(buildOptimisationGroup());
    layout->addWidget(buildRuntimeGroup());
    layout->addStretch(1);
    updateLambdaEnabled();
    // The wheel scrolls the form (its scroll area) unless a field has the keyboard focus: a
    // scroll past a combo box or spin box must never change it.
    WheelGuard::installOnFields(this);
    m_mask->setObjectName(QStringLiteral("mask"));
    m_lambda->setObjectName(QStringLiteral("lambda"));
    m_maskFromLayer->setObjectName(QStringLiteral("maskFromLayer"));
    m_epochs->setObjectName(QStringLiteral("epochs"));
    m_loraRank->setObjectName(QStringLiteral("loraRank"));

    // The memory line follows every field it depends on.
    connect(this, &TrainSettingsForm::modelDirChanged, this,
            &TrainSettingsForm::updateMemoryEstimate);
    for (QSpinBox* box : {m_batchSize, m_maxLength, m_loraRank})
        connect(box, &QSpinBox::valueChanged, this, &TrainSettingsForm::updateMemoryEstimate);
    connect(m_loraTargets, &QLineEdit::textChanged, this, &TrainSettingsForm::updateMemoryEstimate);
    for (QComboBox* box : {m_head, m_device})
        connect(box, &QComboBox::currentTextChanged, this,
                &TrainSettingsForm::updateMemoryEstimate);
    connect(m_gradientCheckpointing, &QCheckBox::toggled, this,
            &TrainSettingsForm::updateMemoryEstimate);
}

void TrainSettingsForm::updateMemoryEstimate() {
    m_memory->showEstimate(config());
}

QWidget* TrainSettingsForm::buildModelGroup() {
    m_model = new PathField(PathField::Kind::Folder, tr("Choose a checkpoint folder"));
    m_model->setPlaceholderText(tr("Hugging Face folder (drop one here)"));
    m_task = combo({QStringLiteral("seq"), QStringLiteral("token")});
    m_task->setToolTip(tr("seq: one label per sentence; token: one tag per word (NER)"));
    connect(m_model, &PathField::pathChanged, this, &TrainSettingsForm::modelDirChanged);
    connect(m_task, &QComboBox::currentIndexChanged, this, &TrainSettingsForm::dataChanged);
    auto* form = new QFormLayout;
    form->addRow(tr("Model"), m_model);
    form->addRow(tr("Task"), m_task);
    m_editables << m_model << m_task;
    return group(tr("Model"), form);
}

QWidget* TrainSettingsForm::buildDataGroup() {
    const QString filter =
        tr("Data files (*.tsv *.csv *.jsonl *.json *.conll *.txt *.bio *.iob);;All files (*)");
    m_train = new PathField(PathField::Kind::OpenFile, tr("Training data"));
    m_dev = new PathField(PathField::Kind::OpenFile, tr("Development data"));
    for (PathField* field : {m_train, m_dev}) {
        field->setFileFilter(filter);
        connect(field, &PathField::pathChanged, this, &TrainSettingsForm::dataChanged);
    }
    m_format = combo({QStringLiteral("auto"), QStringLiteral("tsv"), QStringLiteral("sentence"),
                      QStringLiteral("csv"), QStringLiteral("jsonl"), QStringLiteral("conll")});
    m_textColumn = new QLineEdit;
    m_textColumn->setPlaceholderText(tr("auto (sentence/text; a+b joins)"));
    m_labelColumn = new QLineEdit;
    m_labelColumn->setPlaceholderText(tr("auto (label)"));
    m_csvColumns = new QLineEdit;
    m_csvColumns->setPlaceholderText(tr("header row (or a,b,c for headerless CSV)"));
    m_tagColumn = spin(-1, 20, -1, tr("last"));
    connect(m_format, &QComboBox::currentIndexChanged, this, &TrainSettingsForm::dataChanged);
    for (QLineEdit* edit : {m_textColumn, m_labelColumn, m_csvColumns})
        connect(edit, &QLineEdit::editingFinished, this, &TrainSettingsForm::dataChanged);
    connect(m_tagColumn, &QSpinBox::valueChanged, this, &TrainSettingsForm::dataChanged);
    auto* form = new QFormLayout;
    form->addRow(tr("Train"), m_train);
    form->addRow(tr("Dev"), m_dev);
    form->addRow(tr("Format"), m_format);
    form->addRow(tr("Text column"), m_textColumn);
    form->addRow(tr("Label column"), m_labelColumn);
    form->addRow(tr("CSV columns"), m_csvColumns);
    form->addRow(tr("CoNLL tag column"), m_tagColumn);
    m_editables << m_train << m_dev << m_format << m_textColumn << m_labelColumn << m_csvColumns
                << m_tagColumn;
    return group(tr("Data"), form);
}

QWidget* TrainSettingsForm::buildMethodGroup() {
    m_mask =
        combo({QStringLiteral("decay"), QStringLiteral("bidirectional"), QStringLiteral("causal")});
    m_mask->setToolTip(tr("decay: M[i][j] = -λ·(j-i) for future keys; λ = 0 is bidirectional"));
    m_lambda = doubleSpin(0.0, 100.0, 0.5, 3, 0.1);
    m_maskFromLayer = spin(0, ClassifierSpec::kMaxMaskFromLayer, 0);
    m_maskFromLayer->setToolTip(tr("Layers below this one stay causal; the mask applies from it "
                                   "on (as BiLLM does). 0: every layer."));
    m_pooling = combo({QStringLiteral("last"), QStringLiteral("mean"), QStringLiteral("max")});
    m_head = combo({QStringLiteral("fs"), QStringLiteral("linear")});
    m_head->setToolTip(tr("fs: RMSNorm + SwiGLU head (the paper's); linear: a plain projection"));
    connect(m_mask, &QComboBox::currentIndexChanged, this, &TrainSettingsForm::updateLambdaEnabled);
    auto* form = new QFormLayout;
    form->addRow(tr("Mask"), m_mask);
    form->addRow(tr("Lambda λ"), m_lambda);
    form->addRow(tr("Mask from layer"), m_maskFromLayer);
    form->addRow(tr("Pooling"), m_pooling);
    form->addRow(tr("Head"), m_head);
    m_editables << m_mask << m_lambda << m_maskFromLayer << m_pooling << m_head;
    return group(tr("Method"), form);
}

QWidget* TrainSettingsForm::buildLoraGroup() {
    m_loraRank = spin(1, 256, 8);
    m_loraAlpha = doubleSpin(0.5, 1024.0, 32.0, 1, 1.0);
    m_loraDropout = doubleSpin(0.0, 0.9, 0.1, 2, 0.05);
    m_loraTargets = new QLineEdit(QStringLiteral("q,k,v,o"));
    m_loraTargets->setToolTip(tr("Comma-separated projections: q,k,v,o and optionally "
                                 "gate,up,down"));
    auto* form = new QFormLayout;
    form->addRow(tr("Rank r"), m_loraRank);
    form->addRow(tr("Alpha"), m_loraAlpha);
    form->addRow(tr("Dropout"), m_loraDropout);
    form->addRow(tr("Targets"), m_loraTargets);
    m_editables << m_loraRank << m_loraAlpha << m_loraDropout << m_loraTargets;
    return group(tr("LoRA"), form);
}

QWidget* TrainSettingsForm::buildOptimisationGroup() {
    m_learningRate = new QLineEdit(QStringLiteral("2e-4"));
    auto* validator = new QDoubleValidator(1e-8, 1.0, 10, m_learningRate);
    validator->setNotation(QDoubleValidator::ScientificNotation);
    validator->setLocale(QLocale::c());
    m_learningRate->setValidator(validator);
    m_batchSize = spin(1, 4096, 16);
    m_epochs = spin(1, 1000, 3);
    m_maxLength = spin(8, 32768, 128);
    m_evalEvery = spin(0, 1000000, 0, tr("each epoch"));
    m_logEvery = spin(1, 100000, 5);
    m_logEvery->setToolTip(tr("Optimizer steps between logged (and plotted) train-loss points"));
    m_seed = spin(0, 1 << 30, 42);
    m_gradientCheckpointing = new QCheckBox(tr("Gradient checkpointing"));
    m_gradientCheckpointing->setObjectName(QStringLiteral("gradientCheckpointing"));
    m_gradientCheckpointing->setToolTip(
        tr("Recompute each decoder layer in backward: keeps one layer's activations instead of "
           "all, for about a third more compute; same results"));
    auto* form = new QFormLayout;
    form->addRow(tr("Learning rate"), m_learningRate);
    form->addRow(tr("Batch size"), m_batchSize);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Max length"), m_maxLength);
    form->addRow(tr("Eval every"), m_evalEvery);
    form->addRow(tr("Log every"), m_logEvery);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Memory"), m_gradientCheckpointing);
    m_editables << m_learningRate << m_batchSize << m_epochs << m_maxLength << m_evalEvery
                << m_logEvery << m_seed << m_gradientCheckpointing;
    return group(tr("Optimisation"), form);
}

QWidget* TrainSettingsForm::buildRuntimeGroup() {
    m_device = combo({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")});
    m_threads = spin(0, 256, 0, tr("all cores"));
    m_threads->setToolTip(tr("CPU threads for training; fewer than the cores keeps a busy "
                             "machine (and this window) responsive"));
    m_processes = spin(1, kMaxProcesses, 1);
    m_processes->setObjectName(QStringLiteral("processes"));
    m_processes->setToolTip(
        tr("Train data-parallel on this many local processes (fsllm train --nproc N; the same "
           "global batches as one process). Each process uses Threads threads (all cores: "
           "shared between them). The curves follow the run folder; there is no pause"));
    m_runFolder = new PathField(PathField::Kind::Folder, tr("Run folder"));
    m_runFolder->setPlaceholderText(
        tr("auto: %1/<date-time>-<mask>")
            .arg(QDir::toNativeSeparators(ResourceLocator::runsRoot())));
    m_runFolder->setToolTip(m_runFolder->lineEdit()->placeholderText());
    auto* form = new QFormLayout;
    form->addRow(tr("Device"), m_device);
    form->addRow(tr("Threads"), m_threads);
    form->addRow(tr("Processes"), m_processes);
    form->addRow(tr("Run folder"), m_runFolder);
    m_memory = new MemoryEstimateLabel;
    m_memory->setObjectName(QStringLiteral("memoryEstimate"));
    form->addRow(tr("Needs"), m_memory);
    m_editables << m_device << m_threads << m_processes << m_runFolder;
    return group(tr("Runtime and output"), form);
}

void TrainSettingsForm::updateLambdaEnabled() {
    m_lambda->setEnabled(m_mask->currentText() == QLatin1String("decay") && m_mask->isEnabled());
    m_maskFromLayer->setEnabled(m_mask->currentText() != QLatin1String("causal") &&
                                m_mask->isEnabled());
}

DataReadOptions TrainSettingsForm::dataOptions() const {
    DataReadOptions options;
    options.format = dataFormatFromName(m_format->currentText().toStdString());
    options.task = taskKindFromName(m_task->currentText().toStdString());
    options.textColumn = m_textColumn->text().trimmed().toStdString();
    options.labelColumn = m_labelColumn->text().trimmed().toStdString();
    for (const QString& column : splitColumns(m_csvColumns->text()))
        options.csvColumns.push_back(column.toStdString());
    options.conllTagColumn = m_tagColumn->value();
    return options;
}

QString TrainSettingsForm::autoRunFolder(const QDateTime& now) const {
    QString mask = m_mask->currentText();
    if (mask == QLatin1String("decay"))
        mask += QString::number(m_lambda->value(), 'g', 4);
    if (mask != QLatin1String("causal") && m_maskFromLayer->value() > 0)
        mask += QStringLiteral("-from%1").arg(m_maskFromLayer->value());
    return QDir(ResourceLocator::runsRoot())
        .filePath(now.toString(QStringLiteral("yyyyMMdd-HHmmss")) + QLatin1Char('-') + mask);
}

TrainingConfig TrainSettingsForm::config(const QDateTime& now) const {
    TrainingConfig c;
    c.modelDir = modelDir().toStdString();
    c.trainFile = trainFile().toStdString();
    c.devFile = devFile().toStdString();
    c.data = dataOptions();
    c.outDir =
        (m_runFolder->path().isEmpty() ? autoRunFolder(now) : m_runFolder->path()).toStdString();
    c.mask.mode = maskModeFromName(m_mask->currentText().toStdString());
    c.mask.lambda = c.mask.mode == MaskMode::Decay ? m_lambda->value() : 0.0;
    c.mask.fromLayer = c.mask.mode == MaskMode::Causal ? 0 : m_maskFromLayer->value();
    c.pooling = poolingFromName(m_pooling->currentText().toStdString());
    c.head = headKindFromName(m_head->currentText().toStdString());
    c.loraRank = m_loraRank->value();
    c.loraAlpha = m_loraAlpha->value();
    c.loraDropout = m_loraDropout->value();
    c.loraTargets = m_loraTargets->text().remove(QLatin1Char(' ')).toStdString();
    c.learningRate = QLocale::c().toDouble(m_learningRate->text());
    c.batchSize = m_batchSize->value();
    c.epochs = m_epochs->value();
    c.maxLength = m_maxLength->value();
    c.evalEvery = m_evalEvery->value();
    c.logEvery = m_logEvery->value();
    c.seed = m_seed->value();
    c.gradientCheckpointing = m_gradientCheckpointing->isChecked();
    c.device = m_device->currentText().toStdString();
    c.threads = m_threads->value();
    return c;
}

QString TrainSettingsForm::modelDir() const {
    return m_model->path();
}
QString TrainSettingsForm::trainFile() const {
    return m_train->path();
}
QString TrainSettingsForm::devFile() const {
    return m_dev->path();
}

void TrainSettingsForm::setModelDir(const QString& dir) {
    m_model->setPath(dir);
    emit modelDirChanged(dir);
}

void TrainSettingsForm::setTrainFile(const QString& path) {
    m_train->setPath(path);
    emit dataChanged();
}

void TrainSettingsForm::setDevFile(const QString& path) {
    m_dev->setPath(path);
    emit dataChanged();
}

void TrainSettingsForm::setRunFolder(const QString& dir) {
    m_runFolder->setPath(dir);
}
void TrainSettingsForm::setEpochs(int epochs) {
    m_epochs->setValue(epochs);
}
void TrainSettingsForm::setBatchSize(int batchSize) {
    m_batchSize->setValue(batchSize);
}
void TrainSettingsForm::setEvalEvery(int steps) {
    m_evalEvery->setValue(steps);
}
void TrainSettingsForm::setLogEvery(int steps) {
    m_logEvery->setValue(steps);
}

void TrainSettingsForm::setMask(const MaskSpec& mask) {
    m_mask->setCurrentText(QString::fromLatin1(maskModeName(mask.mode)));
    if (mask.mode == MaskMode::Decay)
        m_lambda->setValue(mask.lambda);
    m_maskFromLayer->setValue(mask.fromLayer);
}

void TrainSettingsForm::setThreads(int threads) {
    m_threads->setValue(threads);
}

int TrainSettingsForm::processes() const {
    return m_processes->value();
}

void TrainSettingsForm::setProcesses(int processes) {
    m_processes->setValue(processes);
}

void TrainSettingsForm::setEditable(bool editable) {
    for (QWidget* widget : m_editables)
        widget->setEnabled(editable);
    updateLambdaEnabled();
}

void TrainSettingsForm::loadSettings() {
    QSettings s;
    s.beginGroup(QStringLiteral("train"));
    auto text = [&s](const char* key, const QString& fallback) {
        return s.value(QLatin1String(key), fallback).toString();
    };
    m_task->setCurrentText(text("task", m_task->currentText()));
    m_format->setCurrentText(text("format", m_format->currentText()));
    m_textColumn->setText(text("textColumn", m_textColumn->text()));
    m_labelColumn->setText(text("labelColumn", m_labelColumn->text()));
    m_csvColumns->setText(text("csvColumns", m_csvColumns->text()));
    m_tagColumn->setValue(s.value(QStringLiteral("tagColumn"), m_tagColumn->value()).toInt());
    m_mask->setCurrentText(text("mask", m_mask->currentText()));
    m_lambda->setValue(s.value(QStringLiteral("lambda"), m_lambda->value()).toDouble());
    m_maskFromLayer->setValue(
        s.value(QStringLiteral("mask_from_layer"), m_maskFromLayer->value()).toInt());
    m_pooling->setCurrentText(text("pooling", m_pooling->currentText()));
    m_head->setCurrentText(text("head", m_head->currentText()));
    m_loraRank->setValue(s.value(QStringLiteral("loraRank"), m_loraRank->value()).toInt());
    m_loraAlpha->setValue(s.value(QStringLiteral("loraAlpha"), m_loraAlpha->value()).toDouble());
    m_loraDropout->setValue(
        s.value(QStringLiteral("loraDropout"), m_loraDropout->value()).toDouble());
    m_loraTargets->setText(text("loraTargets", m_loraTargets->text()));
    m_learningRate->setText(text("learningRate", m_learningRate->text()));
    m_batchSize->setValue(s.value(QStringLiteral("batchSize"), m_batchSize->value()).toInt());
    m_epochs->setValue(s.value(QStringLiteral("epochs"), m_epochs->value()).toInt());
    m_maxLength->setValue(s.value(QStringLiteral("maxLength"), m_maxLength->value()).toInt());
    m_evalEvery->setValue(s.value(QStringLiteral("evalEvery"), m_evalEvery->value()).toInt());
    m_logEvery->setValue(s.value(QStringLiteral("logEvery"), m_logEvery->value()).toInt());
    m_seed->setValue(s.value(QStringLiteral("seed"), m_seed->value()).toInt());
    m_device->setCurrentText(text("device", m_device->currentText()));
    m_threads->setValue(s.value(QStringLiteral("threads"), m_threads->value()).toInt());
    m_processes->setValue(s.value(QStringLiteral("processes"), m_processes->value()).toInt());
    m_gradientCheckpointing->setChecked(
        s.value(QStringLiteral("gradientCheckpointing"), false).toBool());
    updateLambdaEnabled();
    updateMemoryEstimate();
}

void TrainSettingsForm::saveSettings() const {
    QSettings s;
    s.beginGroup(QStringLiteral("train"));
    s.setValue(QStringLiteral("task"), m_task->currentText());
    s.setValue(QStringLiteral("format"), m_format->currentText());
    s.setValue(QStringLiteral("textColumn"), m_textColumn->text());
    s.setValue(QStringLiteral("labelColumn"), m_labelColumn->text());
    s.setValue(QStringLiteral("csvColumns"), m_csvColumns->text());
    s.setValue(QStringLiteral("tagColumn"), m_tagColumn->value());
    s.setValue(QStringLiteral("mask"), m_mask->currentText());
    s.setValue(QStringLiteral("lambda"), m_lambda->value());
    s.setValue(QStringLiteral("mask_from_layer"), m_maskFromLayer->value());
    s.setValue(QStringLiteral("pooling"), m_pooling->currentText());
    s.setValue(QStringLiteral("head"), m_head->currentText());
    s.setValue(QStringLiteral("loraRank"), m_loraRank->value());
    s.setValue(QStringLiteral("loraAlpha"), m_loraAlpha->value());
    s.setValue(QStringLiteral("loraDropout"), m_loraDropout->value());
    s.setValue(QStringLiteral("loraTargets"), m_loraTargets->text());
    s.setValue(QStringLiteral("learningRate"), m_learningRate->text());
    s.setValue(QStringLiteral("batchSize"), m_batchSize->value());
    s.setValue(QStringLiteral("epochs"), m_epochs->value());
    s.setValue(QStringLiteral("maxLength"), m_maxLength->value());
    s.setValue(QStringLiteral("evalEvery"), m_evalEvery->value());
    s.setValue(QStringLiteral("logEvery"), m_logEvery->value());
    s.setValue(QStringLiteral("seed"), m_seed->value());
    s.setValue(QStringLiteral("device"), m_device->currentText());
    s.setValue(QStringLiteral("threads"), m_threads->value());
    s.setValue(QStringLiteral("processes"), m_processes->value());
    s.setValue(QStringLiteral("gradientCheckpointing"), m_gradientCheckpointing->isChecked());
}

} // namespace fsllm
