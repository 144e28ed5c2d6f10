// Tests for the `fsllm` command-line tool, run as a real child process (QProcess, no shell).
// The contract: bad input (a broken checkpoint folder, config.json, model.safetensors or
// tokenizer.model, or bad options) exits with code exactly 2 and prints one stderr line that names
// the file or field; nothing crashes (a signal) or hangs (every run has a 60 s limit). Also checks
// what `info` prints and what `inspect --json` writes under the causal, bidirectional and decay
// masks. Every case breaks its own copy of one tiny checkpoint made once by `fsllm init-tiny`.
#include "clirunner.h"
#include "testfiles.h"
#include "safetensorsfile.h"
#include "safetensorswriter.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fcntl.h>
#include <functional>
#include <vector>

namespace {

using Json = nlohmann::json;

constexpr std::size_t kLayers = 2, kHidden = 32, kHeads = 4, kVocab = 512;
constexpr int kBosId = 1;
constexpr double kRowSumTolerance = 1e-5;
const QString kSentence = QStringLiteral("The film was good.");

// ---- Files ----

QByteArray lengthField(quint64 length) {
    QByteArray bytes(8, '\0');
    qToLittleEndian(length, bytes.data());
    return bytes;
}

// A safetensors file taken apart: its JSON header and its data section.
struct RawSafetensors {
    Json header;
    QByteArray data;
};

RawSafetensors readSafetensors(const QString& path) {
    const QByteArray bytes = TestFiles::read(path);
    const auto length = qFromLittleEndian<quint64>(bytes.constData());
    RawSafetensors raw;
    raw.header = Json::parse(bytes.mid(8, static_cast<qsizetype>(length)).toStdString());
    raw.data = bytes.mid(8 + static_cast<qsizetype>(length));
    return raw;
}

void writeSafetensors(const QString& path, const QByteArray& header, const QByteArray& data) {
    TestFiles::write(path, lengthField(static_cast<quint64>(header.size())) + header + data);
}

// ---- Ways to break a checkpoint folder ----

using Breakage = std::function<void(const QString& model)>;

const QString kWeights = QStringLiteral("/model.safetensors");

Breakage removeFolder() {
    return [](const QString& model) { QVERIFY(QDir(model).removeRecursively()); };
}

Breakage removeFile(const QString& name) {
    return
        [name](const QString& model) { QVERIFY(QFile::remove(model + QLatin1Char('/') + name)); };
}

Breakage replaceFile(const QString& name, const QByteArray& bytes) {
    return
        [name, bytes](const QString& model) { TestFiles::write(model + QLatin1Char('/') + name, bytes); };
}

QByteArray randomBytes(int count) {
    QRandomGenerator generator(42);
    QByteArray bytes(count, '\0');
    for (char& byte : bytes)
        byte = static_cast<char>(generator.bounded(256));
    return bytes;
}

// Applies `edit` to config.json and rewrites it.
Breakage editConfig(const std::function<void(Json& config)>& edit) {
    return [edit](const QString& model) {
        const QString path = model + QStringLiteral("/config.json");
        Json config = Json::parse(TestFiles::read(path).toStdString());
        edit(config);
        TestFiles::write(path, QByteArray::fromStdString(config.dump(2)));
    };
}

Breakage setConfigField(const std::string& key, const Json& value) {
    return editConfig([key, value](Json& config) { config[key] = value; });
}

// hidden_size 30 with 4 heads and no head_dim to fall back on.
Breakage hiddenNotDivisibleByHeads() {
    return editConfig([](Json& config) {
        config.erase("head_dim");
        config["hidden_size"] = 30;
    });
}

// Applies `edit` to model.safetensors' header (given the data section's size) and rewrites the
// file with the edited header and the unchanged data.
Breakage editHeader(const std::function<void(Json& header, qint64 dataBytes)>& edit) {
    return [edit](const QString& model) {
        RawSafetensors raw = readSafetensors(model + kWeights);
        edit(raw.header, raw.data.size());
        writeSafetensors(model + kWeights, QByteArray::fromStdString(raw.header.dump()), raw.data);
    };
}

Breakage setDtype(const std::string& tensor, const std::string& dtype) {
    return editHeader([tensor, dtype](Json& header, qint64) { header[tensor]["dtype"] = dtype; });
}

// Moves one tensor's offsets past the end of the data section (a header that lies).
Breakage moveBeyondData(const std::string& tensor) {
    return editHeader([tensor](Json& header, qint64 dataBytes) {
        Json& offsets = header[tensor]["data_offsets"];
        const qint64 span = offsets[1].get<qint64>() - offsets[0].get<qint64>();
        offsets = Json::array({dataBytes, dataBytes + span});
    });
}

// Gives `tensor` the offsets of `other` (same size), so the two overlap.
Breakage overlap(const std::string& tensor, const std::string& other) {
    return editHeader([tensor, other](Json& header, qint64) {
        header[tensor]["data_offsets"] = header[other]["data_offsets"];
    });
}

Breakage replaceHeaderText(const QByteArray& text) {
    return [text](const QString& model) {
        writeSafetensors(model + kWeights, text, readSafetensors(model + kWeights).data);
    };
}

// Overwrites the 8-byte header length of model.safetensors with `length`.
Breakage setHeaderLength(quint64 length) {
    return [length](const QString& model) {
        QByteArray bytes = TestFiles::read(model + kWeights);
        bytes.replace(0, 8, lengthField(length));
        TestFiles::write(model + kWeights, bytes);
    };
}

// Sets the header length of model.safetensors to the size of the whole file (8 bytes too many
// even for a file that were all header).
Breakage setHeaderLengthToFileSize() {
    return [](const QString& model) {
        QByteArray bytes = TestFiles::read(model + kWeights);
        bytes.replace(0, 8, lengthField(quint64(bytes.size())));
        TestFiles::write(model + kWeights, bytes);
    };
}

// Cuts model.safetensors in the middle of its data section.
Breakage truncateData() {
    return [](const QString& model) {
        const QByteArray bytes = TestFiles::read(model + kWeights);
        const auto headerBytes = qFromLittleEndian<quint64>(bytes.constData());
        const qsizetype dataStart = 8 + static_cast<qsizetype>(headerBytes);
        TestFiles::write(model + kWeights, bytes.left(dataStart + (bytes.size() - dataStart) / 2));
    };
}

// Rewrites model.safetensors (with the project's writer) without `tensor`.
Breakage removeTensor(const std::string& tensor) {
    return [tensor](const QString& model) {
        const std::string path = (model + kWeights).toStdString();
        fsllm::SafetensorsWriter writer;
        {
            const fsllm::SafetensorsFile file(path);
            QVERIFY(file.contains(tensor));
            for (const std::string& name : file.names()) {
                const fsllm::TensorView& view = file.tensor(name);
                if (name != tensor)
                    writer.add(name, view.dtype, view.shape, view.data, view.byteSize);
            }
            for (const auto& [key, value] : file.metadata())
                writer.setMetadata(key, value);
        }
        writer.write(path);
    };
}

// ---- `info` on headers only ----

// Product of a header's shape.
qint64 elements(const Json& shape) {
    qint64 count = 1;
    for (const Json& size : shape)
        count *= size.get<qint64>();
    return count;
}

// The value after `key` on the line of `output` starting with `key` (empty when none).
QString infoField(const QByteArray& output, const QString& key) {
    for (const QString& line : CliRunner::outputLines(output))
        if (line.startsWith(key + QLatin1Char(' ')))
            return line.mid(key.size()).trimmed();
    return {};
}

// A LLaMA-shaped F32 checkpoint in `model` whose model.safetensors has a valid header and a data
// section that is a file hole (reads as zeros, takes no disk); config.json agrees with it.
// Returns the bytes the header declares for the tensors.
qint64 writeSparseCheckpoint(const QString& model, qint64 layers, qint64 hidden, qint64 inner,
                             qint64 vocab) {
    Json config = Json::parse(TestFiles::read(model + QStringLiteral("/config.json")).toStdString());
    const qint64 heads = config["num_attention_heads"].get<qint64>();
    const qint64 kvHeads = config["num_key_value_heads"].get<qint64>();
    const qint64 headDim = hidden / heads;
    config["num_hidden_layers"] = layers;
    config["hidden_size"] = hidden;
    config["intermediate_size"] = inner;
    config["vocab_size"] = vocab;
    config["head_dim"] = headDim;
    TestFiles::write(model + QStringLiteral("/config.json"), QByteArray::fromStdString(config.dump(2)));

    Json header = Json::object();
    qint64 offset = 0;
    const auto add = [&](const std::string& name, std::vector<qint64> shape) {
        qint64 bytes = 4;
        for (qint64 size : shape)
            bytes *= size;
        header[name] = {
            {"dtype", "F32"}, {"shape", shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    };
    add("model.embed_tokens.weight", {vocab, hidden});
    for (qint64 i = 0; i < layers; ++i) {
        const std::string layer = "model.layers." + std::to_string(i) + ".";
        add(layer + "input_layernorm.weight", {hidden});
        add(layer + "self_attn.q_proj.weight", {heads * headDim, hidden});
        add(layer + "self_attn.k_proj.weight", {kvHeads * headDim, hidden});
        add(layer + "self_attn.v_proj.weight", {kvHeads * headDim, hidden});
        add(layer + "self_attn.o_proj.weight", {hidden, heads * headDim});
        add(layer + "post_attention_layernorm.weight", {hidden});
        add(layer + "mlp.gate_proj.weight", {inner, hidden});
        add(layer + "mlp.up_proj.weight", {inner, hidden});
        add(layer + "mlp.down_proj.weight", {hidden, inner});
    }
    add("model.norm.weight", {hidden});
    add("lm_head.weight", {vocab, hidden});
    const QByteArray text = QByteArray::fromStdString(header.dump());
    const QString path = model + kWeights;
    writeSafetensors(path, text, {});
    QFile file(path);
    if (!file.resize(8 + text.size() + offset))
        qWarning("cannot extend %s", qPrintable(path));
    return offset;
}

// Runs fsllm with `args` as a child of its own (stdout to `outPath`) and returns its peak resident
// set in KiB as wait4() reports it, or -1 when it did not exit with code 0.
long peakRssKiB(const QStringList& args, const QString& outPath) {
    QList<QByteArray> bytes{QByteArray(FSLLM_CLI_PATH)};
    for (const QString& arg : args)
        bytes << arg.toUtf8();
    std::vector<char*> argv;
    for (QByteArray& arg : bytes)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    const QByteArray out = outPath.toLocal8Bit();
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int fd = ::open(out.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || ::dup2(fd, STDOUT_FILENO) < 0)
            ::_exit(126);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    if (pid < 0)
        return -1;
    int status = 0;
    struct rusage usage {};
    if (::wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return usage.ru_maxrss;
}

// ---- Checking inspect's JSON ----

// Why `value` is not an array of numbers with sizes `dims` (empty when it is).
QString shapeProblem(const Json& value, const std::vector<std::size_t>& dims,
                     std::size_t level = 0) {
    if (level == dims.size())
        return value.is_number() ? QString() : QStringLiteral("a leaf is not a number");
    if (!value.is_array() || value.size() != dims[level])
        return QStringLiteral("dimension %1 has %2 entries, expected %3")
            .arg(level)
            .arg(value.is_array() ? qint64(value.size()) : -1)
            .arg(dims[level]);
    for (const Json& item : value) {
        const QString problem = shapeProblem(item, dims, level + 1);
        if (!problem.isEmpty())
            return problem;
    }
    return {};
}

// Why some attention row does not sum to 1 (empty when all do).
QString rowSumProblem(const Json& attention) {
    for (std::size_t layer = 0; layer < attention.size(); ++layer)
        for (std::size_t head = 0; head < attention[layer].size(); ++head)
            for (std::size_t row = 0; row < attention[layer][head].size(); ++row) {
                double sum = 0.0;
                for (const Json& weight : attention[layer][head][row])
                    sum += weight.get<double>();
                if (std::abs(sum - 1.0) > kRowSumTolerance)
                    return QStringLiteral("layer %1 head %2 row %3 sums to %4")
                        .arg(layer)
                        .arg(head)
                        .arg(row)
                        .arg(sum, 0, 'g', 10);
            }
    return {};
}

// Counts the attention weights above the diagonal (the future) that are exactly 0, of `total`.
int zeroFutureWeights(const Json& attention, int& total) {
    int zeros = 0;
    total = 0;
    for (const Json& layer : attention)
        for (const Json& head : layer)
            for (std::size_t row = 0; row < head.size(); ++row)
                for (std::size_t column = row + 1; column < head[row].size(); ++column) {
                    ++total;
                    zeros += head[row][column].get<double>() == 0.0 ? 1 : 0;
                }
    return zeros;
}

} // namespace

Q_DECLARE_METATYPE(Breakage)

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void refusesBrokenCheckpoint_data();
    void refusesBrokenCheckpoint();
    void refusesBadOptions_data();
    void refusesBadOptions();
    void refusesTextThatIsNotUtf8();

    void infoPrintsRuntime();
    void infoWorksWithoutTokenizer();
    void infoNamesFamilyAndRefusesRelabelled();
    void everyFamilyEndToEnd_data();
    void everyFamilyEndToEnd();
    void realPretrainedModel();
    void tokenizerJsonCheckpoint();
    void tokenizeMatchesReferenceIds();
    void infoCountsParametersFromHeaders_data();
    void infoCountsParametersFromHeaders();
    void infoReadsHeadersOnly();
    void infoEstimatesTrainingMemory();
    void benchCheckpointStreamsLoadsAndTrains();
    void benchWritesAProfile();
    void inspectWritesJson();
    void inspectMasksTheFuture_data();
    void inspectMasksTheFuture();

private:
    // Copies the tiny checkpoint to `<dir>/model` and returns that path.
    QString copyTinyModel(const QTemporaryDir& dir) const;
    // Replaces "{model}" (the intact tiny checkpoint) and "{empty}" (an empty folder).
    QStringList expand(const QStringList& texts) const;
    // Runs `inspect --json` on the tiny checkpoint with `options`; the parsed JSON.
    Json inspectJson(const QStringList& options) const;

    QTemporaryDir m_root;
    QString m_tiny;
    QString m_empty;
};

void TestCli::initTestCase() {
    QVERIFY(m_root.isValid());
    m_tiny = m_root.filePath(QStringLiteral("tiny"));
    m_empty = m_root.filePath(QStringLiteral("not-a-run"));
    QVERIFY(QDir().mkpath(m_empty));
    const CliRunner::Run run =
        CliRunner::run(QStringList{"init-tiny", "--out", m_tiny, "--layers", "2", "--hidden", "32",
                                   "--heads", "4", "--kv-heads", "2", "--vocab", "512"});
    const QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    for (const char* name : {"config.json", "model.safetensors", "tokenizer.model"})
        QVERIFY2(QFile::exists(m_tiny + QLatin1Char('/') + QLatin1String(name)), name);
}

QString TestCli::copyTinyModel(const QTemporaryDir& dir) const {
    const QString model = dir.filePath(QStringLiteral("model"));
    TestFiles::copyFolder(m_tiny, model);
    return model;
}

QStringList TestCli::expand(const QStringList& texts) const {
    QStringList result;
    for (QString text : texts)
        result << text.replace(QStringLiteral("{model}"), m_tiny)
                      .replace(QStringLiteral("{empty}"), m_empty);
    return result;
}

Json TestCli::inspectJson(const QStringList& options) const {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("inspect.json"));
    const CliRunner::Run run = CliRunner::run(
        QStringList{"inspect", "--model", m_tiny, "--text", kSentence, "--json", out} + options);
    const QString problem = CliRunner::successProblem(run);
    if (!problem.isEmpty()) {
        QTest::qFail(qPrintable(problem), __FILE__, __LINE__);
        return {};
    }
    return Json::parse(TestFiles::read(out).toStdString(), nullptr, /*allow_exceptions=*/false);
}

void TestCli::refusesBrokenCheckpoint_data() {
    QTest::addColumn<Breakage>("breakage");
    QTest::addColumn<QString>("command"); // "info" or "inspect"
    QTest::addColumn<QStringList>("fragments");

    const std::string norm = "model.norm.weight";
    const std::string inputNorm = "model.layers.0.input_layernorm.weight";
    const std::string postNorm = "model.layers.0.post_attention_layernorm.weight";
    const QString info = QStringLiteral("info");
    const QString inspect = QStringLiteral("inspect");

    // The folder and config.json.
    QTest::newRow("model folder missing")
        << removeFolder() << info << QStringList{"{model}", "not a folder"};
    QTest::newRow("config.json missing")
        << removeFile("config.json") << info << QStringList{"config.json", "cannot open"};
    QTest::newRow("config.json not JSON") << replaceFile("config.json", "{\"model_type\": llama")
                                          << info << QStringList{"config.json", "not valid JSON"};
    QTest::newRow("hidden_size a string") << setConfigField("hidden_size", "64") << info
                                          << QStringList{"config.json", "hidden_size", "integer"};
    QTest::newRow("model_type gpt2") << setConfigField("model_type", "gpt2") << info
                                     << QStringList{"config.json", "model_type", "gpt2"};
    QTest::newRow("heads not dividing hidden")
        << hiddenNotDivisibleByHeads() << info
        << QStringList{"config.json", "hidden_size", "num_attention_heads"};

    // model.safetensors against config.json.
    QTest::newRow("model.safetensors missing")
        << removeFile("model.safetensors") << info << QStringList{"{model}", "model.safetensors"};
    QTest::newRow("tensor missing")
        << removeTensor(norm) << info << QStringList{"model.norm.weight", "missing"};
    QTest::newRow("shape contradicts config.json")
        << setConfigField("hidden_size", 64) << info << QStringList{"config.json", "shape"};

    // A malformed model.safetensors.
    const QStringList weights{"model.safetensors"};
    QTest::newRow("truncated mid-data")
        << truncateData() << info << weights + QStringList{"truncated"};
    QTest::newRow("header length larger than the file")
        << setHeaderLengthToFileSize() << info << weights + QStringList{"header length"};
    QTest::newRow("header length 2^63")
        << setHeaderLength(quint64(1) << 63) << info << weights + QStringList{"header length"};
    QTest::newRow("file of 3 bytes")
        << replaceFile("model.safetensors", "abc") << info << weights + QStringList{"3 bytes"};
    QTest::newRow("header not JSON") << replaceHeaderText("{\"model.norm.weight\": oops}") << info
                                     << weights + QStringList{"JSON"};
    QTest::newRow("offsets beyond the data")
        << moveBeyondData(norm) << info
        << weights + QStringList{"model.norm.weight", "data_offsets", "beyond"};
    QTest::newRow("overlapping offsets")
        << overlap(postNorm, inputNorm) << info << weights + QStringList{"overlap"};
    QTest::newRow("dtype I64") << setDtype(norm, "I64") << info
                               << weights + QStringList{"model.norm.weight", "I64"};
    QTest::newRow("dtype F64") << setDtype(norm, "F64") << info
                               << weights + QStringList{"model.norm.weight", "F64"};

    // tokenizer.model.
    QTest::newRow("tokenizer.model missing")
        << removeFile("tokenizer.model") << inspect
        << QStringList{"tokenizer.model", "tokenizer.json"};
    QTest::newRow("tokenizer.model corrupt") << replaceFile("tokenizer.model", randomBytes(4096))
                                             << inspect << QStringList{"tokenizer.model"};
}

void TestCli::refusesBrokenCheckpoint() {
    QFETCH(Breakage, breakage);
    QFETCH(QString, command);
    QFETCH(QStringList, fragments);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString model = copyTinyModel(dir);
    if (QTest::currentTestFailed())
        return;
    breakage(model);
    if (QTest::currentTestFailed())
        return;

    QStringList args{command, "--model", model};
    if (command == QLatin1String("inspect"))
        args << "--text" << kSentence;
    const CliRunner::Run run = CliRunner::run(args);
    fragments.replaceInStrings(QStringLiteral("{model}"), model);
    const QString problem = CliRunner::refusalProblem(run, fragments);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestCli::refusesBadOptions_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("fragments");

    const QStringList inspect{"inspect", "--model", "{model}", "--text", kSentence};

    QTest::newRow("unknown command") << QStringList{"frobnicate"} << QStringList{"frobnicate"};
    QTest::newRow("unknown option")
        << inspect + QStringList{"--colour", "red"} << QStringList{"--colour"};
    QTest::newRow("stray argument")
        << QStringList{"info", "{model}"} << QStringList{"unexpected argument", "{model}"};
    QTest::newRow("missing --model") << QStringList{"info"} << QStringList{"--model", "required"};
    QTest::newRow("missing --text")
        << QStringList{"inspect", "--model", "{model}"} << QStringList{"--text", "required"};
    QTest::newRow("--text without a value")
        << QStringList{"inspect", "--model", "{model}", "--text"}
        << QStringList{"--text", "needs a value"};
    QTest::newRow("--mask foo") << inspect + QStringList{"--mask", "foo"}
                                << QStringList{"--mask", "foo", "causal"};
    QTest::newRow("--lambda -1") << inspect + QStringList{"--mask", "decay", "--lambda", "-1"}
                                 << QStringList{"--lambda", "-1"};
    QTest::newRow("--lambda -1 without --mask")
        << inspect + QStringList{"--lambda", "-1"} << QStringList{"--lambda", "-1"};
    QTest::newRow("--lambda abc") << inspect + QStringList{"--mask", "decay", "--lambda", "abc"}
                                  << QStringList{"--lambda", "abc"};
    QTest::newRow("--lambda nan") << inspect + QStringList{"--lambda", "nan"}
                                  << QStringList{"--lambda", "nan"};
    QTest::newRow("--threads two") << QStringList{"info", "--model", "{model}", "--threads", "two"}
                                   << QStringList{"--threads", "two"};
    QTest::newRow("--device tpu") << QStringList{"info", "--model", "{model}", "--device", "tpu"}
                                  << QStringList{"tpu"};
    QTest::newRow("--dtype int8") << QStringList{"info", "--model", "{model}", "--dtype", "int8"}
                                  << QStringList{"int8"};
    QTest::newRow("--adapter without classifier.json")
        << inspect + QStringList{"--adapter", "{empty}"} << QStringList{"{empty}/classifier.json"};
    QTest::newRow("--json into a missing folder")
        << inspect + QStringList{"--json", "{empty}/no/such/folder/out.json"}
        << QStringList{"out.json"};
    QTest::newRow("init-tiny --heads 0")
        << QStringList{"init-tiny", "--out", "{empty}/tiny", "--heads", "0"}
        << QStringList{"heads"};
}

void TestCli::refusesBadOptions() {
    QFETCH(QStringList, args);
    QFETCH(QStringList, fragments);

    const CliRunner::Run run = CliRunner::run(expand(args));
    const QString problem = CliRunner::refusalProblem(run, expand(fragments));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestCli::refusesTextThatIsNotUtf8() {
    const QByteArray text("The film \xFF was good.");
    QVERIFY(!CliRunner::survivesUtf8(text));
    const CliRunner::Run run =
        CliRunner::run(QList<QByteArray>{"inspect", "--model", m_tiny.toUtf8(), "--text", text});
    const QString problem = CliRunner::refusalProblem(run, {QStringLiteral("UTF-8")});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestCli::infoPrintsRuntime() {
    const CliRunner::Run run = CliRunner::run(QStringList{"info", "--model", m_tiny});
    const QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    QString blas, threads;
    for (const QString& line : CliRunner::outputLines(run.out)) {
        if (line.startsWith(QLatin1String("BLAS ")))
            blas = line.mid(5).trimmed();
        else if (line.startsWith(QLatin1String("threads ")))
            threads = line.mid(8).trimmed();
    }
    QVERIFY2(!blas.isEmpty(), run.out.constData());
    bool isNumber = false;
    QVERIFY2(threads.toInt(&isNumber) > 0 && isNumber, run.out.constData());
}

// The memory a LoRA run needs grows with --batch-size; a tiny RAM-busting request warns.
void TestCli::infoEstimatesTrainingMemory() {
    auto trainingLine = [](const CliRunner::Run& run) {
        for (const QString& line : CliRunner::outputLines(run.out))
            if (line.contains(QLatin1String("training needs about")))
                return line;
        return QString();
    };
    const CliRunner::Run small = CliRunner::run(QStringList{"info", "--model", m_tiny});
    QVERIFY2(CliRunner::successProblem(small).isEmpty(), small.err.constData());
    QVERIFY2(!trainingLine(small).isEmpty(), small.out.constData());
    QVERIFY(!small.out.contains("warning"));
    const CliRunner::Run huge = CliRunner::run(QStringList{
        "info", "--model", m_tiny, "--batch-size", "100000", "--max-length", "100000"});
    QVERIFY2(CliRunner::successProblem(huge).isEmpty(), huge.err.constData());
    QVERIFY(trainingLine(huge) != trainingLine(small));
    QVERIFY2(huge.out.contains("warning: training does not fit in RAM"), huge.out.constData());
}

// bench-checkpoint writes a checkpoint, loads it in place (zero-copy: stored dtype = compute
// dtype) and trains with and without activation checkpointing; a second run reuses the files.
void TestCli::benchCheckpointStreamsLoadsAndTrains() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("big"));
    const QStringList args{"bench-checkpoint", "--out", out, "--preset", "tiny", "--dtype",
                           "float32", "--seq-len", "8", "--steps", "1", "--threads", "1"};
    const CliRunner::Run first = CliRunner::run(args);
    QVERIFY2(CliRunner::successProblem(first).isEmpty(), first.err.constData());
    for (const char* line : {"write        ", "info         ", "load         ", "inspect      ",
                             "train        ", "train+ckpt   ", "estimate     "})
        QVERIFY2(first.out.contains(line), first.out.constData());
    QVERIFY2(first.out.contains("0 MiB converted"), first.out.constData());
    QVERIFY(QFile::exists(out + QStringLiteral("/model.safetensors")));
    const CliRunner::Run second = CliRunner::run(args);
    QVERIFY2(CliRunner::successProblem(second).isEmpty(), second.err.constData());
    QVERIFY2(second.out.contains("write        reused"), second.out.constData());
    // Another shape in the same folder is refused, not overwritten.
    QStringList other = args;
    other << "--layers" << "3";
    const CliRunner::Run refused = CliRunner::run(other);
    const QString problem = CliRunner::refusalProblem(refused, {out, "another model"});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// bench --profile writes a Chrome trace of the timed training steps; a file that cannot be
// written is refused before the benchmark runs, naming it.
void TestCli::benchWritesAProfile() {
    QTemporaryDir dir;
    const QString trace = dir.filePath(QStringLiteral("trace.json"));
    const QStringList shape{"bench", "--layers", "1", "--hidden", "32", "--heads", "2",
                            "--kv-heads", "1", "--batch", "2", "--seq-len", "4", "--steps", "1",
                            "--threads", "1", "--profile"};
    const CliRunner::Run run = CliRunner::run(QStringList(shape) << trace);
    QVERIFY2(CliRunner::successProblem(run).isEmpty(), run.err.constData());
    QFile file(trace);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("\"aten::mm\""));
    const QString unwritable = dir.filePath(QStringLiteral("no-such-folder/trace.json"));
    const CliRunner::Run refused = CliRunner::run(QStringList(shape) << unwritable);
    const QString problem = CliRunner::refusalProblem(refused, {unwritable, "cannot write"});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestCli::infoWorksWithoutTokenizer() {
    QTemporaryDir dir;
    const QString model = copyTinyModel(dir);
    QVERIFY(QFile::remove(model + QStringLiteral("/tokenizer.model")));

    const CliRunner::Run run = CliRunner::run(QStringList{"info", "--model", model});
    const QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(run.out.contains("no tokenizer"), run.out.constData());
}

// `info` on a Qwen2 checkpoint names the family and its options; the same weights labelled
// llama (the silent half-load) are refused with one line naming the biases and qwen2.
void TestCli::infoNamesFamilyAndRefusesRelabelled() {
    const QString source = QStringLiteral(FSLLM_TEST_DATA_DIR "/reference/tiny_qwen2");
    CliRunner::Run run = CliRunner::run(QStringList{"info", "--model", source});
    const QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(infoField(run.out, QStringLiteral("architecture")).startsWith("qwen2: Qwen2 / Qwen2.5"),
             run.out.constData());
    QCOMPARE(infoField(run.out, QStringLiteral("options")),
             QStringLiteral("q/k/v bias, sliding window 4 from layer 1"));

    QTemporaryDir dir;
    const QString model = dir.path();
    QVERIFY(QFile::copy(source + "/model.safetensors", model + "/model.safetensors"));
    Json config =
        Json::parse(TestFiles::read(source + QStringLiteral("/config.json")).toStdString());
    config["model_type"] = "llama";
    TestFiles::write(model + QStringLiteral("/config.json"), QByteArray::fromStdString(config.dump()));
    for (const char* command : {"info", "inspect"}) {
        QStringList args{command, "--model", model};
        if (QLatin1String(command) == QLatin1String("inspect"))
            args << "--text" << kSentence;
        run = CliRunner::run(args);
        const QString refusal = CliRunner::refusalProblem(
            run, {model, "model.layers.0.self_attn.k_proj.bias", "is this a qwen2 checkpoint?"});
        QVERIFY2(refusal.isEmpty(), qPrintable(refusal));
    }
}

void TestCli::everyFamilyEndToEnd_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("architecture"); // how `info` starts the architecture line
    QTest::addColumn<QString>("options");
    QTest::newRow("llama") << "llama" << "llama: " << "-";
    QTest::newRow("mistral") << "mistral" << "mistral: " << "sliding window 16";
    QTest::newRow("qwen2") << "qwen2" << "qwen2: " << "q/k/v bias";
    QTest::newRow("qwen3") << "qwen3" << "qwen3: " << "q/k RMSNorm";
    QTest::newRow("chatglm") << "chatglm"
                             << "chatglm: "
                             << "q/k/v bias, RoPE on 4 of 8 head dims (interleaved pairs)";
}

// info, inspect, train, eval and the PEFT adapter on a checkpoint of every family, with its
// real tensor names and config fields (init-tiny --family).
void TestCli::everyFamilyEndToEnd() {
    QFETCH(QString, family);
    QFETCH(QString, architecture);
    QFETCH(QString, options);
    QTemporaryDir dir;
    const QString model = dir.filePath(QStringLiteral("model"));
    CliRunner::Run run = CliRunner::run(QStringList{"init-tiny", "--out", model, "--family", family,
                                                    "--layers", "2", "--hidden", "32", "--heads",
                                                    "4", "--kv-heads", "2", "--vocab", "512"});
    QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const Json config = Json::parse(TestFiles::read(model + "/config.json").toStdString());
    QCOMPARE(QString::fromStdString(config["model_type"].get<std::string>()), family);

    run = CliRunner::run(QStringList{"info", "--model", model});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(infoField(run.out, QStringLiteral("architecture")).startsWith(architecture),
             run.out.constData());
    if (options != QLatin1String("-"))
        QVERIFY2(infoField(run.out, QStringLiteral("options")).contains(options),
                 run.out.constData());

    run = CliRunner::run(QStringList{"inspect", "--model", model, "--text", kSentence});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    if (family == QLatin1String("chatglm")) // its tokenizer's prefix instead of BOS
        QVERIFY2(run.out.contains("[gMASK]") && run.out.contains(" sop("), run.out.constData());

    const QString data = QStringLiteral(FSLLM_TEST_DATA_DIR "/badinputs");
    const QString runDir = dir.filePath(QStringLiteral("run"));
    run = CliRunner::run(QStringList{"train", "--model", model, "--task", "seq", "--train",
                                     data + "/good_train.tsv", "--dev", data + "/good_dev.tsv",
                                     "--epochs", "1", "--batch-size", "4", "--lora-rank", "4",
                                     "--lora-targets", "q,k,v,o,gate,up,down", "--out", runDir});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QString best = QFileInfo(runDir + QStringLiteral("/best")).canonicalFilePath();
    const QByteArray adapter = TestFiles::read(best + QStringLiteral("/adapter_model.safetensors"));
    const bool chatglm = family == QLatin1String("chatglm");
    for (const char* key :
         {chatglm ? "base_model.model.transformer.encoder.layers.1.self_attention.query_key_value."
                    "lora_A.weight"
                  : "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight",
          chatglm ? "base_model.model.transformer.encoder.layers.1.mlp.dense_4h_to_h.lora_B.weight"
                  : "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"})
        QVERIFY2(adapter.contains(key), key); // PEFT's names for this family's modules

    run = CliRunner::run(
        QStringList{"eval", "--run", runDir, "--data", data + "/good_dev.tsv"});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(run.out.contains("accuracy"), run.out.constData());
}

// info, inspect, train and eval on a real pretrained checkpoint (stories260K, the test data's
// copy; its forward and greedy decoding are checked against a float64 reference in tst_decoder).
void TestCli::realPretrainedModel() {
    QTemporaryDir dir;
    const QString model = QStringLiteral(FSLLM_TEST_DATA_DIR "/reference/stories260K");
    CliRunner::Run run = CliRunner::run(QStringList{"info", "--model", model});
    QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(infoField(run.out, QStringLiteral("parameters")), QStringLiteral("260032"));
    run = CliRunner::run(
        QStringList{"inspect", "--model", model, "--text", kSentence, "--mask", "decay"});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QString data = QStringLiteral(FSLLM_TEST_DATA_DIR "/badinputs");
    const QString runDir = dir.filePath(QStringLiteral("run"));
    run = CliRunner::run(QStringList{"train", "--model", model, "--task", "seq", "--train",
                                     data + "/good_train.tsv", "--dev", data + "/good_dev.tsv",
                                     "--epochs", "1", "--batch-size", "4", "--out", runDir});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    run = CliRunner::run(QStringList{"eval", "--run", runDir, "--data", data + "/good_dev.tsv"});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(run.out.contains("accuracy"), run.out.constData());
}

// A folder with only tokenizer.json (Qwen3's vocabulary trimmed to 200 merges, LLaMA-3 settings:
// 483 pieces, BOS <|begin_of_text|>): info names it and its kind, inspect encodes with it.
void TestCli::tokenizerJsonCheckpoint() {
    QTemporaryDir dir;
    const QString model = copyTinyModel(dir);
    QVERIFY(QFile::remove(model + QStringLiteral("/tokenizer.model")));
    QVERIFY(QFile::copy(QStringLiteral(FSLLM_TEST_DATA_DIR
                                       "/tokenizerjson/llama3_200merges/tokenizer.json"),
                        model + QStringLiteral("/tokenizer.json")));
    CliRunner::Run run = CliRunner::run(QStringList{"info", "--model", model});
    QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(infoField(run.out, QStringLiteral("tokenizer")),
             model + QStringLiteral("/tokenizer.json, byte-level BPE (tokenizer.json)"));
    QVERIFY2(infoField(run.out, QStringLiteral("vocab")).contains("tokenizer pieces: 483"),
             run.out.constData());

    run = CliRunner::run(QStringList{"inspect", "--model", model, "--text", "Hello world 2024"});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(run.out.contains("tokens  ") && run.out.contains(" <|begin_of_text|>(482)"),
             run.out.constData());

    // The sentencepiece file wins when both are there (today's path, unchanged).
    run = CliRunner::run(QStringList{"info", "--model", m_tiny});
    QVERIFY2(infoField(run.out, QStringLiteral("tokenizer")).endsWith(
                 QStringLiteral("/tokenizer.model, sentencepiece (tokenizer.model)")),
             run.out.constData());
}

// `fsllm tokenize` gives the ids Hugging Face's JavaScript tokenizers gave (Qwen3, trimmed).
void TestCli::tokenizeMatchesReferenceIds() {
    const QString data = QStringLiteral(FSLLM_TEST_DATA_DIR "/tokenizerjson");
    const CliRunner::Run run = CliRunner::run(QStringList{
        "tokenize", "--tokenizer", data + "/qwen3_3k", "--texts", data + "/texts.jsonl"});
    const QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QStringList ours = CliRunner::outputLines(run.out);
    QFile reference(data + QStringLiteral("/qwen3_3k/ids.jsonl"));
    QVERIFY(reference.open(QIODevice::ReadOnly));
    const QStringList expected =
        QString::fromUtf8(reference.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(ours.size(), 120);
    QCOMPARE(ours, expected);
}

void TestCli::infoCountsParametersFromHeaders_data() {
    QTest::addColumn<bool>("tied");
    QTest::newRow("untied") << false;
    QTest::newRow("tied") << true;
}

// `info` counts parameters from the header shapes: the sum over model.safetensors' tensors, and
// the same as the decoder's frozen parameters (config.json's formula; a tied LM head once).
void TestCli::infoCountsParametersFromHeaders() {
    QFETCH(bool, tied);
    QTemporaryDir dir;
    const QString model = dir.filePath(QStringLiteral("model"));
    QStringList args{"init-tiny", "--out",   model, "--layers",   "3", "--hidden",
                     "48",        "--heads", "6",   "--kv-heads", "2", "--intermediate",
                     "80",        "--vocab", "600"};
    if (tied)
        args << QStringLiteral("--tied");
    QString problem = CliRunner::successProblem(CliRunner::run(args));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    const Json header = readSafetensors(model + kWeights).header;
    qint64 headerSum = 0;
    for (const auto& item : header.items())
        if (item.key() != "__metadata__")
            headerSum += elements(item.value()["shape"]);
    const qint64 D = 48, F = 80, V = 600, L = 3, q = 6 * 8, kv = 2 * 8;
    const qint64 formula =
        V * D * (tied ? 1 : 2) + D + L * (2 * D + 2 * q * D + 2 * kv * D + 3 * D * F);
    QCOMPARE(headerSum, formula);

    const CliRunner::Run run = CliRunner::run(QStringList{"info", "--model", model});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(infoField(run.out, QStringLiteral("parameters")), QString::number(formula));
    QCOMPARE(infoField(run.out, QStringLiteral("embeddings")),
             tied ? QStringLiteral("tied to the LM head") : QStringLiteral("untied"));
    QCOMPARE(infoField(run.out, QStringLiteral("layers")), QStringLiteral("3"));
    QVERIFY2(infoField(run.out, QStringLiteral("vocab")).startsWith("600  (tokenizer pieces: "),
             run.out.constData());
}

// `info` reads headers only: on a 2.2 GB (F32) checkpoint whose data section is a file hole it
// prints the header's sizes and parameter count with a peak resident set far below the tensor
// bytes (building the decoder alone would take all of them).
void TestCli::infoReadsHeadersOnly() {
    QTemporaryDir dir;
    const QString model = copyTinyModel(dir);
    const qint64 L = 2, D = 1024, F = 2816, V = 262144;
    const qint64 dataBytes = writeSparseCheckpoint(model, L, D, F, V);
    QVERIFY(dataBytes > (qint64(2) << 30));
    const qint64 parameters = dataBytes / 4;

    const QString out = dir.filePath(QStringLiteral("info.txt"));
    QElapsedTimer timer;
    timer.start();
    const long peakKiB = peakRssKiB(QStringList{"info", "--model", model}, out);
    const qint64 ms = timer.elapsed();
    const QByteArray printed = TestFiles::read(out);
    QVERIFY2(peakKiB > 0, printed.constData());
    qInfo("info on %lld tensor bytes: %lld ms, peak RSS %ld KiB", dataBytes, ms, peakKiB);
    QVERIFY2(qint64(peakKiB) * 1024 < dataBytes / 4,
             qPrintable(QStringLiteral("peak RSS %1 KiB for %2 tensor bytes: info read the data")
                            .arg(peakKiB)
                            .arg(dataBytes)));
    QCOMPARE(infoField(printed, QStringLiteral("parameters")), QString::number(parameters));
    QCOMPARE(infoField(printed, QStringLiteral("layers")), QString::number(L));
    QVERIFY2(infoField(printed, QStringLiteral("hidden")).startsWith("1024  (intermediate 2816)"),
             printed.constData());
    QVERIFY2(infoField(printed, QStringLiteral("dtype")).startsWith("stored float32"),
             printed.constData());
}

void TestCli::inspectWritesJson() {
    const Json json = inspectJson({"--mask", "decay", "--lambda", "0.5"});
    QVERIFY2(json.is_object(), "the --json file is not a JSON object");

    QVERIFY(json.contains("ids") && json["ids"].is_array() && !json["ids"].empty());
    QCOMPARE(json["ids"][0].get<int>(), kBosId);
    const std::size_t tokens = json["ids"].size();
    QVERIFY(json.contains("tokens") && json["tokens"].is_array());
    QCOMPARE(json["tokens"].size(), tokens);
    QCOMPARE(QString::fromStdString(json.value("mask", "")), QStringLiteral("decay"));
    QVERIFY(json.contains("lambda") && json["lambda"].is_number());
    QCOMPARE(json["lambda"].get<double>(), 0.5);

    const struct {
        const char* key;
        std::vector<std::size_t> dims;
    } arrays[] = {{"attention", {kLayers, kHeads, tokens, tokens}},
                  {"hidden", {tokens, kHidden}},
                  {"logits", {tokens, kVocab}}};
    for (const auto& array : arrays) {
        QVERIFY2(json.contains(array.key), array.key);
        const QString problem = shapeProblem(json[array.key], array.dims);
        QVERIFY2(problem.isEmpty(), qPrintable(QLatin1String(array.key) + ": " + problem));
    }
    const QString problem = rowSumProblem(json["attention"]);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestCli::inspectMasksTheFuture_data() {
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<bool>("futureIsZero");

    QTest::newRow("causal") << QStringList{"--mask", "causal"} << true;
    QTest::newRow("bidirectional") << QStringList{"--mask", "bidirectional"} << false;
    QTest::newRow("decay 0.5") << QStringList{"--mask", "decay", "--lambda", "0.5"} << false;
}

void TestCli::inspectMasksTheFuture() {
    QFETCH(QStringList, options);
    QFETCH(bool, futureIsZero);

    const Json json = inspectJson(options);
    QVERIFY2(json.is_object() && json.contains("attention"), "no attention in the --json file");
    const QString problem = rowSumProblem(json["attention"]);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    int total = 0;
    const int zeros = zeroFutureWeights(json["attention"], total);
    QVERIFY(total > 0);
    QCOMPARE(zeros, futureIsZero ? total : 0);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
