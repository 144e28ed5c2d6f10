// The summary of a sweep (or of any set of runs): one row per configuration (ResultsSignificance's
// groups, in the order their first run appears) with the number of seeds, the dev metric's mean
// ± standard deviation over them and the paired test against the baseline (causal) row:
// difference of the means, its 95% bootstrap interval and p-value, and McNemar's exact p for
// sequence tasks. Written as Markdown (scores in %) and CSV (fractions), atomically.
// No torch, no Qt. Thread-safety: value types and pure functions (rows() reads files).
#pragma once

#include "runsignificance.h"

#include <string>
#include <vector>

namespace fsllm {

struct SweepSummaryRow {
    std::string data; // the training file's name
    std::string mask; // "causal", "bidirectional", "decay"
    double lambda = 0.0;
    int fromLayer = 0;
    std::string head;
    std::string pooling;
    int runs = 0;          // run folders of the configuration (with or without predictions)
    RunSignificance stats; // shared by the group's runs (its score field is the first run's)
};

class SweepSummary {
public:
    static std::vector<SweepSummaryRow> rows(const std::vector<RunToCompare>& runs,
                                             const SignificanceOptions& options = {});
    static std::string toMarkdown(const std::vector<SweepSummaryRow>& rows,
                                  MaskMode baseline = MaskMode::Causal);
    static std::string toCsv(const std::vector<SweepSummaryRow>& rows);
    // Writes `folder`/summary.md and summary.csv atomically; returns the two paths.
    static std::vector<std::string> write(const std::vector<SweepSummaryRow>& rows,
                                          const std::string& folder);

    // Shared formatting of the results tables (also the studio's): a score in % with two
    // decimals ("45.00"), mean ± std ("45.00 ± 2.31 (n=3)"), a signed difference in % ("+1.20"),
    // an interval ("[-0.50, +2.90]") and a p-value ("0.034", "<0.001"); "-" for NaN.
    static std::string percent(double fraction);
    static std::string meanStd(double mean, double std, int seeds);
    static std::string signedPercent(double fraction);
    static std::string interval(double low, double high);
    static std::string pValue(double p);
};

} // namespace fsllm
