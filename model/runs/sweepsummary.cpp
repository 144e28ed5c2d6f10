#include "sweepsummary.h"

#include "atomicfile.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

namespace fsllm {

namespace {

std::string fixed(double value, int decimals, bool sign = false) {
    char text[64];
    std::snprintf(text, sizeof(text), sign ? "%+.*f" : "%.*f", decimals, value);
    return text;
}

std::string csvNumber(double value) {
    if (std::isnan(value))
        return "";
    char text[64];
    std::snprintf(text, sizeof(text), "%.6g", value);
    return text;
}

std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (const char c : text)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string markdownCell(std::string text) {
    std::string out;
    for (const char c : text)
        out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

std::string lambdaText(const SweepSummaryRow& row) {
    if (row.mask != "decay")
        return "-";
    std::ostringstream text;
    text.precision(4);
    text << row.lambda;
    return text.str();
}

} // namespace

std::string SweepSummary::percent(double fraction) {
    return std::isnan(fraction) ? "-" : fixed(100.0 * fraction, 2);
}

std::string SweepSummary::meanStd(double mean, double std, int seeds) {
    if (std::isnan(mean))
        return "-";
    return fixed(100.0 * mean, 2) + " ± " + fixed(100.0 * (std::isnan(std) ? 0.0 : std), 2) +
           " (n=" + std::to_string(seeds) + ")";
}

std::string SweepSummary::signedPercent(double fraction) {
    return std::isnan(fraction) ? "-" : fixed(100.0 * fraction, 2, true);
}

std::string SweepSummary::interval(double low, double high) {
    if (std::isnan(low) || std::isnan(high))
        return "-";
    return "[" + fixed(100.0 * low, 2, true) + ", " + fixed(100.0 * high, 2, true) + "]";
}

std::string SweepSummary::pValue(double p) {
    if (std::isnan(p))
        return "-";
    return p < 0.001 ? "<0.001" : fixed(p, 3);
}

std::vector<SweepSummaryRow> SweepSummary::rows(const std::vector<RunToCompare>& runs,
                                                const SignificanceOptions& options) {
    const std::vector<RunSignificance> stats = ResultsSignificance::compute(runs, options);
    std::vector<SweepSummaryRow> rows;
    std::map<std::string, std::size_t> rowOf;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto found = rowOf.find(stats[i].group);
        if (found != rowOf.end()) {
            SweepSummaryRow& row = rows[found->second];
            ++row.runs;
            if (row.stats.metric.empty() && !stats[i].metric.empty())
                row.stats = stats[i];
            continue;
        }
        const TrainingConfig& c = runs[i].config;
        SweepSummaryRow row;
        row.data = std::filesystem::path(c.trainFile).filename().string();
        row.mask = maskModeName(c.mask.mode);
        row.lambda = c.mask.lambda;
        row.fromLayer = c.mask.mode == MaskMode::Causal ? 0 : c.mask.fromLayer;
        row.head = headKindName(c.head);
        row.pooling = c.task() == TaskKind::Sequence ? poolingName(c.pooling) : "-";
        row.runs = 1;
        row.stats = stats[i];
        rowOf[stats[i].group] = rows.size();
        rows.push_back(row);
    }
    return rows;
}

std::string SweepSummary::toMarkdown(const std::vector<SweepSummaryRow>& rows, MaskMode baseline) {
    const std::string base = maskModeName(baseline);
    std::ostringstream out;
    out << "| data | mask | lambda | from layer | head | pooling | runs | metric | dev mean ± std (%) "
           "| Δ vs " << base << " (%) | 95% CI (%) | p (bootstrap) | p (McNemar) |\n"
        << "| --- | --- | ---: | ---: | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n";
    for (const SweepSummaryRow& row : rows) {
        const RunSignificance& s = row.stats;
        const std::string difference =
            s.isBaseline ? "baseline" : s.tested ? signedPercent(s.difference) : "-";
        out << "| " << markdownCell(row.data) << " | " << row.mask << " | " << lambdaText(row)
            << " | " << row.fromLayer << " | " << row.head << " | " << row.pooling << " | "
            << row.runs << " | " << (s.metric.empty() ? "-" : s.metric) << " | "
            << meanStd(s.mean, s.std, s.seeds) << " | " << difference << " | "
            << interval(s.ciLow, s.ciHigh) << " | " << pValue(s.pValue) << " | "
            << pValue(s.pMcNemar) << " |\n";
    }
    return out.str();
}

std::string SweepSummary::toCsv(const std::vector<SweepSummaryRow>& rows) {
    std::ostringstream out;
    out << "data,mask,lambda,mask_from_layer,head,pooling,runs,seeds,metric,mean,std,difference,"
           "ci_low,ci_high,p_bootstrap,p_mcnemar,baseline,note\n";
    for (const SweepSummaryRow& row : rows) {
        const RunSignificance& s = row.stats;
        out << csvField(row.data) << "," << row.mask << ","
            << (row.mask == "decay" ? csvNumber(row.lambda) : "") << "," << row.fromLayer << ","
            << row.head << "," << row.pooling << "," << row.runs << "," << s.seeds << ","
            << csvField(s.metric) << "," << csvNumber(s.mean) << "," << csvNumber(s.std) << ","
            << csvNumber(s.difference) << "," << csvNumber(s.ciLow) << "," << csvNumber(s.ciHigh)
            << "," << csvNumber(s.pValue) << "," << csvNumber(s.pMcNemar) << ","
            << (s.isBaseline ? "yes" : "no") << "," << csvField(s.note) << "\n";
    }
    return out.str();
}

std::vector<std::string> SweepSummary::write(const std::vector<SweepSummaryRow>& rows,
                                             const std::string& folder) {
    const std::string markdown = (std::filesystem::path(folder) / "summary.md").string();
    const std::string csv = (std::filesystem::path(folder) / "summary.csv").string();
    AtomicFile::write(markdown, toMarkdown(rows));
    AtomicFile::write(csv, toCsv(rows));
    return {markdown, csv};
}

} // namespace fsllm
