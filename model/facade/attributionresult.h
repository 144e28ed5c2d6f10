// One sentence's token attribution for the classifier's predicted class under one mask (the
// Engine::attribute contract, shown by the studio's Inspect tab). Plain value type, no torch.
// Score f = the predicted class's logit (the head's output before the softmax): the sentence's
// class for sequence classifiers, the tag of token `tokenIndex` for token classifiers.
// Baseline x' = every token embedding zeroed except the first (BOS), so BOS gets 0.
#pragma once

#include "maskspec.h"

#include <string>
#include <vector>

namespace fsllm {

struct AttributionResult {
    std::vector<std::string> tokens; // [T] sentencepiece pieces, BOS first
    MaskSpec mask;
    int tokenIndex = -1;   // token classifiers: the token whose tag is attributed; else -1
    int labelIndex = -1;   // the predicted class (or that token's tag) under `mask`
    std::string label;
    double probability = 0.0;        // of that class under `mask`
    std::vector<float> gradientTimesInput;   // [T] sum_d x * df/dx
    std::vector<float> integratedGradients;  // [T] sums to ~ inputScore - baselineScore
    double inputScore = 0.0;    // f(x)
    double baselineScore = 0.0; // f(x')
    int steps = 0;              // integrated-gradients interpolation points (midpoint rule)
    bool cancelled = false;     // the request's cancel() said stop: the vectors are empty
};

} // namespace fsllm
