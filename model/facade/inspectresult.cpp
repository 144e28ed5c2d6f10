#include "inspectresult.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace fsllm {

namespace {

using nlohmann::json;

// Nested arrays of `dims` from a flat row-major buffer.
json nested(const float* data, const std::vector<int>& dims, std::size_t level = 0) {
    json array = json::array();
    std::size_t stride = 1;
    for (std::size_t d = level + 1; d < dims.size(); ++d)
        stride *= static_cast<std::size_t>(dims[d]);
    for (int i = 0; i < dims[level]; ++i) {
        const float* start = data + static_cast<std::size_t>(i) * stride;
        if (level + 1 == dims.size())
            array.push_back(static_cast<double>(*start));
        else
            array.push_back(nested(start, dims, level + 1));
    }
    return array;
}

} // namespace

const float* InspectResult::attentionRow(int layer, int head, int row) const {
    const std::size_t t = static_cast<std::size_t>(tokenCount);
    return attention.data() + ((static_cast<std::size_t>(layer) * heads + head) * t + row) * t;
}

std::string InspectResult::toJsonText() const {
    json object;
    object["ids"] = ids;
    object["tokens"] = tokens;
    object["mask"] = maskModeName(mask.mode);
    object["lambda"] = std::isinf(mask.lambda) ? json(nullptr) : json(mask.lambda);
    object["mask_from_layer"] = mask.fromLayer;
    if (!attention.empty())
        object["attention"] = nested(attention.data(), {layers, heads, tokenCount, tokenCount});
    if (!hidden.empty())
        object["hidden"] = nested(hidden.data(), {tokenCount, hiddenSize});
    if (!logits.empty())
        object["logits"] = nested(logits.data(), {tokenCount, vocabSize});
    if (hasPrediction) {
        const int classes = static_cast<int>(labels.size());
        json prediction;
        prediction["task"] = taskKindName(task);
        prediction["labels"] = labels;
        if (task == TaskKind::Sequence)
            prediction["probabilities"] = nested(probabilities.data(), {classes});
        else
            prediction["probabilities"] = nested(probabilities.data(), {tokenCount, classes});
        object["prediction"] = prediction;
    }
    return object.dump() + "\n";
}

} // namespace fsllm
