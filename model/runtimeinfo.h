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
    // Sets torch's (and so OpenMP/OpenBLAS's) thread count: `requested` if > 0, else the number
    // of cores this process may run on. Returns the count set.
    static int configureThreads(int requested = 0);
    static RuntimeInfo describe();
    // The number of cores in this process's affinity mask.
    static int availableCores();
};

} // namespace fsllm
