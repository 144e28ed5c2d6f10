#include "runfolder.h"

#include "atomicdirectory.h"
#include "atomicfile.h"
#include "fsllmerror.h"
#include "jsontext.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fsllm {

namespace {

std::string readIfExists(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return "";
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Keeps complete metrics lines whose step is <= keepUpToStep.
std::string keptMetrics(const std::string& text, int keepUpToStep) {
    std::istringstream in(text);
    std::string line, kept;
    while (std::getline(in, line)) {
        if (JsonText::tooDeepOffset(line) != std::string::npos)
            continue; // not a line this program wrote
        try {
            const auto object = nlohmann::json::parse(line);
            if (object.value("step", 0) <= keepUpToStep)
                kept += line + "\n";
        } catch (const nlohmann::json::exception&) {
            // a truncated line from a killed run: drop it
        }
    }
    return kept;
}

// "<name>.tmp-<pid>[-<n>]" (AtomicFile's temporary files) of a process that has ended.
bool isStaleTemporary(const std::string& name) {
    const std::size_t at = name.rfind(".tmp-");
    if (at == std::string::npos)
        return false;
    const long pid = std::strtol(name.c_str() + at + 5, nullptr, 10);
    return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

} // namespace

RunFolder::RunFolder(std::string directory) : m_directory(std::move(directory)) {
    namespace fs = std::filesystem;
    std::error_code error;
    fs::create_directories(m_directory, error);
    if (!fs::is_directory(m_directory))
        throw FsllmError(m_directory + ": cannot create the run folder (" + error.message() + ")");
    m_lock = std::make_unique<RunLock>(m_directory);
    for (fs::directory_iterator it(m_directory, error), end; !error && it != end;
         it.increment(error)) {
        std::error_code ignored;
        if (it->is_regular_file(ignored) && isStaleTemporary(it->path().filename().string()))
            fs::remove(it->path(), ignored);
    }
}

RunFolder::~RunFolder() = default;

bool RunFolder::holdsResults() const {
    return !AtomicDirectory::resolve(path("checkpoint")).empty() ||
           !AtomicDirectory::resolve(path("best")).empty() ||
           std::filesystem::exists(path("dev_metrics.json")) ||
           std::filesystem::exists(path("evaluations")); // a zero-shot run's results
}

bool RunFolder::startFresh(bool discardResults) {
    namespace fs = std::filesystem;
    if (!fs::exists(path(TrainingConfig::kFileName)))
        return false;
    if (holdsResults() && !discardResults)
        throw FsllmError(m_directory + ": already holds a run (run.json); choose another "
                                       "--out, delete it, or resume it with --resume");
    std::error_code ignored;
    for (const char* name : {"best", "best.old", "checkpoint", "checkpoint.old",
                             "dev_predictions.tsv", "dev_predictions.conll", "dev_metrics.json"})
        fs::remove_all(path(name), ignored);
    AtomicFile::write(path("metrics.jsonl"), "");
    return true;
}

void RunFolder::reopen(int keepUpToStep) {
    // Steps the checkpoint does not cover will be trained again: drop their records once.
    AtomicFile::write(path("metrics.jsonl"),
                      keptMetrics(readIfExists(path("metrics.jsonl")), keepUpToStep));
}

void RunFolder::writeConfig(const TrainingConfig& config) {
    AtomicFile::write(path(TrainingConfig::kFileName), config.toJsonText());
}

void RunFolder::appendMetrics(const std::string& jsonLine) {
    AtomicFile::appendLines(path("metrics.jsonl"), jsonLine);
}

void RunFolder::log(const std::string& message) {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    AtomicFile::appendLines(path("train.log"), std::string(stamp) + "  " + message + "\n");
}

} // namespace fsllm
