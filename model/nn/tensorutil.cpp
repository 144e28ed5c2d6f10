#include "tensorutil.h"

#include "fsllmerror.h"

#include <cstdint>
#include <memory>
#include <sstream>

namespace fsllm {

torch::ScalarType scalarTypeOf(DType dtype) {
    switch (dtype) {
    case DType::F32:
        return torch::kFloat32;
    case DType::F16:
        return torch::kFloat16;
    case DType::BF16:
        return torch::kBFloat16;
    }
    return torch::kFloat32;
}

DType dtypeOf(torch::ScalarType type) {
    switch (type) {
    case torch::kFloat32:
        return DType::F32;
    case torch::kFloat16:
        return DType::F16;
    case torch::kBFloat16:
        return DType::BF16;
    default:
        throw FsllmError(std::string("cannot store tensors of type ") +
                         c10::toString(type) + "; use float32, float16 or bfloat16");
    }
}

torch::Tensor tensorFromView(const TensorView& view, torch::ScalarType type,
                             const torch::Device& device) {
    // from_blob does not copy; the .to(...)/.clone() below does, so the result owns its memory.
    auto source = torch::from_blob(const_cast<std::uint8_t*>(view.data), view.shape,
                                   torch::TensorOptions().dtype(scalarTypeOf(view.dtype)));
    auto owned = source.to(device, type, /*non_blocking=*/false, /*copy=*/true);
    return owned.contiguous();
}

torch::Tensor tensorSharingView(const TensorView& view) {
    if (!view.mapping || reinterpret_cast<std::uintptr_t>(view.data) % dtypeSize(view.dtype) != 0)
        return {};
    std::shared_ptr<const void> mapping = view.mapping;
    return torch::from_blob(const_cast<std::uint8_t*>(view.data), view.shape,
                            [mapping](void*) mutable { mapping.reset(); },
                            torch::TensorOptions().dtype(scalarTypeOf(view.dtype)));
}

void addTensor(SafetensorsWriter& writer, const std::string& name, const torch::Tensor& tensor) {
    auto cpu = tensor.detach().to(torch::kCPU).contiguous();
    std::vector<std::int64_t> shape(cpu.sizes().begin(), cpu.sizes().end());
    writer.add(name, dtypeOf(cpu.scalar_type()), shape, cpu.data_ptr(),
               static_cast<std::size_t>(cpu.numel()) * cpu.element_size());
}

std::string shapeString(at::IntArrayRef shape) {
    return shapeString(std::vector<std::int64_t>(shape.begin(), shape.end()));
}

std::string shapeString(const std::vector<std::int64_t>& shape) {
    std::ostringstream out;
    out << "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        out << (i ? ", " : "") << shape[i];
    out << "]";
    return out.str();
}

torch::ScalarType scalarTypeFromName(const std::string& name) {
    if (name == "float32" || name == "f32" || name == "fp32")
        return torch::kFloat32;
    if (name == "bfloat16" || name == "bf16")
        return torch::kBFloat16;
    if (name == "float16" || name == "f16" || name == "fp16")
        return torch::kFloat16;
    throw FsllmError("unknown dtype '" + name + "'; choose float32, bfloat16 or float16");
}

std::string scalarTypeName(torch::ScalarType type) {
    switch (type) {
    case torch::kFloat32:
        return "float32";
    case torch::kBFloat16:
        return "bfloat16";
    case torch::kFloat16:
        return "float16";
    default:
        return c10::toString(type);
    }
}

} // namespace fsllm
