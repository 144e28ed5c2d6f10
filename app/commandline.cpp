#include "commandline.h"

#include "fsllmerror.h"

#include <cmath>
#include <cstdlib>

namespace fsllm {

CommandLine::CommandLine(const std::string& command, const std::vector<std::string>& args,
                         const std::set<std::string>& valueOptions,
                         const std::set<std::string>& flags)
    : m_command(command) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.rfind("--", 0) != 0)
            throw FsllmError("fsllm " + command + ": unexpected argument '" + arg +
                             "'; options look like --name value (see fsllm " + command + " --help)");
        const std::string name = arg.substr(2);
        if (flags.count(name)) {
            m_flags.insert(name);
        } else if (valueOptions.count(name)) {
            if (i + 1 >= args.size())
                throw FsllmError("fsllm " + command + ": --" + name + " needs a value");
            m_values[name] = args[++i];
        } else {
            throw FsllmError("fsllm " + command + ": unknown option --" + name + " (see fsllm " +
                             command + " --help)");
        }
    }
}

CommandLine::CommandLine(const CommandSpec& spec, const std::vector<std::string>& args)
    : CommandLine(spec.name, args, spec.valueOptions(), spec.flags()) {}

bool CommandLine::has(const std::string& name) const { return m_values.count(name) > 0; }

std::string CommandLine::required(const std::string& name) const {
    auto it = m_values.find(name);
    if (it == m_values.end())
        throw FsllmError("fsllm " + m_command + ": --" + name + " is required (see fsllm " +
                         m_command + " --help)");
    return it->second;
}

std::string CommandLine::value(const std::string& name, const std::string& fallback) const {
    auto it = m_values.find(name);
    return it == m_values.end() ? fallback : it->second;
}

int CommandLine::intValue(const std::string& name, int fallback) const {
    auto it = m_values.find(name);
    if (it == m_values.end())
        return fallback;
    char* end = nullptr;
    const long parsed = std::strtol(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || parsed < -1000000000L || parsed > 1000000000L)
        throw FsllmError("fsllm " + m_command + ": --" + name + " must be an integer, got '" +
                         it->second + "'");
    return static_cast<int>(parsed);
}

double CommandLine::doubleValue(const std::string& name, double fallback) const {
    auto it = m_values.find(name);
    if (it == m_values.end())
        return fallback;
    char* end = nullptr;
    const double parsed = std::strtod(it->second.c_str(), &end);
    if (it->second.empty() || *end != '\0' || std::isnan(parsed))
        throw FsllmError("fsllm " + m_command + ": --" + name + " must be a number, got '" +
                         it->second + "'");
    return parsed;
}

EngineOptions CommandLine::engineOptions() const {
    EngineOptions options;
    options.device = value("device", "auto");
    options.dtype = value("dtype", "auto");
    options.threads = intValue("threads", 0);
    return options;
}

std::string CommandLine::usageFrom(const std::map<std::string, std::string>& table,
                                   const std::string& command) {
    if (!command.empty()) {
        auto it = table.find(command);
        return it == table.end() ? std::string() : it->second;
    }
    std::string all;
    for (const auto& entry : table)
        all += entry.second + "\n";
    return all;
}

} // namespace fsllm
