// Tests for the sentencepiece-style BPE of a tokenizer.json (LLaMA-2, Mistral, TinyLlama as
// Hugging Face converts them) on a hand-made vocabulary, so that each rule is seen on its own: the
// legacy normalizer form (Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer), the Metaspace
// pre-tokenizer with each prepend_scheme and with split (Hugging Face's Rust rule: every pre-token
// starts at a "▁"), byte fallback, unk with and without fuse_unk, BOS from the post-processor,
// decode, and word alignment by byte offsets. tst_tokenizergolden checks the real files.
#include "fsllmerror.h"
#include "tokenizer.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

using fsllm::Tokenizer;
using Json = nlohmann::json;

namespace {

const std::string kMarker = "\xE2\x96\x81"; // ▁

// Ids: <unk> 0, <s> 1, </s> 2, <0x00>..<0xFF> 3..258, then the pieces below from 259.
const std::vector<std::string> kPieces{
    kMarker,           "a", "b",       "c", kMarker + "a", kMarker + "ab", "ab",
    kMarker + kMarker, "!", "\xC3\xA9" /* é */};
int idOf(const std::string& piece) {
    for (std::size_t i = 0; i < kPieces.size(); ++i)
        if (kPieces[i] == piece)
            return 259 + static_cast<int>(i);
    return -1;
}
int byteId(unsigned char byte) {
    return 3 + byte;
}

// The legacy LLaMA-2 form; `edit` changes it for a test.
Json legacyTokenizer() {
    Json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
    char name[8];
    for (int b = 0; b < 256; ++b) {
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        vocab[name] = 3 + b;
    }
    for (const std::string& piece : kPieces)
        vocab[piece] = idOf(piece);
    const Json added = Json::array({
        {{"id", 0}, {"content", "<unk>"}, {"special", true}, {"normalized", false}},
        {{"id", 1}, {"content", "<s>"}, {"special", true}, {"normalized", false}},
        {{"id", 2}, {"content", "</s>"}, {"special", true}, {"normalized", false}},
    });
    return {
        {"version", "1.0"},
        {"added_tokens", added},
        {"normalizer",
         {{"type", "Sequence"},
          {"normalizers",
           Json::array(
               {{{"type", "Prepend"}, {"prepend", kMarker}},
                {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kMarker}}})}}},
        {"pre_tokenizer", nullptr},
        {"post_processor",
         {{"type", "TemplateProcessing"},
          {"single", Json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                  {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
          {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
        {"model",
         {{"type", "BPE"},
          {"unk_token", "<unk>"},
          {"fuse_unk", true},
          {"byte_fallback", true},
          {"vocab", vocab},
          {"merges",
           Json::array({kMarker + " a", kMarker + "a b", "a b", kMarker + " " + kMarker})}}},
    };
}

Json metaspace(const std::string& scheme, bool split) {
    Json j = legacyTokenizer();
    j["normalizer"] = nullptr;
    j["pre_tokenizer"] = {{"type", "Metaspace"},
                          {"replacement", kMarker},
                          {"prepend_scheme", scheme},
                          {"split", split}};
    return j;
}

} // namespace

class TstTokenizerMetaspace : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void legacyForm();
    void byteFallback();
    void unknownCharacters();
    void metaspacePrependSchemes();
    void metaspaceSplit();
    void decode();
    void encodeWordsAlignsByOffsets_data();
    void encodeWordsAlignsByOffsets();

private:
    std::string write(const Json& json);

    QTemporaryDir m_dir;
    int m_files = 0;
};

std::string TstTokenizerMetaspace::write(const Json& json) {
    const std::string folder = m_dir.filePath(QString::number(++m_files)).toStdString();
    QDir().mkpath(QString::fromStdString(folder));
    std::ofstream(folder + "/tokenizer.json") << json.dump();
    return folder + "/tokenizer.json";
}

void TstTokenizerMetaspace::legacyForm() {
    const Tokenizer t(write(legacyTokenizer()));
    QCOMPARE(QString::fromStdString(t.kind()),
             QStringLiteral("sentencepiece-style BPE (tokenizer.json)"));
    QCOMPARE(t.bosId(), 1);
    QCOMPARE(t.unkId(), 0);
    QVERIFY(t.addsDummyPrefix());
    // "▁ab▁▁c": ▁+a first (rank 0), then ▁a+b; the two spaces make "▁▁"; no piece "▁c".
    QCOMPARE(t.encode("ab  c"),
             (std::vector<int>{1, idOf(kMarker + "ab"), idOf(kMarker + kMarker), idOf("c")}));
    QCOMPARE(t.encode("ab", false), (std::vector<int>{idOf(kMarker + "ab")}));
    // Every stretch between added tokens gets its "▁" (the legacy normalizer runs per stretch).
    QCOMPARE(t.encode("ab<s>ab", false),
             (std::vector<int>{idOf(kMarker + "ab"), 1, idOf(kMarker + "ab")}));
    QCOMPARE(t.pieces({idOf(kMarker + "ab")}), std::vector<std::string>{kMarker + "ab"});
}

void TstTokenizerMetaspace::byteFallback() {
    const Tokenizer t(write(legacyTokenizer()));
    // "x" and "€" (E2 82 AC) are not pieces: one <0xNN> token per byte; "é" is a piece.
    QCOMPARE(t.encode("x\xE2\x82\xAC\xC3\xA9", false),
             (std::vector<int>{idOf(kMarker), byteId('x'), byteId(0xE2), byteId(0x82), byteId(0xAC),
                               idOf("\xC3\xA9")}));
    // Text that looks like a byte piece is text.
    const auto ids = t.encode("<0x41>", false);
    QVERIFY(std::find(ids.begin(), ids.end(), byteId(0x41)) == ids.end());
    QCOMPARE(t.decode(ids), std::string("<0x41>"));
}

void TstTokenizerMetaspace::unknownCharacters() {
    Json j = legacyTokenizer();
    j["model"]["byte_fallback"] = false;
    const Tokenizer fused(write(j));
    QCOMPARE(fused.encode("axyb", false),
             (std::vector<int>{idOf(kMarker + "a"), 0, idOf("b")})); // x, y: one <unk>
    j["model"]["fuse_unk"] = false;
    const Tokenizer unfused(write(j));
    QCOMPARE(unfused.encode("axyb", false),
             (std::vector<int>{idOf(kMarker + "a"), 0, 0, idOf("b")}));
    // Byte fallback needs every byte piece; without <0xE2> "€" is <unk>.
    Json partial = legacyTokenizer();
    partial["model"]["vocab"].erase("<0xE2>");
    const Tokenizer t(write(partial));
    QCOMPARE(t.encode("a\xE2\x82\xAC", false), (std::vector<int>{idOf(kMarker + "a"), 0}));
}

void TstTokenizerMetaspace::metaspacePrependSchemes() {
    const int mab = idOf(kMarker + "ab"), ab = idOf("ab");
    const Tokenizer first(write(metaspace("first", false)));
    QCOMPARE(first.encode("ab<s>ab", false), (std::vector<int>{mab, 1, ab}));
    QCOMPARE(first.encode("<s>ab", false), (std::vector<int>{1, ab}));
    QVERIFY(first.addsDummyPrefix());
    const Tokenizer always(write(metaspace("always", false)));
    QCOMPARE(always.encode("ab<s>ab", false), (std::vector<int>{mab, 1, mab}));
    QCOMPARE(always.encode(" ab", false), (std::vector<int>{mab})); // starts with "▁" already
    const Tokenizer never(write(metaspace("never", false)));
    QCOMPARE(never.encode("ab<s>ab", false), (std::vector<int>{ab, 1, ab}));
    QVERIFY(!never.addsDummyPrefix());
    // Older files: add_prefix_space false is "never".
    Json old = metaspace("never", false);
    old["pre_tokenizer"].erase("prepend_scheme");
    old["pre_tokenizer"]["add_prefix_space"] = false;
    QCOMPARE(Tokenizer(write(old)).encode("ab", false), (std::vector<int>{ab}));
}

void TstTokenizerMetaspace::metaspaceSplit() {
    // "▁ab▁▁c": without split "▁▁" merges; with split the pre-tokens are "▁ab", "▁", "▁c".
    const int mab = idOf(kMarker + "ab"), m = idOf(kMarker), c = idOf("c");
    QCOMPARE(Tokenizer(write(metaspace("always", false))).encode("ab  c", false),
             (std::vector<int>{mab, idOf(kMarker + kMarker), c}));
    QCOMPARE(Tokenizer(write(metaspace("always", true))).encode("ab  c", false),
             (std::vector<int>{mab, m, m, c}));
    // split is the default (Hugging Face's), and text before the first "▁" is a pre-token.
    Json j = metaspace("never", true);
    j["pre_tokenizer"].erase("split");
    QCOMPARE(Tokenizer(write(j)).encode("ab a", false),
             (std::vector<int>{idOf("ab"), idOf(kMarker + "a")}));
}

void TstTokenizerMetaspace::decode() {
    for (const Json& j : {legacyTokenizer(), metaspace("first", true)}) {
        const Tokenizer t(write(j));
        for (const std::string text : {"ab  c", "x\xE2\x82\xAC\xC3\xA9 !", "a\nb\t", "b!"})
            QCOMPARE(QString::fromStdString(t.decode(t.encode(text))),
                     QString::fromStdString(text));
        // A byte piece cut from its character becomes U+FFFD.
        QCOMPARE(t.decode({byteId(0xE2)}), std::string("\xEF\xBF\xBD"));
    }
    // Text that starts with a space: the legacy form prepends "▁" anyway, so one space is kept;
    // Metaspace does not prepend to "▁ab", so decoding drops its space (as Hugging Face's
    // Metaspace decoder does).
    const Tokenizer legacy(write(legacyTokenizer()));
    QCOMPARE(legacy.decode(legacy.encode(" ab")), std::string(" ab"));
    const Tokenizer first(write(metaspace("first", false)));
    QCOMPARE(first.decode(first.encode(" ab")), std::string("ab"));
    // Without a prefix nothing is dropped.
    const Tokenizer never(write(metaspace("never", false)));
    QCOMPARE(never.decode(never.encode(" ab")), std::string(" ab"));
}

void TstTokenizerMetaspace::encodeWordsAlignsByOffsets_data() {
    QTest::addColumn<QString>("form");
    QTest::newRow("legacy") << QStringLiteral("legacy");
    QTest::newRow("metaspace first, split") << QStringLiteral("split");
    QTest::newRow("metaspace always") << QStringLiteral("always");
}

void TstTokenizerMetaspace::encodeWordsAlignsByOffsets() {
    QFETCH(QString, form);
    const Json j = form == "legacy"  ? legacyTokenizer()
                   : form == "split" ? metaspace("first", true)
                                     : metaspace("always", false);
    const Tokenizer t(write(j));
    const std::vector<std::string> words{"ab", "x\xE2\x82\xAC", "c", "\xC3\xA9!", "<s>", "a"};
    const fsllm::WordAlignment a = t.encodeWords(words, true);
    QCOMPARE(a.ids, t.encode("ab x\xE2\x82\xAC c \xC3\xA9! <s> a", true));
    QCOMPARE(a.wordOfToken.front(), -1); // BOS
    QCOMPARE(a.firstSubToken.size(), words.size());
    for (std::size_t k = 0; k < words.size(); ++k) {
        const int first = a.firstSubToken[k];
        QVERIFY(first >= 1);
        QCOMPARE(a.wordOfToken[static_cast<std::size_t>(first)], int(k));
        const int end = k + 1 < words.size() ? a.firstSubToken[k + 1] : int(a.ids.size());
        std::string decoded =
            t.decode(std::vector<int>(a.ids.begin() + first, a.ids.begin() + end));
        while (!decoded.empty() && decoded.front() == ' ')
            decoded.erase(0, 1); // the "▁" of "▁ab"
        while (!decoded.empty() && decoded.back() == ' ')
            decoded.pop_back(); // a lone "▁" before the next word
        if (words[k] != "<s>")
            QCOMPARE(decoded, words[k]);
    }
    // "x€" after a space: "▁" is its own token (no "▁x"); it belongs to the word, but the word's
    // first sub-token is the byte piece of "x".
    const int x = a.firstSubToken[1];
    QCOMPARE(a.ids[static_cast<std::size_t>(x)], byteId('x'));
    QCOMPARE(a.ids[static_cast<std::size_t>(x - 1)], idOf(kMarker));
    QCOMPARE(a.wordOfToken[static_cast<std::size_t>(x - 1)], 1);
}

QTEST_APPLESS_MAIN(TstTokenizerMetaspace)
#include "tst_tokenizermetaspace.moc"
