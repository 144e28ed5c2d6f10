#include "runevaluation.h"

#include "atomicfile.h"
#include "fsllmerror.h"
#include "predictionreport.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fsllm {

namespace {

bool cancelled(const EvaluationControl& control) {
    return control.cancel && control.cancel();
}

// Removes RUN/evaluations/ if it is empty (an evaluation that failed or was cancelled).
void removeIfEmpty(const std::filesystem::path& folder) {
    std::error_code ignored; // remove() of a non-empty folder fails and leaves it
    std::filesystem::remove(folder, ignored);
}

} // namespace

RunEvaluationOutcome RunEvaluation::run(const RunEvaluationRequest& request) {
    RunEvaluationOutcome outcome;
    auto run = ClassifierRun::open(request.runDir, request.engine, request.modelOverride);
    if (cancelled(request.control)) {
        outcome.report.cancelled = true;
        return outcome;
    }
    DataReadOptions options = run->config().data;
    if (request.adjustData)
        request.adjustData(options);

    const std::string kept = PredictionReport::evaluationPredictionsPath(
        request.runDir, request.dataFile, run->config().task());
    const std::filesystem::path folder = std::filesystem::path(kept).parent_path();
    {
        std::error_code error;
        std::filesystem::create_directories(folder, error);
        if (error || ::access(folder.c_str(), W_OK) != 0)
            outcome.keepProblem = folder.string() + " is not writable (" +
                                  (error ? error.message() : std::string(std::strerror(errno))) +
                                  "); the evaluation is not kept in the run folder";
    }
    const bool keep = outcome.keepProblem.empty();
    try {
        // Predictions go to the run folder, or straight to the copy when it is not writable.
        outcome.report = run->evaluate(request.dataFile, options,
                                       keep ? kept : request.predictionsCopy, request.control);
    } catch (const FsllmError&) {
        removeIfEmpty(folder);
        throw;
    }
    if (outcome.report.cancelled) { // evaluate() wrote nothing
        removeIfEmpty(folder);
        return outcome;
    }
    if (!keep)
        return outcome;
    nlohmann::json scores = nlohmann::json::parse(outcome.report.json);
    scores["data"] = std::filesystem::absolute(request.dataFile).lexically_normal().string();
    scores["examples"] = outcome.report.examples;
    outcome.keptScores = PredictionReport::evaluationScoresPath(request.runDir, request.dataFile);
    AtomicFile::write(outcome.keptScores, scores.dump(2) + "\n");
    outcome.keptPredictions = kept;
    if (!request.predictionsCopy.empty()) {
        std::ifstream in(kept, std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        AtomicFile::write(request.predictionsCopy, bytes.str());
    }
    return outcome;
}

} // namespace fsllm
