#include "trainingcommands.h"

#include "atomicfile.h"
#include "classifierrun.h"
#include "commandline.h"
#include "runevaluation.h"
#include "terminalprogress.h"
#include "trainingjob.h"
#include "zeroshotbaseline.h"

#include <csignal>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace fsllm {

namespace {

const std::map<std::string, std::string> kUsage = {
    {"train",
     "fsllm train --model DIR --task seq|token --train FILE --dev FILE --out RUN_DIR\n"
     "            [--format auto|tsv|sentence|csv|jsonl|conll] [--text-column NAME]\n"
     "            [--label-column NAME] [--csv-columns a,b,c] [--tag-column N]\n"
     "            [--mask causal|bidirectional|decay] [--lambda 0.5] [--mask-from-layer 0]\n"
     "            [--pooling last|mean|max] [--head fs|linear] [--head-inner N] [--lora-rank 8] [--lora-alpha 32]\n"
     "            [--lora-dropout 0.1] [--lora-targets q,k,v,o] [--lr 2e-4] [--weight-decay 0.01]\n"
     "            [--batch-size 16] [--grad-accum 1] [--epochs 3] [--max-length 128]\n"
     "            [--warmup-ratio 0.06] [--schedule linear|cosine] [--max-grad-norm 1]\n"
     "            [--eval-every N] [--log-every 10] [--early-stop N] [--seed 42]\n"
     "            [--gradient-checkpointing]\n"
     "            [--device auto|cpu|cuda] [--dtype auto|float32|bfloat16] [--threads N]\n"
     "   or: fsllm train --config run.json [--out RUN_DIR]      (any option above overrides)\n"
     "   or: fsllm train --resume RUN_DIR\n"
     "  LoRA fine-tuning with label supervision; Ctrl-C or SIGTERM stops cleanly after the\n"
     "  current step (resume later). The run folder is locked while a job writes it.\n"
     "  --mask-from-layer K keeps decoder layers 0..K-1 causal and applies --mask from layer K\n"
     "  on (as BiLLM does); 0, the default, applies it in every layer.\n"},
    {"eval", "fsllm eval --run RUN_DIR --data FILE [--format F] [--text-column NAME]\n"
             "           [--label-column NAME] [--json OUT] [--predictions OUT] [--model DIR]\n"
             "  Accuracy, precision, recall, F1 (entity-level for token tasks) of the run's best\n"
             "  checkpoint on FILE. The predictions and scores are also kept in\n"
             "  RUN_DIR/evaluations/ (the studio's Runs tab shows their confusion matrix).\n"},
    {"predict", "fsllm predict --run RUN_DIR (--text TEXT | --data FILE) [--model DIR]\n"
                "  Labels and probabilities (seq) or one tag per word (token).\n"},
    {"zeroshot",
     "fsllm zeroshot --model DIR --data FILE --out RUN_DIR [--template \"Review: {text}\\nSentiment:\"]\n"
     "               [--verbalizers 0=negative,1=positive] [--format F] [--text-column NAME]\n"
     "               [--label-column NAME] [--batch-size 16] [--max-length 256]\n"
     "  The paper's w/o LS baseline: each label's word scored by the LM head after a prompt.\n"},
};

const std::set<std::string> kTrainOptions = {
    "model", "task", "train", "dev", "out", "format", "text-column", "label-column", "csv-columns",
    "tag-column", "mask", "lambda", "mask-from-layer", "pooling", "head", "head-inner", "lora-rank", "lora-alpha",
    "lora-dropout", "lora-targets", "lr", "weight-decay", "batch-size", "grad-accum", "epochs",
    "max-length", "warmup-ratio", "schedule", "max-grad-norm", "eval-every", "log-every",
    "early-stop", "seed", "device", "dtype", "threads", "config", "resume"};

std::vector<std::string> splitCommas(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream stream(text);
    std::string part;
    while (std::getline(stream, part, ','))
        parts.push_back(part);
    return parts;
}

void applyDataOptions(const CommandLine& line, DataReadOptions& data) {
    if (line.has("format"))
        data.format = dataFormatFromName(line.value("format", ""));
    data.textColumn = line.value("text-column", data.textColumn);
    data.labelColumn = line.value("label-column", data.labelColumn);
    if (line.has("csv-columns"))
        data.csvColumns = splitCommas(line.value("csv-columns", ""));
    data.conllTagColumn = line.intValue("tag-column", data.conllTagColumn);
}

TrainingConfig configFrom(const CommandLine& line) {
    TrainingConfig c = line.has("config") ? TrainingConfig::load(line.value("config", ""))
                                          : TrainingConfig{};
    c.modelDir = line.value("model", c.modelDir);
    if (line.has("task"))
        c.data.task = taskKindFromName(line.value("task", ""));
    c.trainFile = line.value("train", c.trainFile);
    c.devFile = line.value("dev", c.devFile);
    c.outDir = line.value("out", c.outDir);
    applyDataOptions(line, c.data);
    if (line.has("mask"))
        c.mask.mode = maskModeFromName(line.value("mask", ""));
    c.mask.lambda = line.doubleValue("lambda", c.mask.lambda);
    c.mask.fromLayer = line.intValue("mask-from-layer", c.mask.fromLayer);
    if (line.has("pooling"))
        c.pooling = poolingFromName(line.value("pooling", ""));
    if (line.has("head"))
        c.head = headKindFromName(line.value("head", ""));
    c.headInner = line.intValue("head-inner", c.headInner);
    c.loraRank = line.intValue("lora-rank", c.loraRank);
    c.loraAlpha = line.doubleValue("lora-alpha", c.loraAlpha);
    c.loraDropout = line.doubleValue("lora-dropout", c.loraDropout);
    c.loraTargets = line.value("lora-targets", c.loraTargets);
    c.learningRate = line.doubleValue("lr", c.learningRate);
    c.weightDecay = line.doubleValue("weight-decay", c.weightDecay);
    c.batchSize = line.intValue("batch-size", c.batchSize);
    c.gradAccum = line.intValue("grad-accum", c.gradAccum);
    c.epochs = line.intValue("epochs", c.epochs);
    c.maxLength = line.intValue("max-length", c.maxLength);
    c.warmupRatio = line.doubleValue("warmup-ratio", c.warmupRatio);
    c.schedule = line.value("schedule", c.schedule);
    c.maxGradNorm = line.doubleValue("max-grad-norm", c.maxGradNorm);
    c.evalEvery = line.intValue("eval-every", c.evalEvery);
    c.logEvery = line.intValue("log-every", c.logEvery);
    c.earlyStopPatience = line.intValue("early-stop", c.earlyStopPatience);
    c.seed = line.intValue("seed", c.seed);
    if (line.flag("gradient-checkpointing"))
        c.gradientCheckpointing = true;
    c.device = line.value("device", c.device);
    c.dtype = line.value("dtype", c.dtype);
    c.threads = line.intValue("threads", c.threads);
    return c;
}

TrainingJob* volatile g_runningJob = nullptr;

// Ctrl-C (SIGINT) and SIGTERM (kill, systemd, a batch scheduler) stop the same way: the current
// optimizer step finishes, a checkpoint is saved, and the command exits 0 with the resume hint.
void stopOnSignal(int signal) {
    if (g_runningJob)
        g_runningJob->requestStop(); // an atomic store: safe in a signal handler
    std::signal(signal, SIG_DFL);    // a second one ends the process at once
}

// Installs stopOnSignal for `job` and restores the default handlers when the command ends,
// normally or by an exception.
class StopSignals {
public:
    explicit StopSignals(TrainingJob* job) {
        g_runningJob = job;
        std::signal(SIGINT, stopOnSignal);
        std::signal(SIGTERM, stopOnSignal);
    }
    ~StopSignals() {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        g_runningJob = nullptr;
    }
};

} // namespace

