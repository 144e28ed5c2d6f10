#include "checkpointbenchmark.h"

#include "atomicfile.h"
#include "benchmark.h"
#include "checkpointshapes.h"
#include "classifiermodel.h"
#include "engine.h"
#include "flatadamw.h"
#include "fsllmerror.h"
#include "loadedmodel.h"
#include "memoryestimate.h"
#include "memoryprobe.h"
#include "runtimeinfo.h"
#include "safetensorsstreamwriter.h"
#include "tensorutil.h"

#include <chrono>
#include <malloc.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fsllm {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string format(const char* pattern, double a, double b = 0.0, double c = 0.0,
                   double d = 0.0) {
    char text[256];
    std::snprintf(text, sizeof text, pattern, a, b, c, d);
    return text;
}

ModelConfig configOf(const CheckpointBenchmarkOptions& o) {
    ModelConfig config = ModelConfig::llamaShaped("bench-checkpoint", o.layers, o.hidden, o.heads,
                                                  o.kvHeads, o.intermediate, o.vocab);
    config.torchDtype = o.dtype;
    config.maxPositionEmbeddings = std::max(2048, o.seqLen);
    return config;
}

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Whether `directory` already holds a checkpoint with this very config.json; throws FsllmError
// when it holds another one (never overwritten).
bool holdsCheckpoint(const std::string& directory, const ModelConfig& config) {
    const std::string configPath = directory + "/config.json";
    if (!std::filesystem::exists(configPath) ||
        !std::filesystem::exists(directory + "/model.safetensors"))
        return false;
    if (readText(configPath) != config.toJsonText())
        throw FsllmError(directory + ": holds another model (its config.json differs from "
                                     "the asked shape); give an empty or new folder");
    return true;
}

// Writes config.json and model.safetensors of random weights (normal(0, 0.02), norms 1), one
// tensor at a time.
void writeCheckpoint(const std::string& directory, const ModelConfig& config,
                     torch::ScalarType dtype) {
    const std::string configPath = directory + "/config.json";
    const std::string weightsPath = directory + "/model.safetensors";
    std::filesystem::create_directories(directory);
    // The family's tensor list gives the names and shapes, without allocating memory.
    std::vector<SafetensorsStreamWriter::Layout> layout;
    for (const auto& tensor : CheckpointShapes::expected(config))
        if (layout.empty() || layout.back().name != tensor.name) // a fused tensor's parts: once
            layout.push_back({tensor.name, dtypeOf(dtype), tensor.shape});
    torch::manual_seed(0);
    SafetensorsStreamWriter writer(weightsPath, layout, {{"format", "pt"}});
    for (const auto& tensor : layout) {
        const bool norm = tensor.name.find("norm") != std::string::npos;
        auto values = norm ? torch::ones(tensor.shape, torch::TensorOptions().dtype(dtype))
                           : torch::randn(tensor.shape, torch::TensorOptions().dtype(dtype)) * 0.02;
        values = values.contiguous();
        writer.append(tensor.name, values.data_ptr(),
                      static_cast<std::size_t>(values.numel()) * values.element_size());
    }
    writer.commit();
    AtomicFile::write(configPath, config.toJsonText());
}

std::string memoryLine(const char* what, const MemorySample& s) {
    return std::string(what) + format("resident %.0f MiB (private %.0f, mapped files %.0f), peak "
                                      "%.0f MiB",
                                      s.residentMiB, s.anonymousMiB, s.fileMiB, s.peakResidentMiB);
}

} // namespace

void CheckpointBenchmarkOptions::applyPreset(const std::string& name) {
    if (name == "7b") {
        layers = 32, hidden = 4096, heads = 32, kvHeads = 32, intermediate = 11008, vocab = 32000;
    } else if (name == "1b") {
        layers = 22, hidden = 2048, heads = 32, kvHeads = 4, intermediate = 5632, vocab = 32000;
    } else if (name == "tiny") {
        layers = 2, hidden = 64, heads = 4, kvHeads = 2, intermediate = 176, vocab = 512;
    } else {
        throw FsllmError("--preset: unknown preset '" + name + "'; choose 7b, 1b or tiny");
    }
}

