#include "tokenembedding.h"

namespace fsllm {

TokenEmbeddingImpl::TokenEmbeddingImpl(int64_t vocabSize, int64_t dim,
                                       const torch::TensorOptions& options) {
    weight = register_parameter("weight", torch::empty({vocabSize, dim}, options),
                                /*requires_grad=*/false);
}

torch::Tensor TokenEmbeddingImpl::forward(const torch::Tensor& ids) {
    return torch::embedding(weight, ids);
}

} // namespace fsllm
