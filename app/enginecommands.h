// The engine subcommands of `fsllm`: info, inspect, init-tiny, bench, bench-checkpoint,
// pretrain, tokenize. Each takes the arguments
// after its name, prints to stdout, and throws FsllmError for bad input (main turns that into
// exit code 2 and one line on stderr). Thread-safety: main thread only.
#pragma once

#include <string>
#include <vector>

namespace fsllm {

class EngineCommands {
public:
    static int info(const std::vector<std::string>& args);
    static int inspect(const std::vector<std::string>& args);
    static int initTiny(const std::vector<std::string>& args);
    static int bench(const std::vector<std::string>& args);
    static int benchCheckpoint(const std::vector<std::string>& args);
    static int pretrain(const std::vector<std::string>& args);
    // Token ids of texts with the checkpoint's tokenizer (tokenizer.model or tokenizer.json).
    static int tokenize(const std::vector<std::string>& args);

    // Usage text of one command ("" when it is not one of these; all when `command` is empty).
    static std::string usage(const std::string& command);
};

} // namespace fsllm
