// The option tables of the training subcommands (train, sweep, eval, predict, zeroshot): what each
// accepts, with the one-line help and the input/output formats `--help` prints. The commands
// parse with these tables (CommandLine), so --help lists exactly the options that are accepted.
// Thread-safety: immutable after first use.
#pragma once

#include "commandspec.h"

#include <string>
#include <vector>

namespace fsllm {

class TrainingCommandSpecs {
public:
    static const CommandSpec& train();
    static const CommandSpec& sweep();
    static const CommandSpec& eval();
    static const CommandSpec& predict();
    static const CommandSpec& zeroshot();
    static std::vector<const CommandSpec*> all();
    // The spec named `command`, or nullptr.
    static const CommandSpec* find(const std::string& command);
};

} // namespace fsllm
