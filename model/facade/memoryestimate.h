// How much memory a LoRA training run (or inspection) of a model will need, from config.json's
// sizes alone (no weights read), so that `fsllm info`, `fsllm train` and the studio's Train form
// can warn before a run that cannot fit. An estimate: it counts the tensors this engine keeps
// (frozen weights, LoRA + head parameters with gradients and AdamW moments, the activations
// autograd saves per token and layer); `fsllm bench-checkpoint` prints it beside the measured
// peak. No torch. Plain value types.
#pragma once

#include "modelconfig.h"
#include "trainingconfig.h"

#include <string>

namespace fsllm {

struct MemoryEstimateInput {
    ModelConfig config;
    int storedBytes = 2;        // bytes per weight element in the checkpoint files
    int computeBytes = 2;       // bytes per element of the compute dtype (bf16 2, f32 4)
    bool onCpu = true;          // weights stored in the compute dtype are used in place on CPU
    int loraRank = 8;
    std::string loraTargets = "q,k,v,o"; // as --lora-targets
    double loraDropout = 0.1;
    bool fsHead = true;         // the paper's head (RMSNorm + SwiGLU) or a linear one
    int headInner = 0;          // 0 = hidden size
    int numLabels = 2;
    int batch = 16;             // examples per optimizer step (one micro-batch)
    int length = 128;           // tokens per example (max length)
};

struct MemoryEstimate {
    double weightsMiB = 0.0;         // frozen base weights in the compute dtype
    bool weightsMapped = false;      // used in place from the file (page cache, not private)
    double trainableMiB = 0.0;       // LoRA + head: f32 values, gradients, two AdamW moments
    double stepTemporaryMiB = 0.0;   // AdamW's per-tensor temporaries (largest trainable x 2)
    double activationsMiB = 0.0;     // what backward needs, every layer kept
    double activationsRecomputeMiB = 0.0; // with --gradient-checkpointing
    double inspectMiB = 0.0;         // attention maps of one sentence of `length` tokens

    double trainingMiB(bool gradientCheckpointing) const;
    // A few lines for `fsllm info` / `fsllm train`; with a warning line when the training
    // total exceeds `ramMiB` (skip the check with ramMiB <= 0).
    std::string toText(long ramMiB) const;
    // Throws FsllmError naming the field for a non-positive size or an unknown LoRA target.
    static MemoryEstimate estimate(const MemoryEstimateInput& input);
    // The input for a training run: sizes from `model`, the rest from `run` (dtype "auto"
    // means config.json's torch_dtype, float16 computed as float32 on the CPU).
    static MemoryEstimateInput inputFor(const TrainingConfig& run, const ModelConfig& model,
                                        int numLabels);
};

} // namespace fsllm
