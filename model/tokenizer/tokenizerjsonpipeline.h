// Reads the text pipeline of a tokenizer.json: its normalizer and pre-tokenizer, and from them
// which kind of BPE it is (byte-level or sentencepiece-style; tokenizerjson.h lists what each
// supports). Fills the spec's byteLevel, nfc, textEdits, preTokenizer, metaspace, metaspaceSpec
// and spaceMarker; refuses anything else naming the file and field. Uses spec.byteFallback (read
// with the model first). Thread-safety: pure function.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace fsllm {

class JsonFieldReader;
struct TokenizerJsonSpec;

class TokenizerJsonPipeline {
public:
    static void read(const nlohmann::json& root, const JsonFieldReader& r, TokenizerJsonSpec& spec);
};

} // namespace fsllm
