#include "maskspec.h"

#include "fsllmerror.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace fsllm {

void MaskSpec::validate() const {
    if (fromLayer < 0)
        throw FsllmError("the mask's first layer must be >= 0 (0 = every layer), got " +
                         std::to_string(fromLayer));
    if (mode != MaskMode::Decay)
        return;
    if (std::isnan(lambda) || lambda < 0.0)
        throw FsllmError("lambda must be a number >= 0 (0 = bidirectional, larger = closer to "
                         "causal), got " + std::to_string(lambda));
}

double MaskSpec::futureBias(int distance) const {
    switch (mode) {
    case MaskMode::Causal:
        return -std::numeric_limits<double>::infinity();
    case MaskMode::Bidirectional:
        return 0.0;
    case MaskMode::Decay:
        if (std::isinf(lambda))
            return -std::numeric_limits<double>::infinity();
        return -lambda * static_cast<double>(distance);
    }
    return 0.0;
}

void MaskSpec::validateFor(int layerCount) const {
    validate();
    if (fromLayer >= layerCount && mode != MaskMode::Causal)
        throw FsllmError("the " + std::string(maskModeName(mode)) + " mask starts at layer " +
                         std::to_string(fromLayer) + " (mask_from_layer) but the model has " +
                         std::to_string(layerCount) + " decoder layers (0.." +
                         std::to_string(layerCount - 1) + "); choose a first layer below " +
                         std::to_string(layerCount));
}

MaskSpec MaskSpec::atLayer(int layer) const {
    if (layer < fromLayer)
        return MaskSpec{};
    MaskSpec spec = *this;
    spec.fromLayer = 0;
    return spec;
}

std::string MaskSpec::describe() const {
    std::ostringstream out;
    if (mode == MaskMode::Decay)
        out << "decay(lambda=" << lambda << ")";
    else
        out << maskModeName(mode);
    if (fromLayer > 0 && mode != MaskMode::Causal)
        out << " from layer " << fromLayer;
    return out.str();
}

MaskMode maskModeFromName(const std::string& name) {
    if (name == "causal")
        return MaskMode::Causal;
    if (name == "bidirectional")
        return MaskMode::Bidirectional;
    if (name == "decay")
        return MaskMode::Decay;
    throw FsllmError("unknown mask mode '" + name +
                     "'; choose one of: causal, bidirectional, decay");
}

const char* maskModeName(MaskMode mode) {
    switch (mode) {
    case MaskMode::Causal:
        return "causal";
    case MaskMode::Bidirectional:
        return "bidirectional";
    case MaskMode::Decay:
        return "decay";
    }
    return "causal";
}

std::vector<float> maskMatrix(int tokenCount, const MaskSpec& spec) {
    const auto t = static_cast<std::size_t>(tokenCount);
    std::vector<float> matrix(t * t, 0.0f);
    for (std::size_t i = 0; i < t; ++i)
        for (std::size_t j = i + 1; j < t; ++j)
            matrix[i * t + j] = static_cast<float>(spec.futureBias(static_cast<int>(j - i)));
    return matrix;
}

} // namespace fsllm
