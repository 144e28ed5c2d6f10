#include "evaluator.h"

#include "atomicfile.h"
#include "batchplan.h"
#include "fsllmerror.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace fsllm {

namespace {

std::vector<std::vector<std::string>> goldTags(const std::vector<RawExample>& raw) {
    std::vector<std::vector<std::string>> tags;
    tags.reserve(raw.size());
    for (const auto& example : raw)
        tags.push_back(example.tags);
    return tags;
}

// The slots of a data-parallel exchange: 0 is "not scored by this rank", so that the element-wise
// sum over the ranks leaves each example's value from the one rank that scored it.
constexpr double kCutSlot = -1.0; // a word cut by the maximum length (Metrics::kCutTag)

[[noreturn]] void notScoredOnce(std::size_t example) {
    throw FsllmError("data-parallel evaluation: dev example " + std::to_string(example + 1) +
                     " was scored by no rank or by several; the ranks disagree about the dev "
                     "set (are they reading the same files with the same settings?)");
}

// Gives every rank every rank's predictions and the summed loss (see EvaluationShards).
// Sequence slots per example: predicted class + 1, then the C probabilities; token slots per
// word: tag id + 1, or kCutSlot.
void exchangeShards(EvaluationResult& result, double& lossSum, int64_t& lossCount,
                    const EncodedDataset& data, const LabelSet& labels,
                    const EvaluationShards& shards) {
    const std::size_t n = static_cast<std::size_t>(data.size());
    const std::size_t classes = labels.size();
    std::vector<double> slots = {lossSum, static_cast<double>(lossCount)};
    if (data.task() == TaskKind::Sequence) {
        for (std::size_t i = 0; i < n; ++i) {
            const bool mine = !result.probabilities[i].empty();
            slots.push_back(mine ? result.predicted[i] + 1.0 : 0.0);
            for (std::size_t c = 0; c < classes; ++c)
                slots.push_back(mine ? static_cast<double>(result.probabilities[i][c]) : 0.0);
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t words = data.examples()[i].firstSubToken.size();
            const auto& tags = result.predictedTags[i];
            for (std::size_t w = 0; w < words; ++w)
                slots.push_back(tags.empty() ? 0.0
                                : tags[w] == Metrics::kCutTag
                                    ? kCutSlot
                                    : labels.id(tags[w], "predicted", 0) + 1.0);
        }
    }
    const std::vector<double> all = shards.sum(slots);
    lossSum = all[0];
    lossCount = static_cast<int64_t>(std::llround(all[1]));
    std::size_t at = 2;
    for (std::size_t i = 0; i < n; ++i) {
        if (data.task() == TaskKind::Sequence) {
            const double predicted = all[at++];
            if (predicted < 1.0 || predicted > static_cast<double>(classes))
                notScoredOnce(i);
            result.predicted[i] = static_cast<int>(predicted) - 1;
            result.probabilities[i].resize(classes);
            for (std::size_t c = 0; c < classes; ++c)
                result.probabilities[i][c] = static_cast<float>(all[at++]);
        } else {
            auto& tags = result.predictedTags[i];
            tags.clear();
            for (std::size_t w = 0; w < data.examples()[i].firstSubToken.size(); ++w) {
                const double slot = all[at++];
                if (slot == kCutSlot)
                    tags.push_back(Metrics::kCutTag);
                else if (slot >= 1.0 && slot <= static_cast<double>(classes))
                    tags.push_back(labels.name(static_cast<int>(slot) - 1));
                else
                    notScoredOnce(i);
            }
        }
    }
}

} // namespace

