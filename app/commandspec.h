// The options one fsllm subcommand accepts, in one table: the parser (CommandLine) takes its
// value options and flags from it and `--help` prints it, so the two cannot drift apart.
// No Qt, no torch. Thread-safety: value type.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace fsllm {

struct OptionSpec {
    std::string name;  // without the leading "--"
    std::string value; // what the value looks like ("FILE", "N"); empty for a flag
    std::string help;  // one line: what it does and its default
};

struct CommandSpec {
    std::string name;                 // "eval"
    std::vector<std::string> synopsis; // usage lines, e.g. "--run RUN_DIR --data FILE [options]"
    std::string summary;               // what the command does (may span lines)
    std::vector<OptionSpec> options;
    std::string notes;                 // input and output formats, printed after the options

    std::set<std::string> valueOptions() const;
    std::set<std::string> flags() const;
    // The --help text: synopsis, summary, one line per option, notes.
    std::string usage() const;
};

} // namespace fsllm
