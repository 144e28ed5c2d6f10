// Fuzz targets for what a run folder holds: run.json + metrics.jsonl + best/best.json,
// checkpoint/state.json, best/classifier.json.
#include "classifierspec.h"
#include "fsllmerror.h"
#include "fuzzscratch.h"
#include "fuzztargetregistry.h"
#include "runrecord.h"
#include "trainerstate.h"

#include <string>
#include <string_view>

using fsllm::FsllmError;
using fsllm::fuzz::FuzzScratch;

namespace {
// Separates the files of one input: run.json, metrics.jsonl, best/best.json.
constexpr std::string_view kFileSeparator = "\n#fsllm-fuzz-next-file#\n";
} // namespace

// Input: run.json [kFileSeparator metrics.jsonl [kFileSeparator best/best.json]].
FSLLM_FUZZ_TARGET(run_record) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::string folder = FuzzScratch::freshFolder("run");
    const char* const files[] = {"run/run.json", "run/metrics.jsonl", "run/best/best.json"};
    for (const char* file : files) {
        const std::size_t cut = input.find(kFileSeparator);
        FuzzScratch::write(file, input.substr(0, cut));
        if (cut == std::string_view::npos)
            break;
        input.remove_prefix(cut + kFileSeparator.size());
    }
    try {
        const fsllm::RunRecord record = fsllm::RunRecord::load(folder);
        (void)record.best();
        (void)record.name();
    } catch (const FsllmError&) {
    }
}

// Input: checkpoint/state.json.
FSLLM_FUZZ_TARGET(trainer_state) {
    const std::string path = FuzzScratch::write("state.json", data, size);
    try {
        (void)fsllm::TrainerState::load(path);
    } catch (const FsllmError&) {
    }
}

// Input: best/classifier.json text.
FSLLM_FUZZ_TARGET(classifier_spec) {
    try {
        (void)fsllm::ClassifierSpec::fromJsonText(
            std::string(reinterpret_cast<const char*>(data), size), "classifier.json");
    } catch (const FsllmError&) {
    }
}
