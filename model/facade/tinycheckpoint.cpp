#include "tinycheckpoint.h"

#include "atomicfile.h"
#include "decoder.h"
#include "fsllmerror.h"
#include "modelconfig.h"
#include "tensorutil.h"
#include "textfile.h"
#include "tokenizertrainer.h"
#include "weightloader.h"

#include <cstdlib>
#include <filesystem>

namespace fsllm {

namespace {

ModelConfig configFor(const TinyCheckpointOptions& options) {
    if (options.vocab < 16)
        throw FsllmError("init-tiny: --vocab must be >= 16");
    ModelConfig config = ModelConfig::llamaShaped("init-tiny", options.layers, options.hidden,
                                                  options.heads, options.kvHeads,
                                                  options.intermediate, options.vocab);
    config.maxPositionEmbeddings = options.maxPositions;
    config.tieWordEmbeddings = options.tied;
    config.modelType = options.family;
    if (options.family == "mistral")
        config.slidingWindow = 16;
    else if (options.family == "qwen2")
        config.qkvBias = true;
    else if (options.family == "qwen3")
        config.qkNorm = true;
    else if (options.family != "llama")
        throw FsllmError("init-tiny: --family " + TextFile::inQuotes(options.family) +
                         " is not one of llama, mistral, qwen2, qwen3");
    config.torchDtype = scalarTypeName(scalarTypeFromName(options.dtype));
    return config;
}

void randomise(DecoderImpl& decoder, const TinyCheckpointOptions& options) {
    torch::NoGradGuard noGrad;
    for (auto& item : decoder.named_parameters(/*recurse=*/true)) {
        const std::string& name = item.key();
        auto& parameter = item.value();
        if (name.find("norm") != std::string::npos) {
            parameter.fill_(1.0);
            continue;
        }
        const bool queryKey = name.find("q_proj") != std::string::npos ||
                              name.find("k_proj") != std::string::npos;
        parameter.normal_(0.0, queryKey ? options.qkStd : options.initStd);
    }
}

} // namespace

std::string TinyCheckpoint::defaultCorpusPath() {
    const std::string relative = "/corpus/tiny_corpus.txt";
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("FSLLM_RESOURCES"))
        candidates.push_back(env + relative);
    candidates.push_back(std::string(FSLLM_INSTALL_RESOURCES) + relative);
    std::error_code error; // a relocated install: <prefix>/bin/fsllm -> <prefix>/share/fsllm
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error)
        candidates.push_back((executable.parent_path().parent_path() / "share/fsllm").string() +
                             relative);
    candidates.push_back(std::string(FSLLM_SOURCE_RESOURCES) + relative);
    for (const auto& candidate : candidates)
        if (std::filesystem::exists(candidate))
            return candidate;
    throw FsllmError("cannot find corpus/tiny_corpus.txt (looked in $FSLLM_RESOURCES, " +
                     std::string(FSLLM_INSTALL_RESOURCES) + ", " + FSLLM_SOURCE_RESOURCES +
                     "); pass --corpus FILE");
}

void TinyCheckpoint::write(const std::string& directory, const TinyCheckpointOptions& options) {
    ModelConfig config = configFor(options);
    std::filesystem::create_directories(directory);

    TokenizerTrainingOptions tokenizerOptions;
    tokenizerOptions.vocabSize = options.vocab;
    const std::string corpus = options.corpusPath.empty() ? defaultCorpusPath() : options.corpusPath;
    TokenizerTrainer::train({corpus}, directory + "/tokenizer.model", tokenizerOptions);

    torch::manual_seed(static_cast<uint64_t>(options.seed));
    const auto dtype = scalarTypeFromName(options.dtype);
    Decoder decoder(config, torch::TensorOptions().dtype(torch::kFloat32));
    randomise(*decoder, options);
    decoder->to(dtype);
    WeightLoader::save(*decoder, directory + "/model.safetensors");
    AtomicFile::write(directory + "/config.json", config.toJsonText());
}

} // namespace fsllm
