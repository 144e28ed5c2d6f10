// Reads tokenizer.json and tokenizer_config.json (see tokenizerjson.h). Every field used is
// checked for its type and value before it is used; messages name the file and the field.
// Thread-safety: pure functions.
#include "tokenizerjson.h"

#include "fsllmerror.h"
#include "jsonfieldreader.h"
#include "jsontext.h"
#include "lfspointer.h"
#include "tokenizerjsonpipeline.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <unordered_map>

namespace fsllm {

namespace {

using Json = nlohmann::json;
using FieldReader = JsonFieldReader;

std::string readFile(const std::string& path) {
    if (std::filesystem::is_directory(path))
        throw FsllmError(path + ": is a folder, not a tokenizer.json file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FsllmError(path + ": tokenizer file not found or not readable");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        throw FsllmError(path + ": cannot read the tokenizer file");
    LfsPointer::refuse(path, bytes, bytes.size());
    return bytes;
}

// model: {"type": "BPE", "vocab": {...}, "merges": [...], ...}
void readModel(const Json& model, const FieldReader& r, TokenizerJsonSpec& spec,
               std::unordered_map<std::string, int>& vocab) {
    const std::string type = r.type(model, "model");
    if (type != "BPE")
        r.fail("model.type", "'" + type + "' tokenizers are not supported; only BPE (byte-level, "
                             "as GPT-2, LLaMA-3 and Qwen use) is, or give a sentencepiece "
                             "tokenizer.model");
    const auto dropout = model.find("dropout");
    if (dropout != model.end() && !dropout->is_null() &&
        !(dropout->is_number() && dropout->get<double>() == 0.0))
        r.fail("model.dropout", "BPE dropout " + JsonText::shown(*dropout) +
                                    " is not supported; set it to null for inference");
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
        const auto it = model.find(key);
        if (it != model.end() && !it->is_null() &&
            !r.string(*it, std::string("model.") + key).empty())
            r.fail(std::string("model.") + key,
                   "'" + it->get<std::string>() + "' is not supported (no LLaMA, Mistral, Qwen or "
                                                  "GPT-2 style BPE uses one)");
    }
    spec.byteFallback = r.optionalBool(model, "model", "byte_fallback", false);
    spec.fuseUnk = r.optionalBool(model, "model", "fuse_unk", false);
    spec.ignoreMerges = r.optionalBool(model, "model", "ignore_merges", false);

    const Json& vocabJson = r.member(model, "model", "vocab");
    if (!vocabJson.is_object() || vocabJson.empty())
        r.fail("model.vocab", "expected a non-empty object of piece -> id, got " +
                                  JsonText::shown(vocabJson));
    int maxId = -1;
    for (auto it = vocabJson.begin(); it != vocabJson.end(); ++it) {
        const int id = r.id(it.value(), "model.vocab[\"" + JsonText::shortened(it.key(), 40) + "\"]");
        vocab[it.key()] = id;
        maxId = std::max(maxId, id);
    }
    spec.pieces.assign(static_cast<std::size_t>(maxId) + 1, std::string());
    std::vector<bool> taken(spec.pieces.size(), false);
    for (const auto& [piece, id] : vocab) {
        if (taken[static_cast<std::size_t>(id)])
            r.fail("model.vocab", "id " + std::to_string(id) + " is given to both '" +
                                      spec.pieces[static_cast<std::size_t>(id)] + "' and '" +
                                      piece + "'");
        taken[static_cast<std::size_t>(id)] = true;
        spec.pieces[static_cast<std::size_t>(id)] = piece;
    }

    const Json& merges = r.member(model, "model", "merges");
    if (!merges.is_array())
        r.fail("model.merges", std::string("expected an array, got ") + merges.type_name());
    spec.merges.reserve(merges.size());
    for (std::size_t i = 0; i < merges.size(); ++i) {
        const std::string field = "model.merges[" + std::to_string(i) + "]";
        const Json& merge = merges[i];
        std::pair<std::string, std::string> pair;
        if (merge.is_string()) { // "a b"
            const std::string text = merge.get<std::string>();
            const std::size_t space = text.find(' ');
            if (space == std::string::npos || space == 0 || space + 1 >= text.size() ||
                text.find(' ', space + 1) != std::string::npos)
                r.fail(field, "expected two pieces separated by one space, got " +
                                  JsonText::shown(merge));
            pair = {text.substr(0, space), text.substr(space + 1)};
        } else if (merge.is_array() && merge.size() == 2) { // ["a", "b"]
            pair = {r.string(merge[0], field + "[0]"), r.string(merge[1], field + "[1]")};
        } else {
            r.fail(field, "expected \"a b\" or [\"a\", \"b\"], got " + JsonText::shown(merge));
        }
        for (const std::string* part :
             std::initializer_list<const std::string*>{&pair.first, &pair.second, nullptr}) {
            const std::string piece = part ? *part : pair.first + pair.second;
            if (!vocab.count(piece))
                r.fail(field, (part ? "piece '" : "merged piece '") + piece +
                                  "' is not in model.vocab; the merges do not belong to this "
                                  "vocabulary");
        }
        spec.merges.push_back(std::move(pair));
    }

    const auto unk = model.find("unk_token");
    if (unk != model.end() && !unk->is_null()) {
        const std::string token = r.string(*unk, "model.unk_token");
        const auto found = vocab.find(token);
        if (found == vocab.end())
            r.fail("model.unk_token", "'" + token + "' is not in model.vocab");
        spec.unkId = found->second;
    }
}

void readAddedTokens(const Json& root, const FieldReader& r, TokenizerJsonSpec& spec,
                     std::unordered_map<std::string, int>& vocab) {
    const auto it = root.find("added_tokens");
    if (it == root.end() || it->is_null())
        return;
    if (!it->is_array())
        r.fail("added_tokens", std::string("expected an array, got ") + it->type_name());
    for (std::size_t i = 0; i < it->size(); ++i) {
        const std::string field = "added_tokens[" + std::to_string(i) + "]";
        const Json& token = (*it)[i];
        r.requireObject(token, field);
        AddedTokenSpec added;
        added.id = r.id(r.member(token, field, "id"), field + ".id");
        added.content = r.string(r.member(token, field, "content"), field + ".content");
        if (added.content.empty())
            r.fail(field + ".content", "an added token cannot be empty");
        added.special = r.optionalBool(token, field, "special", false);
        added.lstrip = r.optionalBool(token, field, "lstrip", false);
        added.rstrip = r.optionalBool(token, field, "rstrip", false);
        if (r.optionalBool(token, field, "single_word", false))
            r.fail(field + ".single_word", "single_word added tokens are not supported");
        r.optionalBool(token, field, "normalized", false); // checked; matched before normalizing
        const auto existing = vocab.find(added.content);
        if (existing != vocab.end() && existing->second != added.id)
            r.fail(field, "'" + added.content + "' has id " + std::to_string(added.id) +
                              " but model.vocab gives it " + std::to_string(existing->second));
        const auto index = static_cast<std::size_t>(added.id);
        if (index >= spec.pieces.size())
            spec.pieces.resize(index + 1);
        else if (!spec.pieces[index].empty() && spec.pieces[index] != added.content)
            r.fail(field + ".id", std::to_string(added.id) + " is already '" +
                                      spec.pieces[index] + "' in model.vocab");
        spec.pieces[index] = added.content;
        vocab[added.content] = added.id;
        spec.addedTokens.push_back(std::move(added));
    }
}

// TemplateProcessing.single: special tokens before {"Sequence": {"id": "A"}} are BOS.
int templateBos(const Json& processor, const std::string& field, const FieldReader& r,
                const std::unordered_map<std::string, int>& vocab) {
    const Json& single = r.member(processor, field, "single");
    if (!single.is_array())
        r.fail(field + ".single", "expected an array");
    std::vector<std::string> before, after;
    bool sawSequence = false;
    for (std::size_t i = 0; i < single.size(); ++i) {
        const std::string item = field + ".single[" + std::to_string(i) + "]";
        r.requireObject(single[i], item);
        if (single[i].contains("Sequence")) {
            sawSequence = true;
        } else if (single[i].contains("SpecialToken")) {
            const Json& special = single[i]["SpecialToken"];
            r.requireObject(special, item + ".SpecialToken");
            const std::string name =
                r.string(r.member(special, item + ".SpecialToken", "id"), item + ".SpecialToken.id");
            (sawSequence ? after : before).push_back(name);
        } else {
            r.fail(item, "expected {\"SpecialToken\": ...} or {\"Sequence\": ...}");
        }
    }
    if (!sawSequence)
        r.fail(field + ".single", "has no {\"Sequence\": {\"id\": \"A\"}} for the text");
    if (!after.empty())
        r.fail(field + ".single", "adds '" + after.front() + "' after the text; only special "
                                  "tokens before it (BOS) are supported");
    if (before.size() > 1)
        r.fail(field + ".single", "adds " + std::to_string(before.size()) +
                                      " special tokens before the text; one (BOS) is supported");
    if (before.empty())
        return -1;
    // The id comes from special_tokens[name].ids, else from the vocabulary.
    const auto specials = processor.find("special_tokens");
    if (specials != processor.end() && specials->is_object() && specials->contains(before[0])) {
        const std::string entry = field + ".special_tokens." + before[0];
        const Json& ids = r.member((*specials)[before[0]], entry, "ids");
        if (!ids.is_array() || ids.size() != 1)
            r.fail(entry + ".ids", "expected one id, got " + JsonText::shown(ids));
        return r.id(ids[0], entry + ".ids[0]");
    }
    const auto found = vocab.find(before[0]);
    if (found == vocab.end())
        r.fail(field + ".single", "special token '" + before[0] + "' is not in the vocabulary");
    return found->second;
}

void readPostProcessor(const Json& root, const FieldReader& r, TokenizerJsonSpec& spec,
                       const std::unordered_map<std::string, int>& vocab) {
    const auto it = root.find("post_processor");
    if (it == root.end() || it->is_null())
        return;
    std::vector<std::pair<const Json*, std::string>> steps{{&*it, "post_processor"}};
    if (r.type(*it, "post_processor") == "Sequence") {
        const Json& list = r.member(*it, "post_processor", "processors");
        if (!list.is_array())
            r.fail("post_processor.processors", "expected an array");
        steps.clear();
        for (std::size_t i = 0; i < list.size(); ++i)
            steps.emplace_back(&list[i], "post_processor.processors[" + std::to_string(i) + "]");
    }
    for (const auto& [step, field] : steps) {
        const std::string type = r.type(*step, field);
        if (type == "TemplateProcessing")
            spec.bosId = templateBos(*step, field, r, vocab);
        else if (type != "ByteLevel")
            r.fail(field + ".type", "post-processor '" + type + "' is not supported; "
                                    "TemplateProcessing and ByteLevel are");
    }
}

// tokenizer_config.json's "<key>": "token" or {"content": "token"} or null -> id or -1.
int configTokenId(const Json& config, const std::string& key, const FieldReader& r,
                  const std::unordered_map<std::string, int>& vocab) {
    const auto it = config.find(key);
    if (it == config.end() || it->is_null())
        return -1;
    std::string token;
    if (it->is_object())
        token = r.string(r.member(*it, key, "content"), key + ".content");
    else
        token = r.string(*it, key);
    const auto found = vocab.find(token);
    if (found == vocab.end())
        r.fail(key, "'" + token + "' is not in the tokenizer's vocabulary");
    return found->second;
}

void readConfig(const std::string& configText, const std::string& configPath,
                TokenizerJsonSpec& spec, const std::unordered_map<std::string, int>& vocab) {
    if (configText.empty())
        return;
    const Json config = JsonText::parse(configText, configPath,
                                        "fix or re-download tokenizer_config.json");
    const FieldReader r(configPath);
    r.requireObject(config, "(top level)");
    const int bos = configTokenId(config, "bos_token", r, vocab);
    if (spec.bosId < 0 && bos >= 0 && r.optionalBool(config, "", "add_bos_token", false))
        spec.bosId = bos;
    spec.eosId = configTokenId(config, "eos_token", r, vocab);
    spec.padId = configTokenId(config, "pad_token", r, vocab);
}

} // namespace

TokenizerJsonSpec TokenizerJson::parse(const std::string& text, const std::string& path,
                                       const std::string& configText,
                                       const std::string& configPath) {
    const Json root = JsonText::parse(text, path, "fix or re-download tokenizer.json");
    const FieldReader r(path);
    r.requireObject(root, "(top level)");
    TokenizerJsonSpec spec;
    spec.path = path;
    std::unordered_map<std::string, int> vocab; // piece -> id, added tokens included
    readModel(r.member(root, "", "model"), r, spec, vocab);
    readAddedTokens(root, r, spec, vocab);
    TokenizerJsonPipeline::read(root, r, spec);
    readPostProcessor(root, r, spec, vocab);
    readConfig(configText, configPath, spec, vocab);
    return spec;
}

TokenizerJsonSpec TokenizerJson::read(const std::string& path) {
    const std::string text = readFile(path);
    const std::string configPath =
        (std::filesystem::path(path).parent_path() / "tokenizer_config.json").string();
    std::string configText;
    if (std::filesystem::is_regular_file(configPath)) {
        configText = readFile(configPath);
        if (configText.empty())
            throw FsllmError(configPath + ": empty file; delete it or re-download it");
    }
    return parse(text, path, configText, configPath);
}

} // namespace fsllm
