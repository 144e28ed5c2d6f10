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
    try {
        TrainerState s;
        s.step = o.at("step").get<int>();
        s.epoch = o.at("epoch").get<int>();
        s.batchInEpoch = o.at("batch_in_epoch").get<int>();
        s.bestScore = o.at("best_score").get<double>();
        s.evalsWithoutImprovement = o.at("evals_without_improvement").get<int>();
        s.wallSeconds = o.at("wall_time").get<double>();
        return s;
    } catch (const nlohmann::json::exception& e) {
        throw FsllmError(path + ": malformed trainer state (" + JsonText::reason(e) + ")");
    }
}

} // namespace fsllm
