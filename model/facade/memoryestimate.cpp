#include "memoryestimate.h"

#include "computedtypechoice.h"
#include "fsllmerror.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

namespace fsllm {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kF32 = 4.0;

struct Projection {
    double in = 0.0, out = 0.0;
};

// The input and output sizes of a LoRA target of one decoder layer.
Projection projectionOf(const std::string& target, const ModelConfig& c) {
    const double d = c.hiddenSize, f = c.intermediateSize;
    const double q = static_cast<double>(c.numHeads) * c.headDim;
    const double kv = static_cast<double>(c.numKvHeads) * c.headDim;
    if (target == "q")
        return {d, q};
    if (target == "k" || target == "v")
        return {d, kv};
    if (target == "o")
        return {q, d};
    if (target == "gate" || target == "up")
        return {d, f};
    if (target == "down")
        return {f, d};
    throw FsllmError("lora_targets: unknown target '" + target +
                     "'; use q, k, v, o, gate, up, down");
}

std::vector<std::string> splitTargets(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream stream(text);
    std::string part;
    while (std::getline(stream, part, ','))
        if (!part.empty())
            parts.push_back(part);
    return parts;
}

std::string mib(double value) {
    char text[32];
    if (value >= 1024.0)
        std::snprintf(text, sizeof text, "%.1f GiB", value / 1024.0);
    else
        std::snprintf(text, sizeof text, "%.0f MiB", value);
    return text;
}

// Base parameters of a LLaMA-shaped model (the same count CheckpointShapes expects).
double baseParameters(const ModelConfig& c) {
    const double d = c.hiddenSize, f = c.intermediateSize, layers = c.numLayers;
    const double heads = c.numHeads, kvHeads = c.numKvHeads, headDim = c.headDim;
    const double perLayer = d * heads * headDim * 2 + d * kvHeads * headDim * 2 + 3 * d * f + 2 * d;
    const double embeddings = static_cast<double>(c.vocabSize) * d * (c.tieWordEmbeddings ? 1 : 2);
    return layers * perLayer + embeddings + d;
}

} // namespace

double MemoryEstimate::trainingMiB(bool gradientCheckpointing) const {
    return weightsMiB + trainableMiB + stepTemporaryMiB +
           (gradientCheckpointing ? activationsRecomputeMiB : activationsMiB);
}

std::string MemoryEstimate::toText(long ramMiB) const {
    std::ostringstream out;
    out << "weights " << mib(weightsMiB)
        << (weightsMapped ? " (used in place from the file)" : "") << ", LoRA + head + AdamW "
        << mib(trainableMiB + stepTemporaryMiB) << ", activations " << mib(activationsMiB) << " ("
        << mib(activationsRecomputeMiB) << " with --gradient-checkpointing)\n"
        << "training needs about " << mib(trainingMiB(false)) << " ("
        << mib(trainingMiB(true)) << " with --gradient-checkpointing); inspecting "
        << mib(weightsMiB + inspectMiB);
    if (ramMiB > 0) {
        out << "; this machine has " << mib(static_cast<double>(ramMiB)) << " of RAM";
        if (trainingMiB(true) > ramMiB)
            out << "\nwarning: training does not fit in RAM even with --gradient-checkpointing; "
                   "use a smaller --batch-size or --max-length, bfloat16, or a bigger machine";
        else if (trainingMiB(false) > ramMiB)
            out << "\nwarning: training does not fit in RAM at this batch size and length; add "
                   "--gradient-checkpointing or use a smaller --batch-size or --max-length";
    }
    return out.str();
}

MemoryEstimateInput MemoryEstimate::inputFor(const TrainingConfig& run, const ModelConfig& model,
                                             int numLabels) {
    auto bytesOf = [](const std::string& name) { return name == "float32" ? 4 : 2; };
    MemoryEstimateInput input;
    input.config = model;
    input.onCpu = run.device == "cpu" || run.device == "auto"; // auto: CPU on this build's usual
    input.storedBytes = bytesOf(model.torchDtype);
    const std::string compute =
        run.dtype == "auto"
            ? ComputeDtypeChoice::forAutoHere(model.torchDtype, input.onCpu,
                                              static_cast<std::int64_t>(baseParameters(model)))
            : run.dtype;
    input.computeBytes = compute == "float16" && input.onCpu ? 4 : bytesOf(compute);
    input.loraRank = run.loraRank;
    input.loraTargets = run.loraTargets;
    input.loraDropout = run.loraDropout;
    input.fsHead = run.head == HeadKind::Fs;
    input.headInner = run.headInner;
    input.numLabels = numLabels;
    input.batch = run.batchSize;
    input.length = run.maxLength;
    return input;
}

