#include "inspectpanel.h"

#include "attentioncomparison.h"
#include "attentiondifference.h"
#include "attentionheadsview.h"
#include "attributionview.h"
#include "exportdialog.h"
#include "lambdasweepview.h"
#include "runcomparisonview.h"
#include "pathfield.h"
#include "predictionview.h"
#include "probabilitybars.h"
#include "resourcelocator.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSlider>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace fsllm {

namespace {

constexpr double kCurve = 4.0; // steepness of the slider's exponential mapping

} // namespace

InspectPanel::InspectPanel(QWidget* parent) : QWidget(parent) {
    m_tokens = new QLabel;
    m_tokens->setWordWrap(true);
    m_tokens->setTextFormat(Qt::RichText);
    m_tokens->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_comparison = new AttentionComparison;
    m_heads = new AttentionHeadsView;
    m_difference = new AttentionDifference;
    m_attribution = new AttributionView;
    m_sweep = new LambdaSweepView;
    m_runs = new RunComparisonView;
    auto* attributionScroll = new QScrollArea;
    attributionScroll->setWidget(m_attribution);
    attributionScroll->setWidgetResizable(true);
    attributionScroll->setFrameShape(QFrame::NoFrame);
    m_pages = new QTabWidget;
    m_pages->setDocumentMode(true);
    m_pages->addTab(m_comparison, tr("Three masks"));
    m_pages->addTab(m_heads, tr("All heads"));
    m_pages->addTab(m_difference, tr("Difference"));
    m_pages->addTab(attributionScroll, tr("Attribution"));
    m_pages->addTab(m_sweep, tr("λ sweep"));
    m_pages->addTab(m_runs, tr("Runs side by side"));
    m_pages->setTabToolTip(MasksPage, tr("Causal, decay(λ) and bidirectional attention of one "
                                         "layer and head"));
    m_pages->setTabToolTip(HeadsPage, tr("Every layer and head at once; click one to open it"));
    m_pages->setTabToolTip(DifferencePage, tr("Decay − causal and bidirectional − causal for "
                                              "the layer and head of the big maps"));
    m_pages->setTabToolTip(AttributionPage, tr("Gradient × input and integrated gradients for "
                                               "the predicted class, under each mask"));
    m_pages->setTabToolTip(SweepPage, tr("Attention entropy and share to future tokens as "
                                         "functions of λ"));
    m_pages->setTabToolTip(RunsPage, tr("The sentence through two or more trained runs: "
                                        "prediction, attention and attribution in columns"));
    connect(m_comparison, &AttentionComparison::viewChanged, this,
            &InspectPanel::updateDifference);
    connect(m_heads, &AttentionHeadsView::headChosen, this, [this](int layer, int head) {
        m_comparison->setLayer(layer);
        m_comparison->setHead(head);
        m_comparison->setShowMask(false);
        setPage(MasksPage);
    });
    m_prediction = new PredictionView;
    m_prediction->setMinimumWidth(220);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_pages);
    split->addWidget(m_prediction);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(buildInputs());
    layout->addWidget(m_tokens);
    layout->addWidget(split, 1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &InspectPanel::inspectNow);

    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("inspect"));
    m_worker = new InspectWorker;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &InspectWorker::modelOpened, this, &InspectPanel::onModelOpened);
    connect(m_worker, &InspectWorker::modelFailed, this, &InspectPanel::onModelFailed);
    connect(m_worker, &InspectWorker::loadProgress, this,
            [this](const QString& dir, qint64 done, qint64 total) {
                if (dir != m_modelDir || m_modelReady)
                    return;
                showStatus(tr("Opening %1 … weights %2 %").arg(dir).arg(
                               total > 0 ? 100 * done / total : 100),
                           false);
                emit loadProgress(dir, done, total);
            });
    connect(m_worker, &InspectWorker::inspected, this, &InspectPanel::onInspected);
    connect(m_worker, &InspectWorker::inspectFailed, this, &InspectPanel::onInspectFailed);
    connect(m_worker, &InspectWorker::swept, this, &InspectPanel::onSwept);
    connect(m_worker, &InspectWorker::attributed, this, &InspectPanel::onAttributed);
    connect(m_worker, &InspectWorker::analysisFailed, this, &InspectPanel::onAnalysisFailed);
    m_thread->start();
    m_sentence->setText(ResourceLocator::defaultSentence()); // inspected once a model is open
}

InspectPanel::~InspectPanel() {
    shutdown();
}

