// The normalizer and pre-tokenizer of a tokenizer.json (see tokenizerjsonpipeline.h).
#include "tokenizerjsonpipeline.h"

#include "jsonfieldreader.h"
#include "jsontext.h"
#include "tokenizerjson.h"
#include "utf8text.h"

#include <nlohmann/json.hpp>

namespace fsllm {

namespace {

using Json = nlohmann::json;
using FieldReader = JsonFieldReader;

// One normalizer step: NFC, Prepend or Replace (a String pattern).
void readNormalizerStep(const Json& step, const std::string& field, const FieldReader& r,
                        TokenizerJsonSpec& spec) {
    const std::string type = r.type(step, field);
    if (type == "NFC") {
        spec.nfc = true;
        return;
    }
    TextEdit edit;
    if (type == "Prepend") {
        edit.kind = TextEdit::Kind::Prepend;
        edit.content = r.string(r.member(step, field, "prepend"), field + ".prepend");
        if (edit.content.empty())
            r.fail(field + ".prepend", "is empty");
    } else if (type == "Replace") {
        edit.kind = TextEdit::Kind::Replace;
        const Json& pattern = r.member(step, field, "pattern");
        r.requireObject(pattern, field + ".pattern");
        if (!pattern.contains("String"))
            r.fail(field + ".pattern", "only {\"String\": ...} patterns are supported, got " +
                                           JsonText::shown(pattern));
        edit.pattern = r.string(pattern["String"], field + ".pattern.String");
        if (edit.pattern.empty())
            r.fail(field + ".pattern.String", "is empty");
        edit.content = r.string(r.member(step, field, "content"), field + ".content");
    } else {
        r.fail(field + ".type", "'" + type + "' is not supported; NFC, Prepend and Replace are");
    }
    spec.textEdits.push_back(std::move(edit));
}

void readNormalizer(const Json& root, const FieldReader& r, TokenizerJsonSpec& spec) {
    const auto it = root.find("normalizer");
    if (it == root.end() || it->is_null())
        return;
    if (r.type(*it, "normalizer") != "Sequence") {
        readNormalizerStep(*it, "normalizer", r, spec);
        return;
    }
    const Json& list = r.member(*it, "normalizer", "normalizers");
    if (!list.is_array())
        r.fail("normalizer.normalizers", "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i)
        readNormalizerStep(list[i], "normalizer.normalizers[" + std::to_string(i) + "]", r, spec);
}

// pre_tokenizer {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", ...}.
MetaspaceSpec readMetaspace(const Json& pre, const std::string& field, const FieldReader& r) {
    MetaspaceSpec result;
    result.replacement = r.string(r.member(pre, field, "replacement"), field + ".replacement");
    std::size_t characters = 0;
    for (const char c : result.replacement)
        characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    if (characters != 1 || Utf8Text::firstInvalidByte(result.replacement) != std::string::npos)
        r.fail(field + ".replacement",
               "expected one character, got " + JsonText::shown(pre["replacement"]));
    const auto scheme = pre.find("prepend_scheme");
    const bool hasScheme = scheme != pre.end() && !scheme->is_null();
    if (hasScheme) {
        const std::string name = r.string(*scheme, field + ".prepend_scheme");
        if (name == "always")
            result.prepend = MetaspaceSpec::Prepend::Always;
        else if (name == "first")
            result.prepend = MetaspaceSpec::Prepend::First;
        else if (name == "never")
            result.prepend = MetaspaceSpec::Prepend::Never;
        else
            r.fail(field + ".prepend_scheme", "'" + name + "' is not one of always, first, never");
    }
    // Older files say add_prefix_space instead (true: always, false: never).
    const auto prefix = pre.find("add_prefix_space");
    if (prefix != pre.end() && !prefix->is_null() &&
        !r.boolean(*prefix, field + ".add_prefix_space")) {
        if (hasScheme && result.prepend != MetaspaceSpec::Prepend::Never)
            r.fail(field + ".add_prefix_space",
                   "false contradicts prepend_scheme '" + scheme->get<std::string>() + "'");
        result.prepend = MetaspaceSpec::Prepend::Never;
    }
    result.split = r.optionalBool(pre, field, "split", true);
    const auto rep = pre.find("str_rep"); // an old copy of replacement
    if (rep != pre.end() && !rep->is_null() &&
        r.string(*rep, field + ".str_rep") != result.replacement)
        r.fail(field + ".str_rep", "differs from replacement");
    return result;
}

PreTokenizerStep readPreTokenizerStep(const Json& step, const std::string& field,
                                      const FieldReader& r) {
    const std::string type = r.type(step, field);
    PreTokenizerStep result;
    if (type == "ByteLevel") {
        result.kind = PreTokenizerStep::Kind::ByteLevel;
        result.addPrefixSpace = r.optionalBool(step, field, "add_prefix_space", true);
        result.useRegex = r.optionalBool(step, field, "use_regex", true);
        r.optionalBool(step, field, "trim_offsets", true); // offsets are byte ranges here
        return result;
    }
    if (type == "Split") {
        result.kind = PreTokenizerStep::Kind::SplitRegex;
        const Json& pattern = r.member(step, field, "pattern");
        r.requireObject(pattern, field + ".pattern");
        if (pattern.contains("Regex")) {
            result.pattern = r.string(pattern["Regex"], field + ".pattern.Regex");
        } else if (pattern.contains("String")) {
            result.pattern = r.string(pattern["String"], field + ".pattern.String");
            result.literal = true;
        } else {
            r.fail(field + ".pattern", "expected {\"Regex\": ...} or {\"String\": ...}");
        }
        if (result.pattern.empty())
            r.fail(field + ".pattern", "the split pattern is empty");
        const std::string behavior =
            r.string(r.member(step, field, "behavior"), field + ".behavior");
        if (behavior != "Isolated")
            r.fail(field + ".behavior", "'" + behavior + "' is not supported; only Isolated is");
        if (r.optionalBool(step, field, "invert", false))
            r.fail(field + ".invert", "inverted splits are not supported");
        return result;
    }
    if (type == "Digits") { // ASCII digits apart from the rest, one by one or in runs (SmolLM)
        result.kind = PreTokenizerStep::Kind::SplitRegex;
        result.pattern =
            r.optionalBool(step, field, "individual_digits", false) ? "[0-9]" : "[0-9]+";
        return result;
    }
    r.fail(field + ".type", "pre-tokenizer '" + type +
                                "' is not supported; ByteLevel, Split and Digits are (byte-level "
                                "BPE), and Metaspace alone (sentencepiece-style)");
}

void readPreTokenizer(const Json& root, const FieldReader& r, TokenizerJsonSpec& spec) {
    const Json& pre = r.member(root, "", "pre_tokenizer");
    if (pre.is_null()) {
        spec.byteLevel = false; // the legacy sentencepiece-style form: checked in checkKind
        return;
    }
    const std::string type = r.type(pre, "pre_tokenizer");
    if (type == "Metaspace") {
        spec.byteLevel = false;
        spec.metaspace = true;
        spec.metaspaceSpec = readMetaspace(pre, "pre_tokenizer", r);
        return;
    }
    if (type == "Sequence") {
        const Json& list = r.member(pre, "pre_tokenizer", "pretokenizers");
        if (!list.is_array() || list.empty())
            r.fail("pre_tokenizer.pretokenizers", "expected a non-empty array");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string field = "pre_tokenizer.pretokenizers[" + std::to_string(i) + "]";
            if (r.type(list[i], field) == "Metaspace")
                r.fail(field + ".type", "Metaspace is supported only as the whole pre-tokenizer, "
                                        "not in a Sequence");
            spec.preTokenizer.push_back(readPreTokenizerStep(list[i], field, r));
        }
    } else {
        spec.preTokenizer.push_back(readPreTokenizerStep(pre, "pre_tokenizer", r));
    }
    bool byteLevel = false;
    for (const PreTokenizerStep& step : spec.preTokenizer)
        byteLevel = byteLevel || step.kind == PreTokenizerStep::Kind::ByteLevel;
    if (!byteLevel)
        r.fail("pre_tokenizer", "has no ByteLevel step, so this is not a byte-level BPE "
                                "tokenizer (nor a sentencepiece-style one, which has Metaspace "
                                "or none)");
}

// The normalizer and pre-tokenizer must make one of the two supported kinds (tokenizerjson.h).
void checkKind(const FieldReader& r, TokenizerJsonSpec& spec) {
    if (spec.byteLevel) {
        if (!spec.textEdits.empty())
            r.fail("normalizer", "Prepend and Replace are supported only in sentencepiece-style "
                                 "tokenizers (Metaspace or no pre-tokenizer), not with ByteLevel");
        if (spec.byteFallback)
            r.fail("model.byte_fallback", "byte fallback is for sentencepiece-style tokenizers; "
                                          "with a ByteLevel pre-tokenizer every byte has a piece");
        return;
    }
    if (spec.metaspace) {
        spec.spaceMarker = spec.metaspaceSpec.replacement;
        return;
    }
    // Legacy form: the normalizer's Replace(" ", marker) writes the spaces.
    for (const TextEdit& edit : spec.textEdits)
        if (edit.kind == TextEdit::Kind::Replace && edit.pattern == " " && !edit.content.empty())
            spec.spaceMarker = edit.content;
    if (spec.spaceMarker.empty())
        r.fail("pre_tokenizer", "null, and the normalizer has no Replace(\" \", \"\u2581\"): "
                                "this is not a byte-level BPE tokenizer (no ByteLevel step) nor a "
                                "sentencepiece-style one");
}

} // namespace

void TokenizerJsonPipeline::read(const Json& root, const JsonFieldReader& r,
                                 TokenizerJsonSpec& spec) {
    readNormalizer(root, r, spec);
    readPreTokenizer(root, r, spec);
    checkKind(r, spec);
}

} // namespace fsllm
