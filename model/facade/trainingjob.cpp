#include "trainingjob.h"

#include "adapterio.h"
#include "atomicdirectory.h"
#include "atomicfile.h"
#include "batchplan.h"
#include "bestrecord.h"
#include "classifiermodel.h"
#include "dataparallel.h"
#include "datareader.h"
#include "distributedsettings.h"
#include "encodeddataset.h"
#include "evaluator.h"
#include "fsllmerror.h"
#include "labelset.h"
#include "loadedmodel.h"
#include "memoryestimate.h"
#include "memoryprobe.h"
#include "peftlayout.h"
#include "runfolder.h"
#include "runrecord.h"
#include "runtimeinfo.h"
#include "throughputmeter.h"
#include "trainerstate.h"
#include "trainingstep.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace fsllm {

namespace {

using Clock = std::chrono::steady_clock;

// A checkpoint is saved after the first optimizer step, at every evaluation, on a stop request,
// and at least this often in between, so a killed run always has something to resume from.
constexpr auto kCheckpointInterval = std::chrono::minutes(10);

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
    std::unique_ptr<TrainingStep> stepper; // owns the AdamW optimizer
    // Data parallelism (RANK / WORLD_SIZE / MASTER_ADDR / MASTER_PORT): every rank trains a
    // replica on its shard of each global batch; rank 0 writes the run folder, the others a
    // scratch folder removed at the end. Every rank resumes from the run folder's checkpoint.
    DistributedSettings distributed;
    std::unique_ptr<DataParallel> parallel;
    std::string runDir;     // the run folder (config.outDir of rank 0)
    std::string scratchDir; // ranks other than 0: config.outDir
    TrainerState state;
    Clock::time_point started;
    bool checkpointSaved = false;       // this run folder has a checkpoint from this job
    Clock::time_point lastCheckpoint{}; // when it was saved

    std::string checkpointDir() const {
        return AtomicDirectory::resolve(runDir + "/checkpoint");
    }
    std::string predictionsName() const {
        return config.task() == TaskKind::Token ? "dev_predictions.conll" : "dev_predictions.tsv";
    }

