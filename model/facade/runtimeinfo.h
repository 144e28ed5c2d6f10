// What the process computes with: LibTorch version, BLAS library actually loaded, thread count,
// CUDA availability; and the one place that sets the thread count. No torch in this header.
// Thread-safety: configureThreads() at start-up from the main thread; describe() anywhere.
#pragma once

#include <string>

namespace fsllm {

struct RuntimeInfo {
    std::string torchVersion;
    std::string blasLibrary; // resolved path of the loaded BLAS, plus OpenBLAS's own config
    int threads = 1;         // torch intra-op threads
    bool cudaAvailable = false;
    int cudaDevices = 0;
};

class Runtime {
public:
    // Sets torch's (and so OpenMP/OpenBLAS's) thread count, which is process-wide: `requested`
    // if > 0; else, the first time, the number of cores this process may run on, and later
    // calls with 0 keep whatever was set (so opening a second engine does not undo an explicit
    // choice). Returns the count in force.
    static int configureThreads(int requested = 0);
    static RuntimeInfo describe();
    // The number of cores in this process's affinity mask.
    static int availableCores();
};

} // namespace fsllm
