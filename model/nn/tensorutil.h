// Conversions between the torch-free file layer (DType, TensorView, SafetensorsWriter) and torch
// tensors. Thread-safe: pure functions.
#pragma once

#include "safetensorsfile.h"
#include "safetensorswriter.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace fsllm {

torch::ScalarType scalarTypeOf(DType dtype);
// Throws FsllmError for dtypes safetensors files here cannot hold (only f32, f16, bf16).
DType dtypeOf(torch::ScalarType type);

// Copies a mapped tensor into an owned tensor of `type` on `device` (the mapping is not kept).
torch::Tensor tensorFromView(const TensorView& view, torch::ScalarType type,
                             const torch::Device& device = torch::kCPU);

// A CPU tensor of the view's own dtype that uses the mapped bytes in place (no copy) and keeps
// the mapping alive while it lives. Returns an undefined tensor when the bytes are not aligned to
// the element size (the caller then copies with tensorFromView). The memory is read-only: write
// to the result (in-place ops) and the process faults; use it for frozen weights only.
torch::Tensor tensorSharingView(const TensorView& view);

// Adds a tensor (any device, contiguous or not) to a writer in the tensor's own dtype.
void addTensor(SafetensorsWriter& writer, const std::string& name, const torch::Tensor& tensor);

// "[2, 64]" for messages.
std::string shapeString(at::IntArrayRef shape);
std::string shapeString(const std::vector<std::int64_t>& shape);

// "float32" / "bfloat16" / "float16" -> scalar type; throws FsllmError otherwise.
torch::ScalarType scalarTypeFromName(const std::string& name);
std::string scalarTypeName(torch::ScalarType type);

} // namespace fsllm
