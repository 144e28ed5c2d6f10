#include "commandspec.h"

namespace fsllm {

std::set<std::string> CommandSpec::valueOptions() const {
    std::set<std::string> names;
    for (const OptionSpec& option : options)
        if (!option.value.empty())
            names.insert(option.name);
    return names;
}

std::set<std::string> CommandSpec::flags() const {
    std::set<std::string> names;
    for (const OptionSpec& option : options)
        if (option.value.empty())
            names.insert(option.name);
    return names;
}

std::string CommandSpec::usage() const {
    std::string text;
    for (std::size_t i = 0; i < synopsis.size(); ++i)
        text += std::string(i == 0 ? "fsllm " : "   or: fsllm ") + name + " " + synopsis[i] + "\n";
    text += summary;
    if (!options.empty())
        text += "options:\n";
    // "  --name VALUE   help" with the help in a column; a longer left side puts it below.
    constexpr std::size_t kColumn = 30;
    for (const OptionSpec& option : options) {
        std::string left = "--" + option.name + (option.value.empty() ? "" : " " + option.value);
        if (left.size() + 2 > kColumn)
            left += "\n" + std::string(kColumn + 2, ' ');
        else
            left.resize(kColumn, ' ');
        text += "  " + left + option.help + "\n";
    }
    text += notes;
    return text;
}

} // namespace fsllm
