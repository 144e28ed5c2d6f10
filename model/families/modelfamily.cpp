// Tensor names and buffer matching of a model family (see modelfamily.h).
// Thread-safety: pure functions.
#include "modelfamily.h"

namespace fsllm {

TensorNames TensorNames::decoderParameters() {
    TensorNames names;
    names.embedding = "embed_tokens.weight";
    names.layerPrefix = "layers.";
    names.finalNorm = "norm.weight";
    names.lmHead = "lm_head.weight";
    return names;
}

bool ModelFamily::ignores(const std::string& tensorName) const {
    for (const std::string& ending : ignoredBuffers)
        if (tensorName.size() >= ending.size() &&
            tensorName.compare(tensorName.size() - ending.size(), ending.size(), ending) == 0)
            return true;
    return false;
}

} // namespace fsllm
