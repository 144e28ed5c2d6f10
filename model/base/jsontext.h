// Parses JSON read from files (config.json, adapter_config.json, run.json, safetensors headers,
// JSON Lines rows) with a nesting limit checked BEFORE any value is built, so hostile input such
// as 100,000 levels of '[' never becomes a deep value; and shows values in messages on one
// short line. Every error is an FsllmError naming the source. Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

namespace fsllm {

class JsonText {
public:
    // Containers ('[' or '{') may nest this deep; real files need fewer than 10 levels.
    static constexpr int kMaxDepth = 64;
    // Longest value text a message shows (longer ones end in "...").
    static constexpr std::size_t kMaxShown = 80;

    using Callback = nlohmann::json::parser_callback_t;

    // Parses `text`. Throws FsllmError("<source>: JSON nested deeper than 64 levels (at byte
    // N); <fix>") or FsllmError("<source>: not valid JSON (<reason>); <fix>"), where `source` is
    // the file (or file:line, or "file: header") and `fix` says what to do about it.
    static nlohmann::json parse(std::string_view text, const std::string& source,
                                const std::string& fix, const Callback& callback = nullptr);

    // Offset of the bracket that opens level kMaxDepth + 1 (brackets inside strings do not
    // count), or npos when the text nests no deeper than kMaxDepth.
    static std::size_t tooDeepOffset(std::string_view text);

    // The value as compact JSON on one line, cut to kMaxShown characters (at a UTF-8 character
    // boundary) with "..." appended when longer.
    static std::string shown(const nlohmann::json& value);

    // nlohmann's exception text without its "[json.exception.parse_error.101] " tag, shortened
    // (its "last read" part can quote a whole long token).
    static std::string reason(const std::exception& error);

    // `value` as an int. Throws FsllmError("field '<field>': expected an integer from
    // INT_MIN to INT_MAX, got <value>") for a non-integer or one out of range (nlohmann's
    // get<int>() converts such values with undefined behaviour).
    static int intValue(const nlohmann::json& value, const std::string& field);

    // `text` cut to `limit` bytes at a UTF-8 character boundary, "..." appended when cut.
    static std::string shortened(std::string_view text, std::size_t limit);
};

} // namespace fsllm
