// A checkpoint folder's weights (see checkpointindex.h): one model.safetensors, or shards listed by
// model.safetensors.index.json. Every shard is mapped once; tensors are views into the shards.
// Thread-safety: immutable after construction.
#include "checkpointindex.h"

#include "fsllmerror.h"
#include "jsontext.h"
#include "lfspointer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fsllm {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";

std::string joinPath(const std::string& folder, const std::string& name) {
    return (fs::path(folder) / name).string();
}

Json readIndexJson(const std::string& indexPath) {
    std::ifstream in(indexPath, std::ios::binary);
    if (!in)
        throw FsllmError(indexPath + ": cannot open; check the file's permissions");
    std::stringstream text;
    text << in.rdbuf();
    const std::string bytes = text.str();
    LfsPointer::refuse(indexPath, bytes, bytes.size());
    return JsonText::parse(bytes, indexPath, "re-download the checkpoint's index file");
}

// A shard must be a plain file name inside the checkpoint folder.
bool isPlainFileName(const std::string& name) {
    return !name.empty() && name != "." && name != ".." &&
           name.find_first_of("/\\") == std::string::npos;
}

} // namespace

std::map<std::string, std::string> CheckpointIndex::readWeightMap(const std::string& indexPath) {
    const Json index = readIndexJson(indexPath);
    if (!index.is_object())
        throw FsllmError(indexPath + ": not a JSON object; expected {\"weight_map\": {...}}");
    const auto it = index.find("weight_map");
    if (it == index.end() || !it->is_object())
        throw FsllmError(indexPath + ": field 'weight_map' is missing or not an object; " +
                         "expected {\"weight_map\": {\"tensor\": \"shard.safetensors\"}}");
    if (it->empty())
        throw FsllmError(indexPath + ": field 'weight_map' is empty; the checkpoint has no " +
                         "tensors, re-download it");
    std::map<std::string, std::string> weightMap;
    for (const auto& item : it->items()) {
        if (!item.value().is_string() || !isPlainFileName(item.value().get<std::string>()))
            throw FsllmError(indexPath + ": field 'weight_map': tensor '" + item.key() +
                             "' maps to " + JsonText::shown(item.value()) +
                             ", not a shard file name in the same folder");
        weightMap[item.key()] = item.value().get<std::string>();
    }
    return weightMap;
}

struct CheckpointIndex::Impl {
    std::string directory;
    std::map<std::string, std::unique_ptr<SafetensorsFile>> files; // by file name
    std::vector<TensorView> ownViews; // views handed to the second constructor
    std::map<std::string, const TensorView*> tensors;

    const SafetensorsFile& open(const std::string& fileName);
    void loadSingle();
    void loadSharded(const std::string& indexPath);
};

const SafetensorsFile& CheckpointIndex::Impl::open(const std::string& fileName) {
    auto& file = files[fileName];
    if (!file)
        file = std::make_unique<SafetensorsFile>(joinPath(directory, fileName));
    return *file;
}

void CheckpointIndex::Impl::loadSingle() {
    const SafetensorsFile& file = open(kSingleFile);
    for (const std::string& name : file.names())
        tensors[name] = &file.tensor(name);
}

void CheckpointIndex::Impl::loadSharded(const std::string& indexPath) {
    for (const auto& [name, shard] : readWeightMap(indexPath)) {
        if (!fs::is_regular_file(joinPath(directory, shard)))
            throw FsllmError(indexPath + ": shard '" + shard + "' (holding tensor '" + name +
                             "') does not exist in " + directory + "; download the missing shard");
        const SafetensorsFile& file = open(shard);
        if (!file.contains(name))
            throw FsllmError(indexPath + ": tensor '" + name + "' is mapped to shard '" + shard +
                             "', but that shard does not contain it; re-download the checkpoint");
        tensors[name] = &file.tensor(name);
    }
}

CheckpointIndex::CheckpointIndex(const std::string& directory) : m_impl(std::make_unique<Impl>()) {
    m_impl->directory = directory;
    if (!fs::is_directory(directory))
        throw FsllmError(directory + ": is not a folder; give the checkpoint folder (the one " +
                         "holding config.json and model.safetensors)");
    // Like transformers: a single model.safetensors wins over an index.
    const std::string indexPath = joinPath(directory, kIndexFile);
    if (fs::is_regular_file(joinPath(directory, kSingleFile)))
        m_impl->loadSingle();
    else if (fs::is_regular_file(indexPath))
        m_impl->loadSharded(indexPath);
    else
        throw FsllmError(directory + ": no " + kSingleFile + ", " + kIndexFile +
                         ", pytorch_model.bin or pytorch_model.bin.index.json; the folder holds "
                         "no weights (download them into it)");
}

CheckpointIndex::CheckpointIndex(const std::string& directory, std::vector<TensorView> tensors)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->directory = directory;
    m_impl->ownViews = std::move(tensors);
    for (const TensorView& view : m_impl->ownViews)
        if (!m_impl->tensors.emplace(view.name, &view).second)
            throw FsllmError(directory + ": tensor '" + view.name +
                             "' appears twice in the checkpoint's files; re-download it");
}

bool CheckpointIndex::holdsSafetensors(const std::string& directory) {
    return fs::is_regular_file(joinPath(directory, kSingleFile)) ||
           fs::is_regular_file(joinPath(directory, kIndexFile));
}

CheckpointIndex::~CheckpointIndex() = default;

bool CheckpointIndex::contains(const std::string& name) const {
    return m_impl->tensors.count(name) > 0;
}

const TensorView& CheckpointIndex::tensor(const std::string& name) const {
    const auto it = m_impl->tensors.find(name);
    if (it == m_impl->tensors.end())
        throw FsllmError(m_impl->directory + ": tensor '" + name +
                         "' is missing from the checkpoint");
    return *it->second;
}

std::vector<std::string> CheckpointIndex::names() const {
    std::vector<std::string> result;
    result.reserve(m_impl->tensors.size());
    for (const auto& item : m_impl->tensors)
        result.push_back(item.first);
    return result;
}

const std::string& CheckpointIndex::directory() const {
    return m_impl->directory;
}

} // namespace fsllm
