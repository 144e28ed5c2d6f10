#include "trainerstate.h"

#include "fsllmerror.h"
#include "jsontext.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace fsllm {

std::string TrainerState::toJsonText() const {
    return nlohmann::json{{"step", step},
                          {"epoch", epoch},
                          {"batch_in_epoch", batchInEpoch},
                          {"best_score", bestScore},
                          {"evals_without_improvement", evalsWithoutImprovement},
                          {"wall_time", wallSeconds}}
               .dump(2) +
           "\n";
}

TrainerState TrainerState::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FsllmError(path + ": missing; the run has no checkpoint to resume from");
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json o = JsonText::parse(
        text.str(), path, "the checkpoint is damaged; resume from an earlier copy or train again");
    const auto integer = [&](const char* field) { return JsonText::intValue(o.at(field), field); };
    try {
        TrainerState s;
        s.step = integer("step");
        s.epoch = integer("epoch");
        s.batchInEpoch = integer("batch_in_epoch");
        s.bestScore = o.at("best_score").get<double>();
        s.evalsWithoutImprovement = integer("evals_without_improvement");
        s.wallSeconds = o.at("wall_time").get<double>();
        return s;
    } catch (const nlohmann::json::exception& e) {
        throw FsllmError(path + ": malformed trainer state (" + JsonText::reason(e) + ")");
    } catch (const FsllmError& e) {
        throw e.withContext(path);
    }
}

} // namespace fsllm
