// Scores a trained run on a data file and keeps the result in the run folder, the one code path
// behind `fsllm eval --run RUN --data FILE` and the studio's "Evaluate file…": the run is opened
// (ClassifierRun: base model from run.json, best/ adapter), the file read with the run's data
// options, and the predictions and scores written atomically as
//   RUN/evaluations/<file name>.predictions.tsv|.conll   (PredictionReport's paths)
//   RUN/evaluations/<file name>.json                     scores + "data" (absolute) + "examples"
// where the Runs tab's per-class view lists them. When evaluations/ cannot be written the scores
// are still returned (keepProblem says why nothing was kept). No torch in this header.
// Thread-safety: run() blocks; call it off the GUI thread. The control callbacks run on it.
#pragma once

#include "classifierrun.h"
#include "evaluationcontrol.h"

#include <functional>
#include <string>

namespace fsllm {

struct RunEvaluationRequest {
    std::string runDir;
    std::string dataFile;
    EngineOptions engine;
    std::string modelOverride;  // a checkpoint folder instead of run.json's "model"; "" = none
    // Changes the run's data options (run.json "data") before the file is read, e.g. the CLI's
    // --format / --text-column. Empty: the run's options as they are.
    std::function<void(DataReadOptions&)> adjustData;
    std::string predictionsCopy; // also write the predictions here; "" = no copy
    // Progress of the scoring; cancel is also polled after the model opens and before anything
    // is kept, so a cancelled evaluation leaves the run folder as it was.
    EvaluationControl control;
};

struct RunEvaluationOutcome {
    EvaluationReport report;   // report.cancelled: stopped, nothing written
    std::string keptPredictions; // RUN/evaluations/... ; "" when not kept
    std::string keptScores;      // RUN/evaluations/<file>.json ; "" when not kept
    std::string keepProblem;     // why evaluations/ was not written (one line); "" when kept
};

class RunEvaluation {
public:
    // Throws FsllmError (naming the file and field) for a run without best/, a missing model,
    // an unreadable data file or labels outside the run's label set; leaves no empty
    // evaluations/ folder behind then.
    static RunEvaluationOutcome run(const RunEvaluationRequest& request);
};

} // namespace fsllm
