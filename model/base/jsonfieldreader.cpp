// Typed field reads with messages naming the file and field (see jsonfieldreader.h).
#include "jsonfieldreader.h"

#include "fsllmerror.h"
#include "jsontext.h"

#include <nlohmann/json.hpp>

namespace fsllm {

namespace {

// Ids at or above this are refused before any table is sized by them.
constexpr int kMaxId = 16 * 1024 * 1024;

} // namespace

JsonFieldReader::JsonFieldReader(std::string source) : m_source(std::move(source)) {}

void JsonFieldReader::fail(const std::string& field, const std::string& what) const {
    throw FsllmError(m_source + ": field '" + field + "': " + what);
}

const JsonFieldReader::Json& JsonFieldReader::member(const Json& object, const std::string& field,
                                                     const std::string& key) const {
    const std::string path = field.empty() ? key : field + "." + key;
    const auto it = object.find(key);
    if (it == object.end())
        fail(path, "missing");
    return *it;
}

void JsonFieldReader::requireObject(const Json& value, const std::string& field) const {
    if (!value.is_object())
        fail(field, std::string("expected an object, got ") + value.type_name() + " " +
                        JsonText::shown(value));
}

std::string JsonFieldReader::string(const Json& value, const std::string& field) const {
    if (!value.is_string())
        fail(field, std::string("expected a string, got ") + value.type_name() + " " +
                        JsonText::shown(value));
    return value.get<std::string>();
}

bool JsonFieldReader::boolean(const Json& value, const std::string& field) const {
    if (!value.is_boolean())
        fail(field, std::string("expected true or false, got ") + JsonText::shown(value));
    return value.get<bool>();
}

bool JsonFieldReader::optionalBool(const Json& object, const std::string& field,
                                   const std::string& key, bool fallback) const {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return fallback;
    return boolean(*it, field + "." + key);
}

int JsonFieldReader::id(const Json& value, const std::string& field) const {
    const int result = withErrorContext(m_source, [&] { return JsonText::intValue(value, field); });
    if (result < 0)
        fail(field, "token ids cannot be negative, got " + std::to_string(result));
    if (result >= kMaxId)
        fail(field, "token id " + std::to_string(result) +
                        " is implausibly large (the "
                        "largest vocabularies have about 256,000 pieces)");
    return result;
}

std::string JsonFieldReader::type(const Json& object, const std::string& field) const {
    requireObject(object, field);
    return string(member(object, field, "type"), field + ".type");
}

const std::string& JsonFieldReader::source() const {
    return m_source;
}

} // namespace fsllm
