// Token embedding table [V, D] (frozen base weight); created uninitialised (no memory touched),
// never random, so loading a large checkpoint never fills a second copy: the weight loader or a
// randomiser gives it values before use. Thread-safe forward once loaded.
#pragma once

#include <torch/torch.h>

namespace fsllm {

class TokenEmbeddingImpl : public torch::nn::Module {
public:
    TokenEmbeddingImpl(int64_t vocabSize, int64_t dim, const torch::TensorOptions& options);
    // ids: [B, T] int64 -> [B, T, D] in the weight's dtype.
    torch::Tensor forward(const torch::Tensor& ids);

    torch::Tensor weight; // [V, D]
};
TORCH_MODULE(TokenEmbedding);

} // namespace fsllm
