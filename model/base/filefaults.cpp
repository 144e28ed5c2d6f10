// Fault injection for crash-consistency tests (see filefaults.h). The counter and mode are
// guarded by one mutex; a step costs a lock and an increment when no fault is set.
#include "filefaults.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>

namespace fsllm {

namespace {

struct State {
    std::mutex mutex;
    bool initialised = false;
    FaultMode mode = FaultMode::None;
    long at = 0;
    long count = 0;
    bool tracing = false;
    std::vector<std::string> trace;
    std::string traceFile; // FSLLM_FAULT_TRACE
};

State& state() {
    static State s;
    return s;
}

// Reads FSLLM_FAULT / FSLLM_FAULT_TRACE once. Malformed values leave injection off.
void initialiseFromEnvironment(State& s) {
    s.initialised = true;
    if (const char* trace = std::getenv("FSLLM_FAULT_TRACE"))
        s.traceFile = trace;
    const char* spec = std::getenv("FSLLM_FAULT");
    if (!spec)
        return;
    const std::string text = spec;
    const std::size_t at = text.find('@');
    if (at == std::string::npos)
        return;
    const std::string mode = text.substr(0, at);
    const long index = std::strtol(text.c_str() + at + 1, nullptr, 10);
    if (index <= 0)
        return;
    if (mode == "enospc")
        s.mode = FaultMode::FailOnce;
    else if (mode == "full")
        s.mode = FaultMode::DiskFull;
    else if (mode == "readonly")
        s.mode = FaultMode::ReadOnly;
    else if (mode == "kill")
        s.mode = FaultMode::Kill;
    else
        return;
    s.at = index;
}

bool needsSpace(FileStep kind) {
    return kind == FileStep::Create || kind == FileStep::Write || kind == FileStep::Sync ||
           kind == FileStep::MakeFolder;
}

void appendTraceLine(const std::string& file, const std::string& line) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    const std::string text = line + "\n";
    [[maybe_unused]] const ssize_t written = ::write(fd, text.data(), text.size());
    ::close(fd);
}

} // namespace

const char* FileFaults::kindName(FileStep kind) {
    switch (kind) {
    case FileStep::Create:
        return "create";
    case FileStep::Write:
        return "write";
    case FileStep::Sync:
        return "fsync";
    case FileStep::Rename:
        return "rename";
    case FileStep::MakeFolder:
        return "mkdir";
    case FileStep::Remove:
        return "remove";
    }
    return "?";
}

int FileFaults::step(FileStep kind, const std::string& path) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.initialised)
        initialiseFromEnvironment(s);
    const long index = ++s.count;
    if (s.tracing || !s.traceFile.empty()) {
        const std::string line = std::to_string(index) + " " + kindName(kind) + " " + path;
        if (s.tracing)
            s.trace.push_back(line);
        if (!s.traceFile.empty())
            appendTraceLine(s.traceFile, line);
    }
    switch (s.mode) {
    case FaultMode::None:
        return 0;
    case FaultMode::FailOnce:
        return index == s.at ? ENOSPC : 0;
    case FaultMode::DiskFull:
        return index >= s.at && needsSpace(kind) ? ENOSPC : 0;
    case FaultMode::ReadOnly:
        return index >= s.at ? EROFS : 0;
    case FaultMode::Kill:
        if (index == s.at)
            ::kill(::getpid(), SIGKILL);
        return 0;
    case FaultMode::Crash:
        if (index == s.at)
            throw SimulatedCrash{index};
        return 0;
    }
    return 0;
}

void FileFaults::set(FaultMode mode, long at) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.initialised = true;
    s.mode = mode;
    s.at = at;
    s.count = 0;
}

void FileFaults::reset() {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.initialised = true;
    s.mode = FaultMode::None;
    s.at = 0;
    s.count = 0;
    s.trace.clear();
}

long FileFaults::count() {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    return s.count;
}

void FileFaults::setTracing(bool on) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.tracing = on;
}

namespace {
std::atomic<bool> g_syncEnabled{true};
} // namespace

void FileFaults::setSyncEnabled(bool on) {
    g_syncEnabled = on;
}

bool FileFaults::syncEnabled() {
    return g_syncEnabled.load();
}

std::vector<std::string> FileFaults::trace() {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    return s.trace;
}

} // namespace fsllm
