// The training subcommands of `fsllm`: train, eval, predict, zeroshot.
// Each takes the arguments after its name and throws FsllmError for bad input.
// Thread-safety: main thread only.
#pragma once

#include <string>
#include <vector>

namespace fsllm {

class TrainingCommands {
public:
    static int train(const std::vector<std::string>& args);
    static int eval(const std::vector<std::string>& args);
    static int predict(const std::vector<std::string>& args);
    static int zeroshot(const std::vector<std::string>& args);
    // Usage text of one command ("" when it is not one of these; all when `command` is empty).
    static std::string usage(const std::string& command);
};

} // namespace fsllm
