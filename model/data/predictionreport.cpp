#include "predictionreport.h"

#include "atomicdirectory.h"
#include "fsllmerror.h"
#include "jsontext.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fsllm {

namespace {

namespace fs = std::filesystem;

const char* const kPredictionsSuffixes[] = {".predictions.tsv", ".predictions.conll"};

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FsllmError(path + ": cannot open the predictions file");
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string where(const std::string& path, int line) {
    return path + ":" + std::to_string(line) + ": ";
}

// Sequence predictions: "line<TAB>gold<TAB>predicted<TAB>p_<label>..." (Evaluator).
void readSequence(PredictionReport& report, const std::string& text,
                  const std::vector<std::string>& runLabels) {
    TextFile::LineCursor lines(text);
    std::string_view line;
    if (!lines.next(line) || !startsWith(line, "line\tgold\tpredicted"))
        throw FsllmError(where(report.path, 1) +
                         "not a predictions file (expected the header "
                         "'line<TAB>gold<TAB>predicted<TAB>p_<label>...')");
    std::vector<std::string> columns;
    for (const std::string_view field : TextFile::splitOn(line, '\t'))
        if (startsWith(field, "p_"))
            columns.emplace_back(field.substr(2));
    if (!runLabels.empty() && !columns.empty() && columns != runLabels)
        throw FsllmError(where(report.path, 1) + "its label columns (" +
                         TextFile::inQuotesList(columns) + ") are not the run's labels (" +
                         TextFile::inQuotesList(runLabels) +
                         "); the file comes from another run");
    report.labels = !columns.empty() ? columns : runLabels;
    std::vector<std::pair<std::string, std::string>> rows; // gold, predicted
    std::vector<int> lineNumbers;
    while (lines.next(line)) {
        if (TextFile::trimmed(line).empty())
            continue;
        const auto fields = TextFile::splitOn(line, '\t');
        if (fields.size() < 3)
            throw FsllmError(where(report.path, lines.number()) +
                             "expected line, gold and predicted separated by tabs");
        rows.emplace_back(std::string(fields[1]), std::string(fields[2]));
        lineNumbers.push_back(lines.number());
    }
    if (report.labels.empty()) { // no columns and no run labels: the labels found, sorted
        std::set<std::string> found;
        for (const auto& [gold, predicted] : rows)
            found.insert({gold, predicted});
        report.labels.assign(found.begin(), found.end());
    }
    std::map<std::string, int> ids;
    for (std::size_t i = 0; i < report.labels.size(); ++i)
        ids[report.labels[i]] = static_cast<int>(i);
    std::vector<int> gold, predicted;
    for (std::size_t r = 0; r < rows.size(); ++r)
        for (const auto* label : {&rows[r].first, &rows[r].second}) {
            const auto it = ids.find(*label);
            if (it == ids.end())
                throw FsllmError(where(report.path, lineNumbers[r]) + "label " +
                                 TextFile::inQuotes(*label) + " is not one of the run's labels (" +
                                 TextFile::inQuotesList(report.labels) + ")");
            (label == &rows[r].first ? gold : predicted).push_back(it->second);
        }
    report.examples = static_cast<int>(rows.size());
    report.classification = Metrics::classification(gold, predicted, report.labels);
}

// Token predictions: "word gold predicted" per line, a blank line after each sentence. The
// word may hold spaces (JSON Lines tokens): the tags are the last two fields.
void readTokens(PredictionReport& report, const std::string& text,
                const std::vector<std::string>& runLabels) {
    const PredictionReport::TokenSentences sentences = PredictionReport::readTokenSentences(text, report.path);
    const auto& gold = sentences.gold;
    std::vector<std::pair<std::string, int>> seen; // gold, predicted of each word; line
    for (std::size_t s = 0; s < gold.size(); ++s)
        for (std::size_t w = 0; w < gold[s].size(); ++w) {
            seen.emplace_back(gold[s][w], sentences.lines[s][w]);
            seen.emplace_back(sentences.predicted[s][w], sentences.lines[s][w]);
        }
    report.labels = runLabels;
    if (report.labels.empty()) {
        std::set<std::string> found;
        for (const auto& [tag, number] : seen)
            if (tag != Metrics::kCutTag)
                found.insert(tag);
        report.labels.assign(found.begin(), found.end());
    }
    std::map<std::string, int> ids;
    for (std::size_t i = 0; i < report.labels.size(); ++i)
        ids[report.labels[i]] = static_cast<int>(i);
    std::vector<int> goldIds, predictedIds;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        if (i % 2 == 1 && seen[i].first == Metrics::kCutTag) { // a word cut by --max-length
            predictedIds.push_back(Metrics::kNotPredicted);
            continue;
        }
        const auto it = ids.find(seen[i].first);
        if (it == ids.end())
            throw FsllmError(where(report.path, seen[i].second) + "tag " +
                             TextFile::inQuotes(seen[i].first) + " is not one of the run's tags (" +
                             TextFile::inQuotesList(report.labels) + ")");
        (i % 2 == 0 ? goldIds : predictedIds).push_back(it->second);
    }
    report.examples = static_cast<int>(gold.size());
    report.classification = Metrics::classification(goldIds, predictedIds, report.labels);
    report.entityLevel = Metrics::hasChunkTags(report.labels);
    if (report.entityLevel)
        report.entities = Metrics::entities(gold, sentences.predicted);
}

