// Tests for Tokenizer and TokenizerTrainer: a 512-piece BPE model is trained on the tiny corpus
// in resources/ and then checked for LLaMA behaviour (BOS first, exact round trips, byte
// fallback), word alignment for token classification, and clear errors.
// Thread-safety: Qt Test runs the cases on one thread.
#include "fsllmerror.h"
#include "tokenizer.h"
#include "tokenizertrainer.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <functional>
#include <memory>

using fsllm::FsllmError;
using fsllm::Tokenizer;
using fsllm::TokenizerTrainer;
using fsllm::TokenizerTrainingOptions;
using fsllm::WordAlignment;

Q_DECLARE_METATYPE(std::vector<std::string>)

namespace {

const std::string kCorpusPath = FSLLM_SOURCE_DIR "/resources/corpus/tiny_corpus.txt";

// The FsllmError message `fn` throws, or "" when it throws nothing.
std::string errorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const FsllmError& e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string joinWords(const std::vector<std::string>& words) {
    std::string sentence;
    for (const std::string& word : words)
        sentence += (sentence.empty() ? "" : " ") + word;
    return sentence;
}

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(bytes), bytes.size());
}

} // namespace

class TstTokenizer : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void specialIds();
    void encodeAddsBosFirst();
    void roundTrip_data();
    void roundTrip();
    void pieces();
    void encodeWords_data();
    void encodeWords();
    void encodeWordsWithoutBos();
    void encodeWordsOnWholeCorpus();
    void byteFallbackRoundTrip();
    void invalidUtf8Rejected_data();
    void invalidUtf8Rejected();
    void invalidWordRejected();
    void outOfRangeIdRejected();
    void missingModelRejected();
    void corruptModelRejected_data();
    void corruptModelRejected();
    void trainerRejectsBadInput();
    void trainerUnigram();

private:
    QString path(const QString& name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    std::string m_modelPath;
    std::unique_ptr<Tokenizer> m_tokenizer;
};

void TstTokenizer::initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QString::fromStdString(kCorpusPath)), kCorpusPath.c_str());
    m_modelPath = path("tiny.model").toStdString();
    TokenizerTrainingOptions options;
    options.vocabSize = 512;
    TokenizerTrainer::train({kCorpusPath}, m_modelPath, options);
    // The model was moved into place: no temporary files are left beside it.
    QCOMPARE(QDir(m_dir.path()).entryList(QDir::Files), QStringList{"tiny.model"});
    m_tokenizer = std::make_unique<Tokenizer>(m_modelPath);
}

void TstTokenizer::specialIds() {
    QCOMPARE(m_tokenizer->unkId(), 0);
    QCOMPARE(m_tokenizer->bosId(), 1);
    QCOMPARE(m_tokenizer->eosId(), 2);
    QCOMPARE(m_tokenizer->padId(), -1);
    QCOMPARE(m_tokenizer->vocabSize(), 512);
    QCOMPARE(m_tokenizer->pieceToId("<s>"), 1);
    QCOMPARE(m_tokenizer->pieceToId("</s>"), 2);
    QCOMPARE(m_tokenizer->pieceToId("<0x00>"), 3); // the 256 byte pieces follow the specials
    QCOMPARE(m_tokenizer->pieceToId("<0x41>"), 3 + 0x41);
    QCOMPARE(m_tokenizer->pieceToId("no-such-piece-in-the-vocabulary"), m_tokenizer->unkId());
}

void TstTokenizer::encodeAddsBosFirst() {
    const std::string text = "The film was surprisingly good.";
    const std::vector<int> withBos = m_tokenizer->encode(text);
    const std::vector<int> withoutBos = m_tokenizer->encode(text, false);
    QVERIFY(!withoutBos.empty());
    QCOMPARE(withBos.size(), withoutBos.size() + 1);
    QCOMPARE(withBos.front(), m_tokenizer->bosId());
    QVERIFY(std::equal(withoutBos.begin(), withoutBos.end(), withBos.begin() + 1));
    QCOMPARE(std::count(withBos.begin(), withBos.end(), m_tokenizer->bosId()), 1);
    QCOMPARE(m_tokenizer->encode("", true), std::vector<int>{m_tokenizer->bosId()});
    QVERIFY(m_tokenizer->encode("", false).empty());
}

