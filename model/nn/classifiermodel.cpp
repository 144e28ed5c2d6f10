#include "classifiermodel.h"

namespace fsllm {

ClassifierModelImpl::ClassifierModelImpl(Decoder decoderModule, const ClassifierSpec& spec)
    : m_spec(spec) {
    decoder = register_module("decoder", std::move(decoderModule));
    const ModelConfig& config = decoder->config();
    head = register_module("score", ClassificationHead(config.hiddenSize,
                                                       static_cast<int64_t>(spec.labels.size()),
                                                       spec.head, spec.headInner,
                                                       config.rmsNormEps, decoder->device()));
}

torch::Tensor ClassifierModelImpl::forward(const torch::Tensor& ids, const torch::Tensor& lengths) {
    ForwardOptions options;
    options.mask = m_spec.mask;
    options.recomputeLayers = m_recomputeLayers;
    DecoderOutput output = decoder->forward(ids, lengths, options); // hidden [B, T, D]
    return classify(output.hidden, lengths);
}

torch::Tensor ClassifierModelImpl::classify(const torch::Tensor& hidden,
                                            const torch::Tensor& lengths) {
    if (m_spec.task == TaskKind::Sequence)
        return head(poolHidden(hidden, lengths, m_spec.pooling)); // [B, C]
    return head(hidden);                                         // [B, T, C]
}

torch::Tensor ClassifierModelImpl::loss(const torch::Tensor& logits, const torch::Tensor& labels) {
    const int64_t classes = logits.size(-1);
    return torch::nn::functional::cross_entropy(
        logits.reshape({-1, classes}), labels.reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreLabel));
}

std::pair<torch::Tensor, int64_t> ClassifierModelImpl::lossSum(const torch::Tensor& logits,
                                                               const torch::Tensor& labels) {
    const int64_t classes = logits.size(-1);
    const auto flatLabels = labels.reshape({-1});
    const auto sum =
        torch::nn::functional::cross_entropy(logits.reshape({-1, classes}), flatLabels,
                                             torch::nn::functional::CrossEntropyFuncOptions()
                                                 .ignore_index(kIgnoreLabel)
                                                 .reduction(torch::kSum));
    return {sum, flatLabels.ne(kIgnoreLabel).sum().item<int64_t>()};
}

std::vector<torch::Tensor> ClassifierModelImpl::trainableParameters() {
    std::vector<torch::Tensor> trainable;
    for (auto& parameter : parameters())
        if (parameter.requires_grad())
            trainable.push_back(parameter);
    return trainable;
}

} // namespace fsllm
