// The bad-input corpus (tests/data/badinputs/ and the generators below) run through the real
// `fsllm` commands: every case must exit with code 2 and print ONE stderr line naming the file
// (and the field or line) and what is wrong; never a signal, never "internal error". Each case
// gets fresh copies of a tiny checkpoint ({model}) and of a trained adapter ({adapter}) in its
// own folder ({dir}); {run} is a trained run folder and {corpus} the committed corpus.
// Adding a case is one entry in badInputs().
#include "clirunner.h"
#include "testfiles.h"
#include "predictionreport.h"
#include "safetensorsfile.h"
#include "safetensorswriter.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

namespace {

using Json = nlohmann::json;
using Make = std::function<void(const QString& dir)>;

const QString kCorpus = QStringLiteral(FSLLM_TEST_DATA_DIR "/badinputs");
const QString kText = QStringLiteral("a clever and warm film");
constexpr int kHostileDepth = 100000;

// ---- Files ----

// `prefix`, 100,000 nested arrays, `suffix`: closed, so the old readers parsed it and then
// overflowed the stack while printing the value in their error message.
QByteArray deepJson(const QByteArray& prefix = {}, const QByteArray& suffix = {}) {
    return prefix + QByteArray(kHostileDepth, '[') + QByteArray(kHostileDepth, ']') + suffix;
}

// ---- Generators: each breaks one file of the case's folder ----

Make write(const QString& relative, const QByteArray& bytes) {
    return [relative, bytes](const QString& dir) {
        QDir().mkpath(QFileInfo(dir + QLatin1Char('/') + relative).path());
        TestFiles::write(dir + QLatin1Char('/') + relative, bytes);
    };
}

Make remove(const QString& relative) {
    return [relative](const QString& dir) {
        QVERIFY(QFile::remove(dir + QLatin1Char('/') + relative));
    };
}

Make editJson(const QString& relative, const std::function<void(Json&)>& edit) {
    return [relative, edit](const QString& dir) {
        const QString path = dir + QLatin1Char('/') + relative;
        Json json = Json::parse(TestFiles::read(path).toStdString());
        edit(json);
        TestFiles::write(path, QByteArray::fromStdString(json.dump(2)));
    };
}

Make setField(const QString& relative, const std::string& key, const Json& value) {
    return editJson(relative, [key, value](Json& json) { json[key] = value; });
}

// Replaces model/tokenizer.model by the committed LLaMA-3-style tokenizer.json (3,283 pieces,
// more than the tiny model's 512) after `edit`.
Make tokenizerJsonOnly(const std::function<void(Json&)>& edit) {
    return [edit](const QString& dir) {
        QVERIFY(QFile::remove(dir + QStringLiteral("/model/tokenizer.model")));
        Json json = Json::parse(
            TestFiles::read(QStringLiteral(FSLLM_TEST_DATA_DIR "/tokenizerjson/llama3_3k/tokenizer.json"))
                .toStdString());
        edit(json);
        TestFiles::write(dir + QStringLiteral("/model/tokenizer.json"),
                         QByteArray::fromStdString(json.dump()));
    };
}

// A safetensors file whose header is `header` (no data).
QByteArray safetensors(const QByteArray& header) {
    QByteArray length(8, '\0');
    qToLittleEndian(quint64(header.size()), length.data());
    return length + header;
}

// Appends a normalizer_spec holding `charsmap` to model/tokenizer.model; protobuf merges the
// two specs, so this table is the one sentencepiece uses.
Make appendCharsmap(const QString& corpusFile) {
    return [corpusFile](const QString& dir) {
        const QByteArray charsmap = TestFiles::read(kCorpus + QLatin1Char('/') + corpusFile);
        QVERIFY(charsmap.size() > 4 && charsmap.size() < 4096);
        const auto field = [](int number, const QByteArray& value) {
            QByteArray bytes;
            bytes += char(number << 3 | 2);
            for (quint32 size = quint32(value.size());; size >>= 7) {
                bytes += char((size & 0x7F) | (size > 0x7F ? 0x80 : 0));
                if (size <= 0x7F)
                    break;
            }
            return bytes + value;
        };
        const QString model = dir + QStringLiteral("/model/tokenizer.model");
        TestFiles::write(model, TestFiles::read(model) + field(3, field(2, charsmap)));
    };
}

// Writes `value` into the first float of `tensor` in adapter/adapter_model.safetensors.
Make poisonAdapter(const std::string& tensor, float value) {
    return [tensor, value](const QString& dir) {
        const std::string path =
            (dir + QStringLiteral("/adapter/adapter_model.safetensors")).toStdString();
        fsllm::SafetensorsWriter writer;
        std::vector<QByteArray> keep;
        {
            const fsllm::SafetensorsFile file(path);
            QVERIFY(file.contains(tensor));
            for (const std::string& name : file.names()) {
                const fsllm::TensorView& view = file.tensor(name);
                keep.emplace_back(reinterpret_cast<const char*>(view.data),
                                  qsizetype(view.byteSize));
                if (name == tensor) {
                    QCOMPARE(view.dtype, fsllm::DType::F32);
                    std::memcpy(keep.back().data(), &value, sizeof value);
                }
                writer.add(name, view.dtype, view.shape, keep.back().constData(), view.byteSize);
            }
        }
        writer.write(path);
    };
}

// A Git LFS pointer file as `git clone` without git-lfs leaves it (spec v1).
const QByteArray kLfsPointer =
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:9f2c6a6bbbd3e7f7fe3d1a2f4c53b0e5a2a7c1e0b3d4f5a6b7c8d9e0f1a2b3c4\n"
    "size 13476839424\n";

// The one line every command prints for an LFS pointer at `relative` in the case's folder.
QStringList lfsMessage(const QString& relative) {
    return {"{dir}/" + relative + ": this is a Git LFS pointer, not the file itself (" +
            QString::number(kLfsPointer.size()) +
            " bytes); run `git lfs pull` in the checkpoint folder (or download the real file)"};
}

// The weights as shards listed by an index, the first shard an LFS pointer.
Make lfsShard() {
    return [](const QString& dir) {
        remove("model/model.safetensors")(dir);
        write("model/model.safetensors.index.json",
              "{\"weight_map\": {\"model.embed_tokens.weight\": "
              "\"model-00001-of-00002.safetensors\", \"model.norm.weight\": "
              "\"model-00002-of-00002.safetensors\"}}")(dir);
        write("model/model-00001-of-00002.safetensors", kLfsPointer)(dir);
        write("model/model-00002-of-00002.safetensors", kLfsPointer)(dir);
    };
}

// ---- The corpus ----

struct BadInput {
    const char* name;
    Make make;             // may be empty: the corpus file is used as it is
    QStringList args;      // with {model}, {adapter}, {run}, {dir}, {corpus}
    QStringList fragments; // the stderr line must contain each (placeholders expanded)
};

const std::vector<BadInput>& badInputs() {
    const QStringList info{"info", "--model", "{dir}/model"};
    const QStringList inspect{"inspect", "--model", "{dir}/model", "--text", kText};
    const QStringList withAdapter = inspect + QStringList{"--adapter", "{dir}/adapter"};
    const QStringList evalOn{"eval", "--run", "{run}", "--data"};
    const std::string loraB = "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight";
    const QStringList train{"train",
                            "--model",
                            "{dir}/model",
                            "--task",
                            "seq",
                            "--train",
                            "{corpus}/good_train.tsv",
                            "--dev",
                            "{corpus}/good_dev.tsv",
                            "--out",
                            "{dir}/out"};

    static const std::vector<BadInput> cases = {
        // 0. Where the mask starts: past the last layer, or negative.
        {"mask from a layer past the last (train)",
         {},
         train + QStringList{"--mask", "decay", "--mask-from-layer", "2"},
         {"decay mask starts at layer 2", "has 2 decoder layers (0..1)"}},
        {"negative mask-from-layer (inspect)",
         {},
         inspect + QStringList{"--mask", "bidirectional", "--mask-from-layer", "-1"},
         {"the mask's first layer must be >= 0"}},
        // 1. Deeply nested JSON, refused before any value is built.
        {"deep safetensors header",
         write("model/model.safetensors",
               safetensors(deepJson("{\"model.norm.weight\": {\"dtype\": \"F32\", \"shape\": ",
                                    ", \"data_offsets\": [0, 0]}}"))),
         info,
         {"{dir}/model/model.safetensors: header: JSON nested deeper than 64 levels"}},
        {"deep config.json",
         write("model/config.json", deepJson("{\"model_type\": \"llama\", \"hidden_size\": ", "}")),
         info,
         {"{dir}/model/config.json: JSON nested deeper than 64 levels"}},
        {"deep index.json",
         [](const QString& dir) {
             remove("model/model.safetensors")(dir);
             write("model/model.safetensors.index.json",
                   deepJson("{\"weight_map\": {\"t\": ", "}}"))(dir);
         },
         info,
         {"model.safetensors.index.json: JSON nested deeper"}},
        {"deep adapter_config.json",
         write("adapter/adapter_config.json",
               deepJson("{\"peft_type\": \"LORA\", \"r\": 8, \"lora_alpha\": 16, "
                        "\"target_modules\": [\"q_proj\"], \"modules_to_save\": [",
                        "]}")),
         withAdapter,
         {"{dir}/adapter/adapter_config.json: JSON nested deeper"}},
        {"deep classifier.json",
         write("adapter/classifier.json", deepJson("{\"task\": ", "}")),
         withAdapter,
         {"{dir}/adapter/classifier.json: JSON nested deeper"}},
        {"deep run.json (eval)",
         write("run/run.json", deepJson("{\"model\": ", "}")),
         {"eval", "--run", "{dir}/run", "--data", "{corpus}/good_dev.tsv"},
         {"{dir}/run/run.json: JSON nested deeper"}},
        {"deep run.json (predict)",
         write("run/run.json", deepJson()),
         {"predict", "--run", "{dir}/run", "--text", kText},
         {"{dir}/run/run.json: JSON nested"}},
        {"deep JSONL line",
         write("deep.jsonl", "{\"sentence\": \"fine\", \"label\": \"pos\"}\n" +
                                 deepJson("{\"sentence\": ", ", \"label\": \"pos\"}\n")),
         evalOn + QStringList{"{dir}/deep.jsonl"},
         {"{dir}/deep.jsonl:2: JSON nested deeper"}},

        // 2. Corrupt sentencepiece normalization tables.
        {"charsmap leaf past its strings",
         appendCharsmap("charsmap_leaf_past_strings.bin"),
         inspect,
         {"{dir}/model/tokenizer.model: ", "precompiled_charsmap", "past the end of"}},
        {"charsmap children past the trie",
         appendCharsmap("charsmap_children_past_trie.bin"),
         inspect,
         {"{dir}/model/tokenizer.model: ", "past the end of the trie"}},
        {"charsmap trie size too large",
         appendCharsmap("charsmap_trie_size_too_large.bin"),
         inspect,
         {"{dir}/model/tokenizer.model: ", "exceeds"}},

        // 5. Sizes from files checked against the weights before anything is allocated.
        {"num_hidden_layers 2^31-1",
         setField("model/config.json", "num_hidden_layers", 2147483647),
         info,
         {"{dir}/model/config.json: field 'num_hidden_layers': 2147483647", "hold 2 layer"}},
        {"num_hidden_layers 20000",
         setField("model/config.json", "num_hidden_layers", 20000),
         info,
         {"config.json: field 'num_hidden_layers': 20000"}},
        {"vocab_size 10^9",
         setField("model/config.json", "vocab_size", 1000000000),
         info,
         {"config.json: field 'vocab_size'", "model.embed_tokens.weight"}},
        {"intermediate_size 10^8",
         setField("model/config.json", "intermediate_size", 100000000),
         info,
         {"config.json: field 'intermediate_size'"}},
        {"adapter rank 2,000,000",
         setField("adapter/adapter_config.json", "r", 2000000),
         withAdapter,
         {"{dir}/adapter/adapter_config.json: field 'r'"}},
        {"adapter rank 16, weights 8",
         setField("adapter/adapter_config.json", "r", 16),
         withAdapter,
         {"{dir}/adapter/adapter_config.json: field 'r': 16", "has rank 8"}},

        {"classifier.json head_inner 2^31-1",
         setField("adapter/classifier.json", "head_inner", 2147483647),
         withAdapter,
         {"{dir}/adapter/classifier.json: field 'head_inner'"}},
        {"classifier.json head_inner 20000, weights 32",
         setField("adapter/classifier.json", "head_inner", 20000),
         withAdapter,
         {"{dir}/adapter/classifier.json: field 'head_inner': 20000 but", "[32, 32]"}},
        {"classifier.json 3 labels, head has 2",
         setField("adapter/classifier.json", "labels", Json::array({"neg", "pos", "x"})),
         withAdapter,
         {"{dir}/adapter/classifier.json: field 'labels': 3 labels", "[2, 32]"}},

        // 9. Silent misreads.
        {"TSV .txt without a label column",
         {},
         evalOn + QStringList{"{corpus}/reviews_no_label_column.txt"},
         {"reviews_no_label_column.txt:1: ", "no 'label' column", "--format sentence"}},
        {"TSV .txt without a label column (train)",
         {},
         {"train", "--model", "{dir}/model", "--task", "seq", "--train",
          "{corpus}/reviews_no_label_column.txt", "--dev", "{corpus}/good_dev.tsv", "--out",
          "{dir}/out"},
         {"reviews_no_label_column.txt:1: ", "no 'label' column"}},
        {"--label-column for a file without columns",
         {},
         evalOn + QStringList{"{corpus}/sentence_lines.txt", "--label-column", "sentiment"},
         {"sentence_lines.txt:1: ", "label column 'sentiment' was given"}},
        {"adapter weights with NaN",
         poisonAdapter(loraB, std::numeric_limits<float>::quiet_NaN()),
         withAdapter,
         {"{dir}/adapter/adapter_model.safetensors: tensor '" + QString::fromStdString(loraB),
          "NaN"}},
        {"adapter weights with Inf",
         poisonAdapter(loraB, std::numeric_limits<float>::infinity()),
         withAdapter,
         {"adapter_model.safetensors", "infinite"}},
        {"use_dora",
         setField("adapter/adapter_config.json", "use_dora", true),
         withAdapter,
         {"{dir}/adapter/adapter_config.json: field 'use_dora'"}},
        {"use_rslora not a bool",
         setField("adapter/adapter_config.json", "use_rslora", "yes"),
         withAdapter,
         {"adapter_config.json: field 'use_rslora'"}},
        {"lora_dropout 5",
         setField("adapter/adapter_config.json", "lora_dropout", 5),
         withAdapter,
         {"adapter_config.json: field 'lora_dropout'"}},
        {"adapter weights missing",
         remove("adapter/adapter_model.safetensors"),
         withAdapter,
         {"{dir}/adapter/adapter_model.safetensors: cannot open"}},
        {"--dtype float16 on the CPU",
         {},
         info + QStringList{"--dtype", "float16", "--device", "cpu"},
         {"--dtype float16", "CPU"}},

        // Git LFS pointers saved in place of checkpoint files (git clone without git-lfs).
        {"LFS pointer model.safetensors (info)", write("model/model.safetensors", kLfsPointer),
         info, lfsMessage("model/model.safetensors")},
        {"LFS pointer model.safetensors (inspect)", write("model/model.safetensors", kLfsPointer),
         inspect, lfsMessage("model/model.safetensors")},
        {"LFS pointer model.safetensors (train)", write("model/model.safetensors", kLfsPointer),
         train, lfsMessage("model/model.safetensors")},
        {"LFS pointer shard (info)", lfsShard(), info,
         lfsMessage("model/model-00001-of-00002.safetensors")},
        {"LFS pointer shard (train)", lfsShard(), train,
         lfsMessage("model/model-00001-of-00002.safetensors")},
        {"LFS pointer index.json",
         [](const QString& dir) {
             remove("model/model.safetensors")(dir);
             write("model/model.safetensors.index.json", kLfsPointer)(dir);
         },
         info, lfsMessage("model/model.safetensors.index.json")},
        {"LFS pointer tokenizer.model (info)", write("model/tokenizer.model", kLfsPointer), info,
         lfsMessage("model/tokenizer.model")},
        {"LFS pointer tokenizer.model (inspect)", write("model/tokenizer.model", kLfsPointer),
         inspect, lfsMessage("model/tokenizer.model")},
        {"LFS pointer tokenizer.model (train)", write("model/tokenizer.model", kLfsPointer), train,
         lfsMessage("model/tokenizer.model")},
        {"LFS pointer config.json (info)", write("model/config.json", kLfsPointer), info,
         lfsMessage("model/config.json")},
        {"LFS pointer config.json (inspect)", write("model/config.json", kLfsPointer), inspect,
         lfsMessage("model/config.json")},
        {"LFS pointer config.json (train)", write("model/config.json", kLfsPointer), train,
         lfsMessage("model/config.json")},

        // A Hugging Face tokenizer.json in place of tokenizer.model.
        {"tokenizer.json WordPiece (info)",
         tokenizerJsonOnly([](Json& j) { j["model"]["type"] = "WordPiece"; }), info,
         {"{dir}/model/tokenizer.json: field 'model.type'", "'WordPiece'"}},
        {"tokenizer.json Metaspace without its replacement (inspect)",
         tokenizerJsonOnly([](Json& j) { j["pre_tokenizer"] = {{"type", "Metaspace"}}; }),
         inspect, {"{dir}/model/tokenizer.json: field 'pre_tokenizer.replacement'", "missing"}},
        {"tokenizer.json merge of an unknown piece (train)",
         tokenizerJsonOnly([](Json& j) { j["model"]["merges"][7] = "zzz q"; }), train,
         {"{dir}/model/tokenizer.json: field 'model.merges[7]'", "'zzz'"}},
        {"tokenizer.json larger than vocab_size (info)", tokenizerJsonOnly([](Json&) {}), info,
         {"{dir}/model/tokenizer.json: the tokenizer has 3283 pieces", "vocab_size is 512"}},
        {"LFS pointer tokenizer.json (inspect)",
         [](const QString& dir) {
             remove("model/tokenizer.model")(dir);
             write("model/tokenizer.json", kLfsPointer)(dir);
         },
         inspect, lfsMessage("model/tokenizer.json")},
        {"no tokenizer at all (inspect)", remove("model/tokenizer.model"), inspect,
         {"{dir}/model: no tokenizer.model", "or tokenizer.json"}},

        {"a 2 MiB example",
         write("long.txt", "pos fine\nneg " + QByteArray(2 << 20, 'x') + "\n"),
         evalOn + QStringList{"{dir}/long.txt"},
         {"{dir}/long.txt:2: ", "over the limit of"}},
    };
    return cases;
}

} // namespace