MemoryEstimate MemoryEstimate::estimate(const MemoryEstimateInput& in) {
    const ModelConfig& c = in.config;
    auto positive = [](double value, const char* field) {
        if (!(value > 0))
            throw FsllmError(std::string(field) + ": must be positive for a memory estimate");
    };
    positive(c.hiddenSize, "hidden_size");
    positive(c.intermediateSize, "intermediate_size");
    positive(c.numLayers, "num_hidden_layers");
    positive(c.numHeads, "num_attention_heads");
    positive(c.numKvHeads, "num_key_value_heads");
    positive(c.headDim, "head_dim");
    positive(c.vocabSize, "vocab_size");
    positive(in.batch, "batch_size");
    positive(in.length, "max_length");
    positive(in.loraRank, "lora_rank");
    positive(in.computeBytes, "compute dtype");
    positive(in.storedBytes, "stored dtype");

    const double d = c.hiddenSize, f = c.intermediateSize, layers = c.numLayers;
    const double heads = c.numHeads, headDim = c.headDim;
    const double b = in.computeBytes, t = in.length, r = in.loraRank;
    const bool converts = in.computeBytes != 4; // LoRA and norms keep f32 copies of inputs

    MemoryEstimate e;
    e.weightsMiB = baseParameters(c) * b / kMiB;
    e.weightsMapped = in.onCpu && in.storedBytes == in.computeBytes;

    // Trainable: f32 value + gradient + AdamW exp_avg + exp_avg_sq = 16 bytes each.
    double loraParameters = 0.0, loraSavedPerToken = 0.0;
    for (const std::string& target : splitTargets(in.loraTargets)) {
        const Projection p = projectionOf(target, c);
        loraParameters += r * (p.in + p.out);
        // f32 copy of the input, dropout noise (f32 on the CPU) and output, A's output.
        loraSavedPerToken += (converts ? kF32 * p.in : 0.0) +
                             (in.loraDropout > 0 ? 2 * kF32 * p.in : 0.0) + kF32 * r;
    }
    const double inner = in.headInner > 0 ? in.headInner : d;
    const double headParameters =
        in.fsHead ? d + 3 * d * inner + (d + 1) * in.numLabels : d * in.numLabels;
    e.trainableMiB = (layers * loraParameters + headParameters) * 4 * kF32 / kMiB;
    // The optimizer step builds temporaries the size of one tensor at a time; the largest
    // trainable tensor is a head matrix (or, for the linear head, a LoRA A or B).
    double largest = in.fsHead ? d * inner : d * in.numLabels;
    for (const std::string& target : splitTargets(in.loraTargets)) {
        const Projection p = projectionOf(target, c);
        largest = std::max(largest, r * std::max(p.in, p.out));
    }
    e.stepTemporaryMiB = 2 * largest * kF32 / kMiB;

    // What autograd keeps per token and layer: two RMSNorm inputs in f32; q and k for the scores
    // and v for the context, k and v expanded to every query head; the f32 softmax (and its
    // compute-dtype copy) over t keys; three SwiGLU tensors; the inputs of the frozen
    // projections (q/k/v, o, gate/up, down); the LoRA tensors above.
    const double savedPerToken = 2 * (kF32 * d + kF32) + 3 * heads * headDim * b +
                                 heads * t * (kF32 + (converts ? b : 0.0)) + 3 * f * b +
                                 (2 * d + heads * headDim + f) * b + loraSavedPerToken;
    const double tokens = static_cast<double>(in.batch) * t;
    // Backward briefly holds about two layers' worth of gradients besides what is saved
    // (calibrated with bench-checkpoint on 1B f32 and 7B bf16 shapes: docs in the README).
    e.activationsMiB = (layers + 2) * tokens * savedPerToken / kMiB;
    // Checkpointing keeps each layer's input; one layer at a time is recomputed (its saved
    // tensors and, as above, two layers' worth of gradients).
    e.activationsRecomputeMiB = (layers * tokens * d * b + 3 * tokens * savedPerToken) / kMiB;
    // Inspect: per-layer attention maps [H, T, T] f32 of one sentence and one layer's tensors.
    e.inspectMiB = (layers * heads * t * t * kF32 + t * savedPerToken) / kMiB;
    return e;
}

} // namespace fsllm
