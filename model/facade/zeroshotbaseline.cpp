#include "zeroshotbaseline.h"

#include "atomicfile.h"
#include "datareader.h"
#include "evaluator.h"
#include "fsllmerror.h"
#include "labelset.h"
#include "loadedmodel.h"
#include "metrics.h"
#include "predictionreport.h"
#include "runfolder.h"
#include "runtimeinfo.h"
#include "trainingrecords.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>

namespace fsllm {

namespace {

std::vector<std::pair<std::string, std::string>> defaultVerbalizers(const LabelSet& labels) {
    const std::vector<std::string> names = labels.names();
    std::vector<std::string> words;
    if (names == std::vector<std::string>{"0", "1"})
        words = {"negative", "positive"};
    else if (names == std::vector<std::string>{"0", "1", "2", "3", "4"})
        words = {"terrible", "bad", "okay", "good", "great"};
    else
        words = names;
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::size_t i = 0; i < names.size(); ++i)
        pairs.emplace_back(names[i], words[i]);
    return pairs;
}

std::string fillTemplate(const std::string& pattern, const std::string& text) {
    const auto at = pattern.find("{text}");
    if (at == std::string::npos)
        throw FsllmError("--template must contain {text}, got '" + pattern + "'");
    return pattern.substr(0, at) + text + pattern.substr(at + 6);
}

// One scored sequence: BOS + prompt + the label word's pieces.
struct Candidate {
    std::vector<int64_t> ids;
    int wordStart = 0; // index of the first word piece in ids
    int example = 0;
    int label = 0;
};

// Sum of log p(word pieces) for each candidate of `batch`.
std::vector<double> scoreBatch(DecoderImpl& decoder, const std::vector<Candidate>& batch) {
    int64_t T = 0;
    for (const auto& c : batch)
        T = std::max<int64_t>(T, static_cast<int64_t>(c.ids.size()));
    const auto B = static_cast<int64_t>(batch.size());
    auto ids = torch::zeros({B, T}, torch::kInt64);
    auto lengths = torch::zeros({B}, torch::kInt64);
    std::vector<int64_t> rows, positions, targets; // one entry per scored word piece
    for (int64_t b = 0; b < B; ++b) {
        const auto& c = batch[static_cast<std::size_t>(b)];
        for (std::size_t t = 0; t < c.ids.size(); ++t)
            ids[b][static_cast<int64_t>(t)] = c.ids[t];
        lengths[b] = static_cast<int64_t>(c.ids.size());
        for (std::size_t t = static_cast<std::size_t>(c.wordStart); t < c.ids.size(); ++t) {
            rows.push_back(b);
            positions.push_back(static_cast<int64_t>(t) - 1); // the logits that predict token t
            targets.push_back(c.ids[t]);
        }
    }
    ForwardOptions options; // causal: the LM as it was trained
    auto hidden = decoder.forward(ids, lengths, options).hidden; // [B, T, D]
    auto rowIndex = torch::tensor(rows, torch::kInt64).to(decoder.device());
    auto positionIndex = torch::tensor(positions, torch::kInt64).to(decoder.device());
    auto picked = hidden.index({rowIndex, positionIndex});                   // [P, D]
    auto logProbabilities = torch::log_softmax(decoder.lmLogits(picked), -1); // [P, V]
    auto targetIndex = torch::tensor(targets, torch::kInt64).to(decoder.device()).unsqueeze(1);
    auto pieceScores = logProbabilities.gather(1, targetIndex).squeeze(1).to(torch::kCPU);
    std::vector<double> scores(batch.size(), 0.0);
    for (std::size_t p = 0; p < rows.size(); ++p)
        scores[static_cast<std::size_t>(rows[p])] += pieceScores[static_cast<int64_t>(p)].item<double>();
    return scores;
}

} // namespace

std::vector<std::pair<std::string, std::string>> ZeroShotOptions::parseVerbalizers(
    const std::string& text) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        const auto equals = item.find('=');
        if (equals == std::string::npos || equals == 0 || equals + 1 == item.size())
            throw FsllmError("--verbalizers: expected label=word pairs such as "
                             "\"0=negative,1=positive\", got '" + item + "'");
        pairs.emplace_back(item.substr(0, equals), item.substr(equals + 1));
    }
    return pairs;
}