    void say(const std::string& message) {
        if (folder)
            folder->log(message);
        if (observer)
            observer->onMessage(message);
    }
    // For error paths: a full or read-only disk must not replace the error being reported.
    void logQuietly(const std::string& message) noexcept {
        try {
            if (folder)
                folder->log(message);
        } catch (...) {
        }
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
    void saveBest(const EvaluationResult& result, const EvalRecord& record, double score);
    void copyBestPredictions();
    std::string optimizerBytes() const;
    void saveCheckpoint();
    void restoreCheckpoint();
    void reconcileBest();
    void openFolder();
    void enterDistributed();
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
    // Data-parallel with "all cores": the processes on this machine share its cores.
    const int threads = config.threads == 0 && distributed.distributed()
                            ? distributed.threadsPerProcess(Runtime::availableCores())
                            : config.threads;
    const int used = Runtime::configureThreads(threads);
    if (distributed.distributed())
        say(describeCount(used, "torch thread(s)") + " in this process (" +
            describeCount(distributed.localWorldSize, "process(es)") + " on this machine)");
    trainRaw = readData(config.trainFile, "train");
    devRaw = readData(config.devFile, "dev");
    // A resumed run keeps the label set (and so the head's rows) it started with.
    labels = resume ? LabelSet(ClassifierSpec::load(checkpointDir()).labels)
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

    try { // before the (slow) load: say whether it will fit; open() reports bad config.json
        const MemoryEstimate memory = MemoryEstimate::estimate(MemoryEstimate::inputFor(
            config, ModelConfig::fromFile(config.modelDir + "/config.json"),
            static_cast<int>(labels.size())));
        say("memory: " + memory.toText(MemoryProbe::totalRamMiB()));
    } catch (const FsllmError&) {
    }
    say("loading model " + config.modelDir);
    model = LoadedModel::open(config.modelDir, config.device, config.dtype, /*requireTokenizer=*/true);
    config.mask.validateFor(model.config.numLayers);
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
                                      " cut; dev scores count them as not predicted)"
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
    const LoraTargets targets = LoraTargets::parse(config.loraTargets);
    PeftLayout::checkTargets(model.config, targets); // chatglm: fused groups whole
    model.decoder->enableLora(LoraSettings{config.loraRank, config.loraAlpha, config.loraDropout},
                              targets);
    classifier = ClassifierModel(model.decoder, spec);
    stepper = std::make_unique<TrainingStep>(classifier, config, stepsPerEpoch() * config.epochs);
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
    std::optional<EvaluationShards> shards; // data-parallel: each rank scores its batches
    if (parallel)
        shards = EvaluationShards{distributed.rank, distributed.worldSize,
                                  [this](const std::vector<double>& values) {
                                      return parallel->sum(values);
                                  }};
    const EvaluationResult result = Evaluator::run(*classifier, *devData, devRaw, labels,
                                                   config.batchSize, {}, shards ? &*shards : nullptr);
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
    record.isBest = *improved;
    if (*improved) {
        state.bestScore = score;
        state.evalsWithoutImprovement = 0;
        saveBest(result, record, score);
    } else {
        ++state.evalsWithoutImprovement;
    }
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

// best/ holds the adapter, head, spec, dev scores, dev predictions and best.json (step and
// score), swapped in as one folder: whatever kill point, best/ describes itself.
void TrainingJob::Impl::saveBest(const EvaluationResult& result, const EvalRecord& record,
                                 double score) {
    const std::string target = folder->path("best");
    std::string staging;
    try {
        staging = AtomicDirectory::stage(target);
        AdapterIo::save(staging, *classifier->decoder, classifier->head.get(), adapterConfig());
        spec.save(staging);
        AtomicFile::write(staging + "/dev_metrics.json", result.toJsonText());
        Evaluator::writePredictions(staging + "/" + predictionsName(), result, devRaw, labels,
                                    config.task());
        BestRecord best;
        best.eval = record;
        best.score = score;
        AtomicFile::write(staging + "/" + BestRecord::kFileName, best.toJsonText());
        AtomicDirectory::commit(staging, target);
    } catch (const FsllmError& e) {
        if (!staging.empty())
            AtomicDirectory::discard(staging);
        throw FsllmError("saving the best adapter of step " + std::to_string(record.step) +
                         " failed: " + e.what() + "; " + target +
                         " keeps the previous best, resume the run once the disk is writable");
    }
    copyBestPredictions();
}

// The run folder's dev_predictions.* is a copy of best/'s, for users.
void TrainingJob::Impl::copyBestPredictions() {
    const std::string best = AtomicDirectory::resolve(folder->path("best"));
    std::ifstream in(best + "/" + predictionsName(), std::ios::binary);
    if (best.empty() || !in)
        return; // a best/ from before predictions were kept inside it
    std::stringstream text;
    text << in.rdbuf();
    AtomicFile::write(folder->path(predictionsName()), text.str());
}

// The optimizer state serialized in memory, so that writing it goes through AtomicFile (fsync,
// rename, a clean error on a full disk) rather than torch::save's file writer.
std::string TrainingJob::Impl::optimizerBytes() const {
    torch::serialize::OutputArchive archive;
    stepper->optimizer().save(archive);
    std::string bytes;
    archive.save_to([&bytes](const void* data, std::size_t size) -> std::size_t {
        bytes.append(static_cast<const char*>(data), size);
        return size;
    });
    return bytes;
}

void TrainingJob::Impl::saveCheckpoint() {
    const std::string target = folder->path("checkpoint");
    std::string staging;
    try {
        staging = AtomicDirectory::stage(target);
        AdapterIo::save(staging, *classifier->decoder, classifier->head.get(), adapterConfig());
        spec.save(staging);
        AtomicFile::write(staging + "/optimizer.pt", optimizerBytes());
        TrainerState saved = state;
        saved.wallSeconds = wallSeconds();
        AtomicFile::write(staging + "/state.json", saved.toJsonText());
        AtomicDirectory::commit(staging, target);
    } catch (const FsllmError& e) {
        if (!staging.empty())
            AtomicDirectory::discard(staging);
        const std::string previous = AtomicDirectory::resolve(target);
        throw FsllmError("saving the checkpoint of step " + std::to_string(state.step) +
                         " failed: " + e.what() + "; " +
                         (previous.empty() ? std::string("there is no earlier checkpoint")
                                           : previous + " keeps the previous one") +
                         ", resume the run once the disk is writable");
    }
    checkpointSaved = true;
    lastCheckpoint = Clock::now();
}

void TrainingJob::Impl::restoreCheckpoint() {
    const std::string directory = checkpointDir();
    if (directory.empty())
        throw FsllmError(runDir + ": its checkpoint is gone; rank " +
                         std::to_string(distributed.rank) + " cannot resume from it (with several "
                         "machines, the run folder must be on a file system every rank sees)");
    state = TrainerState::load(directory + "/state.json");
    AdapterIo::load(directory, *classifier->decoder, classifier->head.get());
    {
        torch::serialize::InputArchive archive;
        archive.load_from(directory + "/optimizer.pt");
        stepper->optimizer().load(archive);
    }
    checkpointSaved = true;
    lastCheckpoint = Clock::now();
    say("resumed from step " + std::to_string(state.step) + " (epoch " +
        std::to_string(state.epoch + 1) + ")");
    reconcileBest();
    if (parallel) { // a checkpoint replaced between the ranks' reads would split the replicas
        const std::vector<double> steps = parallel->sum(
            {static_cast<double>(state.step), static_cast<double>(state.step) * state.step});
        const double world = distributed.worldSize, mean = steps[0] / world;
        if (std::abs(steps[1] / world - mean * mean) > 1e-9)
            throw FsllmError("data-parallel resume: the ranks read checkpoints of different "
                             "steps from " + runDir + " (this rank: step " +
                             std::to_string(state.step) + "); start them again");
    }
}

// A kill right after best/ was swapped in leaves it ahead of metrics.jsonl and the checkpoint:
// best/ wins. Its score stays the one to beat, and the predictions copy is refreshed from it.
// (RunRecord::load reconciles the metrics records the same way for every reader.)
void TrainingJob::Impl::reconcileBest() {
    const std::optional<BestRecord> best = BestRecord::read(runDir);
    if (!best)
        return;
    if (best->eval.step > state.step)
        say("best/ holds the evaluation of step " + std::to_string(best->eval.step) +
            ", after the checkpoint's step " + std::to_string(state.step) +
            " (the run was stopped right after saving it); it stays the best so far");
    if (best->score > state.bestScore)
        state.bestScore = best->score;
    copyBestPredictions();
}

TrainingSummary TrainingJob::Impl::train() {
    const int perEpoch = stepsPerEpoch();
    const int totalSteps = perEpoch * config.epochs;
    const LearningRateSchedule& schedule = stepper->schedule();
    if (observer)
        observer->onStarted(folder->directory(), totalSteps, labels.names());
    say("training " + std::to_string(totalSteps) + " optimizer steps (" +
        std::to_string(config.epochs) + " epochs x " + std::to_string(perEpoch) + "), mask " +
        config.mask.describe() + ", device " + model.device.str());

    TrainingSummary summary;
    summary.runDir = folder->directory();
    const auto lengths = trainData->lengths();
    classifier->train();

    double lossSum = 0.0; // over micro-batches since the last step record
    int lossCount = 0;
    ThroughputMeter throughput(Clock::now()); // training time only: evaluations excluded
    std::string stopReason = "completed";
    bool stop = false;

    for (; state.epoch < config.epochs && !stop; ++state.epoch, state.batchInEpoch = 0) {
        const auto plan = BatchPlan::shuffled(lengths, config.batchSize,
                                              static_cast<uint64_t>(config.seed), state.epoch);
        torch::manual_seed(static_cast<uint64_t>(config.seed) * 7919ULL + state.epoch * 104729ULL +
                           static_cast<uint64_t>(state.batchInEpoch)); // dropout stream
        int micro = 0;
        for (std::size_t b = static_cast<std::size_t>(state.batchInEpoch); b < plan.size(); ++b) {
            if (paused.load()) {
                throughput.pause(Clock::now());
                while (paused.load() && !stopRequested.load())
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                throughput.resume(Clock::now());
            }
            const bool boundary = micro % config.gradAccum == 0;
            bool stopNow = boundary && stopRequested.load();
            if (parallel && boundary) // every rank stops at the same step, or none does
                stopNow = parallel->sum({stopRequested.load() ? 1.0 : 0.0})[0] > 0.0;
            if (stopNow) {        // at a step boundary
                saveCheckpoint(); // before the epoch loop advances its counters
                stop = true;
                stopReason = "stopped by user";
                break;
            }
            // One process: the whole batch; data-parallel: this rank's slice of it.
            const std::vector<int> indices =
                parallel
                    ? DistributedSettings::shardOf(plan[b], distributed.rank, distributed.worldSize)
                    : plan[b];
            std::optional<Batch> batch;
            if (!indices.empty())
                batch = trainData->batch(indices, /*padId=*/0, model.device);
            int64_t tokens = batch ? batch->realTokens : 0;
            const double lossValue =
                parallel ? stepper->accumulateShard(batch ? &*batch : nullptr, *parallel, &tokens)
                         : stepper->accumulate(*batch);
            if (!std::isfinite(lossValue))
                throw FsllmError("training loss became " + std::to_string(lossValue) + " at step " +
                                 std::to_string(state.step + 1) + " (learning rate " +
                                 std::to_string(schedule.at(state.step)) + "); lower --lr, "
                                 "enable clipping (--max-grad-norm) or check the data. The best "
                                 "checkpoint so far is kept in " + folder->path("best"));
            lossSum += lossValue;
            ++lossCount;
            throughput.addTokens(tokens); // every rank's tokens
            state.batchInEpoch = static_cast<int>(b) + 1;
            const bool lastOfEpoch = b + 1 == plan.size();
            if (++micro % config.gradAccum != 0 && !lastOfEpoch)
                continue;

            const double rate = stepper->apply(state.step, parallel.get());
            ++state.step;

            if (state.step % config.logEvery == 0 || state.step == totalSteps) {
                StepRecord record;
                record.step = state.step;
                record.totalSteps = totalSteps;
                record.epoch = static_cast<double>(state.step) / perEpoch;
                record.trainLoss = lossSum / std::max(1, lossCount);
                record.learningRate = rate;
                record.tokensPerSecond = throughput.take(Clock::now());
                record.wallSeconds = wallSeconds();
                const double perStep = record.wallSeconds / std::max(1, state.step);
                record.etaSeconds = perStep * (totalSteps - state.step);
                folder->appendMetrics(record.toJsonLine());
                if (observer)
                    observer->onStep(record);
                lossSum = 0.0;
                lossCount = 0;
            }
            const bool evalNow = (config.evalEvery > 0 && state.step % config.evalEvery == 0) ||
                                 lastOfEpoch;
            throughput.pause(Clock::now()); // evaluating and saving are not training
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
                if (config.earlyStopPatience > 0 &&
                    state.evalsWithoutImprovement >= config.earlyStopPatience) {
                    stop = true;
                    stopReason = "early stopping";
                    break;
                }
            } else if (!checkpointSaved || Clock::now() - lastCheckpoint > kCheckpointInterval) {
                saveCheckpoint(); // the first one right after step 1: a kill is never a dead end
            }
            throughput.resume(Clock::now());
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
    if (parallel)
        say("data-parallel: " + std::to_string(distributed.worldSize) + " processes; this rank " +
            "spent " + std::to_string(static_cast<int>(parallel->collectiveSeconds() * 1000)) +
            " ms in all-reduces (" +
            std::to_string(static_cast<int>(100.0 * parallel->collectiveSeconds() /
                                            std::max(1e-9, summary.wallSeconds))) +
            "% of the run's wall time)");
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
    config.outDir = runDir;
    auto job = std::make_unique<TrainingJob>(std::move(config));
    job->m_impl->resume = true;
    return job;
}

TrainingSummary TrainingJob::run(TrainingObserver* observer) {
    Impl& d = *m_impl;
    d.observer = observer;
    d.started = Clock::now();
    // The lock is released when run() returns, so a stopped job's object may outlive it while a
    // resuming job takes over the folder.
    struct ReleaseFolder {
        Impl& d;
        ~ReleaseFolder() {
            d.folder.reset();
            d.parallel.reset();
            if (!d.scratchDir.empty()) {
                std::error_code ignored;
                std::filesystem::remove_all(d.scratchDir, ignored);
            }
        }
    } release{d};
    try {
        d.runDir = d.config.outDir;
        d.distributed = DistributedSettings::fromEnvironment();
        if (d.distributed.distributed())
            d.enterDistributed();
        d.openFolder();
        d.prepare();
        if (d.distributed.distributed()) {
            d.say("joining the data-parallel group: rank " + std::to_string(d.distributed.rank) +
                  " of " + std::to_string(d.distributed.worldSize) + " at " +
                  d.distributed.masterAddr + ":" + std::to_string(d.distributed.masterPort));
            d.parallel = std::make_unique<DataParallel>(d.distributed);
        }
        if (d.resume)
            d.restoreCheckpoint();
        return d.train();
    } catch (const c10::Error& e) {
        const std::string message = std::string("training failed: ") + e.what_without_backtrace();
        d.logQuietly(message);
        throw FsllmError(message);
    } catch (const FsllmError& e) {
        d.logQuietly(std::string("error: ") + e.what());
        throw;
    }
}

// A data-parallel rank other than 0 writes into a scratch folder of its own (removed when the job
// ends), so that only rank 0's run folder holds results. Each rank resumes from the run folder's
// checkpoint, which is the same whatever the number of processes that wrote it (the global
// batches do not depend on it), so a run continues with the same or another number.
void TrainingJob::Impl::enterDistributed() {
    if (distributed.rank == 0)
        return;
    scratchDir =
        (std::filesystem::temp_directory_path() /
         ("fsllm-rank" + std::to_string(distributed.rank) + "-" + std::to_string(::getpid())))
            .string();
    config.outDir = scratchDir;
}

// Locks the run folder (for the life of the job), then decides under the lock: resume from the
// checkpoint, or start fresh. A run folder without a checkpoint (killed before its first
// optimizer step) starts again from step 0, both for --resume and for a new run into it.
void TrainingJob::Impl::openFolder() {
    if (!resume) {
        config.validate();
        if (config.mask.fromLayer > 0) // refused before a run folder exists
            config.mask.validateFor(
                ModelConfig::fromFile(config.modelDir + "/config.json").numLayers);
    }
    const int startedWith = config.worldSize;
    config.worldSize = distributed.worldSize; // run.json records the processes of the last start
    folder = std::make_unique<RunFolder>(config.outDir);
    if (resume) {
        const std::string checkpoint = checkpointDir();
        if (!checkpoint.empty() && !scratchDir.empty()) { // rank > 0: resumes into scratch
            folder->writeConfig(config);
            return;
        }
        if (!checkpoint.empty()) {
            folder->reopen(TrainerState::load(checkpoint + "/state.json").step);
            if (startedWith != config.worldSize) {
                say("resuming a run of " + describeCount(startedWith, "process(es)") + " with " +
                    describeCount(config.worldSize, "process(es)") +
                    " (the global batches are the same)");
                folder->writeConfig(config);
            }
            return;
        }
        resume = false;
        config.validate();
        folder->startFresh(/*discardResults=*/true);
        say("no checkpoint in " + config.outDir + " yet (the run stopped before its first "
            "optimizer step): starting it again from step 0");
    } else if (folder->startFresh()) {
        say(config.outDir + " holds a run that stopped before its first checkpoint: starting it "
                            "again from step 0");
    }
    folder->writeConfig(config);
}

void TrainingJob::requestStop() { m_impl->stopRequested = true; }
void TrainingJob::setPaused(bool paused) { m_impl->paused = paused; }
bool TrainingJob::paused() const { return m_impl->paused.load(); }

} // namespace fsllm
