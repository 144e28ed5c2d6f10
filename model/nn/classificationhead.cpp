#include "classificationhead.h"

#include "fsllmerror.h"
#include "masking.h"

#include <cmath>
#include <limits>

namespace fsllm {

torch::Tensor poolHidden(const torch::Tensor& hidden, const torch::Tensor& lengths,
                         Pooling pooling) {
    const int64_t B = hidden.size(0), T = hidden.size(1), D = hidden.size(2);
    auto lengthsOnDevice = lengths.to(hidden.device()).to(torch::kInt64); // [B]
    if (pooling == Pooling::Last) {
        auto index = (lengthsOnDevice - 1).view({B, 1, 1}).expand({B, 1, D}); // [B, 1, D]
        return hidden.gather(1, index).squeeze(1);                           // [B, D]
    }
    auto real = tokenMask(lengthsOnDevice, T).unsqueeze(-1); // [B, T, 1] bool
    if (pooling == Pooling::Mean) {
        auto sum = hidden.masked_fill(real.logical_not(), 0).to(torch::kFloat32).sum(1);
        return (sum / lengthsOnDevice.unsqueeze(1).to(torch::kFloat32)).to(hidden.scalar_type());
    }
    auto masked = hidden.masked_fill(real.logical_not(), -std::numeric_limits<float>::infinity());
    return std::get<0>(masked.max(1)); // [B, D]
}

ClassificationHeadImpl::ClassificationHeadImpl(int64_t dim, int64_t numLabels, HeadKind kind,
                                               int64_t innerSize, double rmsEps,
                                               const torch::Device& device)
    : m_kind(kind), m_numLabels(numLabels), m_innerSize(innerSize > 0 ? innerSize : dim) {
    if (numLabels < 1)
        throw FsllmError("a classification head needs at least one label");
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(device);
    if (kind == HeadKind::Linear) {
        // As Hugging Face's score layer: normal(0, 0.02), no bias.
        m_weight = register_parameter("weight", torch::randn({numLabels, dim}, f32) * 0.02);
        return;
    }
    m_norm = register_module("norm", RmsNorm(dim, rmsEps, f32));
    auto linear = [&](int64_t in, int64_t out, bool bias) {
        auto layer = torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
        layer->to(device);
        return layer;
    };
    m_w = register_module("w", linear(dim, m_innerSize, false));
    m_v = register_module("v", linear(dim, m_innerSize, false));
    m_w2 = register_module("w2", linear(m_innerSize, dim, false));
    m_out = register_module("out", linear(dim, numLabels, true));
}

torch::Tensor ClassificationHeadImpl::forward(const torch::Tensor& features) {
    auto x = features.to(torch::kFloat32); // [..., D]
    if (m_kind == HeadKind::Linear)
        return torch::matmul(x, m_weight.t());
    auto n = m_norm(x);
    auto gated = torch::silu(m_w(n)) * m_v(n); // [..., inner]
    return m_out(m_w2(gated));                 // [..., labels]
}

} // namespace fsllm