ZeroShotReport ZeroShotBaseline::run(const ZeroShotOptions& o,
                                     const std::function<void(const std::string&)>& progress) {
    const auto started = std::chrono::steady_clock::now();
    TrainingConfig config;
    config.method = "zeroshot";
    config.modelDir = o.modelDir;
    config.devFile = o.dataFile;
    config.outDir = o.outDir;
    config.data = o.data;
    config.mask = MaskSpec{MaskMode::Causal, 0.0};
    config.maxLength = o.maxLength;
    config.batchSize = o.batchSize;
    config.device = o.device;
    config.dtype = o.dtype;
    config.threads = o.threads;
    config.validate();
    if (o.data.task != TaskKind::Sequence)
        throw FsllmError("zeroshot: only sequence tasks (--task seq) have a verbalizer baseline");
    fillTemplate(o.promptTemplate, ""); // checks the template before any work

    RunFolder folder(o.outDir); // locked while the baseline runs
    folder.startFresh();
    folder.writeConfig(config);
    auto say = [&](const std::string& text) {
        folder.log(text);
        if (progress)
            progress(text);
    };
    Runtime::configureThreads(o.threads);
    const auto raw = DataReader::read(o.dataFile, o.data);
    const LabelSet labels = LabelSet::fromExamples(raw, TaskKind::Sequence);
    ZeroShotReport report;
    report.examples = static_cast<int>(raw.size());
    report.verbalizers = o.verbalizers.empty() ? defaultVerbalizers(labels) : o.verbalizers;
    std::map<std::string, std::string> wordOf(report.verbalizers.begin(), report.verbalizers.end());
    for (const auto& name : labels.names())
        if (!wordOf.count(name))
            throw FsllmError("--verbalizers: no word for label '" + name + "' of " + o.dataFile);

    LoadedModel model = LoadedModel::open(o.modelDir, o.device, o.dtype, true);
    const Tokenizer& tokenizer = model.requireTokenizer();
    std::vector<std::vector<int64_t>> wordIds;
    std::string described;
    for (const auto& name : labels.names()) {
        // The word as it follows a space: sentencepiece's "▁word" pieces come from the bare word
        // (its dummy prefix), byte-level BPE's "Ġword" from " word".
        const std::string spaced = tokenizer.addsDummyPrefix() ? wordOf[name] : " " + wordOf[name];
        const auto ids = tokenizer.encode(spaced, /*addBos=*/false);
        wordIds.emplace_back(ids.begin(), ids.end());
        described += (described.empty() ? "" : ", ") + name + " -> \"" + wordOf[name] + "\" (" +
                     std::to_string(ids.size()) + " piece" + (ids.size() == 1 ? "" : "s") + ")";
    }
    say("zero-shot on " + std::to_string(raw.size()) + " examples; verbalizers: " + described);

    std::vector<Candidate> candidates;
    for (std::size_t e = 0; e < raw.size(); ++e) {
        const auto prompt = tokenizer.encode(fillTemplate(o.promptTemplate, raw[e].text), true);
        for (std::size_t l = 0; l < wordIds.size(); ++l) {
            Candidate c;
            const std::size_t room = static_cast<std::size_t>(std::max<int>(
                2, o.maxLength - static_cast<int>(wordIds[l].size())));
            // Keep the prefix (BOS, when the tokenizer has one) and the prompt's end (where the
            // question is) when it is too long.
            const std::size_t head = tokenizer.prefixIds().size();
            if (prompt.size() <= head)
                throw FsllmError("example " + std::to_string(e + 1) + " of " + o.dataFile +
                                 ": the prompt makes no tokens; give a prompt template or text");
            c.ids.insert(c.ids.end(), prompt.begin(),
                         prompt.begin() + static_cast<std::ptrdiff_t>(head));
            const std::size_t keep = std::min(prompt.size() - head, room - head);
            c.ids.insert(c.ids.end(), prompt.end() - static_cast<std::ptrdiff_t>(keep), prompt.end());
            c.wordStart = static_cast<int>(c.ids.size());
            c.ids.insert(c.ids.end(), wordIds[l].begin(), wordIds[l].end());
            c.example = static_cast<int>(e);
            c.label = static_cast<int>(l);
            candidates.push_back(std::move(c));
        }
    }
    const std::size_t classes = wordIds.size();
    std::vector<std::vector<double>> scores(raw.size(), std::vector<double>(classes, 0.0));
    torch::NoGradGuard noGrad;
    const std::size_t step = static_cast<std::size_t>(std::max(1, o.batchSize));
    for (std::size_t start = 0; start < candidates.size(); start += step) {
        const std::vector<Candidate> batch(
            candidates.begin() + static_cast<std::ptrdiff_t>(start),
            candidates.begin() + static_cast<std::ptrdiff_t>(std::min(candidates.size(), start + step)));
        const auto batchScores = scoreBatch(*model.decoder, batch);
        for (std::size_t i = 0; i < batch.size(); ++i)
            scores[static_cast<std::size_t>(batch[i].example)][static_cast<std::size_t>(batch[i].label)] =
                batchScores[i];
    }

    EvaluationResult result;
    std::vector<int> gold;
    double lossSum = 0.0; // cross-entropy of the label distribution the scores define
    for (std::size_t e = 0; e < raw.size(); ++e) {
        gold.push_back(labels.id(raw[e].label, o.dataFile, raw[e].line));
        auto logProbabilities = torch::log_softmax(torch::tensor(scores[e], torch::kFloat64), 0);
        lossSum -= logProbabilities[gold.back()].item<double>();
        auto row = logProbabilities.exp().to(torch::kFloat32);
        result.probabilities.emplace_back(row.data_ptr<float>(), row.data_ptr<float>() + classes);
        result.predicted.push_back(static_cast<int>(row.argmax().item<int64_t>()));
    }
    result.loss = raw.empty() ? 0.0 : lossSum / static_cast<double>(raw.size());
    result.classification = Metrics::classification(gold, result.predicted, labels.names());
    report.accuracy = result.accuracy = result.classification.accuracy;
    report.precision = result.precision = result.classification.macroPrecision;
    report.recall = result.recall = result.classification.macroRecall;
    report.f1 = result.f1 = result.classification.macroF1;
    report.wallSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    EvalRecord record;
    record.evalLoss = result.loss;
    record.accuracy = report.accuracy;
    record.precision = report.precision;
    record.recall = report.recall;
    record.f1 = report.f1;
    record.isBest = true;
    record.wallSeconds = report.wallSeconds;
    folder.appendMetrics(record.toJsonLine());
    // Named after the file scored, as `fsllm eval` names its evaluations (a test file is not
    // "dev"), where the Runs tab lists them.
    report.predictionsPath =
        PredictionReport::evaluationPredictionsPath(o.outDir, o.dataFile, TaskKind::Sequence);
    report.scoresPath = PredictionReport::evaluationScoresPath(o.outDir, o.dataFile);
    std::filesystem::create_directories(std::filesystem::path(report.scoresPath).parent_path());
    Evaluator::writePredictions(report.predictionsPath, result, raw, labels, TaskKind::Sequence);
    nlohmann::json details = {{"template", o.promptTemplate}, {"labels", labels.names()}};
    for (const auto& [label, word] : report.verbalizers)
        details["verbalizers"][label] = word;
    AtomicFile::write(folder.path("zeroshot.json"), details.dump(2) + "\n");
    nlohmann::json scored = nlohmann::json::parse(result.toJsonText());
    scored["data"] = std::filesystem::absolute(o.dataFile).lexically_normal().string();
    scored["examples"] = report.examples;
    AtomicFile::write(report.scoresPath, scored.dump(2) + "\n");
    say("zero-shot accuracy " + std::to_string(report.accuracy) + ", macro F1 " +
        std::to_string(report.f1));
    return report;
}

} // namespace fsllm
