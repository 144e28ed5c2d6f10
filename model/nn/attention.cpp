#include "attention.h"

#include "rotaryembedding.h"

#include <cmath>

namespace fsllm {

AttentionImpl::AttentionImpl(const ModelConfig& config, const torch::TensorOptions& options)
    : m_heads(config.numHeads), m_kvHeads(config.numKvHeads), m_headDim(config.headDim),
      m_ropeInterleaved(config.ropeInterleaved) {
    const int64_t d = config.hiddenSize;
    const bool qkvBias = config.qkvBias;
    qProj = register_module("q_proj", LoraLinear(d, m_heads * m_headDim, qkvBias, options));
    kProj = register_module("k_proj", LoraLinear(d, m_kvHeads * m_headDim, qkvBias, options));
    vProj = register_module("v_proj", LoraLinear(d, m_kvHeads * m_headDim, qkvBias, options));
    oProj = register_module("o_proj",
                            LoraLinear(m_heads * m_headDim, d, config.outputBias, options));
    if (config.qkNorm) {
        qNorm = register_module("q_norm", RmsNorm(m_headDim, config.rmsNormEps, options));
        kNorm = register_module("k_norm", RmsNorm(m_headDim, config.rmsNormEps, options));
    }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos,
                                     const torch::Tensor& sin, const torch::Tensor& bias,
                                     torch::Tensor* probabilities) {
    const int64_t B = x.size(0), T = x.size(1);
    const int64_t groups = m_heads / m_kvHeads; // query heads per key/value head (G)

    auto q = qProj(x).view({B, T, m_heads, m_headDim});   // [B, T, H, hd]
    auto k = kProj(x).view({B, T, m_kvHeads, m_headDim}); // [B, T, KV, hd]
    if (qNorm) { // Qwen3: RMSNorm of every head vector, before RoPE
        q = qNorm(q);
        k = kNorm(k);
    }
    q = q.transpose(1, 2); // [B, H, T, hd]
    k = k.transpose(1, 2); // [B, KV, T, hd]
    auto v = vProj(x).view({B, T, m_kvHeads, m_headDim}).transpose(1, 2); // [B, KV, T, hd]
    q = RotaryEmbedding::apply(q, cos, sin, m_ropeInterleaved);
    k = RotaryEmbedding::apply(k, cos, sin, m_ropeInterleaved);

    // Head h uses key/value head h / G: view queries as [B, KV, G, T, hd] and broadcast k, v
    // over G instead of copying them G times.
    auto qGrouped = q.reshape({B, m_kvHeads, groups, T, m_headDim});
    auto scores = torch::matmul(qGrouped, k.unsqueeze(2).transpose(-1, -2)); // [B, KV, G, T, T]
    scores = scores.to(torch::kFloat32) * (1.0 / std::sqrt(static_cast<double>(m_headDim)));
    scores = scores + bias.unsqueeze(1);                  // bias [B, 1, 1, T, T]
    auto weights = torch::softmax(scores, -1);            // [B, KV, G, T, T] f32
    if (probabilities)
        *probabilities = weights.reshape({B, m_heads, T, T});
    auto context = torch::matmul(weights.to(v.scalar_type()), v.unsqueeze(2)); // [B, KV, G, T, hd]
    context = context.reshape({B, m_heads, T, m_headDim}).transpose(1, 2)
                  .reshape({B, T, m_heads * m_headDim}); // [B, T, H*hd]
    return oProj(context);
}

} // namespace fsllm
