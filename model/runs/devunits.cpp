#include "devunits.h"

#include "atomicdirectory.h"
#include "fsllmerror.h"
#include "metrics.h"
#include "predictionreport.h"
#include "textfile.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <set>

namespace fsllm {

namespace {

namespace fs = std::filesystem;

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string where(const std::string& path, int line) {
    return path + ":" + std::to_string(line) + ": ";
}

void fingerprint(std::uint64_t& hash, std::string_view text) {
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001B3ull;
    }
    hash ^= 0xFF; // separator: ("ab","c") differs from ("a","bc")
    hash *= 0x100000001B3ull;
}

void readSequence(DevUnits& units, const std::string& text) {
    TextFile::LineCursor lines(text);
    std::string_view line;
    if (!lines.next(line) || line.substr(0, 19) != "line\tgold\tpredicted")
        throw FsllmError(where(units.path, 1) +
                         "not a predictions file (expected the header "
                         "'line<TAB>gold<TAB>predicted<TAB>p_<label>...')");
    units.metric = "accuracy";
    units.scores.kind = ScoreKind::Accuracy;
    while (lines.next(line)) {
        if (TextFile::trimmed(line).empty())
            continue;
        const auto fields = TextFile::splitOn(line, '\t');
        if (fields.size() < 3)
            throw FsllmError(where(units.path, lines.number()) +
                             "expected line, gold and predicted separated by tabs");
        const bool right = fields[1] == fields[2];
        units.correct.push_back(right);
        units.scores.units.push_back({right ? 1.0 : 0.0, 1.0, 1.0});
        fingerprint(units.goldFingerprint, fields[1]);
    }
}

void readTokens(DevUnits& units, const std::string& text) {
    const PredictionReport::TokenSentences sentences =
        PredictionReport::readTokenSentences(text, units.path);
    const auto& gold = sentences.gold;
    const auto& predicted = sentences.predicted;
    std::set<std::string> tags;
    for (const auto& sentence : gold)
        tags.insert(sentence.begin(), sentence.end());
    const bool chunks = Metrics::hasChunkTags({tags.begin(), tags.end()});
    units.metric = chunks ? "entity F1" : "token accuracy";
    units.scores.kind = chunks ? ScoreKind::F1 : ScoreKind::Accuracy;
    for (std::size_t s = 0; s < gold.size(); ++s) {
        for (const std::string& tag : gold[s])
            fingerprint(units.goldFingerprint, tag);
        fingerprint(units.goldFingerprint, "\n");
        if (chunks) { // conlleval's counts of this sentence: they add up to the corpus counts
            const EntityMetrics m = Metrics::entities({gold[s]}, {predicted[s]});
            units.scores.units.push_back(
                {double(m.correctChunks), double(m.predictedChunks), double(m.goldChunks)});
            continue;
        }
        double right = 0.0;
        for (std::size_t w = 0; w < gold[s].size(); ++w)
            right += gold[s][w] == predicted[s][w] ? 1.0 : 0.0; // "<cut>" is never right
        units.scores.units.push_back({right, double(gold[s].size()), double(gold[s].size())});
    }
}

// The run folder's copy of the dev predictions, else best/'s; "" when neither exists.
std::string predictionsPath(const std::string& runDir) {
    std::error_code error;
    const std::string best = AtomicDirectory::resolve(runDir + "/best");
    for (const std::string& folder : {runDir, best})
        for (const char* name : {"dev_predictions.tsv", "dev_predictions.conll"})
            if (!folder.empty() && fs::is_regular_file(folder + "/" + name, error))
                return folder + "/" + name;
    return {};
}

struct CacheEntry {
    std::uintmax_t size = 0;
    fs::file_time_type modified;
    DevUnits units;
};

std::mutex g_cacheMutex;
std::map<std::string, CacheEntry>& cache() {
    static std::map<std::string, CacheEntry> entries;
    return entries;
}

} // namespace

std::string DevUnits::stamp(const std::string& runDir) {
    const std::string path = predictionsPath(runDir);
    if (path.empty())
        return {};
    std::error_code error;
    const auto size = fs::file_size(path, error);
    const auto modified = fs::last_write_time(path, error).time_since_epoch().count();
    return path + "|" + std::to_string(size) + "|" + std::to_string(modified);
}

DevUnits DevUnits::readFile(const std::string& path) {
    DevUnits units;
    units.path = path;
    units.goldFingerprint = 0xCBF29CE484222325ull;
    const std::string text = TextFile::load(path);
    if (endsWith(path, ".conll"))
        readTokens(units, text);
    else
        readSequence(units, text);
    return units;
}

std::optional<DevUnits> DevUnits::read(const std::string& runDir) {
    const std::string path = predictionsPath(runDir);
    if (path.empty())
        return std::nullopt;
    std::error_code error;
    const std::uintmax_t size = fs::file_size(path, error);
    const fs::file_time_type modified = fs::last_write_time(path, error);
    {
        const std::lock_guard<std::mutex> lock(g_cacheMutex);
        const auto it = cache().find(path);
        if (it != cache().end() && it->second.size == size && it->second.modified == modified)
            return it->second.units;
    }
    DevUnits units = readFile(path);
    const std::lock_guard<std::mutex> lock(g_cacheMutex);
    if (cache().size() > 512) // many runs over a long session: start over
        cache().clear();
    cache()[path] = {size, modified, units};
    return units;
}

} // namespace fsllm
