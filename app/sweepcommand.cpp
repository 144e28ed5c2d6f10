#include "sweepcommand.h"

#include "atomicfile.h"
#include "childprocess.h"
#include "commandline.h"
#include "devunits.h"
#include "fsllmerror.h"
#include "jsontext.h"
#include "runcompletion.h"
#include "runrecord.h"
#include "runsignificance.h"
#include "sweepgrid.h"
#include "sweepsummary.h"
#include "trainingcommandspecs.h"
#include "trainingoptions.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

namespace fsllm {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The running children, for the signal handler (which may only read this and call kill()).
constexpr int kMaxJobs = 64;
volatile pid_t g_children[kMaxJobs] = {};
volatile bool g_stop = false;

void forwardStop() {
    for (int i = 0; i < kMaxJobs; ++i)
        if (g_children[i] > 0)
            ::kill(g_children[i], SIGTERM);
}

void stopAtOnce(int signal) { // a second signal: the children's second one ends them at once
    forwardStop();
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

void stopCleanly(int) { // the first: every run checkpoints after its current step
    g_stop = true;
    forwardStop();
    std::signal(SIGINT, stopAtOnce);
    std::signal(SIGTERM, stopAtOnce);
}

class StopSignals {
public:
    StopSignals() {
        g_stop = false;
        std::signal(SIGINT, stopCleanly);
        std::signal(SIGTERM, stopCleanly);
    }
    ~StopSignals() {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
    }
};

struct Planned {
    int index = 0; // 1-based position in the grid
    SweepPoint point;
    RunProgress progress = RunProgress::Missing;
};

// "mask decay 0.5, head fs, seed 1, data genre"
std::string describe(const SweepPoint& point) {
    const TrainingConfig& c = point.config;
    std::ostringstream text;
    text << "mask " << c.mask.describe() << ", head " << headKindName(c.head) << ", seed "
         << c.seed << ", data " << fs::path(c.trainFile).filename().string();
    return text.str();
}

// The first field in which two configurations' group keys differ ("" when none).
std::string firstDifference(const std::string& keyA, const std::string& keyB) {
    const nlohmann::json a = nlohmann::json::parse(keyA), b = nlohmann::json::parse(keyB);
    for (const auto& item : a.items())
        if (!b.contains(item.key()) || b[item.key()] != item.value())
            return item.key() + " " + JsonText::shown(item.value()) + " (the folder has " +
                   (b.contains(item.key()) ? JsonText::shown(b[item.key()]) : "none") + ")";
    return "";
}

// A folder that holds a run must hold this point's run, else its results would be mixed up.
void checkSameRun(const SweepPoint& point) {
    const std::string path = point.config.outDir + "/" + TrainingConfig::kFileName;
    const TrainingConfig existing = TrainingConfig::load(path);
    const std::string expected = ResultsSignificance::groupKey(point.config);
    const std::string found = ResultsSignificance::groupKey(existing);
    if (expected != found || existing.seed != point.config.seed)
        throw FsllmError(path + ": this folder holds a run with other settings (" +
                         (expected != found ? firstDifference(expected, found)
                                            : "seed " + std::to_string(point.config.seed) +
                                                  " (the folder has " +
                                                  std::to_string(existing.seed) + ")") +
                         "); choose another --out or move the folder away");
}

std::string lastLine(const std::string& path) {
    std::ifstream in(path);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty())
            last = line;
    return last;
}

std::string scoreText(const std::string& runDir) {
    try {
        if (const auto dev = DevUnits::read(runDir))
            return "dev " + dev->metric + " " + SweepSummary::percent(dev->scores.score());
    } catch (const std::exception&) {
    }
    return "no dev predictions";
}

std::vector<RunToCompare> runsOf(const std::vector<Planned>& plan) {
    std::vector<RunToCompare> runs;
    for (const Planned& planned : plan)
        if (fs::is_regular_file(planned.point.config.outDir + "/" + TrainingConfig::kFileName))
            runs.push_back({planned.point.config.outDir, planned.point.config});
    return runs;
}

} // namespace