Q_DECLARE_METATYPE(Make)

class TestBadInputs : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void refused_data();
    void refused();
    void carriageReturnLinesAreRead();

private:
    QStringList expand(QStringList texts, const QString& dir) const;

    QTemporaryDir m_root;
    QString m_tiny;
    QString m_run;
    QString m_adapter;
};

void TestBadInputs::initTestCase() {
    QVERIFY(m_root.isValid());
    m_tiny = m_root.filePath(QStringLiteral("tiny"));
    m_run = m_root.filePath(QStringLiteral("run"));
    CliRunner::Run run =
        CliRunner::run(QStringList{"init-tiny", "--out", m_tiny, "--layers", "2", "--hidden", "32",
                                   "--heads", "4", "--kv-heads", "2", "--vocab", "512"});
    QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    run = CliRunner::run(QStringList{"train", "--model", m_tiny, "--task", "seq", "--train",
                                     kCorpus + "/good_train.tsv", "--dev",
                                     kCorpus + "/good_dev.tsv", "--epochs", "1", "--batch-size",
                                     "4", "--lora-rank", "8", "--out", m_run});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // The best adapter's files, wherever the run keeps them (best/ may be a link).
    m_adapter = QFileInfo(m_run + QStringLiteral("/best")).canonicalFilePath();
    QVERIFY2(QFile::exists(m_adapter + QStringLiteral("/adapter_config.json")),
             qPrintable(m_adapter));
}

