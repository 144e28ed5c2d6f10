// Field access for the JSON files of a tokenizer (tokenizer.json, tokenizer_config.json): typed
// reads whose errors say "<file>: field '<path>': <what is wrong>" (FsllmError), one line.
// Thread-safety: const methods, no shared state.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace fsllm {

class JsonFieldReader {
public:
    using Json = nlohmann::json;

    // `source` names the file in messages.
    explicit JsonFieldReader(std::string source);

    [[noreturn]] void fail(const std::string& field, const std::string& what) const;
    // object[key]; "<field>.<key>: missing" when absent.
    const Json& member(const Json& object, const std::string& field, const std::string& key) const;
    void requireObject(const Json& value, const std::string& field) const;
    std::string string(const Json& value, const std::string& field) const;
    bool boolean(const Json& value, const std::string& field) const;
    // An optional boolean member; `fallback` when absent or null.
    bool optionalBool(const Json& object, const std::string& field, const std::string& key,
                      bool fallback) const;
    // A token id: an integer in [0, 16 Mi).
    int id(const Json& value, const std::string& field) const;
    // object["type"] as a string (object must be an object).
    std::string type(const Json& object, const std::string& field) const;
    const std::string& source() const;

private:
    std::string m_source;
};

} // namespace fsllm
