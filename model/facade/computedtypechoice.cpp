#include "computedtypechoice.h"

#include "cpufeatures.h"
#include "memoryprobe.h"

namespace fsllm {

std::string ComputeDtypeChoice::forAuto(const std::string& stored, bool onCpu,
                                        std::int64_t parameters, bool cpuHasBf16, long ramMiB) {
    if (!onCpu)
        return stored;
    if (stored == "float16")
        return "float32";
    if (stored != "bfloat16")
        return stored;
    if (parameters <= kSmallModelParameters)
        return "float32";
    const double float32MiB = 4.0 * static_cast<double>(parameters) / (1024.0 * 1024.0);
    if (!cpuHasBf16 && ramMiB > 0 && float32MiB <= kFloat32RamShare * static_cast<double>(ramMiB))
        return "float32";
    return stored;
}

std::string ComputeDtypeChoice::forAutoHere(const std::string& stored, bool onCpu,
                                            std::int64_t parameters) {
    static const long ramMiB = MemoryProbe::totalRamMiB(); // read once, as the CPU flags are
    return forAuto(stored, onCpu, parameters, CpuFeatures::hasBf16Instructions(), ramMiB);
}

} // namespace fsllm