EvaluationResult Evaluator::run(ClassifierModelImpl& model, const EncodedDataset& data,
                                const std::vector<RawExample>& raw, const LabelSet& labels,
                                int batchSize, const EvaluationControl& control,
                                const EvaluationShards* shards) {
    torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    model.eval();
    const auto device = model.decoder->device();
    const TaskKind task = data.task();
    EvaluationResult result;
    result.predicted.assign(static_cast<std::size_t>(data.size()), 0);
    result.probabilities.resize(static_cast<std::size_t>(data.size()));
    result.predictedTags.resize(task == TaskKind::Token ? raw.size() : 0);

    // Words cut off by truncation are not predicted: a gold entity there is missed, and no tag
    // is predicted for them (not "O", which would be a wrong prediction of a class).
    const std::string truncatedTag = Metrics::kCutTag;
    result.truncatedExamples = data.stats().truncatedExamples;
    result.wordsCut = data.stats().wordsCut;
    double lossSum = 0.0;
    int64_t lossCount = 0;
    const int total = static_cast<int>(data.size());
    int done = 0;
    const bool sharded = shards && shards->worldSize > 1;
    const bool cancellable = control.cancel && !sharded;
    if (control.progress)
        control.progress(0, total);
    const auto batches = BatchPlan::sorted(data.lengths(), batchSize);
    for (std::size_t b = 0; b < batches.size(); ++b) {
        if (sharded && static_cast<int>(b % static_cast<std::size_t>(shards->worldSize)) !=
                           shards->rank)
            continue;
        const std::vector<int>& indices = batches[b];
        if (cancellable && control.cancel()) {
            if (wasTraining)
                model.train();
            result.cancelled = true;
            return result;
        }
        Batch batch = data.batch(indices, /*padId=*/0, device);
        auto logits = model.forward(batch.ids, batch.lengths); // [B, C] or [B, T, C]
        const int64_t counted = task == TaskKind::Sequence
                                    ? batch.labels.size(0)
                                    : (batch.labels != kIgnoreLabel).sum().item<int64_t>();
        if (counted > 0) {
            lossSum += ClassifierModelImpl::loss(logits, batch.labels).item<double>() * counted;
            lossCount += counted;
        }
        auto probabilities = torch::softmax(logits, -1).to(torch::kCPU).contiguous();
        for (std::size_t b = 0; b < indices.size(); ++b) {
            const int index = indices[b];
            if (task == TaskKind::Sequence) {
                auto row = probabilities[static_cast<int64_t>(b)];
                const float* p = row.data_ptr<float>();
                result.probabilities[index].assign(p, p + row.numel());
                result.predicted[index] = static_cast<int>(row.argmax().item<int64_t>());
            } else {
                auto tokens = probabilities[static_cast<int64_t>(b)].argmax(-1); // [T]
                auto access = tokens.accessor<int64_t, 1>();
                auto& tags = result.predictedTags[index];
                for (int first : data.examples()[index].firstSubToken)
                    tags.push_back(first >= 0 ? labels.name(static_cast<int>(access[first]))
                                              : truncatedTag);
            }
        }
        done += static_cast<int>(indices.size());
        if (control.progress)
            control.progress(done, total);
    }
    if (wasTraining)
        model.train();
    if (cancellable && control.cancel()) { // after the last batch too: nothing gets written
        result.cancelled = true;
        return result;
    }
    if (sharded)
        exchangeShards(result, lossSum, lossCount, data, labels, *shards);
    result.loss = lossCount ? lossSum / static_cast<double>(lossCount) : 0.0;
    if (task == TaskKind::Sequence) {
        std::vector<int> gold;
        for (const auto& example : data.examples())
            gold.push_back(static_cast<int>(example.label));
        result.classification = Metrics::classification(gold, result.predicted, labels.names());
        result.accuracy = result.classification.accuracy;
        result.precision = result.classification.macroPrecision;
        result.recall = result.classification.macroRecall;
        result.f1 = result.classification.macroF1;
    } else if (Metrics::hasChunkTags(labels.names())) {
        result.entityLevel = true;
        result.entities = Metrics::entities(goldTags(raw), result.predictedTags);
        result.accuracy = result.entities.tokenAccuracy;
        result.precision = result.entities.precision;
        result.recall = result.entities.recall;
        result.f1 = result.entities.f1;
    } else {
        std::vector<int> gold, predicted;
        for (std::size_t i = 0; i < raw.size(); ++i)
            for (std::size_t w = 0; w < raw[i].tags.size(); ++w) {
                gold.push_back(labels.id(raw[i].tags[w], "gold", raw[i].line));
                const std::string& tag = result.predictedTags[i][w];
                predicted.push_back(tag == Metrics::kCutTag
                                        ? Metrics::kNotPredicted
                                        : labels.id(tag, "predicted", raw[i].line));
            }
        result.classification = Metrics::classification(gold, predicted, labels.names());
        result.accuracy = result.classification.accuracy;
        result.precision = result.classification.macroPrecision;
        result.recall = result.classification.macroRecall;
        result.f1 = result.classification.macroF1;
    }
    return result;
}

std::string EvaluationResult::toJsonText() const {
    nlohmann::json perClass = nlohmann::json::object();
    const auto& scores = entityLevel ? entities.perType : classification.perClass;
    for (const auto& s : scores)
        perClass[s.label] = {{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1},
                             {"support", s.support}};
    nlohmann::json object = {{"accuracy", accuracy}, {"precision", precision}, {"recall", recall},
                             {"f1", f1},             {"loss", loss},           {"per_class", perClass}};
    object["scoring"] = entityLevel ? "entity" : "per item";
    object["truncated"] = {{"examples", truncatedExamples}, {"words", wordsCut}};
    if (!entityLevel) {
        object["not_predicted"] = classification.notPredicted;
        object["micro_f1"] = classification.microF1;
        object["confusion"] = classification.confusion;
        object["labels"] = nlohmann::json::array();
        for (const auto& s : classification.perClass)
            object["labels"].push_back(s.label);
    } else {
        object["entity_counts"] = {{"gold", entities.goldChunks},
                                   {"predicted", entities.predictedChunks},
                                   {"correct", entities.correctChunks}};
    }
    return object.dump(2) + "\n";
}

void Evaluator::writePredictions(const std::string& path, const EvaluationResult& result,
                                 const std::vector<RawExample>& raw, const LabelSet& labels,
                                 TaskKind task) {
    std::ostringstream out;
    if (task == TaskKind::Sequence) {
        out << "line\tgold\tpredicted";
        for (const auto& name : labels.names())
            out << "\tp_" << name;
        out << "\n";
        for (std::size_t i = 0; i < raw.size(); ++i) {
            out << raw[i].line << "\t" << raw[i].label << "\t" << labels.name(result.predicted[i]);
            for (float p : result.probabilities[i])
                out << "\t" << p;
            out << "\n";
        }
    } else {
        for (std::size_t i = 0; i < raw.size(); ++i) {
            for (std::size_t w = 0; w < raw[i].words.size(); ++w)
                out << raw[i].words[w] << " " << raw[i].tags[w] << " "
                    << result.predictedTags[i][w] << "\n";
            out << "\n";
        }
    }
    AtomicFile::write(path, out.str());
}

} // namespace fsllm
