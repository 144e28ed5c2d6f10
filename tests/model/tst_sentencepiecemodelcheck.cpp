// Tests for SentencepieceModelCheck: corrupt normalization tables (precompiled_charsmap) in a
// tokenizer.model are refused with a clean error naming the file before sentencepiece 0.1.97
// can crash on them at the first encode, while real tables (nmt_nfkc, identity) and a small
// hand-built table still load and normalize. Every table is made by the test: a model trained
// on the tiny corpus, with a NormalizerSpec appended (protobuf merges it: its charsmap wins).
// Thread-safety: Qt Test runs the cases on one thread.
#include "fsllmerror.h"
#include "protowirereader.h"
#include "sentencepiecemodelcheck.h"
#include "tokenizer.h"
#include "tokenizertrainer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <functional>
#include <memory>

using fsllm::FsllmError;
using fsllm::SentencepieceModelCheck;
using fsllm::Tokenizer;

namespace {

const std::string kCorpusPath = FSLLM_SOURCE_DIR "/resources/corpus/tiny_corpus.txt";
const std::string kDefaultModel =
    FSLLM_SOURCE_DIR "/resources/models/fsllm-default/tokenizer.model";
constexpr int kNormalizerSpec = 3;
constexpr int kDenormalizerSpec = 5;

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

QByteArray readFile(const std::string& path) {
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", path.c_str());
    return file.readAll();
}

void writeFile(const std::string& path, const QByteArray& bytes) {
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

QByteArray varint(quint64 value) {
    QByteArray bytes;
    do {
        const char low = static_cast<char>(value & 0x7F);
        value >>= 7;
        bytes += static_cast<char>(low | (value ? 0x80 : 0));
    } while (value);
    return bytes;
}

QByteArray lengthDelimited(int field, const QByteArray& value) {
    return varint(quint64(field) << 3 | 2) + varint(quint64(value.size())) + value;
}

// `model` with a NormalizerSpec (field 3) or denormalizer spec (field 5) holding `charsmap`.
QByteArray withCharsmap(const QByteArray& model, const QByteArray& charsmap,
                        int field = kNormalizerSpec) {
    return model + lengthDelimited(field, lengthDelimited(2, charsmap));
}

// The normalizer_spec's precompiled_charsmap of a model ("" when it has none).
QByteArray charsmapOf(const QByteArray& model) {
    std::string_view charsmap;
    fsllm::ProtoWireReader reader(std::string_view(model.constData(), model.size()));
    while (!reader.atEnd()) {
        const auto key = reader.key();
        if (key.field != kNormalizerSpec || key.wireType != 2) {
            reader.skip(key);
            continue;
        }
        fsllm::ProtoWireReader spec(reader.lengthDelimited());
        while (!spec.atEnd()) {
            const auto inner = spec.key();
            if (inner.field == 2 && inner.wireType == 2)
                charsmap = spec.lengthDelimited();
            else
                spec.skip(inner);
        }
    }
    return QByteArray(charsmap.data(), qsizetype(charsmap.size()));
}

// A darts-clone unit word: a node with `label`, children at (its index ^ offset), and a leaf.
quint32 nodeUnit(quint32 label, quint32 offset, bool hasLeaf) {
    return label | (hasLeaf ? 1U << 8 : 0U) | offset << 10;
}
quint32 leafUnit(quint32 value) {
    return (1U << 31) | value;
}

// A hand-built table that normalizes "a" to "b": root (unit 0) -> children at 256 ^ c; unit
// 256 ^ 'a' carries label 'a' and a leaf at unit 512, whose value is the offset of "b\0".
struct HandTable {
    quint32 rootOffset = 256;
    quint32 leafValue = 0;
    QByteArray strings = QByteArray("b\0", 2);
    int units = 768;
    qint64 sizeField = -1; // -1: the true trie size

    QByteArray bytes() const {
        QByteArray trie(units * 4, '\0');
        const auto put = [&](int index, quint32 word) {
            qToLittleEndian(word, trie.data() + index * 4);
        };
        const int child = 256 ^ 'a';
        put(0, nodeUnit(0, rootOffset, false));
        put(child, nodeUnit('a', quint32(child ^ 512), true));
        put(512, leafUnit(leafValue));
        QByteArray size(4, '\0');
        qToLittleEndian(quint32(sizeField < 0 ? trie.size() : sizeField), size.data());
        return size + trie + strings;
    }
};

} // namespace

class TstSentencepieceModelCheck : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void realTablesAreAccepted();
    void defaultModelStillEncodes();
    void handBuiltTableIsUsed();
    void corruptTablesRefused_data();
    void corruptTablesRefused();
    void corruptDenormalizerRefused();
    void malformedProtobufRefused();

private:
    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

