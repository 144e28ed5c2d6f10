// Unicode NFC normalization of UTF-8 text (the "NFC" normalizer of a tokenizer.json, as Qwen
// declares it), by ICU. ICU stays behind this file pair. Thread-safety: pure function (ICU's
// normalizer instance is immutable and shared).
#pragma once

#include <string>

namespace fsllm {

class NfcNormalizer {
public:
    // `text` (valid UTF-8) in NFC. Throws FsllmError when ICU fails.
    static std::string normalize(const std::string& text);
};

} // namespace fsllm