void TstTokenizer::roundTrip_data() {
    QTest::addColumn<QString>("text");
    QTest::newRow("review") << "The acting was wonderful, but the ending felt rushed.";
    QTest::newRow("news") << "Officials in Lisbon said on Tuesday that the bridge will reopen.";
    QTest::newRow("names") << "Maria Okafor joined the Northfield Orchestra in 2019.";
    QTest::newRow("digits") << "Tickets cost 12.50 dollars, and 3 of 4 critics liked it.";
    QTest::newRow("punctuation") << "Really?! \"No\" -- (maybe) [later]; ok: 100%";
    QTest::newRow("spaces") << "two  spaces and a\ttab";
    QTest::newRow("rare words") << "Zyxomorphic quibbles wax jovially.";
}

void TstTokenizer::roundTrip() {
    QFETCH(QString, text);
    const std::string utf8 = text.toStdString();
    QCOMPARE(m_tokenizer->decode(m_tokenizer->encode(utf8)), utf8);
    QCOMPARE(m_tokenizer->decode(m_tokenizer->encode(utf8, false)), utf8);
}

void TstTokenizer::pieces() {
    const std::string text = "the film was good";
    const std::vector<int> ids = m_tokenizer->encode(text);
    const std::vector<std::string> pieces = m_tokenizer->pieces(ids);
    QCOMPARE(pieces.size(), ids.size());
    QCOMPARE(pieces.front(), std::string("<s>"));
    std::string surface;
    for (std::size_t i = 1; i < pieces.size(); ++i) {
        QCOMPARE(m_tokenizer->pieceToId(pieces[i]), ids[i]);
        surface += pieces[i];
    }
    // Spaces are "▁" (U+2581) and the dummy prefix puts one before the first word.
    const std::string bar = "\xE2\x96\x81";
    QCOMPARE(surface, bar + "the" + bar + "film" + bar + "was" + bar + "good");
    QVERIFY(contains(pieces[1], bar));
}

void TstTokenizer::encodeWords_data() {
    QTest::addColumn<std::vector<std::string>>("words");
    QTest::newRow("one word") << std::vector<std::string>{"Hello"};
    QTest::newRow("sentence") << std::vector<std::string>{"The",     "critics", "in",   "Berlin",
                                                          "praised", "the",     "film", "."};
    QTest::newRow("ner") << std::vector<std::string>{"EU",      "rejects", "German", "call", "to",
                                                     "boycott", "British", "lamb",   "."};
    QTest::newRow("digits") << std::vector<std::string>{"In", "2021", ",", "3,000", "people"};
    QTest::newRow("rare") << std::vector<std::string>{"Zürich", "naïve", "€5", "日本", "🙂"};
    QTest::newRow("punctuation") << std::vector<std::string>{"\"", "Wow", "!", "\"", "--", ")"};
}

void TstTokenizer::encodeWords() {
    QFETCH(std::vector<std::string>, words);
    const WordAlignment alignment = m_tokenizer->encodeWords(words);
    // Same ids as encoding the joined sentence.
    QCOMPARE(alignment.ids, m_tokenizer->encode(joinWords(words)));
    QCOMPARE(alignment.firstSubToken.size(), words.size());
    QCOMPARE(alignment.wordOfToken.size(), alignment.ids.size());
    QCOMPARE(alignment.wordOfToken.front(), -1); // BOS
    QCOMPARE(alignment.firstSubToken.front(), 1);

    for (std::size_t k = 0; k < words.size(); ++k) {
        const int first = alignment.firstSubToken[k];
        const int end = k + 1 < words.size() ? alignment.firstSubToken[k + 1]
                                             : static_cast<int>(alignment.ids.size());
        QVERIFY2(first < end, words[k].c_str());
        // Every token from first to the next word's first belongs to word k, and they decode to
        // the word itself.
        for (int t = first; t < end; ++t)
            QCOMPARE(alignment.wordOfToken[t], static_cast<int>(k));
        const std::vector<int> wordIds(alignment.ids.begin() + first, alignment.ids.begin() + end);
        QCOMPARE(m_tokenizer->decode(wordIds), words[k]);
    }
}

