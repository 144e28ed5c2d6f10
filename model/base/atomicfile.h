// Atomic file writes: write to "<path>.tmp-<pid>-<n>", flush, fsync, then rename over <path>, so a
// reader never sees a half-written file and a crash midway leaves the previous file intact.
// Thread-safe for distinct paths.
#pragma once

#include <string>

namespace fsllm {

class AtomicFile {
public:
    // Writes `bytes` to `path` atomically. Throws FsllmError naming the path on failure.
    static void write(const std::string& path, const std::string& bytes);
    // Appends complete lines to a log-like file (metrics.jsonl, train.log) with one O_APPEND
    // write and an fsync: earlier lines are never rewritten, and a crash can at worst leave the
    // last line incomplete, which readers skip. Throws FsllmError naming the path on failure.
    static void appendLines(const std::string& path, const std::string& lines);
    // Makes renames inside `folder` durable (fsync of the folder). Best effort: some file
    // systems refuse fsync on folders. A step of the fault-injection hook (filefaults.h).
    static void syncFolder(const std::string& folder);
};

} // namespace fsllm
