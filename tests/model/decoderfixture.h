// Shared helpers for the torch engine suites: load a checkpoint folder into a Decoder, run one
// or several right-padded sentences, and compare tensors. Header-only; test use only.
#pragma once

#include "checkpointindex.h"
#include "decoder.h"
#include "modelconfig.h"
#include "torchbincheckpoint.h"
#include "weightloader.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace fsllm::testing {

inline Decoder loadDecoder(const std::string& directory,
                           torch::ScalarType dtype = torch::kFloat32) {
    ModelConfig config = ModelConfig::fromFile(directory + "/config.json");
    Decoder decoder(config, torch::TensorOptions().dtype(dtype));
    // safetensors, else pytorch_model.bin (as ModelHeaders picks them)
    const auto checkpoint = CheckpointIndex::holdsSafetensors(directory)
                                ? std::make_unique<CheckpointIndex>(directory)
                                : TorchBinCheckpoint::open(directory);
    WeightLoader::load(*decoder, *checkpoint);
    decoder->eval();
    return decoder;
}

// Right-pads `sentences` with `padId` into ids [B, Tmax] and lengths [B].
inline std::pair<torch::Tensor, torch::Tensor> padBatch(
    const std::vector<std::vector<int64_t>>& sentences, int64_t padId = 0) {
    int64_t longest = 0;
    for (const auto& sentence : sentences)
        longest = std::max<int64_t>(longest, static_cast<int64_t>(sentence.size()));
    auto ids = torch::full({static_cast<int64_t>(sentences.size()), longest}, padId, torch::kInt64);
    auto lengths = torch::zeros({static_cast<int64_t>(sentences.size())}, torch::kInt64);
    for (std::size_t b = 0; b < sentences.size(); ++b) {
        for (std::size_t t = 0; t < sentences[b].size(); ++t)
            ids[b][t] = sentences[b][t];
        lengths[b] = static_cast<int64_t>(sentences[b].size());
    }
    return {ids, lengths};
}

inline DecoderOutput runAlone(DecoderImpl& decoder, const std::vector<int64_t>& ids,
                              const MaskSpec& mask) {
    auto [batch, lengths] = padBatch({ids});
    torch::NoGradGuard noGrad;
    return decoder.forward(batch, lengths, ForwardOptions{mask, true, true});
}

inline double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

} // namespace fsllm::testing
