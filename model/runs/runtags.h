// A run's tags ("baseline", "sweep-3", ...): free labels a user gives a run folder to find and
// group it, kept in a small sidecar file "<run>/tags.json" ({"tags": ["a", "b"]}) written
// atomically, so run.json (the record of what was run) is never rewritten.
// Thread-safety: pure functions; write() replaces the file atomically.
#pragma once

#include <string>
#include <vector>

namespace fsllm {

class RunTags {
public:
    static constexpr const char* kFileName = "tags.json";
    static constexpr std::size_t kMaxTagBytes = 64;
    static constexpr std::size_t kMaxTags = 32;

    // The tags of `runDir` in their stored order; none when the file is missing. Throws
    // FsllmError naming the file for malformed JSON or a tag that parse() would refuse.
    static std::vector<std::string> read(const std::string& runDir);
    // Replaces the run's tags (an empty list removes the file). Throws FsllmError naming the
    // file when it cannot be written.
    static void write(const std::string& runDir, const std::vector<std::string>& tags);
    // "a, b ,a" -> {"a", "b"}: comma-separated, trimmed, empty entries and repeats dropped.
    // Throws FsllmError naming the tag for one longer than kMaxTagBytes, one holding control
    // characters, or more than kMaxTags tags.
    static std::vector<std::string> parse(const std::string& text);
};

} // namespace fsllm
