// `fsllm bench`: forward and LoRA forward+backward throughput of a random LLaMA-shaped model with
// the FS head, beside the matmul GFLOP/s measured in the same run, and peak memory. A benchmark,
// not a test: it prints figures. Thread-safety: one at a time (uses global torch state).
#pragma once

#include <functional>
#include <string>

namespace fsllm {

struct BenchmarkOptions {
    int layers = 3;
    int hidden = 96;
    int heads = 6;
    int kvHeads = 2;
    int intermediate = 0; // 0 -> 8/3 * hidden rounded up to 16
    int vocab = 512;
    int batch = 16;
    int seqLen = 25;
    int steps = 10;       // timed steps per phase (after one warm-up step)
    int loraRank = 8;
    int numLabels = 2;
    std::string dtype = "float32";
    std::string device = "cpu";
    int threads = 0;
    std::string profileFile; // non-empty: Chrome trace (chrome://tracing) of the timed train steps
};

struct BenchmarkReport {
    std::string shape;                  // human summary of the model and batch
    std::string blas;                   // the loaded BLAS and thread count
    double matmulGflops = 0.0;          // square 1024 matmul in the compute dtype
    double shapedMatmulGflops = 0.0;    // [B*T, D] x [D, F], the model's own matmul shape
    double forwardTokensPerSecond = 0.0;
    double forwardGflops = 0.0;         // 2N + attention per token
    double trainTokensPerSecond = 0.0;  // forward + backward + AdamW step
    double trainGflops = 0.0;           // 4N + attention per token (frozen base + LoRA)
    long peakRssMiB = 0;
    std::string toText() const;
};

class Benchmark {
public:
    static BenchmarkReport run(const BenchmarkOptions& options,
                               const std::function<void(const std::string&)>& progress = {});
    // GFLOP/s of repeated [m, k] x [k, n] matmuls in `dtype` ("float32", "bfloat16") on
    // `device` ("cpu", "cuda"), timed for at least half a second.
    static double matmulGflops(long m, long k, long n, const std::string& dtype,
                               const std::string& device);
};

} // namespace fsllm