std::string CheckpointBenchmark::run(const CheckpointBenchmarkOptions& o,
                                     const std::function<void(const std::string&)>& progress) {
    auto say = [&](const std::string& text) {
        if (progress)
            progress(text);
    };
    if (o.directory.empty())
        throw FsllmError("bench-checkpoint: --out DIR is required (the checkpoint's folder)");
    if (o.batch < 1 || o.seqLen < 2 || o.steps < 1 || o.loraRank < 1)
        throw FsllmError("bench-checkpoint: batch, steps and lora-rank must be >= 1, seq-len >= 2");
    Runtime::configureThreads(o.threads);
    const auto dtype = scalarTypeFromName(o.dtype);
    const ModelConfig config = configOf(o);
    std::ostringstream report;
    const RuntimeInfo runtime = Runtime::describe();
    report << "runtime      " << runtime.blasLibrary << ", " << runtime.threads
           << " threads, torch " << runtime.torchVersion << "\n";

    const bool reuse = holdsCheckpoint(o.directory, config);
    if (!reuse)
        say("writing the random checkpoint (streamed, one tensor at a time)");
    MemoryProbe::resetPeak();
    auto start = Clock::now();
    if (!reuse)
        writeCheckpoint(o.directory, config, dtype);
    const double writeSeconds = secondsSince(start);
    const double fileMiB =
        std::filesystem::file_size(o.directory + "/model.safetensors") / (1024.0 * 1024);
    report << "checkpoint   " << o.directory << ": "
           << (fileMiB >= 1024 ? format("%.2f GiB", fileMiB / 1024) : format("%.1f MiB", fileMiB))
           << ", "
           << o.layers << " layers, D=" << o.hidden << ", F=" << config.intermediateSize << ", "
           << o.heads << "/" << o.kvHeads << " heads, vocab " << o.vocab << ", " << o.dtype
           << "\n";
    if (!reuse)
        report << "write        " << format("%.1f s (%.0f MiB/s); ", writeSeconds,
                                            fileMiB / std::max(1e-9, writeSeconds))
               << memoryLine("", MemoryProbe::sample()) << "\n";
    else
        report << "write        reused " << o.directory << "/model.safetensors\n";

    say("reading headers (fsllm info)");
    start = Clock::now();
    const ModelSummary summary = Engine::summarize(o.directory, {});
    report << "info         " << format("%.3f s", secondsSince(start)) << " (headers only, "
           << summary.parameterCount << " parameters)\n";

    say("loading the model");
    MemoryProbe::resetPeak();
    start = Clock::now();
    LoadedModel model = LoadedModel::open(o.directory, "cpu", o.dtype, /*requireTokenizer=*/false);
    const double loadSeconds = secondsSince(start);
    report << "load         " << format("%.2f s; weights %.0f MiB used in place, %.0f MiB "
                                        "converted; ",
                                        loadSeconds, model.weightStats.sharedBytes / 1048576.0,
                                        model.weightStats.copiedBytes / 1048576.0)
           << memoryLine("", MemoryProbe::sample()) << "\n";

    say("inspecting one sentence (attention maps of every layer)");
    const int64_t T = o.seqLen, B = o.batch;
    torch::manual_seed(1);
    {
        auto ids = torch::randint(3, o.vocab, {1, T}, torch::kInt64);
        auto lengths = torch::full({1}, T, torch::kInt64);
        torch::NoGradGuard noGrad;
        ForwardOptions options;
        options.mask = MaskSpec{MaskMode::Decay, 0.5};
        options.wantAttention = true;
        model.decoder->forward(ids, lengths, options); // touches every weight once
        start = Clock::now();
        model.decoder->forward(ids, lengths, options);
        report << "inspect      " << format("%.0f ms for 1 x %.0f tokens, all %.0f layers' maps",
                                            secondsSince(start) * 1000.0, static_cast<double>(T),
                                            static_cast<double>(o.layers))
               << "\n";
    }

    say("measuring the matmul peak");
    const double peak = Benchmark::matmulGflops(1024, 1024, 1024, o.dtype, "cpu");
    report << "matmul       " << format("%.1f GFLOP/s", peak) << " (" << o.dtype
           << ", 1024^3)\n";

    MemoryEstimateInput estimateInput;
    estimateInput.config = config;
    estimateInput.storedBytes = estimateInput.computeBytes =
        static_cast<int>(torch::elementSize(dtype));
    estimateInput.loraRank = o.loraRank;
    estimateInput.batch = o.batch;
    estimateInput.length = o.seqLen;
    const MemoryEstimate estimate = MemoryEstimate::estimate(estimateInput);

    ClassifierSpec spec;
    spec.labels = {"negative", "positive"};
    spec.mask = MaskSpec{MaskMode::Decay, 0.5};
    torch::manual_seed(2);
    model.decoder->enableLora(LoraSettings{o.loraRank, 32.0, 0.1}, LoraTargets{});
    ClassifierModel classifier(model.decoder, spec);
    classifier->train();
    FlatAdamW optimizer(classifier->trainableParameters(), 2e-4, 0.01);
    auto ids = torch::randint(3, o.vocab, {B, T}, torch::kInt64);
    auto lengths = torch::full({B}, T, torch::kInt64);
    auto labels = torch::randint(0, 2, {B}, torch::kInt64);
    auto step = [&] {
        optimizer.zeroGrad();
        ClassifierModelImpl::loss(classifier->forward(ids, lengths), labels).backward();
        optimizer.step();
    };
    // Matmul work per token: 2N forward, 2N backward (input gradients of frozen weights),
    // plus one more forward when layers are recomputed.
    const double d = o.hidden, f = config.intermediateSize, hd = config.headDim;
    const double matmulParams =
        o.layers * (2 * d * o.heads * hd + 2 * d * o.kvHeads * hd + 3 * d * f);
    for (const bool recompute : {false, true}) {
        say(recompute ? "training with --gradient-checkpointing" : "training");
        classifier->setRecomputeLayers(recompute);
        // Memory above what is resident now (the touched weights, and from the first phase on,
        // the AdamW state): freed heap memory is handed back first so that it is not reused
        // unseen.
        malloc_trim(0);
        const MemorySample before = MemoryProbe::sample();
        double seconds = 0.0;
        long privatePeak = 0;
        {
            PrivatePeakSampler sampler;
            step(); // warm-up: AdamW state is created in the first phase's
            start = Clock::now();
            for (int i = 0; i < o.steps; ++i)
                step();
            seconds = secondsSince(start);
            privatePeak = sampler.peakMiB();
        }
        const double expected =
            estimate.stepTemporaryMiB + (recompute ? estimate.activationsRecomputeMiB
                                                   : estimate.trainableMiB + estimate.activationsMiB);
        const double tokensPerSecond = B * T * o.steps / seconds;
        const double gflops = tokensPerSecond * (recompute ? 6.0 : 4.0) * matmulParams / 1e9;
        report << (recompute ? "train+ckpt   " : "train        ")
               << format("%.1f tokens/s (%.1f s/step, batch %.0f x %.0f), ", tokensPerSecond,
                         seconds / o.steps, static_cast<double>(B), static_cast<double>(T))
               << format("%.1f GFLOP/s = %.0f%% of matmul peak; private memory peaked %.0f MiB "
                         "above the phase's start (estimate %.0f MiB: ",
                         gflops, 100.0 * gflops / std::max(1e-9, peak),
                         static_cast<double>(privatePeak - before.anonymousMiB), expected)
               << (recompute ? "step temporaries + activations)"
                             : "LoRA + head + AdamW + activations)")
               << "\n";
    }
    report << "estimate     " << estimate.toText(MemoryProbe::totalRamMiB()) << "\n";
    return report.str();
}

} // namespace fsllm
