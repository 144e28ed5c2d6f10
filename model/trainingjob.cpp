#include "trainingjob.h"

#include "adamwsetup.h"
#include "adapterio.h"
#include "atomicdirectory.h"
#include "atomicfile.h"
#include "batchplan.h"
#include "classifiermodel.h"
#include "datareader.h"
#include "encodeddataset.h"
#include "evaluator.h"
#include "fsllmerror.h"
#include "labelset.h"
#include "learningrateschedule.h"
#include "loadedmodel.h"
#include "runfolder.h"
#include "runrecord.h"
#include "runtimeinfo.h"
#include "trainerstate.h"


#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>

namespace fsllm {

namespace {

using Clock = std::chrono::steady_clock;

std::string describeCount(int count, const char* what) {
    return std::to_string(count) + " " + what;
}

} // namespace

struct TrainingJob::Impl {
    TrainingConfig config;
    bool resume = false;
    std::atomic<bool> stopRequested{false};
    std::atomic<bool> paused{false};

    TrainingObserver* observer = nullptr;
    std::unique_ptr<RunFolder> folder;
    LoadedModel model;
    LabelSet labels;
    ClassifierSpec spec;
    std::vector<RawExample> trainRaw, devRaw;
    std::optional<EncodedDataset> trainData, devData;
    ClassifierModel classifier{nullptr};
    std::unique_ptr<torch::optim::AdamW> optimizer;
    TrainerState state;
    Clock::time_point started;

    void say(const std::string& message) {
        if (folder)
            folder->log(message);
        if (observer)
            observer->onMessage(message);
    }
    double wallSeconds() const {
        return state.wallSeconds + std::chrono::duration<double>(Clock::now() - started).count();
    }

