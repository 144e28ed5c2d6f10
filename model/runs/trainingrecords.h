// What a training run reports while it runs and leaves in `metrics.jsonl` (one JSON object per
// line: {"type": "step", ...} per logged step, {"type": "eval", ...} per evaluation), and its
// final summary. Plain value types, no torch; the GUI receives these through TrainingObserver.
#pragma once

#include <string>

namespace fsllm {

struct StepRecord {
    int step = 0;             // optimizer steps done
    int totalSteps = 0;
    double epoch = 0.0;       // fractional epochs done
    double trainLoss = 0.0;   // mean loss over the steps since the last record
    double learningRate = 0.0;
    double tokensPerSecond = 0.0;
    double wallSeconds = 0.0; // since the run (or its resumption) started, plus earlier time
    double etaSeconds = 0.0;

    std::string toJsonLine() const;
};

struct EvalRecord {
    int step = 0;
    double epoch = 0.0;
    double evalLoss = 0.0;
    double accuracy = 0.0;    // token tasks: token accuracy
    double precision = 0.0;   // seq: macro; token: entity-level micro
    double recall = 0.0;
    double f1 = 0.0;
    bool isBest = false;      // best so far on the selection metric
    double wallSeconds = 0.0;

    std::string toJsonLine() const;
};

struct TrainingSummary {
    std::string runDir;
    bool completed = false;   // all epochs ran (or early stopping ended it normally)
    std::string stopReason;   // "completed", "early stopping", "stopped by user", ...
    int steps = 0;
    EvalRecord best;          // the selected checkpoint's dev scores
    double wallSeconds = 0.0;
};

} // namespace fsllm
