#include "bestrecord.h"

#include "atomicdirectory.h"
#include "fsllmerror.h"
#include "jsontext.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace fsllm {

namespace {

using nlohmann::json;

} // namespace

std::string BestRecord::toJsonText() const {
    json object = json::parse(eval.toJsonLine());
    object["best"] = true;
    object["score"] = score;
    return object.dump(2) + "\n";
}

std::optional<BestRecord> BestRecord::read(const std::string& runDir) {
    const std::string best = AtomicDirectory::resolve(runDir + "/best");
    if (best.empty())
        return std::nullopt;
    const std::string path = best + "/" + kFileName;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt; // a run from before best.json existed
    std::stringstream text;
    text << in.rdbuf();
    const json o =
        JsonText::parse(text.str(), path, "the best/ folder is damaged, resume or retrain the run");
    try {
        BestRecord record;
        record.eval.step = JsonText::intValue(o.at("step"), "step");
        record.eval.epoch = o.at("epoch").get<double>();
        record.eval.evalLoss = o.at("eval_loss").get<double>();
        record.eval.accuracy = o.at("accuracy").get<double>();
        record.eval.precision = o.at("precision").get<double>();
        record.eval.recall = o.at("recall").get<double>();
        record.eval.f1 = o.at("f1").get<double>();
        record.eval.wallSeconds = o.at("wall_time").get<double>();
        record.eval.isBest = true;
        record.score = o.at("score").get<double>();
        if (record.eval.step < 0)
            throw FsllmError("field 'step' is negative");
        return record;
    } catch (const FsllmError& e) {
        throw FsllmError(path + ": " + e.what() +
                         "; the best/ folder is damaged, resume or retrain the run");
    } catch (const json::exception& e) {
        throw FsllmError(path + ": not a valid best record (" + JsonText::reason(e) +
                         "); the best/ folder is damaged, resume or retrain the run");
    }
}

bool BestRecord::reconcile(std::vector<EvalRecord>& evals) const {
    bool changed = false;
    auto at = std::find_if(evals.begin(), evals.end(),
                           [&](const EvalRecord& r) { return r.step >= eval.step; });
    if (at != evals.end() && at->step == eval.step) {
        const EvalRecord before = *at;
        *at = eval;
        changed = before.accuracy != eval.accuracy || before.f1 != eval.f1 ||
                  before.evalLoss != eval.evalLoss || !before.isBest;
    } else {
        at = evals.insert(at, eval);
        changed = true;
    }
    for (auto later = at + 1; later != evals.end(); ++later) {
        changed = changed || later->isBest;
        later->isBest = false;
    }
    return changed;
}

} // namespace fsllm
