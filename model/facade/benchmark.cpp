#include "benchmark.h"

#include "classifiermodel.h"
#include "decoder.h"
#include "flatadamw.h"
#include "fsllmerror.h"
#include "runtimeinfo.h"
#include "tensorutil.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <sys/resource.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace fsllm {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void synchronise(const torch::Device& device) {
    if (device.is_cuda())
        torch::cuda::synchronize();
}

// GFLOP/s of repeated [m, k] x [k, n] matmuls.
double timedMatmulGflops(int64_t m, int64_t k, int64_t n, const torch::TensorOptions& options,
                         const torch::Device& device) {
    auto a = torch::randn({m, k}, options);
    auto b = torch::randn({k, n}, options);
    torch::matmul(a, b); // warm-up
    synchronise(device);
    int repeats = 0;
    const auto start = Clock::now();
    while (repeats < 3 || secondsSince(start) < 0.5) {
        torch::matmul(a, b);
        ++repeats;
    }
    synchronise(device);
    return 2.0 * m * k * n * repeats / secondsSince(start) / 1e9;
}

long peakRssMiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024; // KiB on Linux
}

} // namespace

std::string BenchmarkReport::toText() const {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(1);
    out << "model        " << shape << "\n"
        << "runtime      " << blas << "\n"
        << "matmul       " << matmulGflops << " GFLOP/s (1024^3)   " << shapedMatmulGflops
        << " GFLOP/s ([B*T, D] x [D, F])\n"
        << "forward      " << forwardTokensPerSecond << " tokens/s   " << forwardGflops
        << " GFLOP/s (" << 100.0 * forwardGflops / std::max(1e-9, matmulGflops)
        << "% of matmul)\n"
        << "train step   " << trainTokensPerSecond << " tokens/s   " << trainGflops
        << " GFLOP/s (" << 100.0 * trainGflops / std::max(1e-9, matmulGflops)
        << "% of matmul; forward + backward + AdamW, LoRA + FS head)\n"
        << "peak RSS     " << peakRssMiB << " MiB\n";
    return out.str();
}

double Benchmark::matmulGflops(long m, long k, long n, const std::string& dtype,
                               const std::string& device) {
    const torch::Device where(device);
    return timedMatmulGflops(m, k, n,
                               torch::TensorOptions().dtype(scalarTypeFromName(dtype)).device(where),
                               where);
}

BenchmarkReport Benchmark::run(const BenchmarkOptions& o,
                               const std::function<void(const std::string&)>& progress) {
    auto say = [&](const std::string& text) {
        if (progress)
            progress(text);
    };
    if (o.batch < 1 || o.seqLen < 1 || o.steps < 1)
        throw FsllmError("bench: batch, seq-len and steps must be >= 1");
    if (!o.profileFile.empty() && !std::ofstream(o.profileFile))
        throw FsllmError("bench --profile: cannot write " + o.profileFile +
                         "; give a file in a folder that exists and is writable");
    Runtime::configureThreads(o.threads);
    const torch::Device device(o.device);
    const auto dtype = scalarTypeFromName(o.dtype);
    const auto options = torch::TensorOptions().dtype(dtype).device(device);

    const ModelConfig config = ModelConfig::llamaShaped("bench", o.layers, o.hidden, o.heads,
                                                        o.kvHeads, o.intermediate, o.vocab);

    torch::manual_seed(0);
    Decoder decoder(config, options);
    {
        torch::NoGradGuard noGrad;
        for (auto& parameter : decoder->parameters())
            parameter.normal_(0.0, 0.02);
    }
    ClassifierSpec spec; // the FS head on the last token, under the decay mask
    for (int label = 0; label < o.numLabels; ++label)
        spec.labels.push_back("class" + std::to_string(label));
    spec.mask = MaskSpec{MaskMode::Decay, 0.5};
    ClassifierModel classifier(decoder, spec);

    const int64_t B = o.batch, T = o.seqLen, D = o.hidden, F = config.intermediateSize;
    const int64_t qkvo = D * config.numHeads * config.headDim * 2 +
                         D * config.numKvHeads * config.headDim * 2;
    const double matmulParams = static_cast<double>(o.layers) * (qkvo + 3 * D * F); // N
    const double attentionFlops = 4.0 * T * D * o.layers; // QK^T and PV per token
    auto ids = torch::randint(3, o.vocab, {B, T}, torch::kInt64);
    auto lengths = torch::full({B}, T, torch::kInt64);
    auto labels = torch::randint(0, o.numLabels, {B}, torch::kInt64).to(device);
    ForwardOptions forwardOptions;
    forwardOptions.mask = spec.mask;

    BenchmarkReport report;
    std::ostringstream shape;
    shape << o.layers << " layers, D=" << D << ", F=" << F << ", " << o.heads << " heads/"
          << o.kvHeads << " kv, batch " << B << " x " << T << " tokens, " << o.dtype << " on "
          << device.str() << ", N=" << static_cast<int64_t>(matmulParams) << " matmul params";
    report.shape = shape.str();
    const RuntimeInfo runtime = Runtime::describe();
    report.blas = runtime.blasLibrary + ", " + std::to_string(runtime.threads) + " threads, torch " +
                  runtime.torchVersion;

    say("measuring matmul peak");
    report.matmulGflops = timedMatmulGflops(1024, 1024, 1024, options, device);
    report.shapedMatmulGflops = timedMatmulGflops(B * T, D, F, options, device);

    say("measuring forward");
    {
        torch::NoGradGuard noGrad;
        decoder->eval();
        decoder->forward(ids, lengths, forwardOptions);
        synchronise(device);
        const auto start = Clock::now();
        for (int step = 0; step < o.steps; ++step)
            decoder->forward(ids, lengths, forwardOptions);
        synchronise(device);
        const double seconds = secondsSince(start);
        report.forwardTokensPerSecond = B * T * o.steps / seconds;
        report.forwardGflops =
            report.forwardTokensPerSecond * (2.0 * matmulParams + attentionFlops) / 1e9;
    }

    say("measuring LoRA training steps");
    {
        decoder->enableLora(LoraSettings{o.loraRank, 32.0, 0.1}, LoraTargets{});
        classifier->train();
        FlatAdamW optimizer(classifier->trainableParameters(), 2e-4, 0.01);
        auto step = [&] {
            optimizer.zeroGrad();
            ClassifierModelImpl::loss(classifier->forward(ids, lengths), labels).backward();
            optimizer.step();
        };
        step();
        synchronise(device);
        std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
        if (!o.profileFile.empty())
            profile = std::make_unique<torch::autograd::profiler::RecordProfile>(o.profileFile);
        const auto start = Clock::now();
        for (int i = 0; i < o.steps; ++i)
            step();
        synchronise(device);
        const double seconds = secondsSince(start);
        profile.reset(); // writes the trace
        report.trainTokensPerSecond = B * T * o.steps / seconds;
        report.trainGflops =
            report.trainTokensPerSecond * (4.0 * matmulParams + 3.0 * attentionFlops) / 1e9;
    }
    report.peakRssMiB = peakRssMiB();
    return report;
}

} // namespace fsllm
