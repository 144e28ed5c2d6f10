#include "classifierrun.h"

#include "adapterio.h"
#include "atomicdirectory.h"
#include "batchplan.h"
#include "classifiermodel.h"
#include "datareader.h"
#include "encodeddataset.h"
#include "evaluator.h"
#include "fsllmerror.h"
#include "labelset.h"
#include "loadedmodel.h"

namespace fsllm {

struct ClassifierRun::Impl {
    TrainingConfig config;
    ClassifierSpec spec;
    LabelSet labels;
    LoadedModel model;
    ClassifierModel classifier{nullptr};
};

ClassifierRun::ClassifierRun() : m_impl(std::make_unique<Impl>()) {}
ClassifierRun::~ClassifierRun() = default;

std::unique_ptr<ClassifierRun> ClassifierRun::open(const std::string& runDir,
                                                   const EngineOptions& options,
                                                   const std::string& modelOverride) {
    std::unique_ptr<ClassifierRun> run(new ClassifierRun());
    Impl& d = *run->m_impl;
    d.config = TrainingConfig::load(runDir + "/" + TrainingConfig::kFileName);
    const std::string best = AtomicDirectory::resolve(runDir + "/best");
    if (best.empty())
        throw FsllmError(runDir + ": no best/ adapter yet (the run has not finished an evaluation)");
    d.spec = ClassifierSpec::load(best);
    if (d.spec.task != d.config.task())
        throw FsllmError(runDir + ": " + TrainingConfig::kFileName + " says task '" +
                         taskKindName(d.config.task()) + "' but " + best + "/" +
                         ClassifierSpec::kFileName + " says '" + taskKindName(d.spec.task) +
                         "'; the two files come from different runs, restore the run's own "
                         "run.json or train it again");
    d.labels = LabelSet(d.spec.labels);
    Runtime::configureThreads(options.threads);
    const std::string modelDir = modelOverride.empty() ? d.config.modelDir : modelOverride;
    d.model = LoadedModel::open(modelDir, options.device, options.dtype, /*requireTokenizer=*/true);
    try {
        d.classifier = ClassifierModel(d.model.decoder, d.spec);
        AdapterIo::load(best, *d.classifier->decoder, d.classifier->head.get());
    } catch (const c10::Error& e) {
        throw FsllmError(best + ": " + e.what_without_backtrace());
    }
    d.classifier->eval();
    return run;
}

const TrainingConfig& ClassifierRun::config() const { return m_impl->config; }
const std::vector<std::string>& ClassifierRun::labels() const { return m_impl->labels.names(); }

EvaluationReport ClassifierRun::evaluate(const std::string& dataFile,
                                         const DataReadOptions& options,
                                         const std::string& predictionsPath,
                                         const EvaluationControl& control) {
    Impl& d = *m_impl;
    DataReadOptions readOptions = options;
    readOptions.task = d.spec.task;
    const auto raw = DataReader::read(dataFile, readOptions);
    const auto data = EncodedDataset::encode(raw, d.model.requireTokenizer(), &d.labels, d.spec.task,
                                             d.config.maxLength, dataFile);
    const EvaluationResult result = Evaluator::run(*d.classifier, data, raw, d.labels,
                                                   std::max(1, d.config.batchSize), control);
    EvaluationReport report;
    report.examples = static_cast<int>(raw.size());
    report.truncatedExamples = result.truncatedExamples;
    report.wordsCut = result.wordsCut;
    report.maxLength = d.config.maxLength;
    if (result.cancelled) {
        report.cancelled = true;
        return report;
    }
    if (!predictionsPath.empty())
        Evaluator::writePredictions(predictionsPath, result, raw, d.labels, d.spec.task);
    report.accuracy = result.accuracy;
    report.precision = result.precision;
    report.recall = result.recall;
    report.f1 = result.f1;
    report.loss = result.loss;
    report.json = result.toJsonText();
    return report;
}

std::vector<Prediction> ClassifierRun::predict(const std::vector<RawExample>& examples) {
    Impl& d = *m_impl;
    const auto data = EncodedDataset::encode(examples, d.model.requireTokenizer(), nullptr,
                                             d.spec.task, d.config.maxLength, "input");
    std::vector<Prediction> predictions(examples.size());
    torch::NoGradGuard noGrad;
    for (const auto& indices : BatchPlan::sorted(data.lengths(), std::max(1, d.config.batchSize))) {
        Batch batch = data.batch(indices, /*padId=*/0, d.model.device);
        auto probabilities = torch::softmax(d.classifier->forward(batch.ids, batch.lengths), -1)
                                 .to(torch::kCPU).contiguous(); // [B, C] or [B, T, C]
        for (std::size_t b = 0; b < indices.size(); ++b) {
            Prediction& prediction = predictions[indices[b]];
            prediction.truncated = data.examples()[indices[b]].truncated;
            auto row = probabilities[static_cast<int64_t>(b)];
            if (d.spec.task == TaskKind::Sequence) {
                prediction.probabilities.assign(row.data_ptr<float>(),
                                                row.data_ptr<float>() + row.numel());
                prediction.label = d.labels.name(static_cast<int>(row.argmax().item<int64_t>()));
                continue;
            }
            auto best = row.argmax(-1); // [T]
            auto access = best.accessor<int64_t, 1>();
            prediction.words = examples[indices[b]].words;
            for (int first : data.examples()[indices[b]].firstSubToken) {
                prediction.tags.push_back(first >= 0 ? d.labels.name(static_cast<int>(access[first]))
                                                     : std::string(Metrics::kCutTag));
                prediction.wordsCut += first >= 0 ? 0 : 1;
            }
        }
    }
    return predictions;
}

} // namespace fsllm
