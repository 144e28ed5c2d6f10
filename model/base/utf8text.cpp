// UTF-8 checks and word joining (see utf8text.h). Thread-safety: pure functions.
#include "utf8text.h"

#include "fsllmerror.h"

#include <cstdio>

namespace fsllm {

std::size_t Utf8Text::firstInvalidByte(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF; // allowed range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0)
                low = 0xA0; // overlong
            else if (lead == 0xED)
                high = 0x9F; // UTF-16 surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0)
                low = 0x90; // overlong
            else if (lead == 0xF4)
                high = 0x8F; // past U+10FFFF
        } else {
            return i;
        }
        for (std::size_t k = 1; k < length; ++k) {
            if (i + k >= text.size())
                return i + k;
            const auto byte = static_cast<unsigned char>(text[i + k]);
            const unsigned char min = k == 1 ? low : 0x80;
            const unsigned char max = k == 1 ? high : 0xBF;
            if (byte < min || byte > max)
                return i + k;
        }
        i += length;
    }
    return std::string_view::npos;
}

void Utf8Text::require(std::string_view text) {
    const std::size_t bad = firstInvalidByte(text);
    if (bad == std::string_view::npos)
        return;
    char detail[96];
    if (bad < text.size()) {
        std::snprintf(detail, sizeof detail, "unexpected byte 0x%02X at byte offset %zu",
                      static_cast<unsigned>(static_cast<unsigned char>(text[bad])), bad);
    } else {
        std::snprintf(detail, sizeof detail, "truncated character at byte offset %zu", bad);
    }
    throw FsllmError(std::string("text is not valid UTF-8: ") + detail +
                     "; convert the input to UTF-8 first");
}

std::string Utf8Text::joinWords(const std::vector<std::string>& words,
                                std::vector<std::size_t>& wordStart,
                                const std::function<std::string(const std::string&)>& transform) {
    std::string sentence;
    wordStart.clear();
    wordStart.reserve(words.size());
    for (std::size_t k = 0; k < words.size(); ++k) {
        const std::string context = "word " + std::to_string(k);
        if (words[k].empty())
            throw FsllmError(context + " is empty");
        withErrorContext(context, [&] { require(words[k]); });
        if (k > 0)
            sentence += ' ';
        wordStart.push_back(sentence.size());
        sentence += transform ? transform(words[k]) : words[k];
    }
    return sentence;
}

} // namespace fsllm
