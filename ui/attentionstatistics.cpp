#include "attentionstatistics.h"

#include <algorithm>
#include <cmath>

namespace fsllm {

namespace {

// Token t's column of a [G][T] table, or the mean over tokens for t = -1.
std::vector<double> seriesOf(const std::vector<double>& table, int grid, int tokens, int token) {
    std::vector<double> out(std::size_t(std::max(grid, 0)), 0.0);
    if (tokens <= 0 || table.size() != std::size_t(grid) * std::size_t(tokens))
        return {};
    for (int g = 0; g < grid; ++g) {
        const double* row = table.data() + std::size_t(g) * std::size_t(tokens);
        if (token >= 0 && token < tokens) {
            out[std::size_t(g)] = row[token];
        } else {
            double sum = 0.0;
            for (int t = 0; t < tokens; ++t)
                sum += row[t];
            out[std::size_t(g)] = sum / tokens;
        }
    }
    return out;
}

// Applies `perRow(probabilities, i, T)` to every (layer, head, row) and averages over layers and
// heads: [T].
template <typename PerRow>
std::vector<double> meanOverHeads(const InspectResult& result, PerRow perRow) {
    const int T = result.tokenCount;
    const std::size_t expected = std::size_t(result.layers) * std::size_t(result.heads) *
                                 std::size_t(T) * std::size_t(T);
    if (T <= 0 || result.attention.size() != expected || expected == 0)
        return {};
    std::vector<double> out(std::size_t(T), 0.0);
    for (int l = 0; l < result.layers; ++l)
        for (int h = 0; h < result.heads; ++h)
            for (int i = 0; i < T; ++i)
                out[std::size_t(i)] += perRow(result.attentionRow(l, h, i), i, T);
    const double count = double(result.layers) * double(result.heads);
    for (double& v : out)
        v /= count;
    return out;
}

} // namespace

std::vector<double> AttentionStatistics::rowEntropy(const InspectResult& result) {
    return meanOverHeads(result, [](const float* p, int, int T) {
        double h = 0.0;
        for (int j = 0; j < T; ++j)
            if (p[j] > 0.0f)
                h -= double(p[j]) * std::log(double(p[j]));
        return h;
    });
}

std::vector<double> AttentionStatistics::futureShare(const InspectResult& result) {
    return meanOverHeads(result, [](const float* p, int i, int T) {
        double share = 0.0;
        for (int j = i + 1; j < T; ++j)
            share += double(p[j]);
        return share;
    });
}

std::vector<double> AttentionStatistics::lambdaGrid(int points, double maxLambda) {
    points = std::max(points, 2);
    std::vector<double> grid;
    for (int k = 0; k < points; ++k) {
        const double x = double(k) / (points - 1);
        grid.push_back(maxLambda * (std::exp(4.0 * x) - 1.0) / (std::exp(4.0) - 1.0));
    }
    return grid;
}

std::vector<double> LambdaSweep::entropyOf(int token) const {
    return seriesOf(entropy, int(lambdas.size()), tokenCount(), token);
}

std::vector<double> LambdaSweep::futureShareOf(int token) const {
    return seriesOf(futureShare, int(lambdas.size()), tokenCount(), token);
}

double LambdaSweep::causalEntropyOf(int token) const {
    const std::vector<double> one = seriesOf(causalEntropy, 1, tokenCount(), token);
    return one.empty() ? 0.0 : one.front();
}

} // namespace fsllm
