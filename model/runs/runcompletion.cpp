#include "runcompletion.h"

#include "devunits.h"
#include "runlockprobe.h"
#include "textfile.h"
#include "trainingconfig.h"

#include <filesystem>
#include <fstream>

namespace fsllm {

namespace {

namespace fs = std::filesystem;

bool startsWith(const std::string& text, const char* prefix) {
    return text.rfind(prefix, 0) == 0;
}

// Whether the log's last run (from its last start line) finished other than by a stop request.
bool logSaysFinished(const std::string& path) {
    std::ifstream log(path);
    bool finished = false;
    for (std::string line; std::getline(log, line);) {
        const std::size_t split = line.find("  "); // "<date> <time>  <message>"
        const std::string message = split == std::string::npos ? line : line.substr(split + 2);
        if (startsWith(message, "training ") || startsWith(message, "resumed from step") ||
            startsWith(message, "error: "))
            finished = false;
        else if (startsWith(message, "finished: "))
            finished = !startsWith(message, "finished: stopped by user");
    }
    return finished;
}

} // namespace

RunProgress RunCompletion::of(const std::string& runDir) {
    std::error_code error;
    if (!fs::is_regular_file(fs::path(runDir) / TrainingConfig::kFileName, error))
        return RunProgress::Missing;
    if (RunLockProbe::probe(runDir).held)
        return RunProgress::Running;
    bool hasPredictions = false;
    try {
        hasPredictions = DevUnits::read(runDir).has_value();
    } catch (const std::exception&) {
        hasPredictions = false; // unreadable predictions: train it again
    }
    if (hasPredictions && logSaysFinished((fs::path(runDir) / "train.log").string()))
        return RunProgress::Complete;
    if (fs::is_directory(fs::path(runDir) / "checkpoint", error))
        return RunProgress::Resumable;
    return RunProgress::Restart;
}

const char* RunCompletion::name(RunProgress progress) {
    switch (progress) {
    case RunProgress::Missing:
        return "missing";
    case RunProgress::Running:
        return "running";
    case RunProgress::Complete:
        return "complete";
    case RunProgress::Resumable:
        return "resumable";
    case RunProgress::Restart:
        return "restart";
    }
    return "?";
}

} // namespace fsllm
