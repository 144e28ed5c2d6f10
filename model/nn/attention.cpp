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
    m_qkv = std::make_unique<FusedProjection>(std::vector<LoraLinear>{qProj, kProj, vProj});
    m_qkv->allocateTogether();
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

    const std::vector<torch::Tensor> qkv = m_qkv->forward(x, is_training());
    auto q = qkv[0].view({B, T, m_heads, m_headDim});   // [B, T, H, hd]
    auto k = qkv[1].view({B, T, m_kvHeads, m_headDim}); // [B, T, KV, hd]
    if (qNorm) { // Qwen3: RMSNorm of every head vector, before RoPE
        q = qNorm(q);
        k = kNorm(k);
    }
    q = q.transpose(1, 2); // [B, H, T, hd]
    k = k.transpose(1, 2); // [B, KV, T, hd]
    auto v = qkv[2].view({B, T, m_kvHeads, m_headDim}).transpose(1, 2); // [B, KV, T, hd]
    q = RotaryEmbedding::apply(q, cos, sin, m_ropeInterleaved);
    k = RotaryEmbedding::apply(k, cos, sin, m_ropeInterleaved);

    // Head h uses key/value head h / G. The G query heads of one key/value head are stacked as
    // rows, [B, KV, G*T, hd], so each (batch, kv head) pair is one matmul of G*T rows: on the
    // CPU a batched matmul runs one BLAS call per batch entry, and this makes G times fewer.
    auto qStacked = q.reshape({B, m_kvHeads, groups * T, m_headDim});
    auto scores = torch::matmul(qStacked, k.transpose(-1, -2))   // [B, KV, G*T, T]
                      .view({B, m_kvHeads, groups, T, T});         // [B, KV, G, T, T]
    scores = scores.to(torch::kFloat32) * (1.0 / std::sqrt(static_cast<double>(m_headDim)));
    scores = scores + bias.unsqueeze(1);                  // bias [B, 1, 1, T, T]
    auto weights = torch::softmax(scores, -1);            // [B, KV, G, T, T] f32
    if (probabilities)
        *probabilities = weights.reshape({B, m_heads, T, T});
    auto context = torch::matmul(weights.to(v.scalar_type()).view({B, m_kvHeads, groups * T, T}),
                                 v); // [B, KV, G*T, hd]
    context = context.view({B, m_heads, T, m_headDim}).transpose(1, 2)
                  .reshape({B, T, m_heads * m_headDim}); // [B, T, H*hd]
    return oProj(context);
}

} // namespace fsllm
