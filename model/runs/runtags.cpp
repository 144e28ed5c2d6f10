#include "runtags.h"

#include "atomicfile.h"
#include "fsllmerror.h"
#include "jsontext.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fsllm {

namespace {

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos)
        return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// Checks one trimmed, non-empty tag.
void checkTag(const std::string& tag, const std::string& where) {
    if (tag.size() > RunTags::kMaxTagBytes)
        throw FsllmError(where + "tag '" + JsonText::shortened(tag, 40) + "' is longer than " +
                         std::to_string(RunTags::kMaxTagBytes) + " bytes; use a shorter tag");
    for (const unsigned char c : tag)
        if (c < 0x20 || c == 0x7f || c == ',')
            throw FsllmError(where + "tag '" + JsonText::shortened(tag, 40) +
                             "' holds a comma or a control character; tags are short words");
}

} // namespace

std::vector<std::string> RunTags::parse(const std::string& text) {
    std::vector<std::string> tags;
    std::istringstream in(text);
    for (std::string part; std::getline(in, part, ',');) {
        const std::string tag = trimmed(part);
        if (tag.empty() || std::find(tags.begin(), tags.end(), tag) != tags.end())
            continue;
        checkTag(tag, "");
        tags.push_back(tag);
    }
    if (tags.size() > kMaxTags)
        throw FsllmError("a run holds at most " + std::to_string(kMaxTags) + " tags (got " +
                         std::to_string(tags.size()) + "); remove some");
    return tags;
}

std::vector<std::string> RunTags::read(const std::string& runDir) {
    const std::string path = runDir + "/" + kFileName;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return {};
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string fix = "write {\"tags\": [\"a\", \"b\"]} or delete the file";
    const nlohmann::json object = JsonText::parse(bytes.str(), path, fix);
    if (!object.is_object() || !object.contains("tags") || !object["tags"].is_array())
        throw FsllmError(path + ": field 'tags': expected a list of strings; " + fix);
    std::vector<std::string> tags;
    for (const auto& value : object["tags"]) {
        if (!value.is_string())
            throw FsllmError(path + ": field 'tags': expected strings, got " +
                             JsonText::shown(value) + "; " + fix);
        const std::string tag = trimmed(value.get<std::string>());
        if (tag.empty() || std::find(tags.begin(), tags.end(), tag) != tags.end())
            continue;
        checkTag(tag, path + ": ");
        tags.push_back(tag);
    }
    return tags;
}

void RunTags::write(const std::string& runDir, const std::vector<std::string>& tags) {
    const std::string path = runDir + "/" + kFileName;
    if (tags.empty()) {
        std::error_code error;
        std::filesystem::remove(path, error);
        if (error)
            throw FsllmError(path + ": cannot remove the tags file (" + error.message() + ")");
        return;
    }
    AtomicFile::write(path, nlohmann::json{{"tags", tags}}.dump() + "\n");
}

} // namespace fsllm