QWidget* InspectPanel::buildInputs() {
    m_sentence = new QLineEdit;
    m_sentence->setPlaceholderText(tr("Type a sentence to inspect"));
    m_sentence->setClearButtonEnabled(true);
    auto* inspect = new QPushButton(tr("Inspect"));
    m_adapter = new PathField(PathField::Kind::Folder, tr("Run or adapter folder"));
    m_adapter->setPlaceholderText(tr("none: base model, attention only (drop a run folder)"));
    auto* clearAdapter = new QPushButton(tr("Base model"));
    clearAdapter->setToolTip(tr("Inspect the base model without an adapter"));
    m_lambda = new QSlider(Qt::Horizontal);
    m_lambda->setObjectName(QStringLiteral("lambdaSlider"));
    m_lambda->setRange(0, kSliderSteps);
    m_lambda->setValue(positionForLambda(kDefaultLambda));
    m_lambdaValue = new QLabel;
    m_lambdaValue->setMinimumWidth(m_lambdaValue->fontMetrics().horizontalAdvance("λ = 0.000 "));
    m_status = new QLabel;
    m_status->setWordWrap(true);
    updateLambdaLabel();

    connect(m_sentence, &QLineEdit::textChanged, this, [this] {
        m_attributionToken = -1; // another sentence has other tokens
        scheduleInspect();
    });
    connect(m_attribution, &AttributionView::tokenChosen, this, [this](int token) {
        m_attributionToken = token;
        inspectNow();
    });
    connect(m_sentence, &QLineEdit::returnPressed, this, &InspectPanel::inspectNow);
    connect(inspect, &QPushButton::clicked, this, &InspectPanel::inspectNow);
    connect(m_adapter, &PathField::pathChanged, this, &InspectPanel::setAdapter);
    connect(clearAdapter, &QPushButton::clicked, this, [this] { setAdapter(QString()); });
    connect(m_lambda, &QSlider::valueChanged, this, [this] {
        m_lambdaOverride = qQNaN(); // the user moved the slider: its position is the value
        updateLambdaLabel();
        // At once, not debounced: the worker keeps only the newest waiting query, so a drag
        // coalesces into as many redraws as the machine can make (only decay(lambda) is new).
        inspectNow();
    });

    auto* grid = new QGridLayout;
    grid->addWidget(new QLabel(tr("Sentence")), 0, 0);
    grid->addWidget(m_sentence, 0, 1);
    grid->addWidget(inspect, 0, 2);
    grid->addWidget(new QLabel(tr("Adapter")), 1, 0);
    grid->addWidget(m_adapter, 1, 1);
    grid->addWidget(clearAdapter, 1, 2);
    grid->addWidget(new QLabel(tr("Decay λ")), 2, 0);
    auto* lambdaRow = new QHBoxLayout;
    lambdaRow->addWidget(m_lambda, 1);
    lambdaRow->addWidget(m_lambdaValue);
    grid->addLayout(lambdaRow, 2, 1);
    grid->addWidget(m_status, 3, 0, 1, 3);
    grid->setColumnStretch(1, 1);
    auto* box = new QWidget;
    box->setLayout(grid);
    return box;
}

double InspectPanel::lambdaForPosition(int position) {
    const double x = std::clamp(position, 0, kSliderSteps) / double(kSliderSteps);
    return kMaxLambda * (std::exp(kCurve * x) - 1.0) / (std::exp(kCurve) - 1.0);
}

int InspectPanel::positionForLambda(double lambda) {
    const double clamped = std::clamp(lambda, 0.0, kMaxLambda);
    const double x = std::log1p(clamped / kMaxLambda * (std::exp(kCurve) - 1.0)) / kCurve;
    return int(std::lround(x * kSliderSteps));
}

void InspectPanel::updateLambdaLabel() {
    m_lambdaValue->setText(QStringLiteral("λ = %1").arg(lambda(), 0, 'f', 3));
    m_sweep->setCurrentLambda(lambda());
}

void InspectPanel::setPage(Page page) {
    m_pages->setCurrentIndex(int(page));
}

QString InspectPanel::contextText() const {
    return m_comparison->context();
}

void InspectPanel::updateDifference() {
    m_heads->setSelected(m_comparison->layer(),
                         m_comparison->head() == AttentionComparison::kMeanHead
                             ? -1
                             : m_comparison->head());
    if (!m_hasOutcome)
        return;
    m_difference->setResults(m_outcome.causal, m_outcome.decay, m_outcome.bidirectional,
                             m_comparison->layer(), m_comparison->head());
}

double InspectPanel::lambda() const {
    return std::isnan(m_lambdaOverride) ? lambdaForPosition(m_lambda->value()) : m_lambdaOverride;
}

void InspectPanel::setLambda(double value) {
    {
        const QSignalBlocker blocker(m_lambda);
        m_lambda->setValue(positionForLambda(value));
    }
    m_lambdaOverride = std::clamp(value, 0.0, kMaxLambda); // exact, not the slider's rounding
    updateLambdaLabel();
    scheduleInspect();
}

void InspectPanel::setSentence(const QString& text) {
    m_sentence->setText(text);
}

