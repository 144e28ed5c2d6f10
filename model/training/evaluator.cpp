#include "evaluator.h"

#include "atomicfile.h"
#include "batchplan.h"

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

} // namespace

EvaluationResult Evaluator::run(ClassifierModelImpl& model, const EncodedDataset& data,
                                const std::vector<RawExample>& raw, const LabelSet& labels,
                                int batchSize, const EvaluationControl& control) {
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
    if (control.progress)
        control.progress(0, total);
    for (const auto& indices : BatchPlan::sorted(data.lengths(), batchSize)) {
        if (control.cancel && control.cancel()) {
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
    if (control.cancel && control.cancel()) { // after the last batch too: nothing gets written
        result.cancelled = true;
        return result;
    }
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
