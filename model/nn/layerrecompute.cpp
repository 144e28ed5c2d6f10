#include "layerrecompute.h"

#include <ATen/Context.h>

#include <cstdint>
#include <vector>

namespace fsllm {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Saved-data keys of the autograd context.
constexpr const char* kLayer = "layer";
constexpr const char* kRandomState = "random_state";

at::Generator generatorOf(const torch::Device& device) {
    return at::globalContext().defaultGenerator(device);
}

// The custom autograd function. Inputs: x, cos, sin, bias, the layer's address, then every
// trainable parameter of the layer (so that the output requires grad even when x does not, as for
// the first layer whose input comes from frozen embeddings).
struct RecomputedLayer : torch::autograd::Function<RecomputedLayer> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& cos, const torch::Tensor& sin,
                                 const torch::Tensor& bias, std::int64_t layerAddress,
                                 torch::TensorList /*trainable*/) {
        auto* layer = reinterpret_cast<DecoderLayerImpl*>(layerAddress);
        at::Generator generator = generatorOf(x.device());
        {
            std::lock_guard<std::mutex> lock(generator.mutex());
            ctx->saved_data[kRandomState] = generator.get_state();
        }
        ctx->saved_data[kLayer] = layerAddress;
        ctx->save_for_backward({x, cos, sin, bias});
        return layer->forward(x, cos, sin, bias, nullptr); // grad mode is off here
    }

    static variable_list backward(AutogradContext* ctx, variable_list gradOutputs) {
        auto* layer = reinterpret_cast<DecoderLayerImpl*>(ctx->saved_data[kLayer].toInt());
        const variable_list saved = ctx->get_saved_variables();
        const torch::Tensor input = saved[0].detach().requires_grad_(saved[0].requires_grad());

        std::vector<torch::Tensor> trainable;
        for (const auto& parameter : layer->parameters())
            if (parameter.requires_grad())
                trainable.push_back(parameter);

        // Replay the forward's random numbers, then give the generator its state back.
        at::Generator generator = generatorOf(input.device());
        torch::Tensor current;
        {
            std::lock_guard<std::mutex> lock(generator.mutex());
            current = generator.get_state();
            generator.set_state(ctx->saved_data[kRandomState].toTensor());
        }
        torch::Tensor output;
        {
            torch::AutoGradMode enable(true);
            output = layer->forward(input, saved[1], saved[2], saved[3], nullptr);
        }
        {
            std::lock_guard<std::mutex> lock(generator.mutex());
            generator.set_state(current);
        }

        std::vector<torch::Tensor> wrt = trainable;
        if (input.requires_grad())
            wrt.insert(wrt.begin(), input);
        const variable_list grads = torch::autograd::grad(
            {output}, wrt, {gradOutputs[0]}, /*retain_graph=*/false, /*create_graph=*/false,
            /*allow_unused=*/true);

        // One gradient per forward input: x, cos, sin, bias, address, then each parameter.
        variable_list result(5 + trainable.size());
        const std::size_t first = input.requires_grad() ? 1 : 0;
        if (input.requires_grad())
            result[0] = grads[0];
        for (std::size_t i = 0; i < trainable.size(); ++i)
            result[5 + i] = grads[first + i];
        return result;
    }
};

} // namespace

torch::Tensor LayerRecompute::forward(DecoderLayerImpl& layer, const torch::Tensor& x,
                                      const torch::Tensor& cos, const torch::Tensor& sin,
                                      const torch::Tensor& bias) {
    std::vector<torch::Tensor> trainable;
    for (const auto& parameter : layer.parameters())
        if (parameter.requires_grad())
            trainable.push_back(parameter);
    return RecomputedLayer::apply(x, cos, sin, bias, reinterpret_cast<std::int64_t>(&layer),
                                  torch::TensorList(trainable));
}

} // namespace fsllm