std::string TrainingCommands::usage(const std::string& command) {
    return CommandLine::usageFrom(kUsage, command);
}

int TrainingCommands::train(const std::vector<std::string>& args) {
    CommandLine line("train", args, kTrainOptions, {"gradient-checkpointing"});
    std::unique_ptr<TrainingJob> job =
        line.has("resume") ? TrainingJob::resuming(line.value("resume", ""))
                           : std::make_unique<TrainingJob>(configFrom(line));
    TerminalProgress progress;
    TrainingSummary summary;
    {
        const StopSignals stopSignals(job.get());
        summary = job->run(&progress);
    }
    if (!summary.completed)
        std::cout << "stopped; continue with: fsllm train --resume " << summary.runDir << "\n";
    return 0;
}

int TrainingCommands::eval(const std::vector<std::string>& args) {
    CommandLine line("eval", args,
                     {"run", "data", "format", "text-column", "label-column", "csv-columns",
                      "tag-column", "json", "predictions", "model", "device", "dtype", "threads"},
                     {});
    // The predictions and scores are kept in the run folder too (evaluations/), where the
    // studio's Runs tab finds them for the confusion matrix and per-class scores; the studio's
    // "Evaluate file…" runs the same RunEvaluation.
    RunEvaluationRequest request;
    request.runDir = line.required("run");
    request.dataFile = line.required("data");
    request.engine = line.engineOptions();
    request.modelOverride = line.value("model", "");
    request.adjustData = [&line](DataReadOptions& options) { applyDataOptions(line, options); };
    request.predictionsCopy = line.value("predictions", "");
    const RunEvaluationOutcome outcome = RunEvaluation::run(request);
    const EvaluationReport& report = outcome.report;
    if (!outcome.keepProblem.empty())
        std::cerr << "note: " << outcome.keepProblem << "\n";
    std::cout << std::fixed << std::setprecision(4) << "examples  " << report.examples << "\n"
              << "accuracy  " << report.accuracy << "\n"
              << "precision " << report.precision << "\n"
              << "recall    " << report.recall << "\n"
              << "f1        " << report.f1 << "\n"
              << "loss      " << report.loss << "\n";
    if (line.has("json")) {
        AtomicFile::write(line.value("json", ""), report.json);
        std::cout << "wrote     " << line.value("json", "") << "\n";
    }
    if (!outcome.keptPredictions.empty())
        std::cout << "kept      " << outcome.keptPredictions << "\n";
    return 0;
}

