// Reads a run's metrics.jsonl incrementally, as `tail -f` does: each poll() reads only the bytes
// appended since the previous one and parses the complete lines among them (a line still being
// written waits for its newline). A file that was replaced or shrank (a resumed run rewrites it
// without the steps its checkpoint does not cover) is read again from the start and the batch
// says so. RunRecord::load reads whole files through it, so live and one-shot readers agree.
// Thread-safety: one thread at a time per object; no locks on the file (the writer only appends
// whole lines, AtomicFile::appendLines).
#pragma once

#include "trainingrecords.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fsllm {

class MetricsTail {
public:
    struct Batch {
        std::vector<StepRecord> steps;
        std::vector<EvalRecord> evals;
        bool restarted = false; // the file was replaced or shrank: drop what earlier polls gave
        bool empty() const { return steps.empty() && evals.empty() && !restarted; }
    };

    explicit MetricsTail(std::string path);

    // The records of the lines appended since the last poll (a missing file: none). A last
    // line without its newline is taken when it is a whole JSON object (no strict prefix of
    // an object line is one), else left for a later poll. A malformed complete line throws
    // FsllmError "<path>:<line>: ...", unless it ends the file (a killed run's truncated
    // line), which is skipped.
    Batch poll();

    const std::string& path() const { return m_path; }
    std::uint64_t offset() const { return m_offset; } // bytes consumed (complete lines)

private:
    void restart();

    std::string m_path;
    std::uint64_t m_offset = 0;
    std::uint64_t m_inode = 0;
    std::uint64_t m_device = 0;
    int m_lineNumber = 0;
};

} // namespace fsllm
