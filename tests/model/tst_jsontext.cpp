// Tests for JsonText and every JSON reader that uses it: nesting deeper than 64 levels (the
// hostile 100,000 levels of '[' that used to overflow the stack) is refused with one line naming
// the file before any value is built; shallow files still parse; values shown in messages are
// cut to 80 characters. Thread-safety: Qt Test runs the cases on one thread.
#include "checkpointindex.h"
#include "classifierspec.h"
#include "datareader.h"
#include "fsllmerror.h"
#include "jsontext.h"
#include "modelconfig.h"
#include "runrecord.h"
#include "safetensorsfile.h"
#include "trainingconfig.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <fstream>
#include <functional>

using fsllm::FsllmError;
using fsllm::JsonText;

namespace {

constexpr std::size_t kHostileDepth = 100000;

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

// `depth` nested arrays: "[[[...]]]" (closed) or only the opening brackets.
std::string nested(std::size_t depth, bool closed = true) {
    return std::string(depth, '[') + (closed ? std::string(depth, ']') : std::string());
}

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A safetensors file whose header is `header` and which has no data.
std::string safetensors(const std::string& header) {
    std::string bytes(8, '\0');
    std::uint64_t length = header.size();
    for (int i = 0; i < 8; ++i, length >>= 8)
        bytes[i] = static_cast<char>(length & 0xFF);
    return bytes + header;
}

} // namespace

class TstJsonText : public QObject {
    Q_OBJECT

private slots:
    void depthLimit_data();
    void depthLimit();
    void shownIsShort();
    void readersRefuseDeepJson_data();
    void readersRefuseDeepJson();

private:
    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }
    QTemporaryDir m_dir;
};

void TstJsonText::depthLimit_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("tooDeep");
    const int limit = JsonText::kMaxDepth;
    QTest::newRow("64 levels") << QString::fromStdString(nested(limit)) << false;
    QTest::newRow("65 levels") << QString::fromStdString(nested(limit + 1)) << true;
    QTest::newRow("objects, 65 levels")
        << QString("{\"a\":").repeated(limit + 1) + "1" + QString("}").repeated(limit + 1) << true;
    QTest::newRow("100,000 unclosed")
        << QString::fromStdString(nested(kHostileDepth, false)) << true;
    QTest::newRow("brackets in a string") << "[\"" + QString("[").repeated(1000) + "\"]" << false;
    QTest::newRow("escaped quote in a string")
        << "[\"\\\"" + QString("{").repeated(1000) + "\"]" << false;
    QTest::newRow("siblings are not depth")
        << QString("[[]]").repeated(1000).prepend("[").append("]") << false;
}

void TstJsonText::depthLimit() {
    QFETCH(QString, text);
    QFETCH(bool, tooDeep);
    const std::string json = text.toStdString();
    QCOMPARE(JsonText::tooDeepOffset(json) != std::string::npos, tooDeep);
    const std::string message = errorOf([&] { JsonText::parse(json, "src", "fix it"); });
    if (tooDeep) {
        QVERIFY2(contains(message, "src: JSON nested deeper than 64 levels (at byte "),
                 message.c_str());
        QVERIFY2(contains(message, "; fix it"), message.c_str());
        QVERIFY2(message.size() < 200, message.c_str());
    } else {
        QVERIFY2(message.empty() || contains(message, "src: not valid JSON ("), message.c_str());
    }
}

void TstJsonText::shownIsShort() {
    const nlohmann::json big = std::string(1 << 20, 'x');
    const std::string shown = JsonText::shown(big);
    QVERIFY(shown.size() <= JsonText::kMaxShown + 3);
    QVERIFY(shown.size() >= JsonText::kMaxShown);
    QCOMPARE(shown.substr(shown.size() - 3), std::string("..."));
    // A long unterminated string makes nlohmann quote it in its "last read" part: cut too.
    const std::string message =
        errorOf([&] { JsonText::parse("[\"" + std::string(1 << 20, 'y'), "src", "fix it"); });
    QVERIFY2(contains(message, "src: not valid JSON ("), message.c_str());
    QVERIFY2(message.size() < 300, message.c_str());
}

void TstJsonText::readersRefuseDeepJson_data() {
    QTest::addColumn<QString>("reader");
    for (const char* reader : {"config.json", "safetensors header", "run.json", "classifier.json",
                               "index.json", "jsonl line", "metrics.jsonl"})
        QTest::newRow(reader) << reader;
}

void TstJsonText::readersRefuseDeepJson() {
    QFETCH(QString, reader);
    // Closed, so that the old readers parsed it and then overflowed the stack printing it.
    const std::string deep = nested(kHostileDepth);
    std::string file;
    std::function<void()> read;
    if (reader == "config.json") {
        file = path("config.json");
        writeFile(file, "{\"model_type\": \"llama\", \"hidden_size\": " + deep + "}");
        read = [&] { fsllm::ModelConfig::fromFile(file); };
    } else if (reader == "safetensors header") {
        file = path("model.safetensors") + ": header";
        writeFile(path("model.safetensors"),
                  safetensors("{\"a\": {\"dtype\": \"F32\", \"shape\": " + deep +
                              ", \"data_offsets\": [0, 0]}}"));
        read = [&] { fsllm::SafetensorsFile weights(path("model.safetensors")); };
    } else if (reader == "run.json") {
        file = path("run.json");
        writeFile(file, "{\"model\": " + deep + "}");
        read = [&] { fsllm::TrainingConfig::load(file); };
    } else if (reader == "classifier.json") {
        QDir(m_dir.path()).mkpath("adapter");
        file = path("adapter/classifier.json");
        writeFile(file, "{\"task\": " + deep + "}");
        read = [&] { fsllm::ClassifierSpec::load(path("adapter")); };
    } else if (reader == "index.json") {
        QDir(m_dir.path()).mkpath("sharded");
        file = path("sharded/model.safetensors.index.json");
        writeFile(file, "{\"weight_map\": {\"t\": " + deep + "}}");
        read = [&] { fsllm::CheckpointIndex index(path("sharded")); };
    } else if (reader == "jsonl line") {
        file = path("data.jsonl");
        writeFile(file, "{\"text\": \"fine\", \"label\": \"a\"}\n{\"text\": " + deep +
                            ", \"label\": \"a\"}\n");
        file += ":2";
        read = [&] { fsllm::DataReader::read(path("data.jsonl"), {}); };
    } else {
        QDir(m_dir.path()).mkpath("run");
        writeFile(path("run/run.json"), fsllm::TrainingConfig().toJsonText());
        file = path("run/metrics.jsonl");
        writeFile(file, deep + "\n{\"type\": \"step\", \"step\": 1}\n");
        file += ":1";
        read = [&] { fsllm::RunRecord::load(path("run")); };
    }
    const std::string message = errorOf(read);
    QVERIFY2(contains(message, file + ": JSON nested deeper than 64 levels"), message.c_str());
    QVERIFY2(message.find('\n') == std::string::npos && message.size() < 300, message.c_str());
}

QTEST_GUILESS_MAIN(TstJsonText)
#include "tst_jsontext.moc"
