// Minimal `--name value` / `--flag` parser for the fsllm subcommands, with clear errors for
// unknown options, missing values and malformed numbers. No Qt (the CLI builds without it).
// Thread-safety: value type, not shared.
#pragma once

#include "commandspec.h"
#include "engine.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace fsllm {

class CommandLine {
public:
    // args: what follows the subcommand. valueOptions take one value; flags take none.
    // Throws FsllmError for an unknown option or a value option given without a value.
    CommandLine(const std::string& command, const std::vector<std::string>& args,
                const std::set<std::string>& valueOptions, const std::set<std::string>& flags);
    // The options of `spec` (its value options and flags), so that --help lists what is parsed.
    CommandLine(const CommandSpec& spec, const std::vector<std::string>& args);

    bool has(const std::string& name) const;
    // Throws FsllmError("fsllm <command>: --<name> is required") when absent.
    std::string required(const std::string& name) const;
    std::string value(const std::string& name, const std::string& fallback) const;
    int intValue(const std::string& name, int fallback) const;
    double doubleValue(const std::string& name, double fallback) const;
    bool flag(const std::string& name) const { return m_flags.count(name) > 0; }
    // --device, --dtype and --threads (defaults: auto, auto, all cores).
    EngineOptions engineOptions() const;

    // The usage text of `command` in a table of commands; every entry when `command` is empty,
    // "" when the table does not have it.
    static std::string usageFrom(const std::map<std::string, std::string>& table,
                                 const std::string& command);

private:
    std::string m_command;
    std::map<std::string, std::string> m_values;
    std::set<std::string> m_flags;
};

} // namespace fsllm