    void prepare();
    std::vector<RawExample> readData(const std::string& path, const char* role);
    void buildModel();
    int stepsPerEpoch() const {
        const int batches = (trainData->size() + config.batchSize - 1) / config.batchSize;
        return (batches + config.gradAccum - 1) / config.gradAccum;
    }
    AdapterConfig adapterConfig() const;
    EvalRecord evaluate(bool* improved);
    void saveCheckpoint();
    void restoreCheckpoint();
    TrainingSummary train();
};

std::vector<RawExample> TrainingJob::Impl::readData(const std::string& path, const char* role) {
    say(std::string("reading ") + role + " data " + path);
    auto examples = DataReader::read(path, config.data);
    say(std::string(role) + ": " + describeCount(static_cast<int>(examples.size()), "examples"));
    return examples;
}

void TrainingJob::Impl::prepare() {
    config.validate();
    Runtime::configureThreads(config.threads);
    trainRaw = readData(config.trainFile, "train");
    devRaw = readData(config.devFile, "dev");
    // A resumed run keeps the label set (and so the head's rows) it started with.
    labels = resume ? LabelSet(ClassifierSpec::load(
                          AtomicDirectory::resolve(config.outDir + "/checkpoint")).labels)
                    : LabelSet::fromExamples(trainRaw, config.task());
    if (labels.size() < 2)
        throw FsllmError(config.trainFile + ": only one label (" + labels.name(0) + ") in the "
                         "training data; a classifier needs at least two");
    say("labels (" + std::to_string(labels.size()) + "): " + [&] {
        std::string joined;
        for (const auto& name : labels.names())
            joined += (joined.empty() ? "" : ", ") + name;
        return joined;
    }());

    say("loading model " + config.modelDir);
    model = LoadedModel::open(config.modelDir, config.device, config.dtype, /*requireTokenizer=*/true);
    const Tokenizer& tokenizer = model.requireTokenizer();
    trainData = EncodedDataset::encode(trainRaw, tokenizer, &labels, config.task(),
                                       config.maxLength, config.trainFile);
    devData = EncodedDataset::encode(devRaw, tokenizer, &labels, config.task(), config.maxLength,
                                     config.devFile);
    for (const auto* data : {&*trainData, &*devData}) {
        const EncodingStats& stats = data->stats();
        if (stats.truncatedExamples > 0)
            say("truncated " + describeCount(stats.truncatedExamples, "examples") + " to " +
                std::to_string(config.maxLength) + " tokens" +
                (stats.wordsCut ? " (" + describeCount(stats.wordsCut, "words") +
                                      " cut; they count as predicted O)"
                                : std::string()));
    }
    buildModel();
}

void TrainingJob::Impl::buildModel() {
    spec.task = config.task();
    spec.labels = labels.names();
    spec.head = config.head;
    spec.headInner = config.headInner;
    spec.pooling = config.pooling;
    spec.mask = config.mask;
    torch::manual_seed(static_cast<uint64_t>(config.seed));
    model.decoder->enableLora(LoraSettings{config.loraRank, config.loraAlpha, config.loraDropout},
                              LoraTargets::parse(config.loraTargets));
    classifier = ClassifierModel(model.decoder, spec);

    optimizer = AdamWSetup::create(classifier->trainableParameters(), config.learningRate,
                                   config.weightDecay);
}

AdapterConfig TrainingJob::Impl::adapterConfig() const {
    AdapterConfig adapter;
    adapter.lora = LoraSettings{config.loraRank, config.loraAlpha, config.loraDropout};
    adapter.targets = LoraTargets::parse(config.loraTargets);
    adapter.taskType = config.task() == TaskKind::Token ? "TOKEN_CLS" : "SEQ_CLS";
    adapter.baseModel = config.modelDir;
    return adapter;
}

EvalRecord TrainingJob::Impl::evaluate(bool* improved) {
    const EvaluationResult result =
        Evaluator::run(*classifier, *devData, devRaw, labels, config.batchSize);
    EvalRecord record;
    record.step = state.step;
    record.epoch = static_cast<double>(state.step) / std::max(1, stepsPerEpoch());
    record.evalLoss = result.loss;
    record.accuracy = result.accuracy;
    record.precision = result.precision;
    record.recall = result.recall;
    record.f1 = result.f1;
    record.wallSeconds = wallSeconds();
    const double score = result.selectionScore();
    *improved = score > state.bestScore;
    if (*improved) {
        state.bestScore = score;
        state.evalsWithoutImprovement = 0;
        const std::string staging = AtomicDirectory::stage(folder->path("best"));
        AdapterIo::save(staging, *classifier->decoder, classifier->head.get(), adapterConfig());
        spec.save(staging);
        AtomicFile::write(staging + "/dev_metrics.json", result.toJsonText());
        AtomicDirectory::commit(folder->path("best"));
        Evaluator::writePredictions(
            folder->path(config.task() == TaskKind::Token ? "dev_predictions.conll"
                                                          : "dev_predictions.tsv"),
            result, devRaw, labels, config.task());
    } else {
        ++state.evalsWithoutImprovement;
    }
    record.isBest = *improved;
    folder->appendMetrics(record.toJsonLine());
    std::ostringstream line;
    line.precision(4);
    line << "eval step " << record.step << ": loss " << record.evalLoss << ", accuracy "
         << record.accuracy << ", P " << record.precision << ", R " << record.recall << ", F1 "
         << record.f1 << (*improved ? " (best so far, saved)" : "");
    say(line.str());
    if (observer)
        observer->onEval(record);
    return record;
}

void TrainingJob::Impl::saveCheckpoint() {
    const std::string target = folder->path("checkpoint");
    const std::string staging = AtomicDirectory::stage(target);
    AdapterIo::save(staging, *classifier->decoder, classifier->head.get(), adapterConfig());
    spec.save(staging);
    torch::save(*optimizer, staging + "/optimizer.pt");
    TrainerState saved = state;
    saved.wallSeconds = wallSeconds();
    AtomicFile::write(staging + "/state.json", saved.toJsonText());
    AtomicDirectory::commit(target);
}

void TrainingJob::Impl::restoreCheckpoint() {
    const std::string directory = AtomicDirectory::resolve(config.outDir + "/checkpoint");
    state = TrainerState::load(directory + "/state.json");
    AdapterIo::load(directory, *classifier->decoder, classifier->head.get());
    torch::load(*optimizer, directory + "/optimizer.pt");
    say("resumed from step " + std::to_string(state.step) + " (epoch " +
        std::to_string(state.epoch + 1) + ")");
}

TrainingSummary TrainingJob::Impl::train() {
    const int perEpoch = stepsPerEpoch();
    const int totalSteps = perEpoch * config.epochs;
    const int warmup = static_cast<int>(std::lround(config.warmupRatio * totalSteps));
    const LearningRateSchedule schedule(config.learningRate, totalSteps, warmup, config.schedule);
    if (observer)
        observer->onStarted(folder->directory(), totalSteps, labels.names());
    say("training " + std::to_string(totalSteps) + " optimizer steps (" +
        std::to_string(config.epochs) + " epochs x " + std::to_string(perEpoch) + "), mask " +
        config.mask.describe() + ", device " + model.device.str());

    TrainingSummary summary;
    summary.runDir = folder->directory();
    const auto lengths = trainData->lengths();
    const auto trainable = classifier->trainableParameters();
    classifier->train();

    double lossSum = 0.0; // over micro-batches since the last step record
    int lossCount = 0;
    int64_t tokensSinceRecord = 0;
    auto recordStart = Clock::now();
    std::string stopReason = "completed";
    bool stop = false;

    for (; state.epoch < config.epochs && !stop; ++state.epoch, state.batchInEpoch = 0) {
        const auto plan = BatchPlan::shuffled(lengths, config.batchSize,
                                              static_cast<uint64_t>(config.seed), state.epoch);
        torch::manual_seed(static_cast<uint64_t>(config.seed) * 7919ULL + state.epoch * 104729ULL +
                           static_cast<uint64_t>(state.batchInEpoch)); // dropout stream
        int micro = 0;
        for (std::size_t b = static_cast<std::size_t>(state.batchInEpoch); b < plan.size(); ++b) {
            while (paused.load() && !stopRequested.load())
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (stopRequested.load() && micro % config.gradAccum == 0) { // at a step boundary
                saveCheckpoint(); // before the epoch loop advances its counters
                stop = true;
                stopReason = "stopped by user";
                break;
            }
            Batch batch = trainData->batch(plan[b], /*padId=*/0, model.device);
            auto loss = ClassifierModelImpl::loss(classifier->forward(batch.ids, batch.lengths),
                                                  batch.labels);
            const double lossValue = loss.item<double>();
            if (!std::isfinite(lossValue))
                throw FsllmError("training loss became " + std::to_string(lossValue) + " at step " +
                                 std::to_string(state.step + 1) + " (learning rate " +
                                 std::to_string(schedule.at(state.step)) + "); lower --lr, "
                                 "enable clipping (--max-grad-norm) or check the data. The best "
                                 "checkpoint so far is kept in " + folder->path("best"));
            (loss / config.gradAccum).backward();
            lossSum += lossValue;
            ++lossCount;
            tokensSinceRecord += batch.realTokens;
            state.batchInEpoch = static_cast<int>(b) + 1;
            const bool lastOfEpoch = b + 1 == plan.size();
            if (++micro % config.gradAccum != 0 && !lastOfEpoch)
                continue;

            const double rate = schedule.at(state.step);
            AdamWSetup::setLearningRate(*optimizer, rate);
            if (config.maxGradNorm > 0.0)
                torch::nn::utils::clip_grad_norm_(trainable, config.maxGradNorm);
            optimizer->step();
            optimizer->zero_grad();
            ++state.step;

            if (state.step % config.logEvery == 0 || state.step == totalSteps) {
                const double seconds =
                    std::chrono::duration<double>(Clock::now() - recordStart).count();
                StepRecord record;
                record.step = state.step;
                record.totalSteps = totalSteps;
                record.epoch = static_cast<double>(state.step) / perEpoch;
                record.trainLoss = lossSum / std::max(1, lossCount);
                record.learningRate = rate;
                record.tokensPerSecond = seconds > 0 ? tokensSinceRecord / seconds : 0.0;
                record.wallSeconds = wallSeconds();
                const double perStep = record.wallSeconds / std::max(1, state.step);
                record.etaSeconds = perStep * (totalSteps - state.step);
                folder->appendMetrics(record.toJsonLine());
                if (observer)
                    observer->onStep(record);
                lossSum = 0.0;
                lossCount = 0;
                tokensSinceRecord = 0;
                recordStart = Clock::now();
            }
            const bool evalNow = (config.evalEvery > 0 && state.step % config.evalEvery == 0) ||
                                 lastOfEpoch;
            if (evalNow) {
                bool improved = false;
                evaluate(&improved);
                if (lastOfEpoch) {
                    state.batchInEpoch = 0; // the checkpoint points at the next epoch's start
                    ++state.epoch;
                    saveCheckpoint();
                    --state.epoch;
                } else {
                    saveCheckpoint();
                }
                recordStart = Clock::now();
                if (config.earlyStopPatience > 0 &&
                    state.evalsWithoutImprovement >= config.earlyStopPatience) {
                    stop = true;
                    stopReason = "early stopping";
                    break;
                }
            }
        }
    }
    summary.completed = stopReason != "stopped by user";
    summary.stopReason = stopReason;
    summary.steps = state.step;
    summary.wallSeconds = wallSeconds();
    const RunRecord run = RunRecord::load(folder->directory());
    if (auto best = run.best())
        summary.best = *best;
    say("finished: " + stopReason + " after " + std::to_string(state.step) + " steps, " +
        std::to_string(static_cast<int>(summary.wallSeconds)) + " s");
    if (observer)
        observer->onFinished(summary);
    return summary;
}

TrainingJob::TrainingJob(TrainingConfig config) : m_impl(std::make_unique<Impl>()) {
    m_impl->config = std::move(config);
}

TrainingJob::~TrainingJob() = default;

std::unique_ptr<TrainingJob> TrainingJob::resuming(const std::string& runDir) {
    auto config = TrainingConfig::load(runDir + "/" + TrainingConfig::kFileName);
    if (AtomicDirectory::resolve(runDir + "/checkpoint").empty())
        throw FsllmError(runDir + ": no checkpoint/ folder to resume from (the run stopped "
                         "before its first evaluation); start it again");
    config.outDir = runDir;
    auto job = std::make_unique<TrainingJob>(std::move(config));
    job->m_impl->resume = true;
    return job;
}

TrainingSummary TrainingJob::run(TrainingObserver* observer) {
    Impl& d = *m_impl;
    d.observer = observer;
    d.started = Clock::now();
    try {
        if (d.resume) {
            const std::string checkpoint = AtomicDirectory::resolve(d.config.outDir + "/checkpoint");
            const TrainerState saved = TrainerState::load(checkpoint + "/state.json");
            d.folder = std::make_unique<RunFolder>(d.config.outDir, /*fresh=*/false, saved.step);
        } else {
            d.config.validate();
            d.folder = std::make_unique<RunFolder>(d.config.outDir, /*fresh=*/true);
            d.folder->writeConfig(d.config);
        }
        d.prepare();
        if (d.resume)
            d.restoreCheckpoint();
        return d.train();
    } catch (const c10::Error& e) {
        const std::string message = std::string("training failed: ") + e.what_without_backtrace();
        if (d.folder)
            d.folder->log(message);
        throw FsllmError(message);
    } catch (const FsllmError& e) {
        if (d.folder)
            d.folder->log(std::string("error: ") + e.what());
        throw;
    }
}

void TrainingJob::requestStop() { m_impl->stopRequested = true; }
void TrainingJob::setPaused(bool paused) { m_impl->paused = paused; }
bool TrainingJob::paused() const { return m_impl->paused.load(); }

} // namespace fsllm
