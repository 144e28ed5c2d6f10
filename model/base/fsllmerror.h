// The engine's one error type: a message a user can act on, with context (file, line, field)
// prepended on the way up. Value type; thread-safe to copy.
#pragma once

#include <stdexcept>
#include <string>

namespace fsllm {

class FsllmError : public std::runtime_error {
public:
    explicit FsllmError(const std::string& message) : std::runtime_error(message) {}

    // Returns a new error whose message is "context: <this message>".
    FsllmError withContext(const std::string& context) const {
        return FsllmError(context + ": " + what());
    }
};

// Runs fn(); any FsllmError, std::exception (c10::Error included) leaving it is rethrown as an
// FsllmError with `context` prepended.
template <typename Fn>
auto withErrorContext(const std::string& context, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const FsllmError& e) {
        throw e.withContext(context);
    } catch (const std::exception& e) {
        throw FsllmError(context + ": " + e.what());
    }
}

} // namespace fsllm
