#include "trainingcommands.h"

#include "atomicfile.h"
#include "classifierrun.h"
#include "commandline.h"
#include "fsllmerror.h"
#include "localworkers.h"
#include "runevaluation.h"
#include "terminalprogress.h"
#include "trainingcommandspecs.h"
#include "trainingoptions.h"
#include "trainingjob.h"
#include "unlabelledinput.h"
#include "zeroshotbaseline.h"

#include <csignal>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

namespace fsllm {

namespace {

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
    if (command.empty()) {
        std::string all;
        for (const CommandSpec* spec : TrainingCommandSpecs::all())
            all += spec->usage() + "\n";
        return all;
    }
    const CommandSpec* spec = TrainingCommandSpecs::find(command);
    return spec ? spec->usage() : std::string();
}

int TrainingCommands::train(const std::vector<std::string>& args) {
    CommandLine line(TrainingCommandSpecs::train(), args);
    std::unique_ptr<TrainingJob> job =
        line.has("resume") ? TrainingJob::resuming(line.value("resume", ""))
                           : std::make_unique<TrainingJob>(TrainingOptions::configFrom(line));
    // --nproc N: ranks 1..N-1 as child processes, this one rank 0 (the job reads RANK etc.).
    std::optional<LocalWorkers> workers;
    if (line.has("nproc"))
        workers.emplace(line.intValue("nproc", 1), args);
    TerminalProgress progress;
    TrainingSummary summary;
    {
        const StopSignals stopSignals(job.get());
        summary = job->run(&progress);
    }
    if (workers)
        workers->wait();
    if (!summary.completed)
        std::cout << "stopped; continue with: fsllm train --resume " << summary.runDir << "\n";
    return 0;
}

int TrainingCommands::eval(const std::vector<std::string>& args) {
    CommandLine line(TrainingCommandSpecs::eval(), args);
    // The predictions and scores are kept in the run folder too (evaluations/), where the
    // studio's Runs tab finds them for the confusion matrix and per-class scores; the studio's
    // "Evaluate file…" runs the same RunEvaluation.
    RunEvaluationRequest request;
    request.runDir = line.required("run");
    request.dataFile = line.required("data");
    request.engine = line.engineOptions();
    request.modelOverride = line.value("model", "");
    request.adjustData = [&line](DataReadOptions& options) {
        TrainingOptions::applyDataOptions(line, options);
    };
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
              << "loss      " << report.loss << "\n"
              << "truncated " << report.truncatedExamples;
    if (report.truncatedExamples > 0) // the words cut are scored as not predicted (Metrics)
        std::cout << " example(s) longer than the run's --max-length " << report.maxLength
                  << " tokens, cut there; " << report.wordsCut
                  << " word(s) cut, scored as not predicted (a gold entity there is missed)";
    std::cout << "\n";
    if (line.has("json")) {
        AtomicFile::write(line.value("json", ""), report.json);
        std::cout << "wrote     " << line.value("json", "") << "\n";
    }
    if (!outcome.keptPredictions.empty())
        std::cout << "kept      " << outcome.keptPredictions << "\n";
    return 0;
}

int TrainingCommands::predict(const std::vector<std::string>& args) {
    CommandLine line(TrainingCommandSpecs::predict(), args);
    if (line.has("text") == line.has("data"))
        throw FsllmError("fsllm predict: give either --text TEXT or --data FILE (see fsllm "
                         "predict --help)");
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
        options.format = DataFormat::Auto; // the run's format describes its labelled files
        options.task = run->config().task();
        TrainingOptions::applyDataOptions(line, options);
        const std::string path = line.value("data", "");
        UnlabelledRead input = UnlabelledInput::read(path, options, run->labels());
        std::cerr << "note: " << path << ": read " << input.examples.size()
                  << (token ? " sentence(s)" : " text(s)") << " as " << input.layout
                  << (input.detected ? " (found from the file; --format chooses another layout)"
                                     : "")
                  << "\n";
        examples = std::move(input.examples);
    }
    const auto predictions = run->predict(examples);
    int cutExamples = 0, cutWords = 0;
    std::cout << std::fixed << std::setprecision(4);
    for (const auto& prediction : predictions) {
        cutExamples += prediction.truncated ? 1 : 0;
        cutWords += prediction.wordsCut;
        if (token) { // CoNLL-style TSV: a word may hold '/' or spaces, never a tab
            for (std::size_t w = 0; w < prediction.words.size(); ++w)
                std::cout << prediction.words[w] << "\t" << prediction.tags[w] << "\n";
            std::cout << "\n";
            continue;
        }
        std::cout << prediction.label;
        for (std::size_t c = 0; c < run->labels().size(); ++c)
            std::cout << "\t" << run->labels()[c] << "=" << prediction.probabilities[c];
        std::cout << "\n";
    }
    if (cutExamples > 0)
        std::cerr << "note: " << cutExamples << (token ? " sentence(s)" : " text(s)")
                  << " longer than the run's --max-length " << run->config().maxLength
                  << " tokens were cut"
                  << (token ? ": " + std::to_string(cutWords) + " word(s) past it are not "
                                  "predicted (tag " + Metrics::kCutTag + ")"
                            : std::string(": only their first tokens were classified"))
                  << "\n";
    return 0;
}

} // namespace fsllm

namespace fsllm {

int TrainingCommands::zeroshot(const std::vector<std::string>& args) {
    CommandLine line(TrainingCommandSpecs::zeroshot(), args);
    ZeroShotOptions options;
    options.modelDir = line.required("model");
    options.dataFile = line.required("data");
    options.outDir = line.required("out");
    TrainingOptions::applyDataOptions(line, options.data);
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
              << "\nf1        " << report.f1 << "\n"
              << "kept      " << report.predictionsPath << "\n"
              << "kept      " << report.scoresPath << "\n";
    return 0;
}

} // namespace fsllm