QString InspectPanel::sentence() const {
    return m_sentence->text();
}

QList<NamedPlot> InspectPanel::plots() const {
    QList<NamedPlot> all = m_comparison->plots();
    if (m_heads->hasResults()) {
        const QPointer<AttentionHeadsView> heads = m_heads;
        all.append({tr("Attention heads grid"), nullptr,
                    [heads](const QString& path, double scale, QString* error) {
                        if (!heads) {
                            if (error)
                                *error = tr("%1: the heads grid is gone").arg(path);
                            return false;
                        }
                        return heads->exportImage(path, error, scale);
                    }});
    }
    if (m_hasOutcome)
        all.append(m_difference->plots());
    if (m_sweep->hasSweep())
        all.append(m_sweep->plots());
    if (m_hasOutcome && m_outcome.hasPrediction) // never an earlier adapter's prediction
        all.append({tr("Prediction"), m_prediction->bars()});
    return all;
}

void InspectPanel::clearResults(const QString& hint) {
    m_hasOutcome = false;
    m_outcome = InspectOutcome{};
    m_tokens->clear();
    m_comparison->clear();
    m_heads->clear();
    m_difference->clear();
    m_sweep->clear();
    m_runs->setInput(m_modelDir, QString());
    m_attribution->setTokenChoices({}, -1);
    m_attribution->showHint(hint);
    m_prediction->showHint(hint);
}

QString InspectPanel::tokensText() const {
    return m_tokens->text();
}

void InspectPanel::showStatus(const QString& text, bool error) {
    m_status->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
    m_status->setText(text);
}

void InspectPanel::openModel(const QString& modelDir, const QString& adapterDir) {
    if (!m_worker)
        return; // shut down: the window is closing
    m_modelDir = modelDir;
    m_adapterDir = adapterDir;
    m_adapter->setPath(adapterDir);
    m_modelReady = false;
    m_worker->cancelPending();
    m_firstCurrentId = m_nextId; // results of queries sent before this are dropped
    m_error.clear();
    clearResults(tr("Opening the model…"));
    showStatus(tr("Opening %1 …").arg(modelDir), false);
    const quint64 serial = m_worker->beginOpen(); // also stops an older open still loading
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, modelDir, adapterDir, serial] {
            worker->openModel(modelDir, adapterDir, serial);
        },
        Qt::QueuedConnection);
}

void InspectPanel::cancelOpen() {
    if (m_worker && !m_modelReady)
        m_worker->requestOpenCancel();
}

void InspectPanel::setAdapter(const QString& runOrAdapterDir) {
    if (m_modelDir.isEmpty()) {
        m_adapter->setPath(runOrAdapterDir);
        m_adapterDir = runOrAdapterDir;
        return;
    }
    openModel(m_modelDir, runOrAdapterDir);
}

void InspectPanel::onModelOpened(const QString& dir, const ModelSummary& summary,
                                 const QString& adapter) {
    if (dir != m_modelDir)
        return; // a newer openModel() is on its way
    m_modelReady = true;
    m_adapterDescription = adapter;
    m_comparison->setContext(QFileInfo(dir).fileName(), m_adapterDir.isEmpty()
                                                            ? QString()
                                                            : QFileInfo(m_adapterDir).fileName());
    m_heads->setContext(contextText());
    if (!m_adapterDir.isEmpty())
        m_runs->addRun(m_adapterDir); // the current adapter is one of the runs to compare
    m_difference->setContext(contextText());
    m_sweep->setContext(contextText());
    showStatus(adapter.isEmpty()
                   ? tr("Model: %1 (no adapter)").arg(QFileInfo(dir).fileName())
                   : tr("Model: %1 + adapter %2").arg(QFileInfo(dir).fileName(), adapter),
               false);
    if (adapter.isEmpty()) {
        m_prediction->showHint(tr("Choose a run folder as adapter to see the classifier's "
                                  "prediction."));
        m_attribution->showHint(tr("Choose a run folder as adapter to see token attribution."));
    }
    emit modelOpened(dir, summary);
    if (!m_sentence->text().trimmed().isEmpty())
        inspectNow();
}

void InspectPanel::onModelFailed(const QString& dir, const QString& error) {
    if (dir != m_modelDir)
        return;
    m_modelReady = false;
    m_error = error;
    clearResults(tr("No model is open."));
    showStatus(tr("Cannot open the model: %1").arg(error), true);
    emit modelFailed(dir, error);
}

void InspectPanel::scheduleInspect() {
    m_debounce->start(); // restarts: a burst of edits sends one query
}

