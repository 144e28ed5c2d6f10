// Everything that defines a fine-tuning run, saved resolved as `run.json` in the run folder
// (`fsllm train --config run.json` reads it back). Paper defaults (docs/design.md §2): LoRA rank 8,
// alpha 32, dropout 0.1, learning rate 2e-4, batch 16. No torch; plain value type.
#pragma once

#include "classifierspec.h"
#include "datareader.h"
#include "maskspec.h"

#include <string>

namespace fsllm {

struct TrainingConfig {
    // Data and model
    std::string modelDir;
    std::string trainFile;
    std::string devFile;
    DataReadOptions data; // format, task, columns (data.task is the run's task)
    std::string outDir;

    // Method
    std::string method = "lora"; // "lora" (fine-tuned) | "zeroshot" (the paper's w/o LS)
    MaskSpec mask{MaskMode::Decay, 0.5};
    Pooling pooling = Pooling::Last;
    HeadKind head = HeadKind::Fs;
    int headInner = 0; // 0 = hidden size

    // LoRA
    int loraRank = 8;
    double loraAlpha = 32.0;
    double loraDropout = 0.1;
    std::string loraTargets = "q,k,v,o";

    // Optimisation
    double learningRate = 2e-4;
    double weightDecay = 0.01; // AdamW, decoupled
    int batchSize = 16;
    int gradAccum = 1;
    int epochs = 3;
    int maxLength = 128;             // tokens, BOS included; longer examples are truncated
    double warmupRatio = 0.06;       // of the total optimizer steps
    std::string schedule = "linear"; // "linear" | "cosine" decay after warm-up
    double maxGradNorm = 1.0;        // 0 = no clipping
    int evalEvery = 0;               // optimizer steps; 0 = at each epoch's end only
    int logEvery = 10;               // optimizer steps between metrics.jsonl step lines
    int earlyStopPatience = 0;       // evaluations without improvement; 0 = never stop early
    int seed = 42;
    // Activation checkpointing: recompute each decoder layer in backward (about a third more
    // compute, activations of one layer instead of all). Same results.
    bool gradientCheckpointing = false;

    // Runtime
    std::string device = "auto";
    std::string dtype = "auto";
    int threads = 0;
    // Processes of a data-parallel run (WORLD_SIZE; 1 = this process alone). Written into
    // run.json for the record; the environment, not this field, decides when training.
    int worldSize = 1;

    TaskKind task() const { return data.task; }

    // Throws FsllmError("<field>: <problem>") for any out-of-range value or missing path.
    void validate() const;
    std::string toJsonText() const;
    static TrainingConfig fromJsonText(const std::string& text, const std::string& sourceName);
    static TrainingConfig load(const std::string& path);
    static constexpr const char* kFileName = "run.json";
};

} // namespace fsllm
