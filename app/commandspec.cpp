#include "commandspec.h"

#include <algorithm>

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
    std::size_t width = 0;
    for (const OptionSpec& option : options)
        width = std::max(width, option.name.size() + (option.value.empty() ? 0 : option.value.size() + 1));
    for (const OptionSpec& option : options) {
        std::string left = "--" + option.name + (option.value.empty() ? "" : " " + option.value);
        left.resize(width + 4, ' ');
        text += "  " + left + option.help + "\n";
    }
    text += notes;
    return text;
}

} // namespace fsllm
