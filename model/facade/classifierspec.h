// What turns a decoder into a classifier, saved beside the PEFT adapter as `classifier.json`:
// task, label names, head kind and size, pooling, and the attention mask it was trained with.
// Plain value type, no torch; thread-safe to copy.
#pragma once

#include "maskspec.h"

#include <string>
#include <vector>

namespace fsllm {

enum class TaskKind { Sequence, Token };

TaskKind taskKindFromName(const std::string& name); // "seq" | "token"
const char* taskKindName(TaskKind kind);

enum class HeadKind { Fs, Linear };
enum class Pooling { Last, Mean, Max };

HeadKind headKindFromName(const std::string& name); // "fs" | "linear"
const char* headKindName(HeadKind kind);
Pooling poolingFromName(const std::string& name); // "last" | "mean" | "max"
const char* poolingName(Pooling pooling);

struct ClassifierSpec {
    TaskKind task = TaskKind::Sequence;
    std::vector<std::string> labels; // index = class id
    HeadKind head = HeadKind::Fs;
    int headInner = 0;               // SwiGLU width; 0 = hidden size
    Pooling pooling = Pooling::Last; // sequence tasks
    MaskSpec mask;

    static constexpr const char* kFileName = "classifier.json";
    // The adapter weights saved beside it (AdapterConfig::kWeightsFile).
    static constexpr const char* kWeightsFile = "adapter_model.safetensors";
    static constexpr int kMaxHeadInner = 1 << 16;
    static constexpr int kMaxMaskFromLayer = 1 << 16;

    std::string toJsonText() const;
    // Throws FsllmError("<sourceName>: field '<name>': ...") for any missing or wrong field.
    static ClassifierSpec fromJsonText(const std::string& text, const std::string& sourceName);
    void save(const std::string& directory) const; // atomic
    // Reads <directory>/classifier.json; when adapter_model.safetensors is beside it, the label
    // count and head_inner must match its head tensors (checked before any head is built).
    static ClassifierSpec load(const std::string& directory);
};

} // namespace fsllm