    QTemporaryDir m_dir;
    QByteArray m_identity; // a trained model with identity normalization (no table)
    QByteArray m_nfkc;     // a trained model with sentencepiece's nmt_nfkc table
};

void TstSentencepieceModelCheck::initTestCase() {
    QVERIFY(m_dir.isValid());
    fsllm::TokenizerTrainingOptions options;
    options.vocabSize = 512;
    fsllm::TokenizerTrainer::train({kCorpusPath}, path("identity.model"), options);
    options.normalization = "nmt_nfkc";
    fsllm::TokenizerTrainer::train({kCorpusPath}, path("nfkc.model"), options);
    m_identity = readFile(path("identity.model"));
    m_nfkc = readFile(path("nfkc.model"));
    QVERIFY(charsmapOf(m_identity).isEmpty());
    QVERIFY2(charsmapOf(m_nfkc).size() > 1000, "the nmt_nfkc model has no normalization table");
}

void TstSentencepieceModelCheck::realTablesAreAccepted() {
    const QByteArray table = charsmapOf(m_nfkc);
    QCOMPARE(SentencepieceModelCheck::charsmapProblem({table.constData(), size_t(table.size())}),
             std::string());
    const Tokenizer nfkc(path("nfkc.model"));
    // NFKC folds full-width letters: the table is really in use.
    QCOMPARE(nfkc.encode("\xEF\xBD\x86\xEF\xBD\x89\xEF\xBD\x8C\xEF\xBD\x8D film"),
             nfkc.encode("film film"));
    const std::string text = "A quiet evening in Oslo, with 7 friends.";
    QCOMPARE(nfkc.decode(nfkc.encode(text)), text);
}

void TstSentencepieceModelCheck::defaultModelStillEncodes() {
    // The bundled model (identity normalization) loads through the checked path and round-trips.
    const Tokenizer tokenizer(kDefaultModel);
    const std::string text = "The committee approved the budget on Monday.";
    const std::vector<int> ids = tokenizer.encode(text, false);
    QVERIFY(!ids.empty());
    QCOMPARE(tokenizer.decode(ids), text);
    std::string joined;
    for (const std::string& piece : tokenizer.pieces(ids))
        joined += piece;
    QCOMPARE(QString::fromStdString(joined).replace(QChar(0x2581), QChar(' ')).trimmed(),
             QString::fromStdString(text));
}

void TstSentencepieceModelCheck::handBuiltTableIsUsed() {
    const QByteArray table = HandTable().bytes();
    QCOMPARE(SentencepieceModelCheck::charsmapProblem({table.constData(), size_t(table.size())}),
             std::string());
    writeFile(path("hand.model"), withCharsmap(m_identity, table));
    const Tokenizer identity(path("identity.model"));
    const Tokenizer hand(path("hand.model"));
    QVERIFY(identity.encode("a cat") != identity.encode("b cbt"));
    QCOMPARE(hand.encode("a cat"), identity.encode("b cbt")); // every "a" became "b"
}

