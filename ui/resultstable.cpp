#include "resultstable.h"

#include "csvsource.h"
#include "devunits.h"
#include "sweepsummary.h"

#include <QFileInfo>
#include <QSaveFile>

#include <cmath>

namespace fsllm {

namespace {

QString lambdaText(double lambda, bool latex) {
    if (std::isinf(lambda))
        return latex ? QStringLiteral("$\\infty$") : QStringLiteral("∞");
    return QString::number(lambda, 'g', 4);
}

QString latexEscape(QString text) {
    QString out;
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '\\':
            out += QStringLiteral("\\textbackslash{}");
            break;
        case '&':
        case '%':
        case '$':
        case '#':
        case '_':
        case '{':
        case '}':
            out += QLatin1Char('\\') + c;
            break;
        case '~':
            out += QStringLiteral("\\textasciitilde{}");
            break;
        case '^':
            out += QStringLiteral("\\textasciicircum{}");
            break;
        default:
            out += c;
        }
    }
    return out;
}

QString markdownEscape(QString text) {
    return text.replace(QLatin1Char('|'), QStringLiteral("\\|"));
}

bool isScoreColumn(int column) {
    return column >= ResultsTable::Accuracy && column <= ResultsTable::F1;
}

QString fromStd(const std::string& text) {
    return QString::fromStdString(text);
}

QString csvNumberOrEmpty(double value) {
    return std::isnan(value) ? QString() : CsvSource::csvNumber(value);
}

} // namespace

ResultRow ResultsTable::rowFor(const RunRecord& run) {
    const TrainingConfig& c = run.config;
    ResultRow row;
    row.run = QString::fromStdString(run.name());
    row.directory = QString::fromStdString(run.directory);
    row.mask = QString::fromLatin1(maskModeName(c.mask.mode));
    if (c.mask.fromLayer > 0 && c.mask.mode != MaskMode::Causal) // lower layers stay causal
        row.mask += QStringLiteral(" from layer %1").arg(c.mask.fromLayer);
    switch (c.mask.mode) {
    case MaskMode::Causal:
        row.lambda = std::numeric_limits<double>::infinity();
        break;
    case MaskMode::Bidirectional:
        row.lambda = 0.0;
        break;
    case MaskMode::Decay:
        row.lambda = c.mask.lambda;
        break;
    }
    row.pooling = c.task() == TaskKind::Sequence ? QString::fromLatin1(poolingName(c.pooling))
                                                 : QStringLiteral("-");
    row.head = QString::fromLatin1(headKindName(c.head));
    if (const auto best = run.best()) {
        row.bestStep = best->step;
        row.accuracy = best->accuracy;
        row.precision = best->precision;
        row.recall = best->recall;
        row.f1 = best->f1;
    }
    return row;
}

void ResultsTable::addRun(const RunRecord& run) {
    m_rows.append(rowFor(run));
    m_sources.push_back({run.directory, run.config});
}

void ResultsTable::addRow(const ResultRow& row) {
    m_rows.append(row);
    m_sources.push_back({});
}

void ResultsTable::clear() {
    m_rows.clear();
    m_sources.clear();
}

void ResultsTable::computeSignificance(const SignificanceOptions& options) {
    std::vector<RunToCompare> runs;
    std::vector<int> rowOf;
    std::string key = std::to_string(options.resamples) + "|" + std::to_string(options.seed) +
                      "|" + maskModeName(options.baseline) + "\n";
    for (int i = 0; i < rowCount(); ++i) {
        if (m_sources[std::size_t(i)].directory.empty())
            continue;
        runs.push_back(m_sources[std::size_t(i)]);
        rowOf.push_back(i);
        key += runs.back().directory + "|" + ResultsSignificance::groupKey(runs.back().config) +
               "|" + std::to_string(runs.back().config.seed) + "|" +
               DevUnits::stamp(runs.back().directory) + "\n";
    }
    if (key != m_computedKey) {
        m_computed = ResultsSignificance::compute(runs, options);
        m_computedKey = key;
    }
    for (std::size_t i = 0; i < runs.size(); ++i)
        m_rows[rowOf[i]].significance = m_computed[i];
}

QStringList ResultsTable::headers() {
    return {QStringLiteral("run"),      QStringLiteral("mask"),      QStringLiteral("lambda"),
            QStringLiteral("pooling"),  QStringLiteral("head"),      QStringLiteral("best step"),
            QStringLiteral("accuracy"), QStringLiteral("precision"), QStringLiteral("recall"),
            QStringLiteral("F1"),       QStringLiteral("dev mean ± std"),
            QStringLiteral("Δ vs causal"), QStringLiteral("95% CI"), QStringLiteral("p")};
}

double ResultsTable::score(int row, int column) const {
    const ResultRow& r = m_rows[row];
    switch (column) {
    case Accuracy:
        return r.accuracy;
    case Precision:
        return r.precision;
    case Recall:
        return r.recall;
    case F1:
        return r.f1;
    default:
        return std::numeric_limits<double>::quiet_NaN();
    }
}

int ResultsTable::bestRow(int column) const {
    int best = -1;
    for (int i = 0; i < rowCount(); ++i)
        if (std::isfinite(score(i, column)) && (best < 0 || score(i, column) > score(best, column)))
            best = i;
    return best;
}

