// NFC by ICU's Normalizer2 (see nfcnormalizer.h).
#include "nfcnormalizer.h"

#include "fsllmerror.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

namespace fsllm {

std::string NfcNormalizer::normalize(const std::string& text) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status))
        throw FsllmError(std::string("ICU has no NFC normalizer: ") + u_errorName(status));
    const icu::StringPiece input(text.data(), static_cast<int32_t>(text.size()));
    if (nfc->isNormalizedUTF8(input, status) && U_SUCCESS(status))
        return text;
    status = U_ZERO_ERROR;
    std::string result;
    icu::StringByteSink<std::string> sink(&result, static_cast<int32_t>(text.size()));
    nfc->normalizeUTF8(0, input, sink, nullptr, status);
    if (U_FAILURE(status))
        throw FsllmError(std::string("cannot NFC-normalize the text: ") + u_errorName(status));
    return result;
}

} // namespace fsllm