int TrainingCommands::predict(const std::vector<std::string>& args) {
    CommandLine line("predict", args,
                     {"run", "text", "data", "format", "text-column", "label-column",
                      "csv-columns", "tag-column", "model", "device", "dtype", "threads"},
                     {});
    auto run = ClassifierRun::open(line.required("run"), line.engineOptions(), line.value("model", ""));
    const bool token = run->config().task() == TaskKind::Token;
    std::vector<RawExample> examples;
    if (line.has("text")) {
        RawExample example;
        example.text = line.value("text", "");
        std::istringstream words(example.text);
        for (std::string word; words >> word;)
            example.words.push_back(word);
        examples.push_back(example);
    } else {
        DataReadOptions options = run->config().data;
        applyDataOptions(line, options);
        examples = DataReader::read(line.required("data"), options);
    }
    const auto predictions = run->predict(examples);
    std::cout << std::fixed << std::setprecision(4);
    for (const auto& prediction : predictions) {
        if (token) {
            for (std::size_t w = 0; w < prediction.words.size(); ++w)
                std::cout << (w ? " " : "") << prediction.words[w] << "/" << prediction.tags[w];
            std::cout << "\n";
            continue;
        }
        std::cout << prediction.label;
        for (std::size_t c = 0; c < run->labels().size(); ++c)
            std::cout << "\t" << run->labels()[c] << "=" << prediction.probabilities[c];
        std::cout << "\n";
    }
    return 0;
}

} // namespace fsllm

namespace fsllm {

int TrainingCommands::zeroshot(const std::vector<std::string>& args) {
    CommandLine line("zeroshot", args,
                     {"model", "data", "out", "template", "verbalizers", "format", "text-column",
                      "label-column", "csv-columns", "batch-size", "max-length", "device", "dtype",
                      "threads"},
                     {});
    ZeroShotOptions options;
    options.modelDir = line.required("model");
    options.dataFile = line.required("data");
    options.outDir = line.required("out");
    applyDataOptions(line, options.data);
    options.promptTemplate = line.value("template", options.promptTemplate);
    // Let "\n" typed on a command line mean a newline in the template.
    for (std::size_t at; (at = options.promptTemplate.find("\\n")) != std::string::npos;)
        options.promptTemplate.replace(at, 2, "\n");
    if (line.has("verbalizers"))
        options.verbalizers = ZeroShotOptions::parseVerbalizers(line.value("verbalizers", ""));
    options.batchSize = line.intValue("batch-size", options.batchSize);
    options.maxLength = line.intValue("max-length", options.maxLength);
    options.device = line.value("device", options.device);
    options.dtype = line.value("dtype", options.dtype);
    options.threads = line.intValue("threads", options.threads);
    const ZeroShotReport report = ZeroShotBaseline::run(
        options, [](const std::string& text) { std::cout << text << std::endl; });
    std::cout << std::fixed << std::setprecision(4) << "accuracy  " << report.accuracy << "\n"
              << "precision " << report.precision << "\nrecall    " << report.recall
              << "\nf1        " << report.f1 << "\n";
    return 0;
}

} // namespace fsllm