QString ResultsTable::cell(int row, int column) const {
    const ResultRow& r = m_rows[row];
    switch (column) {
    case Run:
        return r.run;
    case Mask:
        return r.mask;
    case Lambda:
        return lambdaText(r.lambda, false);
    case Pooling:
        return r.pooling;
    case Head:
        return r.head;
    case BestStep:
        return r.bestStep < 0 ? QStringLiteral("-") : QString::number(r.bestStep);
    case SeedMean:
        return fromStd(SweepSummary::meanStd(r.significance.mean, r.significance.std,
                                             r.significance.seeds));
    case Difference:
        return r.significance.isBaseline ? QStringLiteral("baseline")
                                         : fromStd(SweepSummary::signedPercent(
                                               r.significance.tested ? r.significance.difference
                                                                     : RunSignificance::kNaN));
    case Interval:
        return fromStd(SweepSummary::interval(r.significance.ciLow, r.significance.ciHigh));
    case PValue:
        return fromStd(SweepSummary::pValue(r.significance.pValue));
    default: {
        const double value = score(row, column);
        return std::isfinite(value) ? QString::number(100.0 * value, 'f', 2) : QStringLiteral("-");
    }
    }
}

QString ResultsTable::toCsv() const {
    QStringList names = headers().mid(0, SeedMean);
    names << QStringLiteral("metric") << QStringLiteral("seeds") << QStringLiteral("mean")
          << QStringLiteral("std") << QStringLiteral("difference") << QStringLiteral("ci_low")
          << QStringLiteral("ci_high") << QStringLiteral("p_bootstrap")
          << QStringLiteral("p_mcnemar");
    QStringList lines{names.join(QLatin1Char(','))};
    for (int i = 0; i < rowCount(); ++i) {
        const ResultRow& r = m_rows[i];
        QStringList fields{CsvSource::csvField(r.run),
                           r.mask,
                           CsvSource::csvNumber(r.lambda),
                           r.pooling,
                           r.head,
                           r.bestStep < 0 ? QString() : QString::number(r.bestStep)};
        for (int column = Accuracy; column <= F1; ++column) {
            const double value = score(i, column);
            fields << (std::isfinite(value) ? CsvSource::csvNumber(value) : QString());
        }
        const RunSignificance& s = r.significance;
        fields << CsvSource::csvField(fromStd(s.metric))
               << (s.seeds > 0 ? QString::number(s.seeds) : QString()) << csvNumberOrEmpty(s.mean)
               << csvNumberOrEmpty(s.std) << csvNumberOrEmpty(s.difference)
               << csvNumberOrEmpty(s.ciLow) << csvNumberOrEmpty(s.ciHigh)
               << csvNumberOrEmpty(s.pValue) << csvNumberOrEmpty(s.pMcNemar);
        lines << fields.join(QLatin1Char(','));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString ResultsTable::toMarkdown() const {
    QStringList names = headers();
    for (int column = Accuracy; column <= Difference; ++column)
        names[column] += QStringLiteral(" (%)");
    names[Interval] += QStringLiteral(" (%)");
    QStringList lines{QStringLiteral("| ") + names.join(QStringLiteral(" | ")) +
                      QStringLiteral(" |")};
    QStringList rule;
    for (int column = 0; column < ColumnCount; ++column)
        rule << (column >= Lambda && column != Pooling && column != Head ? QStringLiteral("---:")
                                                                         : QStringLiteral("---"));
    lines << QStringLiteral("| ") + rule.join(QStringLiteral(" | ")) + QStringLiteral(" |");
    for (int i = 0; i < rowCount(); ++i) {
        QStringList cells;
        for (int column = 0; column < ColumnCount; ++column) {
            QString text = markdownEscape(cell(i, column));
            if (isScoreColumn(column) && bestRow(column) == i && rowCount() > 1)
                text = QStringLiteral("**%1**").arg(text);
            cells << text;
        }
        lines << QStringLiteral("| ") + cells.join(QStringLiteral(" | ")) + QStringLiteral(" |");
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString ResultsTable::toLatex() const {
    QStringList lines{QStringLiteral("\\begin{tabular}{llrllrrrrrrrrr}"), QStringLiteral("\\toprule"),
                      QStringLiteral("Run & Mask & $\\lambda$ & Pooling & Head & Best step & "
                                     "Acc. (\\%) & P (\\%) & R (\\%) & F1 (\\%) & "
                                     "Mean $\\pm$ std (\\%) & $\\Delta$ vs causal (\\%) & "
                                     "95\\% CI (\\%) & $p$ \\\\"),
                      QStringLiteral("\\midrule")};
    for (int i = 0; i < rowCount(); ++i) {
        QStringList cells;
        for (int column = 0; column < ColumnCount; ++column) {
            QString text = column == Lambda ? lambdaText(m_rows[i].lambda, true)
                                            : latexEscape(cell(i, column));
            text.replace(QStringLiteral("±"), QStringLiteral("$\\pm$"))
                .replace(QStringLiteral("<"), QStringLiteral("$<$"));
            if (isScoreColumn(column) && bestRow(column) == i && rowCount() > 1)
                text = QStringLiteral("\\textbf{%1}").arg(text);
            cells << text;
        }
        lines << cells.join(QStringLiteral(" & ")) + QStringLiteral(" \\\\");
    }
    lines << QStringLiteral("\\bottomrule") << QStringLiteral("\\end{tabular}");
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

bool ResultsTable::save(const QString& path, QString* error) const {
    const QString suffix = QFileInfo(path).suffix().toLower();
    QString text;
    if (suffix == QLatin1String("csv"))
        text = toCsv();
    else if (suffix == QLatin1String("md") || suffix == QLatin1String("markdown"))
        text = toMarkdown();
    else if (suffix == QLatin1String("tex"))
        text = toLatex();
    else {
        if (error)
            *error = QObject::tr("%1: unknown table format '%2'; use .csv, .md or .tex")
                         .arg(path, suffix);
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace fsllm
