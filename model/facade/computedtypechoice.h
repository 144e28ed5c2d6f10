// How `--dtype auto` picks the dtype a model computes in: its stored dtype, except on a CPU for
// half precision, where float32 is often much faster. float16 always computes in float32 there
// (LibTorch has no fast CPU kernels for it). bfloat16 computes in float32 when the model is small
// (its float32 copy is at most 200 MB), and, on a CPU without BF16 instructions (CpuFeatures),
// whenever the float32 copy of the weights takes at most kFloat32RamShare of the machine's RAM:
// there a bfloat16 matmul is 20-50x slower than a float32 one. Bigger models keep bfloat16 (they
// would not fit, and are used in place from the file), as do models on a CPU with BF16
// instructions. The same rule serves loading (LoadedModel) and the memory estimate.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace fsllm {

struct ComputeDtypeChoice {
    static constexpr std::int64_t kSmallModelParameters = 50'000'000;
    static constexpr double kFloat32RamShare = 0.4;

    // `stored`: the checkpoint's torch dtype name ("float32", "bfloat16", "float16"); returns
    // the dtype name to compute in. `ramMiB` <= 0: unknown (only small models convert then).
    static std::string forAuto(const std::string& stored, bool onCpu, std::int64_t parameters,
                               bool cpuHasBf16, long ramMiB);
    // forAuto on this machine (CpuFeatures, MemoryProbe::totalRamMiB).
    static std::string forAutoHere(const std::string& stored, bool onCpu, std::int64_t parameters);
};

} // namespace fsllm
