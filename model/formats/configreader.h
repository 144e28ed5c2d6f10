// Typed, range-checked access to the fields of a Hugging Face config.json object, shared by
// ModelConfig and the family files (model/families/). Absent and null optional fields take their
// defaults; every problem is thrown as FsllmError("<source>: field '<name>': <problem>").
// Thread-safety: reads a JSON value it does not own; use from one thread.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace fsllm {

class ConfigReader {
public:
    using Json = nlohmann::json;

    // `root` must outlive the reader.
    ConfigReader(const Json& root, const std::string& source) : m_root(root), m_source(source) {}

    [[noreturn]] void fail(const std::string& field, const std::string& problem) const;

    // The field's value, or nullptr when it is absent or null.
    const Json* find(const char* key) const;
    const Json& require(const char* key) const;
    bool has(const char* key) const { return m_root.contains(key); }

    int integer(const char* key, const Json& value) const;
    int positive(const char* key, const Json& value) const;
    int requiredPositive(const char* key) const { return positive(key, require(key)); }
    int optionalPositive(const char* key, int fallback) const;
    double optionalPositiveNumber(const char* key, double fallback) const;
    bool optionalBool(const char* key, bool fallback) const;
    // A token id (an integer >= 0); eos_token_id may also be a list (its first id is used).
    // `fallback` when absent or null.
    int optionalTokenId(const char* key, int fallback) const;
    // "torch_dtype" (or newer transformers' "dtype"): float32 | float16 | bfloat16; "float32"
    // when absent.
    std::string torchDtype() const;

    // A JSON value as a short one-line text for messages.
    static std::string shown(const Json& value);

    const std::string& source() const { return m_source; }

private:
    const Json& m_root;
    std::string m_source;
};

} // namespace fsllm
