// Tests for the byte-level BPE tokenizer.json backend of Tokenizer. Parity: the ids of 120 varied
// texts (tests/data/tokenizerjson/texts.jsonl: English, accents, combining marks, CJK, emoji,
// digit and whitespace runs, contractions, special-token look-alikes) equal the ids Hugging
// Face's JavaScript tokenizers gave for two trimmed real tokenizers: Qwen3's (NFC, single-digit
// split, [a, b] merges, no BOS) and the same vocabulary with LLaMA-3's settings (\p{N}{1,3},
// ignore_merges, "a b" merges, TemplateProcessing BOS), and with SmolLM's GPT-2 style (Digits, then
// ByteLevel with GPT-2's regex). tests/data/tokenizerjson/README.md says
// how the files were made. Also: word alignment, decode, folder choice and refused files.
#include "bytelevelalphabet.h"
#include "fsllmerror.h"
#include "textfixture.h"
#include "tokenizer.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using fsllm::FsllmError;
using fsllm::Tokenizer;
using Json = nlohmann::json;

using fsllm::testing::readLines;
using fsllm::testing::readText;

namespace {

const std::string kData = FSLLM_TEST_DATA_DIR "/tokenizerjson";

void writeText(const QString& path, const std::string& text) {
    std::ofstream out(path.toStdString(), std::ios::binary);
    out << text;
}

template <typename Fn>
std::string errorOf(Fn&& fn) {
    try {
        fn();
    } catch (const FsllmError& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

class TstTokenizerJson : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void matchesReferenceIds_data();
    void matchesReferenceIds();
    void specialIds();
    void piecesAreByteLevel();
    void decodeRoundTrip();
    void encodeWordsAlignsByOffsets_data();
    void encodeWordsAlignsByOffsets();
    void encodeWordsNormalizesEachWord();
    void folderPrefersTokenizerModel();
    void refused_data();
    void refused();
    void lfsPointerRefused();

private:
    std::string qwen() const { return kData + "/qwen3_3k/tokenizer.json"; }
    std::string llama() const { return kData + "/llama3_3k/tokenizer.json"; }

    QTemporaryDir m_dir;
    std::vector<std::string> m_texts;
};

void TstTokenizerJson::initTestCase() {
    QVERIFY(m_dir.isValid());
    for (const std::string& line : readLines(kData + "/texts.jsonl"))
        m_texts.push_back(Json::parse(line).get<std::string>());
    QCOMPARE(m_texts.size(), std::size_t(120));
}

void TstTokenizerJson::matchesReferenceIds_data() {
    QTest::addColumn<QString>("folder");
    QTest::newRow("qwen3") << QStringLiteral("qwen3_3k");
    QTest::newRow("llama3 settings") << QStringLiteral("llama3_3k");
    QTest::newRow("smollm settings") << QStringLiteral("smollm_3k");
}

void TstTokenizerJson::matchesReferenceIds() {
    QFETCH(QString, folder);
    const std::string dir = kData + "/" + folder.toStdString();
    const Tokenizer tokenizer(dir + "/tokenizer.json");
    const std::vector<std::string> expected = readLines(dir + "/ids.jsonl");
    QCOMPARE(expected.size(), m_texts.size());
    int same = 0;
    for (std::size_t i = 0; i < m_texts.size(); ++i) {
        const auto ids = tokenizer.encode(m_texts[i], /*addBos=*/true);
        const auto want = Json::parse(expected[i]).get<std::vector<int>>();
        if (ids == want)
            ++same;
        else
            qWarning("text %zu differs: %s\n  ours %s\n  reference %s", i,
                     Json(m_texts[i]).dump().c_str(), Json(ids).dump().c_str(),
                     expected[i].c_str());
    }
    QCOMPARE(same, static_cast<int>(m_texts.size()));
}

void TstTokenizerJson::specialIds() {
    const Tokenizer q(qwen());
    QCOMPARE(QString::fromStdString(q.kind()), QStringLiteral("byte-level BPE (tokenizer.json)"));
    QCOMPARE(q.path(), qwen());
    QCOMPARE(q.vocabSize(), 3256 + 26); // 256 bytes + 3000 merges, then the added tokens
    QCOMPARE(q.bosId(), -1);            // Qwen adds no BOS
    QCOMPARE(q.eosId(), q.pieceToId("<|im_end|>"));
    QCOMPARE(q.padId(), q.pieceToId("<|endoftext|>"));
    QCOMPARE(q.unkId(), -1);
    QCOMPARE(q.pieceToId("no such piece"), -1);
    QVERIFY(!q.addsDummyPrefix());
    // No BOS: encode with and without addBos agree.
    QCOMPARE(q.encode("hello world", true), q.encode("hello world", false));

    const Tokenizer l(llama());
    QCOMPARE(l.bosId(), l.pieceToId("<|begin_of_text|>"));
    QCOMPARE(l.bosId(), 3256 + 26);
    const auto ids = l.encode("hello world", true);
    QCOMPARE(ids.front(), l.bosId());
    QCOMPARE(std::vector<int>(ids.begin() + 1, ids.end()), l.encode("hello world", false));
}

void TstTokenizerJson::piecesAreByteLevel() {
    const Tokenizer tokenizer(qwen());
    const std::string text = "Hello the world\n";
    const auto pieces = tokenizer.pieces(tokenizer.encode(text, false));
    // Pieces are written in GPT-2's byte alphabet and spell the text's bytes.
    std::string bytes;
    for (const std::string& piece : pieces)
        bytes += *fsllm::ByteLevelAlphabet::bytesOf(piece);
    QCOMPARE(bytes, text);
    QVERIFY(std::find(pieces.begin(), pieces.end(), std::string("\xC4\xA0the")) != pieces.end());
    QCOMPARE(pieces.back(), std::string("\xC4\x8A")); // "Ċ" stands for the newline
    QCOMPARE(fsllm::ByteLevelAlphabet::charOf(' '), std::string("\xC4\xA0"));
    QCOMPARE(*fsllm::ByteLevelAlphabet::bytesOf("\xC4\xA0the"), std::string(" the"));
    QVERIFY(!fsllm::ByteLevelAlphabet::bytesOf("\xE4\xB8\xAD")); // a CJK character is no byte
    const std::string outOfRange = errorOf([&] { tokenizer.pieces({0, 99999}); });
    QVERIFY2(outOfRange.find("token id 99999 at position 1") != std::string::npos,
             outOfRange.c_str());
}

void TstTokenizerJson::decodeRoundTrip() {
    const Tokenizer tokenizer(llama());
    int checked = 0;
    for (const std::string& text : m_texts) {
        if (text.find("<|") != std::string::npos || text.find("<tool") != std::string::npos)
            continue; // special tokens decode to nothing
        QCOMPARE(tokenizer.decode(tokenizer.encode(text, true)), text);
        ++checked;
    }
    QVERIFY(checked > 60);
    // A byte sequence cut inside a character becomes U+FFFD, not invalid UTF-8.
    const auto ids = tokenizer.encode("\xF0\x9D\x94\x98", false); // U+1D518, split in tokens
    QVERIFY(ids.size() > 1);
    std::string cut = tokenizer.decode({ids.front()});
    QVERIFY(!cut.empty());
    while (cut.rfind("\xEF\xBF\xBD", 0) == 0)
        cut.erase(0, 3);
    QCOMPARE(cut, std::string());
    const std::string invalid = errorOf([&] { tokenizer.encode("bad \xFF byte"); });
    QVERIFY2(invalid.find("not valid UTF-8") != std::string::npos, invalid.c_str());
}

void TstTokenizerJson::encodeWordsAlignsByOffsets_data() {
    QTest::addColumn<QString>("folder");
    QTest::addColumn<bool>("addBos");
    QTest::newRow("qwen3") << QStringLiteral("qwen3_3k") << true;
    QTest::newRow("llama3 settings, BOS") << QStringLiteral("llama3_3k") << true;
    QTest::newRow("llama3 settings, no BOS") << QStringLiteral("llama3_3k") << false;
}

void TstTokenizerJson::encodeWordsAlignsByOffsets() {
    QFETCH(QString, folder);
    QFETCH(bool, addBos);
    const Tokenizer tokenizer(kData + "/" + folder.toStdString() + "/tokenizer.json");
    const std::vector<std::string> words{"Hello", "2024", ",", "naïve", "日本語", "😀", "don't",
                                         "<|im_end|>", "x"};
    const fsllm::WordAlignment a = tokenizer.encodeWords(words, addBos);
    // The ids are those of the sentence the words make.
    std::string sentence;
    for (const std::string& word : words)
        sentence += (sentence.empty() ? "" : " ") + word;
    QCOMPARE(a.ids, tokenizer.encode(sentence, addBos));
    QCOMPARE(a.firstSubToken.size(), words.size());
    QCOMPARE(a.wordOfToken.size(), a.ids.size());
    const bool bos = addBos && tokenizer.bosId() >= 0;
    if (bos)
        QCOMPARE(a.wordOfToken.front(), -1);
    for (std::size_t k = 0; k < words.size(); ++k) {
        const int first = a.firstSubToken[k];
        QVERIFY(first >= (bos ? 1 : 0));
        // A special token written as a word belongs to it (Hugging Face's word_ids() agrees).
        QCOMPARE(a.wordOfToken[static_cast<std::size_t>(first)], int(k));
        // The word's tokens, from its first sub-token to the next word's, decode to the word:
        // the first sub-token is never the lone space before "2024" (split from the digits).
        const int end = k + 1 < words.size() ? a.firstSubToken[k + 1] : int(a.ids.size());
        std::string decoded = tokenizer.decode(
            std::vector<int>(a.ids.begin() + first, a.ids.begin() + end));
        while (!decoded.empty() && decoded.back() == ' ')
            decoded.pop_back(); // the separator before a lone-space split
        if (k > 0 && !decoded.empty() && decoded.front() == ' ')
            decoded.erase(0, 1); // the separator in "Ġword"
        if (words[k] != "<|im_end|>")
            QCOMPARE(decoded, words[k]);
    }
    // "2024" after a space: Qwen and LLaMA-3 split " " from the digits; the space token belongs
    // to the word but is not its first sub-token.
    const int digits = a.firstSubToken[1];
    QCOMPARE(tokenizer.pieces({a.ids[static_cast<std::size_t>(digits)]}).front().front(), '2');
    QCOMPARE(a.wordOfToken[static_cast<std::size_t>(digits - 1)], 1);
    const std::string empty = errorOf([&] { tokenizer.encodeWords({"a", ""}); });
    QVERIFY2(empty.find("word 1 is empty") != std::string::npos, empty.c_str());
    QCOMPARE(tokenizer.encodeWords({}, addBos).ids.size(), std::size_t(bos ? 1 : 0));
}

void TstTokenizerJson::encodeWordsNormalizesEachWord() {
    // Qwen's NFC: "e" + U+0301 is encoded as "é"; offsets stay those of the normalized words.
    const Tokenizer tokenizer(qwen());
    const fsllm::WordAlignment a = tokenizer.encodeWords({"cafe\xCC\x81", "ok"});
    QCOMPARE(a.ids, tokenizer.encode("caf\xC3\xA9 ok", false));
    QCOMPARE(a.firstSubToken.front(), 0);
    QCOMPARE(tokenizer.decode(std::vector<int>(a.ids.begin() + a.firstSubToken[1], a.ids.end())),
             std::string(" ok"));
}

void TstTokenizerJson::folderPrefersTokenizerModel() {
    const QString dir = m_dir.filePath(QStringLiteral("folder"));
    QVERIFY(QDir().mkpath(dir));
    const std::string folder = dir.toStdString();
    QCOMPARE(Tokenizer::fileInFolder(folder), std::string());
    const std::string message = Tokenizer::missingMessage(folder);
    QVERIFY2(message.find("tokenizer.model") != std::string::npos &&
                 message.find("tokenizer.json") != std::string::npos &&
                 message.rfind(folder, 0) == 0,
             message.c_str());
    QVERIFY(QFile::copy(QString::fromStdString(qwen()), dir + QStringLiteral("/tokenizer.json")));
    QCOMPARE(Tokenizer::fileInFolder(folder), folder + "/tokenizer.json");
    writeText(dir + QStringLiteral("/tokenizer.model"), "x");
    QCOMPARE(Tokenizer::fileInFolder(folder), folder + "/tokenizer.model");
}

// Each row edits the trimmed LLaMA-3-style tokenizer.json and names the field the error must cite.
void TstTokenizerJson::refused_data() {
    using Edit = std::function<void(Json&)>;
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("fragments");
    struct Row {
        const char* name;
        Edit edit;
        QStringList fragments;
    };
    const std::vector<Row> rows{
        {"WordPiece model", [](Json& j) { j["model"]["type"] = "WordPiece"; },
         {"field 'model.type'", "'WordPiece'", "only BPE"}},
        {"Unigram model", [](Json& j) { j["model"]["type"] = "Unigram"; },
         {"field 'model.type'", "'Unigram'"}},
        {"no model", [](Json& j) { j.erase("model"); }, {"field 'model': missing"}},
        {"Metaspace in a Sequence",
         [](Json& j) {
             j["pre_tokenizer"]["pretokenizers"][0] = {{"type", "Metaspace"}, {"replacement", "▁"}};
         },
         {"field 'pre_tokenizer.pretokenizers[0].type'", "Metaspace", "not in a Sequence"}},
        {"Metaspace prepend_scheme unknown",
         [](Json& j) {
             j["pre_tokenizer"] = {
                 {"type", "Metaspace"}, {"replacement", "▁"}, {"prepend_scheme", "sometimes"}};
         },
         {"field 'pre_tokenizer.prepend_scheme'", "'sometimes'"}},
        {"Metaspace replacement of two characters",
         [](Json& j) { j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "__"}}; },
         {"field 'pre_tokenizer.replacement'", "one character"}},
        {"Metaspace add_prefix_space contradicts prepend_scheme",
         [](Json& j) {
             j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "▁"},
                                   {"prepend_scheme", "always"}, {"add_prefix_space", false}};
         },
         {"field 'pre_tokenizer.add_prefix_space'", "contradicts"}},
        {"Metaspace split not a boolean",
         [](Json& j) {
             j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "▁"}, {"split", "no"}};
         },
         {"field 'pre_tokenizer.split'", "true or false"}},
        {"Replace with a regex",
         [](Json& j) {
             j["normalizer"] = {{"type", "Replace"}, {"pattern", {{"Regex", " "}}}, {"content", "▁"}};
         },
         {"field 'normalizer.pattern'", "String"}},
        {"Prepend without text",
         [](Json& j) { j["normalizer"] = {{"type", "Prepend"}, {"prepend", ""}}; },
         {"field 'normalizer.prepend'", "empty"}},
        {"Prepend with ByteLevel",
         [](Json& j) { j["normalizer"] = {{"type", "Prepend"}, {"prepend", "▁"}}; },
         {"field 'normalizer'", "sentencepiece-style"}},
        {"unknown pre-tokenizer step",
         [](Json& j) { j["pre_tokenizer"]["pretokenizers"][1]["type"] = "Whitespace"; },
         {"field 'pre_tokenizer.pretokenizers[1].type'", "'Whitespace'"}},
        {"no ByteLevel step",
         [](Json& j) { j["pre_tokenizer"]["pretokenizers"].erase(1); },
         {"field 'pre_tokenizer'", "no ByteLevel"}},
        {"null pre-tokenizer", [](Json& j) { j["pre_tokenizer"] = nullptr; },
         {"field 'pre_tokenizer'", "not a byte-level"}},
        {"regex that does not compile",
         [](Json& j) { j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(\\p{L}"; },
         {"field 'pre_tokenizer step 0'", "regex does not compile"}},
        {"split behavior Removed",
         [](Json& j) { j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "Removed"; },
         {"field 'pre_tokenizer.pretokenizers[0].behavior'", "'Removed'"}},
        {"NFKC normalizer", [](Json& j) { j["normalizer"] = {{"type", "NFKC"}}; },
         {"field 'normalizer.type'", "'NFKC'"}},
        {"byte fallback", [](Json& j) { j["model"]["byte_fallback"] = true; },
         {"field 'model.byte_fallback'", "ByteLevel"}},
        {"merge of an unknown piece",
         [](Json& j) { j["model"]["merges"][5] = "nosuchpiece x"; },
         {"field 'model.merges[5]'", "'nosuchpiece'", "not in model.vocab"}},
        {"merge without a space", [](Json& j) { j["model"]["merges"][0] = "ab"; },
         {"field 'model.merges[0]'", "two pieces"}},
        {"merge of three", [](Json& j) { j["model"]["merges"][0] = Json::array({"a", "b", "c"}); },
         {"field 'model.merges[0]'"}},
        {"merges not an array", [](Json& j) { j["model"]["merges"] = 3; },
         {"field 'model.merges'", "array"}},
        {"negative id", [](Json& j) { j["model"]["vocab"]["!"] = -4; },
         {"field 'model.vocab[\"!\"]'", "negative"}},
        {"huge id", [](Json& j) { j["model"]["vocab"]["!"] = 2147483647; },
         {"field 'model.vocab[\"!\"]'", "implausibly large"}},
        {"fractional id", [](Json& j) { j["model"]["vocab"]["!"] = 1.5; },
         {"field 'model.vocab[\"!\"]'"}},
        {"duplicate id", [](Json& j) { j["model"]["vocab"]["!"] = 1; },
         {"field 'model.vocab'", "id 1 is given to both"}},
        {"empty vocab", [](Json& j) { j["model"]["vocab"] = Json::object(); },
         {"field 'model.vocab'", "non-empty"}},
        {"dropout", [](Json& j) { j["model"]["dropout"] = 0.1; }, {"field 'model.dropout'"}},
        {"unk token not in vocab", [](Json& j) { j["model"]["unk_token"] = "<unk>"; },
         {"field 'model.unk_token'", "'<unk>'"}},
        {"added token without content", [](Json& j) { j["added_tokens"][0].erase("content"); },
         {"field 'added_tokens[0].content': missing"}},
        {"added token flag not a boolean", [](Json& j) { j["added_tokens"][0]["special"] = "yes"; },
         {"field 'added_tokens[0].special'", "true or false"}},
        {"added token single_word", [](Json& j) { j["added_tokens"][0]["single_word"] = true; },
         {"field 'added_tokens[0].single_word'"}},
        {"added token on a vocab id", [](Json& j) { j["added_tokens"][0]["id"] = 5; },
         {"field 'added_tokens[0].id'", "already"}},
        {"template adds a token after the text",
         [](Json& j) {
             j["post_processor"]["processors"][1]["single"].push_back(
                 {{"SpecialToken", {{"id", "<|begin_of_text|>"}, {"type_id", 0}}}});
         },
         {"field 'post_processor.processors[1].single'", "after the text"}},
        {"unknown post-processor",
         [](Json& j) { j["post_processor"] = {{"type", "BertProcessing"}}; },
         {"field 'post_processor.type'", "'BertProcessing'"}},
        {"not an object", [](Json& j) { j = Json::array(); }, {"expected an object"}},
    };
    for (const Row& row : rows) {
        Json j = Json::parse(readText(llama()));
        row.edit(j);
        const QString path = m_dir.filePath(QString::fromLatin1(row.name).replace(' ', '_'));
        QVERIFY(QDir().mkpath(path));
        writeText(path + QStringLiteral("/tokenizer.json"), j.dump());
        QTest::newRow(row.name) << path + QStringLiteral("/tokenizer.json") << row.fragments;
    }
    const QString notJson = m_dir.filePath(QStringLiteral("not_json"));
    QVERIFY(QDir().mkpath(notJson));
    writeText(notJson + QStringLiteral("/tokenizer.json"), "{\"model\": ");
    QTest::newRow("not JSON") << notJson + QStringLiteral("/tokenizer.json")
                              << QStringList{"not valid JSON", "tokenizer.json"};
    const QString badConfig = m_dir.filePath(QStringLiteral("bad_config"));
    QVERIFY(QDir().mkpath(badConfig));
    writeText(badConfig + QStringLiteral("/tokenizer.json"), readText(llama()));
    writeText(badConfig + QStringLiteral("/tokenizer_config.json"), "{\"eos_token\": \"<nope>\"}");
    QTest::newRow("config eos not in vocab")
        << badConfig + QStringLiteral("/tokenizer.json")
        << QStringList{"tokenizer_config.json: field 'eos_token'", "'<nope>'"};
}

