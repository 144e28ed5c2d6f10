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

constexpr int kDirectoryRole = Qt::UserRole + 1; // on the run cell: the run folder

// The number a column sorts by; invalid when the cell has none.
QVariant numberFor(const ResultRow& result, int column) {
    auto finite = [](double value) { return std::isnan(value) ? QVariant() : QVariant(value); };
    switch (column) {
    case ResultsTable::Lambda:
        return result.lambda;
    case ResultsTable::BestStep:
        return result.bestStep >= 0 ? QVariant(result.bestStep) : QVariant();
    case ResultsTable::Accuracy:
        return finite(result.accuracy);
    case ResultsTable::Precision:
        return finite(result.precision);
    case ResultsTable::Recall:
        return finite(result.recall);
    case ResultsTable::F1:
        return finite(result.f1);
    case ResultsTable::SeedMean:
        return finite(result.significance.mean);
    case ResultsTable::Difference:
        return result.significance.tested ? finite(result.significance.difference) : QVariant();
    case ResultsTable::Interval:
        return finite(result.significance.ciLow);
    case ResultsTable::PValue:
        return finite(result.significance.pValue);
    default:
        return {};
    }
}

// The view's column of a results-table column (the status column sits at kStatusColumn).
int viewColumn(int column) {
    return column >= RunsTableView::kStatusColumn ? column + 1 : column;
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
        QTableWidgetItem* item = put(single.cell(0, c), numberFor(result, c));
        if (c == ResultsTable::Run)
            item->setData(kDirectoryRole, QString::fromStdString(run.directory));
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

void RunsTableView::setSignificance(const ResultsTable& table) {
    const bool sorting = isSortingEnabled();
    setSortingEnabled(false); // rows must not move while they are filled
    for (int row = 0; row < rowCount(); ++row) {
        const QTableWidgetItem* runItem = item(row, ResultsTable::Run);
        if (!runItem)
            continue;
        const QString directory = runItem->data(kDirectoryRole).toString();
        for (int i = 0; i < table.rowCount(); ++i) {
            const ResultRow& result = table.rows()[i];
            if (directory.isEmpty() || result.directory != directory)
                continue;
            for (int c = ResultsTable::SeedMean; c <= ResultsTable::PValue; ++c) {
                auto* cell = new SortItem(table.cell(i, c));
                const QVariant number = numberFor(result, c);
                if (number.isValid()) {
                    cell->setData(Qt::UserRole, number);
                    cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                }
                if (!result.significance.note.empty())
                    cell->setToolTip(QString::fromStdString(result.significance.note));
                else if (c == ResultsTable::PValue && !std::isnan(result.significance.pMcNemar))
                    cell->setToolTip(tr("paired bootstrap over dev examples; McNemar's exact p: %1")
                                         .arg(result.significance.pMcNemar, 0, 'g', 3));
                setItem(row, viewColumn(c), cell);
            }
            break;
        }
    }
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