void InspectPanel::inspectNow() {
    m_debounce->stop();
    const QString text = m_sentence->text().trimmed();
    if (!m_worker || !m_modelReady)
        return;
    if (text.isEmpty()) { // nothing to show: no maps, no prediction, no old error
        m_worker->cancelPending();
        m_firstCurrentId = m_nextId;
        m_error.clear();
        clearResults(tr("Type a sentence to see the prediction."));
        showStatus(tr("Type a sentence to inspect."), false);
        return;
    }
    InspectQuery query;
    query.id = m_nextId++;
    query.text = text;
    query.lambda = lambda();
    query.attributionSteps = m_attributionSteps;
    query.attributionToken = m_attributionToken;
    m_runs->setAttributionSteps(m_attributionSteps);
    query.sweepMaxLambda = kMaxLambda;
    m_worker->submit(query);
}

void InspectPanel::onInspected(const InspectOutcome& outcome) {
    if (outcome.id < m_firstCurrentId)
        return; // asked before the model, adapter or sentence changed
    if (!m_hasOutcome || m_outcome.text != outcome.text)
        m_sweep->clear(); // of another sentence: the new one follows from the worker
    m_outcome = outcome;
    m_hasOutcome = true;
    m_error.clear();
    QStringList tokens;
    for (const auto& piece : outcome.causal.tokens)
        tokens << QString::fromStdString(piece).toHtmlEscaped();
    m_tokens->setText(
        tr("<b>%1 tokens:</b> %2")
            .arg(tokens.size())
            .arg(tokens.join(QStringLiteral(" <span style=\"color:#aaa\">|</span> "))));
    m_comparison->setResults(outcome.causal, outcome.decay, outcome.bidirectional);
    m_heads->setResults(outcome.causal, outcome.decay, outcome.bidirectional);
    m_runs->setInput(m_modelDir, outcome.text); // the same sentence, once per text
    updateDifference();
    const bool tagsTokens = outcome.hasPrediction && outcome.prediction.task == TaskKind::Token;
    m_attribution->setTokenChoices(tagsTokens ? outcome.causal.tokens : std::vector<std::string>{},
                                   m_attributionToken);
    if (!outcome.hasPrediction)
        m_attribution->showHint(tr("Choose a run folder as adapter to see token attribution."));
    else // the decay column depends on λ, all of them on the text: never show stale ones
        m_attribution->showHint(tr("Computing token attribution (%1 integrated-gradients steps)…")
                                    .arg(m_attributionSteps));
    if (outcome.hasPrediction)
        m_prediction->showResult(outcome.prediction,
                                 QString::fromStdString(outcome.prediction.mask.describe()));
    else
        m_prediction->showHint(tr("Choose a run folder as adapter to see the classifier's "
                                  "prediction."));
    showStatus(m_adapterDescription.isEmpty()
                   ? tr("Model %1 · inspected in %2 ms")
                         .arg(QFileInfo(m_modelDir).fileName())
                         .arg(outcome.milliseconds, 0, 'f', 1)
                   : tr("Model %1 + %2 · inspected in %3 ms")
                         .arg(QFileInfo(m_modelDir).fileName(), m_adapterDescription)
                         .arg(outcome.milliseconds, 0, 'f', 1),
               false);
    emit inspected();
}

void InspectPanel::onInspectFailed(quint64 id, const QString& error) {
    if (id < m_firstCurrentId)
        return;
    m_error = error;
    clearResults(tr("No prediction: the inspection failed."));
    showStatus(tr("Inspection failed: %1").arg(error), true);
}

void InspectPanel::onSwept(const SweepOutcome& outcome) {
    // Only the analyses of the query whose maps are shown (they follow them from the worker).
    if (outcome.id < m_firstCurrentId || !m_hasOutcome || outcome.id != m_outcome.id)
        return;
    m_sweep->setSweep(outcome.sweep);
    emit swept();
}

void InspectPanel::onAttributed(const AttributionOutcome& outcome) {
    if (outcome.id < m_firstCurrentId || !m_hasOutcome || outcome.id != m_outcome.id)
        return;
    m_attribution->setResults(outcome.results);
    emit attributed();
}

void InspectPanel::onAnalysisFailed(quint64 id, const QString& error) {
    if (id < m_firstCurrentId)
        return;
    m_attribution->showHint(tr("Analysis failed: %1").arg(error));
    showStatus(tr("Attribution or λ sweep failed: %1").arg(error), true);
}

void InspectPanel::shutdown() {
    if (!m_worker)
        return;
    m_debounce->stop();
    QObject::disconnect(m_worker, nullptr, this, nullptr);
    m_worker->stop(); // a forward in progress stops before its next layer
    m_worker->cancelPending();
    m_thread->quit();
    m_thread->wait();
    QCoreApplication::removePostedEvents(this, QEvent::MetaCall);
    m_worker = nullptr; // deleted with the thread's end (QThread::finished -> deleteLater)
    m_modelReady = false;
}

} // namespace fsllm