QStringList TestBadInputs::expand(QStringList texts, const QString& dir) const {
    texts.replaceInStrings(QStringLiteral("{dir}"), dir);
    texts.replaceInStrings(QStringLiteral("{run}"), m_run);
    texts.replaceInStrings(QStringLiteral("{corpus}"), kCorpus);
    return texts;
}

void TestBadInputs::refused_data() {
    QTest::addColumn<Make>("make");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("fragments");
    for (const BadInput& input : badInputs())
        QTest::newRow(input.name) << input.make << input.args << input.fragments;
}

void TestBadInputs::refused() {
    QFETCH(Make, make);
    QFETCH(QStringList, args);
    QFETCH(QStringList, fragments);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    TestFiles::copyFolder(m_tiny, dir.filePath(QStringLiteral("model")));
    TestFiles::copyFolder(m_adapter, dir.filePath(QStringLiteral("adapter")));
    if (QTest::currentTestFailed())
        return;
    if (make)
        make(dir.path());
    if (QTest::currentTestFailed())
        return;

    const CliRunner::Run run = CliRunner::run(expand(args, dir.path()));
    const QString problem = CliRunner::refusalProblem(run, expand(fragments, dir.path()));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(!run.err.contains('\r'), run.err.constData());
}

// Old-Mac CR line ends are line ends: the 4 dev examples are read and evaluated.
void TestBadInputs::carriageReturnLinesAreRead() {
    const CliRunner::Run run =
        CliRunner::run(QStringList{"eval", "--run", m_run, "--data", kCorpus + "/dev_cr_only.tsv"});
    const QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QStringList examples = CliRunner::outputLines(run.out).filter(QRegularExpression("^examples "));
    QCOMPARE(examples.size(), 1);
    QCOMPARE(examples.first().simplified(), QStringLiteral("examples 4"));
    // The evaluation is kept in the run folder, where the Runs tab finds it: predictions and
    // scores naming the data file, and the per-class report computed from the predictions
    // agrees with the accuracy printed.
    const QString kept = m_run + "/evaluations/dev_cr_only.tsv.predictions.tsv";
    QVERIFY2(CliRunner::outputLines(run.out).contains("kept      " + kept),
             run.out.constData());
    QFile scores(m_run + "/evaluations/dev_cr_only.tsv.json");
    QVERIFY(scores.open(QIODevice::ReadOnly));
    const auto json = nlohmann::json::parse(scores.readAll().toStdString());
    QCOMPARE(QString::fromStdString(json.at("data").get<std::string>()),
             QFileInfo(kCorpus + "/dev_cr_only.tsv").absoluteFilePath());
    const fsllm::PredictionReport report = fsllm::PredictionReport::read(kept.toStdString());
    QCOMPARE(report.examples, 4);
    QCOMPARE(report.classification.accuracy, json.at("accuracy").get<double>());
    const auto sources = fsllm::PredictionReport::sources(m_run.toStdString());
    QCOMPARE(sources.size(), std::size_t(2)); // dev, then the evaluated file
    QCOMPARE(sources[0].name, std::string("dev"));
    QCOMPARE(sources[1].name, std::string("dev_cr_only.tsv"));
}

QTEST_GUILESS_MAIN(TestBadInputs)
#include "tst_badinputs.moc"