int SweepCommand::run(const std::vector<std::string>& args) {
    CommandLine line(TrainingCommandSpecs::sweep(), args);
    const std::string out = line.required("out");
    TrainingConfig base = TrainingOptions::configFrom(line);
    SweepGrid grid = line.has("grid") ? SweepGrid::load(line.value("grid", "")) : SweepGrid{};
    if (line.has("masks"))
        grid.masks = SweepGrid::parseMasks(line.value("masks", ""), "--masks");
    if (line.has("lambdas"))
        grid.lambdas = SweepGrid::parseNumbers(line.value("lambdas", ""), "--lambdas");
    if (line.has("mask-from-layers"))
        grid.fromLayers =
            SweepGrid::parseIntegers(line.value("mask-from-layers", ""), "--mask-from-layers");
    if (line.has("heads"))
        grid.heads = SweepGrid::parseHeads(line.value("heads", ""), "--heads");
    if (line.has("seeds"))
        grid.seeds = SweepGrid::parseIntegers(line.value("seeds", ""), "--seeds");
    if (line.has("data")) {
        grid.data.clear();
        std::stringstream list(line.value("data", ""));
        for (std::string item; std::getline(list, item, ',');)
            if (!item.empty())
                grid.data.push_back(SweepData::parse(item, "--data"));
    }
    SignificanceOptions significance;
    significance.resamples = line.intValue("resamples", significance.resamples);
    if (significance.resamples < 1)
        throw FsllmError("fsllm sweep: --resamples must be at least 1");

    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    int jobs = line.intValue("jobs", 1);
    if (jobs < 1 || jobs > kMaxJobs)
        throw FsllmError("fsllm sweep: --jobs must be in 1.." + std::to_string(kMaxJobs));
    if (unsigned(jobs) > cores) {
        std::cout << "note: --jobs " << jobs << " is more than this machine's " << cores
                  << " core(s); running " << cores << " at once\n";
        jobs = int(cores);
    }
    if (!line.has("threads") && jobs > 1)
        base.threads = std::max(1, int(cores) / jobs);

    std::vector<Planned> plan;
    int index = 0;
    for (SweepPoint& point : grid.expand(base, out)) {
        withErrorContext("sweep run " + point.name, [&] { point.config.validate(); });
        Planned planned;
        planned.index = ++index;
        planned.progress = RunCompletion::of(point.config.outDir);
        planned.point = std::move(point);
        if (planned.progress != RunProgress::Missing)
            checkSameRun(planned.point);
        plan.push_back(std::move(planned));
    }
    const int total = int(plan.size());
    std::cout << "sweep: " << total << " run(s) in " << out << ", " << jobs << " at a time"
              << (base.threads > 0 ? ", " + std::to_string(base.threads) + " thread(s) each" : "")
              << "\n";
    if (line.flag("dry-run")) {
        for (const Planned& p : plan)
            std::cout << (p.progress == RunProgress::Complete    ? "skip   "
                          : p.progress == RunProgress::Running   ? "busy   "
                          : p.progress == RunProgress::Resumable ? "resume "
                                                                 : "train  ")
                      << p.index << "/" << total << ": " << p.point.name << " ("
                      << describe(p.point) << ")\n";
        return 0;
    }

    const fs::path logs = fs::path(out) / "logs";
    std::error_code error;
    fs::create_directories(logs, error);
    if (error)
        throw FsllmError(logs.string() + ": cannot create the folder (" + error.message() + ")");
    AtomicFile::write((fs::path(out) / "sweep.json").string(), grid.toJsonText());

    const std::string self = ChildProcess::selfPath();
    std::vector<const Planned*> pending;
    for (const Planned& p : plan) {
        if (p.progress == RunProgress::Complete)
            std::cout << "skip " << p.index << "/" << total << ": " << p.point.name
                      << " (complete: " << scoreText(p.point.config.outDir) << ")\n";
        else if (p.progress == RunProgress::Running)
            std::cout << "skip " << p.index << "/" << total << ": " << p.point.name
                      << " (another job is training it now)\n";
        else
            pending.push_back(&p);
    }
    std::cout << std::flush;

    struct Active {
        const Planned* planned;
        int slot;
        Clock::time_point started;
    };
    std::map<pid_t, Active> active;
    std::vector<std::string> failed;
    int stoppedRuns = 0;
    {
        const StopSignals signals;
        std::size_t next = 0;
        while (next < pending.size() || !active.empty()) {
            while (!g_stop && next < pending.size() && int(active.size()) < jobs) {
                const Planned& p = *pending[next++];
                const std::string log = (logs / (p.point.name + ".log")).string();
                std::vector<std::string> childArgs;
                if (p.progress == RunProgress::Resumable) {
                    childArgs = {"train", "--resume", p.point.config.outDir};
                } else {
                    const std::string config = (logs / (p.point.name + ".json")).string();
                    AtomicFile::write(config, p.point.config.toJsonText());
                    childArgs = {"train", "--config", config};
                }
                int slot = 0;
                while (g_children[slot] > 0)
                    ++slot;
                const pid_t pid = ChildProcess::start(self, childArgs, log);
                g_children[slot] = pid;
                active[pid] = {&p, slot, Clock::now()};
                std::cout << "run " << p.index << "/" << total << ": " << p.point.name << " ("
                          << describe(p.point)
                          << (p.progress == RunProgress::Resumable ? ", resumed" : "")
                          << "), log " << log << std::endl;
            }
            if (active.empty())
                break; // stopped before the rest started
            int code = 0;
            const pid_t pid = ChildProcess::waitAny(code);
            if (pid <= 0)
                break;
            const auto it = active.find(pid);
            if (it == active.end())
                continue;
            const Planned& p = *it->second.planned;
            g_children[it->second.slot] = 0;
            const double seconds =
                std::chrono::duration<double>(Clock::now() - it->second.started).count();
            active.erase(it);
            const std::string dir = p.point.config.outDir;
            const RunProgress now = RunCompletion::of(dir);
            std::cout << std::fixed << std::setprecision(1);
            if (code == 0 && now == RunProgress::Complete) {
                std::cout << "done " << p.index << "/" << total << ": " << p.point.name << " in "
                          << seconds << " s, " << scoreText(dir) << std::endl;
            } else if (code == 0) {
                ++stoppedRuns;
                std::cout << "stopped " << p.index << "/" << total << ": " << p.point.name
                          << " after " << seconds << " s (its checkpoint is kept)" << std::endl;
            } else {
                failed.push_back(p.point.name);
                std::cout << "failed " << p.index << "/" << total << ": " << p.point.name
                          << " (exit " << code << "): "
                          << lastLine((logs / (p.point.name + ".log")).string()) << std::endl;
            }
            SweepSummary::write(SweepSummary::rows(runsOf(plan), significance), out);
        }
    }
    const auto rows = SweepSummary::rows(runsOf(plan), significance);
    const auto written = SweepSummary::write(rows, out);
    std::cout << "\n" << SweepSummary::toMarkdown(rows) << "\nwrote " << written[0] << "\nwrote "
              << written[1] << "\n";
    if (g_stop || stoppedRuns > 0)
        std::cout << "stopped; continue with the same command (complete runs are skipped, "
                     "stopped runs resumed)\n";
    if (!failed.empty()) {
        std::string names;
        for (const std::string& name : failed)
            names += (names.empty() ? "" : ", ") + name;
        throw FsllmError("fsllm sweep: " + std::to_string(failed.size()) + " run(s) failed: " +
                         names + "; see " + logs.string() + "/<run>.log");
    }
    return 0;
}

} // namespace fsllm
