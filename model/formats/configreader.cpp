// config.json field access (see configreader.h).
// Thread-safety: no shared state.
#include "configreader.h"

#include "fsllmerror.h"
#include "jsontext.h"

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

} // namespace fsllm
