// JSON parsing with a nesting limit (see jsontext.h). The depth pre-scan is a single pass that
// tracks strings and escapes; the parse only runs once the text is known to be shallow, so no
// recursive code (dump, copy, comparison) ever meets a deep value.
// Thread-safety: pure functions.
#include "jsontext.h"

#include "fsllmerror.h"

#include <limits>

namespace fsllm {

namespace {

constexpr std::size_t kMaxReason = 160;

} // namespace

std::size_t JsonText::tooDeepOffset(std::string_view text) {
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxDepth)
                return i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::string_view::npos;
}

nlohmann::json JsonText::parse(std::string_view text, const std::string& source,
                               const std::string& fix, const Callback& callback) {
    const std::size_t deep = tooDeepOffset(text);
    if (deep != std::string_view::npos)
        throw FsllmError(source + ": JSON nested deeper than " + std::to_string(kMaxDepth) +
                         " levels (at byte " + std::to_string(deep) + "); " + fix);
    try {
        return nlohmann::json::parse(text.begin(), text.end(), callback);
    } catch (const nlohmann::json::exception& e) {
        throw FsllmError(source + ": not valid JSON (" + reason(e) + "); " + fix);
    }
}

std::string JsonText::shortened(std::string_view text, std::size_t limit) {
    if (text.size() <= limit)
        return std::string(text);
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(text.substr(0, cut)) + "...";
}

std::string JsonText::shown(const nlohmann::json& value) {
    // Values come from parse(), so they are shallow; replace keeps a bad string from throwing.
    return shortened(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     kMaxShown);
}

int JsonText::intValue(const nlohmann::json& value, const std::string& field) {
    constexpr auto kMin = std::numeric_limits<int>::min();
    constexpr auto kMax = std::numeric_limits<int>::max();
    const bool fits = value.is_number_unsigned()
                          ? value.get<std::uint64_t>() <= std::uint64_t(kMax)
                          : value.is_number_integer() && value.get<std::int64_t>() >= kMin &&
                                value.get<std::int64_t>() <= kMax;
    if (!fits)
        throw FsllmError("field '" + field + "': expected an integer from " + std::to_string(kMin) +
                         " to " + std::to_string(kMax) + ", got " + shown(value));
    return static_cast<int>(value.get<std::int64_t>());
}

std::string JsonText::reason(const std::exception& error) {
    std::string text = error.what();
    const std::size_t tag = text.find("] ");
    if (!text.empty() && text.front() == '[' && tag != std::string::npos)
        text.erase(0, tag + 2);
    return shortened(text, kMaxReason);
}

} // namespace fsllm
