// ChatGLM's tokenizer (see chatglmbackend.h).
#include "chatglmbackend.h"

#include "fsllmerror.h"
#include "sentencepiecebackend.h"
#include "tokenizer.h"

namespace fsllm {

const std::vector<std::string>& ChatGlmBackend::specialTokens() {
    static const std::vector<std::string> tokens = {"[MASK]", "[gMASK]", "[sMASK]", "sop", "eop"};
    return tokens;
}

ChatGlmBackend::ChatGlmBackend(const std::string& modelPath)
    : m_pieces(std::make_unique<SentencepieceBackend>(modelPath)),
      m_firstSpecial(m_pieces->vocabSize()) {}

ChatGlmBackend::~ChatGlmBackend() = default;

std::string ChatGlmBackend::kind() const {
    return "ChatGLM sentencepiece (tokenizer.model)";
}

std::vector<int> ChatGlmBackend::encode(const std::string& text) const {
    return m_pieces->encode(text);
}

WordAlignment ChatGlmBackend::encodeWords(const std::vector<std::string>& words) const {
    return m_pieces->encodeWords(words);
}

std::vector<std::string> ChatGlmBackend::pieces(const std::vector<int>& ids) const {
    std::vector<std::string> result;
    result.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const int id = ids[i];
        if (id >= m_firstSpecial && id < vocabSize())
            result.push_back(specialTokens()[static_cast<std::size_t>(id - m_firstSpecial)]);
        else if (id >= vocabSize())
            throw FsllmError("token id " + std::to_string(id) + " at position " +
                             std::to_string(i) + " is outside the vocabulary (0.." +
                             std::to_string(vocabSize() - 1) + ")");
        else
            result.push_back(m_pieces->pieces({id}).front());
    }
    return result;
}

std::string ChatGlmBackend::decode(const std::vector<int>& ids) const {
    // Runs of ordinary pieces through sentencepiece; special tokens by name.
    std::string text;
    std::vector<int> run;
    for (const int id : ids) {
        if (id < m_firstSpecial) {
            run.push_back(id);
            continue;
        }
        text += m_pieces->decode(run) + pieces({id}).front();
        run.clear();
    }
    return text + m_pieces->decode(run);
}

bool ChatGlmBackend::addsDummyPrefix() const {
    return m_pieces->addsDummyPrefix();
}

int ChatGlmBackend::vocabSize() const {
    return m_firstSpecial + static_cast<int>(specialTokens().size());
}

int ChatGlmBackend::bosId() const {
    return -1;
}

std::vector<int> ChatGlmBackend::prefixIds() const {
    return {m_firstSpecial + 1, m_firstSpecial + 3}; // [gMASK] sop
}

int ChatGlmBackend::eosId() const {
    return m_pieces->eosId();
}

int ChatGlmBackend::padId() const {
    return m_pieces->unkId();
}

int ChatGlmBackend::unkId() const {
    return m_pieces->unkId();
}

int ChatGlmBackend::pieceToId(const std::string& piece) const {
    const auto& special = specialTokens();
    for (std::size_t i = 0; i < special.size(); ++i)
        if (piece == special[i])
            return m_firstSpecial + static_cast<int>(i);
    return m_pieces->pieceToId(piece);
}

} // namespace fsllm
