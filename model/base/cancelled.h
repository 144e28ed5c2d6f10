// Work that stopped because its caller asked it to (a cancel or stop callback returned true):
// not a failure to report to the user. LoadCancelled (loadprogress.h) is one kind.
// Value type; thread-safe to copy.
#pragma once

#include "fsllmerror.h"

#include <string>

namespace fsllm {

class Cancelled : public FsllmError {
public:
    explicit Cancelled(const std::string& message) : FsllmError(message) {}
};

} // namespace fsllm
