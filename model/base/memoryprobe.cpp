#include "memoryprobe.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

namespace fsllm {

namespace {

// The "<key>:   <n> kB" line of a /proc file, in MiB; -1 when absent.
long fieldMiB(const char* file, const std::string& key) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.compare(0, key.size() + 1, key + ":") != 0)
            continue;
        std::istringstream fields(line.substr(key.size() + 1));
        long kib = -1;
        fields >> kib;
        return kib < 0 ? -1 : kib / 1024;
    }
    return -1;
}

} // namespace

MemorySample MemoryProbe::sample() {
    MemorySample s;
    s.residentMiB = fieldMiB("/proc/self/status", "VmRSS");
    s.anonymousMiB = fieldMiB("/proc/self/status", "RssAnon");
    s.fileMiB = fieldMiB("/proc/self/status", "RssFile");
    s.peakResidentMiB = fieldMiB("/proc/self/status", "VmHWM");
    return s;
}

bool MemoryProbe::resetPeak() {
    std::ofstream out("/proc/self/clear_refs");
    out << "5"; // resets VmHWM to the current VmRSS
    out.flush();
    return static_cast<bool>(out);
}

long MemoryProbe::totalRamMiB() {
    return fieldMiB("/proc/meminfo", "MemTotal");
}

long MemoryProbe::availableRamMiB() {
    return fieldMiB("/proc/meminfo", "MemAvailable");
}

PrivatePeakSampler::PrivatePeakSampler() {
    m_peak = fieldMiB("/proc/self/status", "RssAnon");
    m_thread = std::thread([this] {
        while (!m_stop.load()) {
            const long now = fieldMiB("/proc/self/status", "RssAnon");
            if (now > m_peak.load())
                m_peak = now;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
}

PrivatePeakSampler::~PrivatePeakSampler() {
    m_stop = true;
    m_thread.join();
}

} // namespace fsllm
