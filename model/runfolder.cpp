#include "runfolder.h"

#include "atomicfile.h"
#include "fsllmerror.h"

#include <nlohmann/json.hpp>

#include <chrono>
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

} // namespace

RunFolder::RunFolder(std::string directory, bool fresh, int keepUpToStep)
    : m_directory(std::move(directory)) {
    std::error_code error;
    std::filesystem::create_directories(m_directory, error);
    if (!std::filesystem::is_directory(m_directory))
        throw FsllmError(m_directory + ": cannot create the run folder (" + error.message() + ")");
    if (fresh) {
        if (std::filesystem::exists(path(TrainingConfig::kFileName)))
            throw FsllmError(m_directory + ": already holds a run (run.json); choose another "
                             "--out, delete it, or resume it with --resume");
        return;
    }
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