void TstTokenizer::encodeWordsWithoutBos() {
    const std::vector<std::string> words{"Anna", "visited", "Kyoto", "."};
    const WordAlignment alignment = m_tokenizer->encodeWords(words, false);
    QCOMPARE(alignment.ids, m_tokenizer->encode(joinWords(words), false));
    QCOMPARE(alignment.firstSubToken.front(), 0);
    QVERIFY(std::is_sorted(alignment.wordOfToken.begin(), alignment.wordOfToken.end()));
    QCOMPARE(alignment.wordOfToken.back(), 3);
    QVERIFY(m_tokenizer->encodeWords({}, false).ids.empty());
    QCOMPARE(m_tokenizer->encodeWords({}, true).ids, std::vector<int>{m_tokenizer->bosId()});
}

// Every corpus line split at spaces: same ids as the line, and each word's tokens decode to it.
void TstTokenizer::encodeWordsOnWholeCorpus() {
    QFile corpus(QString::fromStdString(kCorpusPath));
    QVERIFY(corpus.open(QIODevice::ReadOnly | QIODevice::Text));
    int lines = 0;
    while (!corpus.atEnd()) {
        const std::string line = corpus.readLine().trimmed().toStdString();
        std::vector<std::string> words;
        for (const QByteArray& word : QByteArray::fromStdString(line).split(' '))
            words.push_back(word.toStdString());
        const WordAlignment alignment = m_tokenizer->encodeWords(words);
        QCOMPARE(alignment.ids, m_tokenizer->encode(line));
        for (std::size_t k = 0; k < words.size(); ++k) {
            const auto begin = alignment.ids.begin() + alignment.firstSubToken[k];
            const auto end = k + 1 < words.size()
                                 ? alignment.ids.begin() + alignment.firstSubToken[k + 1]
                                 : alignment.ids.end();
            QCOMPARE(m_tokenizer->decode(std::vector<int>(begin, end)), words[k]);
        }
        ++lines;
    }
    QVERIFY(lines >= 400);
}

void TstTokenizer::byteFallbackRoundTrip() {
    const std::string text = "Ω≈ç√ 🙂 日本語 — ŝ";
    const std::vector<int> ids = m_tokenizer->encode(text, false);
    QVERIFY(std::find(ids.begin(), ids.end(), m_tokenizer->unkId()) == ids.end());
    const std::vector<std::string> pieces = m_tokenizer->pieces(ids);
    // The emoji is not in the corpus: its four UTF-8 bytes become byte pieces.
    const std::vector<std::string> emoji{"<0xF0>", "<0x9F>", "<0x99>", "<0x82>"};
    QVERIFY(std::search(pieces.begin(), pieces.end(), emoji.begin(), emoji.end()) != pieces.end());
    QCOMPARE(m_tokenizer->decode(ids), text);
}

void TstTokenizer::invalidUtf8Rejected_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("where");
    QTest::newRow("stray byte") << QByteArray("abc\xFF") << "0xFF at byte offset 3";
    QTest::newRow("lone continuation") << QByteArray("ok \x80") << "0x80 at byte offset 3";
    QTest::newRow("truncated") << QByteArray("euro \xE2\x82") << "byte offset 7";
    QTest::newRow("overlong") << QByteArray("x\xC0\xAF") << "0xC0 at byte offset 1";
    QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80z") << "0xA0 at byte offset 1";
    QTest::newRow("past U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << "0x90 at byte offset 1";
}

void TstTokenizer::invalidUtf8Rejected() {
    QFETCH(QByteArray, text);
    QFETCH(QString, where);
    const std::string message = errorOf([&] { m_tokenizer->encode(text.toStdString()); });
    QVERIFY2(contains(message, "not valid UTF-8"), message.c_str());
    QVERIFY2(contains(message, where.toStdString()), message.c_str());
}

