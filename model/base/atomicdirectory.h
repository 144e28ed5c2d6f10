// Replaces a whole folder (a checkpoint: adapter, head, optimizer state) so that a crash at any
// moment leaves either the previous or the new folder readable: the new one is written in a
// staging folder "<target>.staging-<pid>-<n>" (unique per process and call), the old one is moved
// to "<target>.old", the staging folder renamed into place, then the old one deleted. resolve()
// finds whichever survived. Thread-safety: one writer per target (the run folder's lock).
#pragma once

#include <string>

namespace fsllm {

class AtomicDirectory {
public:
    // Creates a fresh, empty staging folder for `target` and returns its path; fill it, then
    // call commit(). Staging folders left by processes that no longer run are removed first.
    static std::string stage(const std::string& target);
    // Moves `staging` into place as `target` (see above). Throws FsllmError naming the target.
    static void commit(const std::string& staging, const std::string& target);
    // Removes a staging folder after a failed save. Never throws.
    static void discard(const std::string& staging);
    // target if it exists, else "<target>.old" if that exists, else "" .
    static std::string resolve(const std::string& target);
};

} // namespace fsllm
