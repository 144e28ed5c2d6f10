// `fsllm bench-checkpoint`: what a big checkpoint costs on this machine. Streams a random
// LLaMA-shaped checkpoint of a given shape to disk (tensor by tensor, never the whole model in
// memory; reused when the folder already holds one of that shape), then measures reading its
// headers, loading it, an inspection forward with attention maps, and LoRA training steps with
// and without activation checkpointing: time, tokens/s, share of the measured matmul peak, and
// memory (peak resident, private vs mapped) beside MemoryEstimate's prediction.
// A benchmark, not a test: it prints figures. Thread-safety: one at a time (global torch state).
#pragma once

#include <functional>
#include <string>

namespace fsllm {

struct CheckpointBenchmarkOptions {
    std::string directory;     // checkpoint folder to write (or reuse)
    int layers = 32;           // LLaMA-2-7B shape by default
    int hidden = 4096;
    int heads = 32;
    int kvHeads = 32;
    int intermediate = 11008;
    int vocab = 32000;
    std::string dtype = "bfloat16"; // stored and compute dtype
    int batch = 1;
    int seqLen = 64;
    int steps = 2;             // timed training steps per mode (after one warm-up step)
    int loraRank = 8;
    int threads = 0;

    // "7b" (LLaMA-2-7B), "1b" (TinyLlama-1.1B), "tiny" (2 layers, D=64); FsllmError otherwise.
    void applyPreset(const std::string& name);
};

class CheckpointBenchmark {
public:
    // Returns the report text; `progress` gets one line per phase. Throws FsllmError for bad
    // options, an unwritable folder or a folder holding another model.
    static std::string run(const CheckpointBenchmarkOptions& options,
                           const std::function<void(const std::string&)>& progress = {});
};

} // namespace fsllm
