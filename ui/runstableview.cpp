#include "runstableview.h"

#include <QColor>
#include <QHeaderView>

#include <cmath>

namespace fsllm {

namespace {

// Sorts by the number in Qt::UserRole when both cells have one (missing values last), else by
// the text.
class SortItem : public QTableWidgetItem {
public:
    using QTableWidgetItem::QTableWidgetItem;
    bool operator<(const QTableWidgetItem& other) const override {
        const QVariant a = data(Qt::UserRole), b = other.data(Qt::UserRole);
        if (a.isValid() || b.isValid()) {
            const double x = a.isValid() ? a.toDouble() : qInf();
            const double y = b.isValid() ? b.toDouble() : qInf();
            return x < y;
        }
        return text().localeAwareCompare(other.text()) < 0;
    }
};

struct HyperParameter {
    const char* header;
    double (*value)(const TrainingConfig&);
    char format; // 'g' number, 'e' scientific
};

const HyperParameter kHyperParameters[] = {
    {QT_TRANSLATE_NOOP("RunsTableView", "lr"),
     [](const TrainingConfig& c) { return c.learningRate; }, 'e'},
    {QT_TRANSLATE_NOOP("RunsTableView", "batch"),
     [](const TrainingConfig& c) { return double(c.batchSize); }, 'g'},
    {QT_TRANSLATE_NOOP("RunsTableView", "epochs"),
     [](const TrainingConfig& c) { return double(c.epochs); }, 'g'},
    {QT_TRANSLATE_NOOP("RunsTableView", "LoRA r"),
     [](const TrainingConfig& c) { return double(c.loraRank); }, 'g'},
    {QT_TRANSLATE_NOOP("RunsTableView", "LoRA α"),
     [](const TrainingConfig& c) { return c.loraAlpha; }, 'g'},
    {QT_TRANSLATE_NOOP("RunsTableView", "dropout"),
     [](const TrainingConfig& c) { return c.loraDropout; }, 'g'},
    {QT_TRANSLATE_NOOP("RunsTableView", "max len"),
     [](const TrainingConfig& c) { return double(c.maxLength); }, 'g'},
    {QT_TRANSLATE_NOOP("RunsTableView", "warmup"),
     [](const TrainingConfig& c) { return c.warmupRatio; }, 'g'},
    {QT_TRANSLATE_NOOP("RunsTableView", "seed"),
     [](const TrainingConfig& c) { return double(c.seed); }, 'g'},
};

QColor stateColor(RunState state) {
    switch (state) {
    case RunState::Running:
        return QColor(0x1f, 0x77, 0xb4);
    case RunState::Completed:
        return QColor(0x2c, 0xa0, 0x2c);
    case RunState::Stopped:
        return QColor(0x7f, 0x7f, 0x7f);
    case RunState::Failed:
        return QColor(0xc0, 0x39, 0x2b);
    }
    return {};
}

} // namespace

RunsTableView::RunsTableView(QWidget* parent) : QTableWidget(parent) {
    setColumnCount(int(headers().size()));
    setHorizontalHeaderLabels(headers());
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setAlternatingRowColors(true);
    verticalHeader()->hide();
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setSortIndicatorShown(true);
    setSortingEnabled(true);
}

QStringList RunsTableView::headers() {
    QStringList names = ResultsTable::headers();
    names.insert(kStatusColumn, tr("Status"));
    for (const HyperParameter& parameter : kHyperParameters)
        names << tr(parameter.header);
    names << tr("steps");
    return names;
}

void RunsTableView::clearRuns() {
    setRowCount(0);
}

void RunsTableView::addRun(const RunRecord& run, const RunStatus& status) {
    const bool sorting = isSortingEnabled();
    setSortingEnabled(false); // rows are filled first, sorted once
    const int row = rowCount();
    insertRow(row);
    ResultsTable single;
    single.addRun(run);
    const ResultRow& result = single.rows().first();
    int column = 0;
    auto put = [&](const QString& text, const QVariant& number) {
        auto* item = new SortItem(text);
        if (number.isValid() && !std::isnan(number.toDouble())) { // causal lambda: +inf
            item->setData(Qt::UserRole, number);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        }
        setItem(row, column++, item);
        return item;
    };
    for (int c = 0; c < ResultsTable::ColumnCount; ++c) {
        if (c == kStatusColumn) {
            QTableWidgetItem* item = put(RunStatus::name(status.state), {});
            item->setForeground(stateColor(status.state));
            item->setToolTip(status.detail);
        }
        QVariant number;
        switch (c) {
        case ResultsTable::Lambda:
            number = result.lambda;
            break;
        case ResultsTable::BestStep:
            if (result.bestStep >= 0)
                number = result.bestStep;
            break;
        case ResultsTable::Accuracy:
        case ResultsTable::Precision:
        case ResultsTable::Recall:
        case ResultsTable::F1: {
            const double value = c == ResultsTable::Accuracy    ? result.accuracy
                                 : c == ResultsTable::Precision ? result.precision
                                 : c == ResultsTable::Recall    ? result.recall
                                                                : result.f1;
            if (!std::isnan(value))
                number = value;
            break;
        }
        default:
            break;
        }
        put(single.cell(0, c), number);
    }
    for (const HyperParameter& parameter : kHyperParameters) {
        const double value = parameter.value(run.config);
        put(parameter.format == 'e' ? QString::number(value, 'e', 1)
                                    : QString::number(value, 'g', 6),
            value);
    }
    const int steps = run.steps.empty() ? 0 : run.steps.back().step;
    put(QString::number(steps), steps);
    setSortingEnabled(sorting);
}

QString RunsTableView::text(const QString& run, const QString& header) const {
    const int column = int(headers().indexOf(header));
    if (column < 0)
        return {};
    for (int row = 0; row < rowCount(); ++row)
        if (item(row, ResultsTable::Run) && item(row, ResultsTable::Run)->text() == run)
            return item(row, column) ? item(row, column)->text() : QString();
    return {};
}

} // namespace fsllm
