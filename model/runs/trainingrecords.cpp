#include "trainingrecords.h"

#include <nlohmann/json.hpp>

namespace fsllm {

std::string StepRecord::toJsonLine() const {
    nlohmann::json object = {{"type", "step"},
                             {"step", step},
                             {"total_steps", totalSteps},
                             {"epoch", epoch},
                             {"train_loss", trainLoss},
                             {"lr", learningRate},
                             {"tokens_per_s", tokensPerSecond},
                             {"wall_time", wallSeconds},
                             {"eta", etaSeconds}};
    return object.dump() + "\n";
}

std::string EvalRecord::toJsonLine() const {
    nlohmann::json object = {{"type", "eval"},
                             {"step", step},
                             {"epoch", epoch},
                             {"eval_loss", evalLoss},
                             {"accuracy", accuracy},
                             {"precision", precision},
                             {"recall", recall},
                             {"f1", f1},
                             {"best", isBest},
                             {"wall_time", wallSeconds}};
    return object.dump() + "\n";
}

} // namespace fsllm
