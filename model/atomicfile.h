// Atomic file writes: write to "<path>.tmp-<pid>", flush, fsync, then rename over <path>, so a
// reader never sees a half-written file and a crash midway leaves the previous file intact.
// Thread-safe for distinct paths.
#pragma once

#include <string>

namespace fsllm {

class AtomicFile {
public:
    // Writes `bytes` to `path` atomically. Throws FsllmError naming the path on failure.
    static void write(const std::string& path, const std::string& bytes);
};

} // namespace fsllm
