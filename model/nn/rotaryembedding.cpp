#include "rotaryembedding.h"

#include <cmath>

namespace fsllm {

RotaryEmbedding::RotaryEmbedding(const ModelConfig& config)
    : m_config(config), m_inverseFrequency(inverseFrequency(config)),
      m_positionScale(config.ropeType == "linear" ? config.ropeScalingFactor : 1.0) {
    // Halves over a part of the head would pair dimensions across the rotated block.
    TORCH_CHECK(config.ropeInterleaved || config.rotatedDims() == config.headDim,
                "partial rotary embeddings are only supported with interleaved pairs");
}

torch::Tensor RotaryEmbedding::inverseFrequency(const ModelConfig& config, int64_t length) {
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    const double dim = static_cast<double>(config.rotatedDims());
    double theta = config.ropeTheta;
    if (config.ropeType == "dynamic" && length > config.maxPositionEmbeddings) {
        // NTK-aware: theta * (factor * T / max - (factor - 1))^(d / (d - 2)).
        const double factor = config.ropeScalingFactor;
        const double ratio = static_cast<double>(length) / config.maxPositionEmbeddings;
        theta *= std::pow(factor * ratio - (factor - 1.0), dim / (dim - 2.0));
    }
    auto exponent = torch::arange(0, config.rotatedDims(), 2, f64) / dim;
    auto inverse = torch::pow(theta, exponent).reciprocal(); // [rd/2]
    if (config.ropeType != "llama3")
        return inverse;
    // Llama 3.1: wavelengths longer than original / low_freq_factor are slowed by `factor`,
    // those shorter than original / high_freq_factor kept, and the band between interpolated.
    const double factor = config.ropeScalingFactor;
    const double low = config.ropeLowFreqFactor, high = config.ropeHighFreqFactor;
    const double original = static_cast<double>(config.ropeOriginalMaxPositions);
    const double lowFrequencyWavelength = original / low;
    const double highFrequencyWavelength = original / high;
    auto wavelength = (2.0 * M_PI) / inverse;
    auto scaled = torch::where(wavelength > lowFrequencyWavelength, inverse / factor, inverse);
    auto smooth = (original / wavelength - low) / (high - low);
    auto smoothed = (1.0 - smooth) * scaled / factor + smooth * scaled;
    auto medium = (wavelength >= highFrequencyWavelength).logical_and(
        wavelength <= lowFrequencyWavelength);
    return torch::where(medium, smoothed, scaled);
}

std::pair<torch::Tensor, torch::Tensor> RotaryEmbedding::table(int64_t T,
                                                               const torch::Device& device,
                                                               torch::ScalarType type) {
    // Past max_position_embeddings, dynamic scaling gives each length its own frequencies, so
    // the table is built for exactly T and never cut from a longer one.
    const bool perLength = m_config.ropeType == "dynamic" && T > m_config.maxPositionEmbeddings;
    const bool cachedPerLength = m_cos.defined() && m_config.ropeType == "dynamic" &&
                                 m_cos.size(0) > m_config.maxPositionEmbeddings;
    const bool fresh = !m_cos.defined() || m_cos.size(0) < T || m_cos.device() != device ||
                       m_cos.scalar_type() != type ||
                       ((perLength || cachedPerLength) && m_cos.size(0) != T);
    if (fresh) {
        // Computed in f64 then cast, so tables agree with any reference to f32 rounding.
        const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
        int64_t length = std::max<int64_t>(T, 64);
        if (m_config.ropeType == "dynamic") // a shared table never reaches past the maximum
            length = perLength ? T : std::min<int64_t>(length, m_config.maxPositionEmbeddings);
        const auto inverse = perLength ? inverseFrequency(m_config, T) : m_inverseFrequency;
        auto positions = torch::arange(length, f64) / m_positionScale;      // [L]
        auto angles = torch::outer(positions, inverse);                     // [L, rd/2]
        // Each angle twice: for halves [a, a], for adjacent pairs [a0, a0, a1, a1, ...]; the
        // dimensions past rd get angle 0 (cos 1, sin 0) and pass through apply() unchanged.
        auto embedding = m_config.ropeInterleaved ? angles.repeat_interleave(2, -1)
                                                  : torch::cat({angles, angles}, -1); // [L, rd]
        const int64_t passThrough = m_config.headDim - m_config.rotatedDims();
        if (passThrough > 0)
            embedding = torch::cat({embedding, torch::zeros({length, passThrough}, f64)}, -1);
        m_cos = embedding.cos().to(device, type);
        m_sin = embedding.sin().to(device, type);
    }
    return {m_cos.narrow(0, 0, T), m_sin.narrow(0, 0, T)};
}

torch::Tensor RotaryEmbedding::apply(const torch::Tensor& x, const torch::Tensor& cos,
                                     const torch::Tensor& sin, bool interleaved) {
    if (interleaved) {
        // (x[2i], x[2i+1]) -> (-x[2i+1], x[2i])
        std::vector<int64_t> pairShape(x.sizes().begin(), x.sizes().end() - 1);
        pairShape.push_back(x.size(-1) / 2);
        pairShape.push_back(2);
        const auto pairs = x.reshape(pairShape);
        const auto rotated =
            torch::stack({-pairs.select(-1, 1), pairs.select(-1, 0)}, -1).reshape(x.sizes());
        return x * cos + rotated * sin;
    }
    // rotate_half(x) * sin = [-x2, x1] * [s1, s2] = [x2, x1] * [-s1, s2]: the halves swapped by
    // one flip (whose backward is a flip, where narrowing and concatenating x would fill a
    // zero tensor per half), and the sign moved onto the small [T, hd] table. Same values to
    // the bit: only the sign of a product moves.
    const int64_t half = x.size(-1) / 2;
    std::vector<int64_t> halves(x.sizes().begin(), x.sizes().end() - 1);
    halves.push_back(2);
    halves.push_back(half);
    const auto swapped = x.reshape(halves).flip(-2).reshape(x.sizes()); // [x2, x1]
    const auto signedSin = torch::cat({-sin.narrow(-1, 0, half), sin.narrow(-1, half, half)}, -1);
    return x * cos + swapped * signedSin; // cos/sin [T, hd] broadcast over B, heads
}

} // namespace fsllm
