// config.json field access (see configreader.h).
// Thread-safety: no shared state.
#include "configreader.h"

#include "fsllmerror.h"
#include "jsontext.h"
#include "textfile.h"

#include <cstdint>
#include <limits>

namespace fsllm {

void ConfigReader::fail(const std::string& field, const std::string& problem) const {
    throw FsllmError(m_source + ": field '" + field + "': " + problem);
}

std::string ConfigReader::shown(const Json& value) {
    return JsonText::shown(value);
}

const ConfigReader::Json* ConfigReader::find(const char* key) const {
    const auto it = m_root.find(key);
    return it == m_root.end() || it->is_null() ? nullptr : &*it;
}

const ConfigReader::Json& ConfigReader::require(const char* key) const {
    const Json* value = find(key);
    if (!value)
        fail(key, m_root.contains(key) ? "is null; it is required" : "is missing; it is required");
    return *value;
}

int ConfigReader::integer(const char* key, const Json& value) const {
    if (!value.is_number_integer())
        fail(key, "expected an integer, got " + shown(value));
    const bool fits =
        value.is_number_unsigned()
            ? value.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<int>::max())
            : value.get<std::int64_t>() >= std::numeric_limits<int>::min() &&
                  value.get<std::int64_t>() <= std::numeric_limits<int>::max();
    if (!fits)
        fail(key, shown(value) + " is out of range");
    return value.get<int>();
}

int ConfigReader::positive(const char* key, const Json& value) const {
    const int result = integer(key, value);
    if (result <= 0)
        fail(key, "must be a positive size, got " + std::to_string(result));
    return result;
}

int ConfigReader::optionalPositive(const char* key, int fallback) const {
    const Json* value = find(key);
    return value ? positive(key, *value) : fallback;
}

double ConfigReader::optionalPositiveNumber(const char* key, double fallback) const {
    const Json* value = find(key);
    if (!value)
        return fallback;
    if (!value->is_number())
        fail(key, "expected a number, got " + shown(*value));
    const double result = value->get<double>();
    if (!(result > 0.0))
        fail(key, "must be positive, got " + shown(*value));
    return result;
}

bool ConfigReader::optionalBool(const char* key, bool fallback) const {
    const Json* value = find(key);
    if (!value)
        return fallback;
    if (!value->is_boolean())
        fail(key, "expected true or false, got " + shown(*value));
    return value->get<bool>();
}

int ConfigReader::optionalTokenId(const char* key, int fallback) const {
    const Json* value = find(key);
    if (!value)
        return fallback;
    const Json* id = value;
    if (value->is_array()) {
        if (value->empty())
            fail(key, "is an empty list; give a token id");
        id = &value->front();
    }
    const int result = integer(key, *id);
    if (result < 0)
        fail(key, "must be a token id >= 0, got " + std::to_string(result));
    return result;
}

std::string ConfigReader::torchDtype() const {
    // Newer transformers write "dtype"; older ones "torch_dtype".
    const char* key = find("torch_dtype") ? "torch_dtype" : "dtype";
    const Json* value = find(key);
    if (!value)
        return "float32";
    if (!value->is_string())
        fail(key, "expected a string such as \"float16\", got " + shown(*value));
    const std::string dtype = value->get<std::string>();
    if (dtype != "float32" && dtype != "float16" && dtype != "bfloat16")
        fail(key,
             TextFile::inQuotes(dtype) + " is not supported; use float32, float16 or bfloat16");
    return dtype;
}

} // namespace fsllm
