// Sentencepiece-style pre-tokens with source offsets (see metaspacesplitter.h).
#include "metaspacesplitter.h"

namespace fsllm {

namespace {

using Piece = MetaspaceSplitter::Piece;

// Puts `content` before the text; the inserted bytes map to where the text starts.
void prepend(Piece& piece, const std::string& content) {
    piece.text.insert(0, content);
    piece.source.insert(piece.source.begin(), content.size(), piece.source.front());
}

// Replaces every `pattern` by `content`, left to right; the new bytes map to the pattern's first.
void replaceAll(Piece& piece, const std::string& pattern, const std::string& content) {
    if (pattern.empty() || piece.text.find(pattern) == std::string::npos)
        return;
    Piece out;
    out.text.reserve(piece.text.size());
    out.source.reserve(piece.source.size());
    std::size_t i = 0;
    while (i < piece.text.size()) {
        if (piece.text.compare(i, pattern.size(), pattern) == 0) {
            out.text += content;
            out.source.insert(out.source.end(), content.size(), piece.source[i]);
            i += pattern.size();
        } else {
            out.text += piece.text[i];
            out.source.push_back(piece.source[i]);
            ++i;
        }
    }
    out.source.push_back(piece.source.back());
    piece = std::move(out);
}

bool startsWith(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

MetaspaceSplitter::MetaspaceSplitter(const TokenizerJsonSpec& spec)
    : m_edits(spec.textEdits), m_metaspace(spec.metaspace), m_settings(spec.metaspaceSpec) {}

std::vector<Piece> MetaspaceSplitter::split(const std::string& stretch, bool atTextStart) const {
    Piece whole;
    whole.text = stretch;
    whole.source.resize(stretch.size() + 1);
    for (std::size_t i = 0; i <= stretch.size(); ++i)
        whole.source[i] = i;
    for (const TextEdit& edit : m_edits) {
        if (edit.kind == TextEdit::Kind::Prepend) {
            if (!whole.text.empty())
                prepend(whole, edit.content);
        } else {
            replaceAll(whole, edit.pattern, edit.content);
        }
    }
    if (!m_metaspace)
        return {std::move(whole)};
    const std::string& marker = m_settings.replacement;
    replaceAll(whole, " ", marker);
    const bool first = m_settings.prepend == MetaspaceSpec::Prepend::Always ||
                       (m_settings.prepend == MetaspaceSpec::Prepend::First && atTextStart);
    if (first && !startsWith(whole.text, marker))
        prepend(whole, marker);
    if (!m_settings.split || marker.empty())
        return {std::move(whole)};
    // Split before every marker (Hugging Face's MergedWithNext): "▁a▁▁b" -> "▁a", "▁", "▁b".
    std::vector<Piece> pieces;
    std::size_t begin = 0;
    auto cut = [&](std::size_t end) {
        if (end == begin)
            return;
        Piece piece;
        piece.text = whole.text.substr(begin, end - begin);
        piece.source.assign(whole.source.begin() + static_cast<std::ptrdiff_t>(begin),
                            whole.source.begin() + static_cast<std::ptrdiff_t>(end) + 1);
        pieces.push_back(std::move(piece));
        begin = end;
    };
    for (std::size_t at = whole.text.find(marker, 1); at != std::string::npos;
         at = whole.text.find(marker, at + marker.size()))
        cut(at);
    cut(whole.text.size());
    return pieces;
}

} // namespace fsllm
