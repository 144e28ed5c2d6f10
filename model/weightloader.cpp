#include "weightloader.h"

#include "fsllmerror.h"
#include "safetensorswriter.h"
#include "tensorutil.h"

#include <set>

namespace fsllm {

namespace {

bool isLoraParameter(const std::string& name) {
    return name.find("lora_A") != std::string::npos || name.find("lora_B") != std::string::npos;
}

} // namespace

std::string WeightLoader::checkpointName(const std::string& parameterName) {
    if (parameterName == "lm_head.weight")
        return parameterName;
    return "model." + parameterName;
}

std::vector<std::string> WeightLoader::load(DecoderImpl& decoder,
                                            const CheckpointIndex& checkpoint,
                                            WeightLoadStats* stats) {
    WeightLoadStats counted;
    torch::NoGradGuard noGrad;
    std::set<std::string> used;
    for (auto& item : decoder.named_parameters(/*recurse=*/true)) {
        if (isLoraParameter(item.key()))
            continue;
        const std::string name = checkpointName(item.key());
        auto& parameter = item.value();
        if (!checkpoint.contains(name))
            throw FsllmError(checkpoint.directory() + ": tensor '" + name +
                             "' is missing; config.json describes a model that needs it "
                             "(is this the right checkpoint for this config?)");
        const TensorView& view = checkpoint.tensor(name);
        const std::vector<std::int64_t> expected(parameter.sizes().begin(), parameter.sizes().end());
        if (view.shape != expected)
            throw FsllmError(checkpoint.directory() + ": tensor '" + name + "' has shape " +
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
        used.insert(name);
    }
    if (stats)
        *stats = counted;
    std::vector<std::string> unused;
    for (const auto& name : checkpoint.names())
        if (!used.count(name))
            unused.push_back(name);
    return unused;
}

void WeightLoader::save(DecoderImpl& decoder, const std::string& safetensorsPath,
                        c10::optional<torch::ScalarType> dtype) {
    SafetensorsWriter writer;
    for (const auto& item : decoder.named_parameters(/*recurse=*/true))
        if (!isLoraParameter(item.key()))
            addTensor(writer, checkpointName(item.key()),
                      dtype ? item.value().to(*dtype) : item.value());
    writer.setMetadata("format", "pt");
    writer.write(safetensorsPath);
}

} // namespace fsllm
