#include "weightloader.h"

#include "checkpointshapes.h"
#include "fsllmerror.h"
#include "safetensorswriter.h"
#include "tensorutil.h"

#include <map>
#include <set>

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

// Rows [offset, offset + rows) of a row-major view (a fused tensor's block), still a view.
TensorView rowsOf(const TensorView& view, std::int64_t offset, std::int64_t rows) {
    TensorView part = view;
    const std::size_t rowBytes =
        view.shape.front() > 0 ? view.byteSize / static_cast<std::size_t>(view.shape.front()) : 0;
    part.shape.front() = rows;
    part.data = view.data + static_cast<std::size_t>(offset) * rowBytes;
    part.byteSize = static_cast<std::size_t>(rows) * rowBytes;
    return part;
}

// Packs q, k, v (and gate, up) of every layer into one buffer each, for the fused matmul
// (FusedProjection), unless a part is used in place from the file mapping (`mapped`): packing it
// would copy it into private memory.
void packCopiedProjections(DecoderImpl& decoder, const std::set<const c10::TensorImpl*>& mapped) {
    const auto anyMapped = [&](const std::vector<LoraLinear>& parts) {
        for (const auto& part : parts)
            if (mapped.count(part->weight.unsafeGetTensorImpl()) ||
                (part->bias.defined() && mapped.count(part->bias.unsafeGetTensorImpl())))
                return true;
        return false;
    };
    for (const auto& module : *decoder.layers) {
        auto& layer = *module->as<DecoderLayerImpl>();
        auto& attention = *layer.selfAttn;
        if (!anyMapped({attention.qProj, attention.kProj, attention.vProj}))
            attention.qkvProjection().pack();
        auto& mlp = *layer.mlp;
        if (!anyMapped({mlp.gateProj, mlp.upProj}))
            mlp.gateUpProjection().pack();
    }
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
    // A fused tensor's parts count their own rows, so the total is each stored byte once.
    const auto partOf = [&](const CheckpointShapes::Tensor& tensor) {
        const TensorView& view = checkpoint.tensor(tensor.name);
        return tensor.fused() ? rowsOf(view, tensor.rowOffset, tensor.rows) : view;
    };
    std::int64_t bytesTotal = 0, bytesDone = 0;
    for (const CheckpointShapes::Tensor& tensor : tensors)
        bytesTotal += static_cast<std::int64_t>(partOf(tensor).byteSize);
    const auto report = [&] {
        if (progress && !progress(bytesDone, bytesTotal))
            throw LoadCancelled(checkpoint.directory());
    };
    report();
    std::set<const c10::TensorImpl*> mapped; // parameters used in place from the file
    for (const CheckpointShapes::Tensor& tensor : tensors) {
        torch::Tensor& parameter = parameterOf(parameters, tensor);
        const std::vector<std::int64_t> sizes(parameter.sizes().begin(), parameter.sizes().end());
        if (sizes != tensor.parameterShape())
            throw FsllmError("internal error: parameter '" + tensor.parameter + "' has shape " +
                             shapeString(sizes) + " but the layout lists " +
                             shapeString(tensor.parameterShape()));
        const TensorView& whole = checkpoint.tensor(tensor.name);
        if (whole.shape != tensor.shape)
            throw FsllmError(checkpoint.directory() + ": tensor '" + tensor.name + "' has shape " +
                             shapeString(whole.shape) + " but config.json implies " +
                             shapeString(tensor.shape) +
                             "; the checkpoint and config.json disagree");
        const TensorView view = partOf(tensor);
        torch::Tensor shared;
        if (parameter.device().is_cpu() && scalarTypeOf(view.dtype) == parameter.scalar_type())
            shared = tensorSharingView(view);
        if (shared.defined()) {
            parameter.set_data(shared);
            mapped.insert(parameter.unsafeGetTensorImpl());
            counted.sharedBytes += static_cast<std::int64_t>(view.byteSize);
        } else {
            parameter.set_data(tensorFromView(view, parameter.scalar_type(), parameter.device()));
            counted.copiedBytes += static_cast<std::int64_t>(view.byteSize);
        }
        bytesDone += static_cast<std::int64_t>(view.byteSize);
        report();
    }
    packCopiedProjections(decoder, mapped);
    if (stats)
        *stats = counted;
}

void WeightLoader::save(DecoderImpl& decoder, const std::string& safetensorsPath,
                        c10::optional<torch::ScalarType> dtype) {
    auto parameters = baseParameters(decoder);
    SafetensorsWriter writer;
    const auto tensors = CheckpointShapes::expected(decoder.config());
    for (std::size_t i = 0; i < tensors.size();) {
        // The parts of a fused tensor are consecutive, in row order: concatenated again.
        std::vector<torch::Tensor> parts;
        std::size_t next = i;
        do
            parts.push_back(parameterOf(parameters, tensors[next]));
        while (++next < tensors.size() && tensors[next].fused() &&
               tensors[next].name == tensors[i].name);
        const torch::Tensor whole = parts.size() == 1 ? parts.front() : torch::cat(parts, 0);
        addTensor(writer, tensors[i].name, dtype ? whole.to(*dtype) : whole);
        i = next;
    }
    writer.setMetadata("format", "pt");
    writer.write(safetensorsPath);
}

} // namespace fsllm
