// The checkpoint's tokenizer (see tokenizer.h): picks the backend by file name and adds BOS.
#include "tokenizer.h"

#include "bpebackend.h"
#include "chatglmbackend.h"
#include "fsllmerror.h"
#include "jsontext.h"
#include "sentencepiecebackend.h"
#include "textfile.h"
#include "utf8text.h"

#include <filesystem>

namespace fsllm {

namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Whether the tokenizer_config.json beside a sentencepiece model names ChatGLM's tokenizer class.
bool isChatGlmTokenizer(const std::string& modelPath) {
    const std::string configPath =
        (std::filesystem::path(modelPath).parent_path() / "tokenizer_config.json").string();
    if (!std::filesystem::is_regular_file(configPath))
        return false;
    const auto config = JsonText::parse(TextFile::load(configPath), configPath,
                                        "fix or re-download tokenizer_config.json");
    const auto found = config.is_object() ? config.find("tokenizer_class") : config.end();
    return config.is_object() && found != config.end() && found->is_string() &&
           found->get<std::string>() == "ChatGLMTokenizer";
}

std::unique_ptr<TokenizerBackend> backendFor(const std::string& path) {
    if (endsWith(path, ".json"))
        return std::make_unique<BpeBackend>(path);
    if (isChatGlmTokenizer(path))
        return std::make_unique<ChatGlmBackend>(path);
    return std::make_unique<SentencepieceBackend>(path);
}

} // namespace

Tokenizer::Tokenizer(const std::string& path) : m_backend(backendFor(path)), m_path(path) {}

Tokenizer::~Tokenizer() = default;

std::string Tokenizer::fileInFolder(const std::string& directory) {
    for (const char* name : {"tokenizer.model", "tokenizer.json"}) {
        const std::string path = directory + "/" + name;
        if (std::filesystem::exists(path))
            return path;
    }
    return "";
}

std::string Tokenizer::missingMessage(const std::string& directory) {
    return directory + ": no tokenizer.model (sentencepiece) or tokenizer.json (Hugging Face) "
                       "found; working with text needs the checkpoint's tokenizer: copy one of "
                       "them from the model's repository";
}

std::string Tokenizer::kind() const {
    return m_backend->kind();
}

const std::string& Tokenizer::path() const {
    return m_path;
}

std::vector<int> Tokenizer::encode(const std::string& text, bool addBos) const {
    Utf8Text::require(text);
    std::vector<int> ids = m_backend->encode(text);
    if (addBos) {
        const std::vector<int> prefix = prefixIds();
        ids.insert(ids.begin(), prefix.begin(), prefix.end());
    }
    return ids;
}

std::vector<std::string> Tokenizer::pieces(const std::vector<int>& ids) const {
    return m_backend->pieces(ids);
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
    return m_backend->decode(ids);
}

WordAlignment Tokenizer::encodeWords(const std::vector<std::string>& words, bool addBos) const {
    WordAlignment alignment = m_backend->encodeWords(words);
    for (std::size_t k = 0; k < words.size(); ++k)
        if (alignment.firstSubToken[k] < 0)
            throw FsllmError("word " + std::to_string(k) + " (" + TextFile::inQuotes(words[k]) +
                             ") produced no token of its own; words must not be whitespace");
    const std::vector<int> prefix = addBos ? prefixIds() : std::vector<int>{};
    if (!prefix.empty()) {
        const int shift = static_cast<int>(prefix.size());
        alignment.ids.insert(alignment.ids.begin(), prefix.begin(), prefix.end());
        alignment.wordOfToken.insert(alignment.wordOfToken.begin(), prefix.size(), -1);
        for (int& first : alignment.firstSubToken)
            if (first >= 0)
                first += shift;
    }
    return alignment;
}

bool Tokenizer::addsDummyPrefix() const {
    return m_backend->addsDummyPrefix();
}

int Tokenizer::vocabSize() const {
    return m_backend->vocabSize();
}

int Tokenizer::bosId() const {
    return m_backend->bosId();
}

std::vector<int> Tokenizer::prefixIds() const {
    return m_backend->prefixIds();
}

int Tokenizer::eosId() const {
    return m_backend->eosId();
}

int Tokenizer::padId() const {
    return m_backend->padId();
}

int Tokenizer::unkId() const {
    return m_backend->unkId();
}

int Tokenizer::pieceToId(const std::string& piece) const {
    return m_backend->pieceToId(piece);
}

} // namespace fsllm
