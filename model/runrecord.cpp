#include "runrecord.h"

#include "bestrecord.h"
#include "fsllmerror.h"
#include "jsontext.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace fsllm {

namespace {

using nlohmann::json;

double number(const json& object, const char* key) {
    return object.contains(key) && object[key].is_number() ? object[key].get<double>() : 0.0;
}

StepRecord stepFrom(const json& o) {
    StepRecord r;
    r.step = static_cast<int>(number(o, "step"));
    r.totalSteps = static_cast<int>(number(o, "total_steps"));
    r.epoch = number(o, "epoch");
    r.trainLoss = number(o, "train_loss");
    r.learningRate = number(o, "lr");
    r.tokensPerSecond = number(o, "tokens_per_s");
    r.wallSeconds = number(o, "wall_time");
    r.etaSeconds = number(o, "eta");
    return r;
}

EvalRecord evalFrom(const json& o) {
    EvalRecord r;
    r.step = static_cast<int>(number(o, "step"));
    r.epoch = number(o, "epoch");
    r.evalLoss = number(o, "eval_loss");
    r.accuracy = number(o, "accuracy");
    r.precision = number(o, "precision");
    r.recall = number(o, "recall");
    r.f1 = number(o, "f1");
    r.isBest = o.contains("best") && o["best"].is_boolean() && o["best"].get<bool>();
    r.wallSeconds = number(o, "wall_time");
    return r;
}

} // namespace

RunRecord RunRecord::load(const std::string& directory) {
    RunRecord run;
    run.directory = directory;
    run.config = TrainingConfig::load(directory + "/" + TrainingConfig::kFileName);
    const std::string path = directory + "/metrics.jsonl";
    std::ifstream in(path); // none yet: a run that has not logged, the loop reads nothing
    std::string line;
    int lineNumber = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        if (line.empty())
            continue;
        json object;
        try {
            object = JsonText::parse(line, path + ":" + std::to_string(lineNumber),
                                     "the run's log is damaged; remove the line");
        } catch (const FsllmError&) {
            if (in.peek() == EOF)
                break; // a truncated last line from a killed run
            throw;
        }
        if (!object.is_object())
            throw FsllmError(path + ":" + std::to_string(lineNumber) + ": holds a JSON " +
                             object.type_name() +
                             ", not an object; the run's log is damaged, "
                             "remove the line");
        const json& typeValue = object.contains("type") ? object["type"] : json();
        const std::string type = typeValue.is_string() ? typeValue.get<std::string>() : "";
        if (type == "step")
            run.steps.push_back(stepFrom(object));
        else if (type == "eval")
            run.evals.push_back(evalFrom(object));
    }
    // best/ wins when a kill left it ahead of metrics.jsonl (see bestrecord.h).
    if (const std::optional<BestRecord> best = BestRecord::read(directory))
        best->reconcile(run.evals);
    return run;
}

std::optional<EvalRecord> RunRecord::best() const {
    std::optional<EvalRecord> found;
    for (const auto& eval : evals)
        if (eval.isBest)
            found = eval;
    return found;
}

std::string RunRecord::name() const {
    return std::filesystem::path(directory).filename().string();
}

} // namespace fsllm
