#include "weightloader.h"

#include "checkpointshapes.h"
#include "fsllmerror.h"
#include "safetensorswriter.h"
#include "tensorutil.h"

#include <map>

namespace fsllm {

namespace {

// The decoder's base parameters by name (LoRA adapters are not base weights).
std::map<std::string, torch::Tensor> baseParameters(DecoderImpl& decoder) {
    std::map<std::string, torch::Tensor> parameters;
    for (auto& item : decoder.named_parameters(/*recurse=*/true))
        if (item.key().find("lora_A") == std::string::npos &&
            item.key().find("lora_B") == std::string::npos)
            parameters.emplace(item.key(), item.value());
    return parameters;
}

// The tensor list and the decoder must agree one to one; a mismatch is a bug in the seam.
torch::Tensor& parameterOf(std::map<std::string, torch::Tensor>& parameters,
                           const CheckpointShapes::Tensor& tensor) {
    const auto it = parameters.find(tensor.parameter);
    if (it == parameters.end())
        throw FsllmError("internal error: the decoder has no parameter '" + tensor.parameter +
                         "' for checkpoint tensor '" + tensor.name + "'");
    return it->second;
}

} // namespace

void WeightLoader::load(DecoderImpl& decoder, const CheckpointIndex& checkpoint,
                        WeightLoadStats* stats, const LoadProgress& progress) {
    WeightLoadStats counted;
    torch::NoGradGuard noGrad;
    const ModelConfig& config = decoder.config();
    // Layer count, every implied tensor and shape, and nothing the family does not use.
    CheckpointShapes::check(config, checkpoint, checkpoint.directory() + "/config.json");
    const std::vector<CheckpointShapes::Tensor> tensors = CheckpointShapes::expected(config);
    auto parameters = baseParameters(decoder);
    if (parameters.size() != tensors.size())
        throw FsllmError("internal error: the decoder has " + std::to_string(parameters.size()) +
                         " base parameters but the " + config.modelType + " layout lists " +
                         std::to_string(tensors.size()));
    std::int64_t bytesTotal = 0, bytesDone = 0;
    for (const CheckpointShapes::Tensor& tensor : tensors)
        bytesTotal += static_cast<std::int64_t>(checkpoint.tensor(tensor.name).byteSize);
    const auto report = [&] {
        if (progress && !progress(bytesDone, bytesTotal))
            throw LoadCancelled(checkpoint.directory());
    };
    report();
    for (const CheckpointShapes::Tensor& tensor : tensors) {
        torch::Tensor& parameter = parameterOf(parameters, tensor);
        const TensorView& view = checkpoint.tensor(tensor.name);
        const std::vector<std::int64_t> expected(parameter.sizes().begin(), parameter.sizes().end());
        if (view.shape != expected)
            throw FsllmError(checkpoint.directory() + ": tensor '" + tensor.name + "' has shape " +
                             shapeString(view.shape) + " but config.json implies " +
                             shapeString(expected) + "; the checkpoint and config.json disagree");
        torch::Tensor shared;
        if (parameter.device().is_cpu() && scalarTypeOf(view.dtype) == parameter.scalar_type())
            shared = tensorSharingView(view);
        if (shared.defined()) {
            parameter.set_data(shared);
            counted.sharedBytes += static_cast<std::int64_t>(view.byteSize);
        } else {
            parameter.set_data(tensorFromView(view, parameter.scalar_type(), parameter.device()));
            counted.copiedBytes += static_cast<std::int64_t>(view.byteSize);
        }
        bytesDone += static_cast<std::int64_t>(view.byteSize);
        report();
    }
    if (stats)
        *stats = counted;
}

void WeightLoader::save(DecoderImpl& decoder, const std::string& safetensorsPath,
                        c10::optional<torch::ScalarType> dtype) {
    auto parameters = baseParameters(decoder);
    SafetensorsWriter writer;
    for (const CheckpointShapes::Tensor& tensor : CheckpointShapes::expected(decoder.config())) {
        const torch::Tensor& parameter = parameterOf(parameters, tensor);
        addTensor(writer, tensor.name, dtype ? parameter.to(*dtype) : parameter);
    }
    writer.setMetadata("format", "pt");
    writer.write(safetensorsPath);
}

} // namespace fsllm
