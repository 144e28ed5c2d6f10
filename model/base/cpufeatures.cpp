#include "cpufeatures.h"

#include <fstream>
#include <sstream>

namespace fsllm {

bool CpuFeatures::flagsHaveBf16(const std::string& cpuinfo) {
    std::istringstream lines(cpuinfo);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("flags", 0) != 0)
            continue;
        std::istringstream flags(line.substr(line.find(':') == std::string::npos
                                                 ? line.size()
                                                 : line.find(':') + 1));
        for (std::string flag; flags >> flag;)
            if (flag == "avx512_bf16" || flag == "amx_bf16")
                return true;
        return false; // every core lists the same flags
    }
    return false;
}

bool CpuFeatures::hasBf16Instructions() {
    static const bool has = [] {
        std::ifstream in("/proc/cpuinfo");
        std::stringstream text;
        text << in.rdbuf();
        return flagsHaveBf16(text.str());
    }();
    return has;
}

} // namespace fsllm
