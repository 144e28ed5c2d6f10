#include "decoderlayer.h"

namespace fsllm {

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& config, const torch::TensorOptions& options) {
    inputLayernorm = register_module(
        "input_layernorm", RmsNorm(config.hiddenSize, config.rmsNormEps, options));
    selfAttn = register_module("self_attn", Attention(config, options));
    postAttentionLayernorm = register_module(
        "post_attention_layernorm", RmsNorm(config.hiddenSize, config.rmsNormEps, options));
    mlp = register_module("mlp", FeedForward(config.hiddenSize, config.intermediateSize, options));
    for (auto& parameter : parameters())
        parameter.set_requires_grad(false); // base weights are frozen; LoRA adds its own later
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& cos,
                                        const torch::Tensor& sin, const torch::Tensor& bias,
                                        torch::Tensor* probabilities) {
    auto h = x + selfAttn(inputLayernorm(x), cos, sin, bias, probabilities);
    return h + mlp(postAttentionLayernorm(h));
}

} // namespace fsllm
