#include "runtimeinfo.h"

#include <torch/torch.h>

#include <dlfcn.h>
#include <sched.h>

#include <atomic>
#include <fstream>
#include <sstream>

namespace fsllm {

namespace {

// The BLAS shared library mapped into this process (Debian picks it through alternatives).
std::string loadedBlasPath() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(slash);
        const std::string file = path.substr(path.rfind('/') + 1);
        if (file.find("blas") != std::string::npos && file.find("cublas") == std::string::npos)
            return path;
    }
    return "";
}

std::string openBlasConfig() {
    using ConfigFn = char* (*)();
    auto config = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    return config ? std::string(config()) : std::string();
}

} // namespace

int Runtime::availableCores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        return std::max(1, CPU_COUNT(&set));
    return 1;
}

int Runtime::configureThreads(int requested) {
    static std::atomic<bool> configured{false};
    if (requested <= 0 && configured.exchange(true))
        return torch::get_num_threads();
    configured = true;
    const int threads = requested > 0 ? requested : availableCores();
    torch::set_num_threads(threads);
    return threads;
}

RuntimeInfo Runtime::describe() {
    RuntimeInfo info;
    std::ostringstream version;
    version << TORCH_VERSION_MAJOR << "." << TORCH_VERSION_MINOR << "." << TORCH_VERSION_PATCH;
    info.torchVersion = version.str();
    const std::string path = loadedBlasPath();
    const std::string openBlas = openBlasConfig();
    info.blasLibrary = path.empty() ? "none found in process maps" : path;
    if (!openBlas.empty())
        info.blasLibrary += " (" + openBlas + ")";
    else if (path.find("openblas") == std::string::npos)
        info.blasLibrary += " (not OpenBLAS: install libopenblas0-openmp, matmuls are ~30x slower)";
    info.threads = torch::get_num_threads();
    info.cudaAvailable = torch::cuda::is_available();
    info.cudaDevices = info.cudaAvailable ? static_cast<int>(torch::cuda::device_count()) : 0;
    return info;
}

} // namespace fsllm