void TstTokenizer::invalidWordRejected() {
    std::string message = errorOf([&] { m_tokenizer->encodeWords({"fine", "bad\xFE"}); });
    QVERIFY2(contains(message, "word 1"), message.c_str());
    QVERIFY2(contains(message, "not valid UTF-8"), message.c_str());
    QVERIFY2(contains(message, "byte offset 3"), message.c_str());
    message = errorOf([&] { m_tokenizer->encodeWords({"a", "", "b"}); });
    QVERIFY2(contains(message, "word 1 is empty"), message.c_str());
}

void TstTokenizer::outOfRangeIdRejected() {
    const int size = m_tokenizer->vocabSize();
    std::string message = errorOf([&] { m_tokenizer->decode({1, 5, size}); });
    QVERIFY2(contains(message, "token id " + std::to_string(size)), message.c_str());
    message = errorOf([&] { m_tokenizer->pieces({-1}); });
    QVERIFY2(contains(message, "outside the vocabulary"), message.c_str());
}

void TstTokenizer::missingModelRejected() {
    const std::string missing = path("no-such-folder/tokenizer.model").toStdString();
    const std::string message = errorOf([&] { Tokenizer tokenizer(missing); });
    QVERIFY2(contains(message, missing), message.c_str());
    QVERIFY2(contains(message, "not found"), message.c_str());
}

void TstTokenizer::corruptModelRejected_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("text") << QByteArray("this is not a sentencepiece model\n");
    QTest::newRow("empty") << QByteArray();
    QFile model(QString::fromStdString(m_modelPath));
    QVERIFY(model.open(QIODevice::ReadOnly));
    QTest::newRow("truncated") << model.readAll().left(1000);
}

void TstTokenizer::corruptModelRejected() {
    QFETCH(QByteArray, bytes);
    const QString corrupt = path("corrupt.model");
    writeFile(corrupt, bytes);
    const std::string message = errorOf([&] { Tokenizer tokenizer(corrupt.toStdString()); });
    QVERIFY2(contains(message, corrupt.toStdString()), message.c_str());
    QVERIFY2(contains(message, "sentencepiece"), message.c_str());
    QFile::remove(corrupt);
}

void TstTokenizer::trainerRejectsBadInput() {
    const std::string output = path("never.model").toStdString();
    const std::string missing = path("missing.txt").toStdString();
    std::string message = errorOf([&] { TokenizerTrainer::train({missing}, output, {}); });
    QVERIFY2(contains(message, missing), message.c_str());
    QVERIFY2(contains(message, "not found"), message.c_str());

    TokenizerTrainingOptions badType;
    badType.modelType = "wordpiece";
    message = errorOf([&] { TokenizerTrainer::train({kCorpusPath}, output, badType); });
    QVERIFY2(contains(message, "wordpiece"), message.c_str());

    TokenizerTrainingOptions tooSmall;
    tooSmall.vocabSize = 100;
    message = errorOf([&] { TokenizerTrainer::train({kCorpusPath}, output, tooSmall); });
    QVERIFY2(contains(message, "too small"), message.c_str());
    QVERIFY(!QFile::exists(QString::fromStdString(output)));
}

void TstTokenizer::trainerUnigram() {
    const std::string output = path("unigram.model").toStdString();
    TokenizerTrainingOptions options;
    options.modelType = "unigram";
    options.vocabSize = 400;
    TokenizerTrainer::train({kCorpusPath}, output, options);
    const Tokenizer tokenizer(output);
    QVERIFY(tokenizer.vocabSize() <= 400);
    QCOMPARE(tokenizer.bosId(), 1);
    const std::string text = "A quiet evening in Oslo, with 7 friends and no plans.";
    QCOMPARE(tokenizer.decode(tokenizer.encode(text)), text);
    const std::vector<std::string> words{"Critics", "loved", "Hanna", "Berg", "'s", "debut"};
    QCOMPARE(tokenizer.encodeWords(words).ids, tokenizer.encode(joinWords(words)));
    QFile::remove(QString::fromStdString(output));
}

QTEST_GUILESS_MAIN(TstTokenizer)
#include "tst_tokenizer.moc"