// The "data" field of an evaluation's scores file, or "".
std::string evaluatedDataFile(const std::string& scoresPath) {
    try {
        std::ifstream in(scoresPath, std::ios::binary);
        if (!in)
            return {};
        std::stringstream bytes;
        bytes << in.rdbuf();
        const auto object = JsonText::parse(bytes.str(), scoresPath, "");
        if (object.is_object() && object.contains("data") && object["data"].is_string())
            return object["data"].get<std::string>();
    } catch (const FsllmError&) {
    }
    return {};
}

} // namespace

PredictionReport::TokenSentences PredictionReport::readTokenSentences(const std::string& text,
                                                                      const std::string& path) {
    TokenSentences sentences;
    sentences.gold.emplace_back();
    sentences.predicted.emplace_back();
    sentences.lines.emplace_back();
    TextFile::LineCursor lines(text);
    std::string_view line;
    while (lines.next(line)) {
        if (TextFile::trimmed(line).empty()) {
            if (!sentences.gold.back().empty()) {
                sentences.gold.emplace_back();
                sentences.predicted.emplace_back();
                sentences.lines.emplace_back();
            }
            continue;
        }
        const std::size_t last = line.rfind(' ');
        const std::size_t previous = last == std::string_view::npos || last == 0
                                         ? std::string_view::npos
                                         : line.rfind(' ', last - 1);
        if (previous == std::string_view::npos)
            throw FsllmError(where(path, lines.number()) +
                             "expected 'word gold predicted' separated by spaces");
        sentences.gold.back().emplace_back(line.substr(previous + 1, last - previous - 1));
        sentences.predicted.back().emplace_back(line.substr(last + 1));
        sentences.lines.back().push_back(lines.number());
    }
    if (sentences.gold.back().empty()) {
        sentences.gold.pop_back();
        sentences.predicted.pop_back();
        sentences.lines.pop_back();
    }
    return sentences;
}

PredictionReport PredictionReport::read(const std::string& path,
                                        const std::vector<std::string>& labels) {
    PredictionReport report;
    report.path = path;
    report.task = endsWith(path, ".conll") ? TaskKind::Token : TaskKind::Sequence;
    const std::string text = readBytes(path);
    if (const std::size_t bad = TextFile::invalidUtf8Offset(text); bad != std::string::npos)
        throw FsllmError(path + ": not UTF-8 text (byte " + std::to_string(bad) +
                         "); not a predictions file this program wrote");
    if (report.task == TaskKind::Token)
        readTokens(report, text, labels);
    else
        readSequence(report, text, labels);
    return report;
}

std::vector<PredictionSource> PredictionReport::sources(const std::string& runDir,
                                                        const std::string& devFile) {
    std::vector<PredictionSource> found;
    std::error_code error;
    const std::string best = AtomicDirectory::resolve(runDir + "/best");
    for (const std::string& folder : {runDir, best}) {
        if (folder.empty() || !found.empty())
            continue;
        for (const char* name : {"dev_predictions.tsv", "dev_predictions.conll"})
            if (found.empty() && fs::is_regular_file(folder + "/" + name, error))
                found.push_back({"dev", folder + "/" + name, devFile});
    }
    const fs::path evaluations = fs::path(runDir) / kEvaluationsFolder;
    std::vector<PredictionSource> evaluated;
    for (fs::directory_iterator it(evaluations, error), end; !error && it != end;
         it.increment(error)) {
        const std::string file = it->path().filename().string();
        for (const char* suffix : kPredictionsSuffixes) {
            if (!endsWith(file, suffix) || !it->is_regular_file(error))
                continue;
            const std::string name = file.substr(0, file.size() - std::string(suffix).size());
            const std::string data = evaluatedDataFile((evaluations / (name + ".json")).string());
            evaluated.push_back({name, it->path().string(), data.empty() ? name : data});
        }
    }
    std::sort(evaluated.begin(), evaluated.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    found.insert(found.end(), evaluated.begin(), evaluated.end());
    return found;
}

std::vector<std::string> PredictionReport::runLabels(const std::string& runDir) {
    const std::string best = AtomicDirectory::resolve(runDir + "/best");
    if (best.empty())
        return {};
    try {
        const std::string path = best + "/" + ClassifierSpec::kFileName;
        return ClassifierSpec::fromJsonText(readBytes(path), path).labels;
    } catch (const FsllmError&) {
        return {};
    }
}

std::string PredictionReport::evaluationPredictionsPath(const std::string& runDir,
                                                        const std::string& dataFile,
                                                        TaskKind task) {
    return (fs::path(runDir) / kEvaluationsFolder /
            (fs::path(dataFile).filename().string() +
             kPredictionsSuffixes[task == TaskKind::Token ? 1 : 0]))
        .string();
}

std::string PredictionReport::evaluationScoresPath(const std::string& runDir,
                                                   const std::string& dataFile) {
    return (fs::path(runDir) / kEvaluationsFolder /
            (fs::path(dataFile).filename().string() + ".json"))
        .string();
}

} // namespace fsllm
