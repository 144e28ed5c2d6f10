#include "attentionscale.h"

#include <QObject>

#include <algorithm>
#include <cmath>

namespace fsllm {

QString AttentionScaling::name(AttentionScale scale) {
    switch (scale) {
    case AttentionScale::Global:
        return QObject::tr("global");
    case AttentionScale::PerRow:
        return QObject::tr("per row");
    case AttentionScale::Log:
        return QObject::tr("log10");
    }
    return {};
}

std::vector<float> AttentionScaling::apply(const std::vector<float>& values, int tokenCount,
                                           AttentionScale scale) {
    std::vector<float> out = values;
    const std::size_t t = std::size_t(std::max(tokenCount, 0));
    if (out.size() != t * t)
        return out;
    if (scale == AttentionScale::PerRow) {
        for (std::size_t row = 0; row < t; ++row) {
            float* begin = out.data() + row * t;
            float top = 0.0f;
            for (std::size_t col = 0; col < t; ++col)
                if (std::isfinite(begin[col]))
                    top = std::max(top, begin[col]);
            if (top > 0.0f)
                for (std::size_t col = 0; col < t; ++col)
                    begin[col] /= top;
        }
    } else if (scale == AttentionScale::Log) {
        for (float& v : out)
            v = std::log10(std::max(std::isfinite(v) ? v : 0.0f, kLogFloor));
    }
    return out;
}

float AttentionScaling::maximum(const std::vector<float>& values) {
    float top = 0.0f;
    for (float v : values)
        if (std::isfinite(v))
            top = std::max(top, v);
    return top;
}

} // namespace fsllm
