// Replaces a whole folder (a checkpoint: adapter, head, optimizer state) so that a crash at any
// moment leaves either the previous or the new folder readable: the new one is written in
// "<target>.staging", the old one is moved to "<target>.old", the staging folder renamed into
// place, then the old one deleted. resolve() finds whichever survived.
// Thread-safety: one writer per target.
#pragma once

#include <string>

namespace fsllm {

class AtomicDirectory {
public:
    // "<target>.staging": create it (emptied first), fill it, then call commit().
    static std::string stage(const std::string& target);
    static void commit(const std::string& target);
    // target if it exists, else "<target>.old" if that exists, else "" .
    static std::string resolve(const std::string& target);
};

} // namespace fsllm