void TstTokenizerJson::refused() {
    QFETCH(QString, name);
    QFETCH(QStringList, fragments);
    const std::string message = errorOf([&] { Tokenizer tokenizer(name.toStdString()); });
    QVERIFY2(message.find(QFileInfo(name).path().toStdString()) == 0, message.c_str());
    for (const QString& fragment : fragments)
        QVERIFY2(message.find(fragment.toStdString()) != std::string::npos,
                 qPrintable(QStringLiteral("'%1' not in: %2")
                                .arg(fragment, QString::fromStdString(message))));
    QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
}

void TstTokenizerJson::lfsPointerRefused() {
    const QString path = m_dir.filePath(QStringLiteral("lfs_tokenizer.json"));
    writeText(path, "version https://git-lfs.github.com/spec/v1\n"
                    "oid sha256:4d7a6c0b0e3f0f3b6a9e2c2f6f1f0c9f1c6a5c1a2d3e4f5a6b7c8d9e0f1a2b3c\n"
                    "size 9085657\n");
    const std::string message = errorOf([&] { Tokenizer tokenizer(path.toStdString()); });
    QVERIFY2(message.find("Git LFS pointer") != std::string::npos, message.c_str());
    const std::string missing = errorOf([&] { Tokenizer tokenizer("/no/such/tokenizer.json"); });
    QVERIFY2(missing.find("/no/such/tokenizer.json: ") == 0, missing.c_str());
}

QTEST_APPLESS_MAIN(TstTokenizerJson)

#include "tst_tokenizerjson.moc"