void TstSentencepieceModelCheck::corruptTablesRefused_data() {
    QTest::addColumn<QByteArray>("table");
    QTest::addColumn<QString>("fragment");

    HandTable leafPastStrings;
    leafPastStrings.leafValue = 9999;
    QTest::newRow("leaf offset past the strings") << leafPastStrings.bytes() << "past the end of";
    HandTable leafOnLastByte;
    leafOnLastByte.leafValue = 2;
    QTest::newRow("leaf offset = strings size") << leafOnLastByte.bytes() << "past the end of";
    HandTable noNul;
    noNul.strings = "b";
    QTest::newRow("string without its NUL") << noNul.bytes() << "NUL";
    HandTable rootOutside;
    rootOutside.rootOffset = 4096;
    QTest::newRow("root children past the trie")
        << rootOutside.bytes() << "past the end of the trie";
    HandTable shortTrie;
    shortTrie.units = 513; // unit 512's children (512 ^ c) run to 767
    QTest::newRow("node children past the trie") << shortTrie.bytes() << "past the end of the trie";
    HandTable sizeTooLarge;
    sizeTooLarge.sizeField = 1 << 20;
    QTest::newRow("trie size larger than the table") << sizeTooLarge.bytes() << "exceeds";
    HandTable sizeAll;
    sizeAll.sizeField = 768 * 4 + 2 + 3; // what 0.1.97's own check lets through
    QTest::newRow("trie size past the table by 3") << sizeAll.bytes() << "exceeds";
    HandTable sizeOdd;
    sizeOdd.sizeField = 768 * 4 - 2;
    QTest::newRow("trie size not a multiple of 4") << sizeOdd.bytes() << "multiple of 4";
    HandTable sizeZero;
    sizeZero.sizeField = 0;
    QTest::newRow("trie size 0") << sizeZero.bytes() << "multiple of 4";
    QTest::newRow("3 bytes") << QByteArray("\x01\x00\x00", 3) << "too short";

    const QByteArray real = charsmapOf(m_nfkc);
    const quint32 trieBytes = qFromLittleEndian<quint32>(real.constData());
    QTest::newRow("nmt_nfkc truncated") << real.left(real.size() / 2) << "exceeds";
    QTest::newRow("nmt_nfkc strings cut")
        << real.left(4 + int(trieBytes) + 16) << "past the end of";
    QByteArray scrambled = real;
    for (int i = 4; i < 4 + int(trieBytes); i += 4 * 97) // every 97th unit's offset bits
        scrambled[i + 3] = static_cast<char>(scrambled[i + 3] ^ 0x3F);
    QTest::newRow("nmt_nfkc units scrambled") << scrambled << "trie unit";
}

void TstSentencepieceModelCheck::corruptTablesRefused() {
    QFETCH(QByteArray, table);
    QFETCH(QString, fragment);
    const std::string problem =
        SentencepieceModelCheck::charsmapProblem({table.constData(), size_t(table.size())});
    QVERIFY2(contains(problem, fragment.toStdString()), problem.c_str());

    const std::string model = path("corrupt.model");
    writeFile(model, withCharsmap(m_identity, table));
    const std::string message = errorOf([&] { Tokenizer tokenizer(model); });
    QVERIFY2(contains(message, model + ": "), message.c_str());
    QVERIFY2(contains(message, "precompiled_charsmap of normalizer_spec"), message.c_str());
    QVERIFY2(contains(message, fragment.toStdString()), message.c_str());
}

void TstSentencepieceModelCheck::corruptDenormalizerRefused() {
    HandTable table;
    table.leafValue = 1 << 20;
    const std::string model = path("denormalizer.model");
    writeFile(model, withCharsmap(m_identity, table.bytes(), kDenormalizerSpec));
    const std::string message = errorOf([&] { Tokenizer tokenizer(model); });
    QVERIFY2(contains(message, model + ": "), message.c_str());
    QVERIFY2(contains(message, "denormalizer_spec"), message.c_str());
}

void TstSentencepieceModelCheck::malformedProtobufRefused() {
    // A normalizer_spec whose length runs past the end of the file.
    const std::string model = path("malformed.model");
    writeFile(model, m_identity + varint(kNormalizerSpec << 3 | 2) + varint(1000) + "\x12\x05");
    const std::string message = errorOf([&] { Tokenizer tokenizer(model); });
    QVERIFY2(contains(message, model + ": not a valid sentencepiece tokenizer model"),
             message.c_str());
}

QTEST_GUILESS_MAIN(TstSentencepieceModelCheck)
#include "tst_sentencepiecemodelcheck.moc"
