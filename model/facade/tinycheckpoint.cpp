#include "tinycheckpoint.h"

#include "atomicfile.h"
#include "chatglmbackend.h"
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

// ChatGLM2's options on a LLaMA-shaped config: fused q/k/v with bias (the layout is the family's),
// RoPE on half of each head in pairs, never tied; its tokenizer adds 5 special tokens.
void makeChatGlm(ModelConfig& config) {
    if (config.headDim % 4 != 0)
        throw FsllmError("init-tiny: --family chatglm needs hidden / heads to be a multiple of 4 "
                         "(its RoPE turns half of each head in pairs)");
    if (config.vocabSize < 16 + int(ChatGlmBackend::specialTokens().size()))
        throw FsllmError("init-tiny: --family chatglm needs --vocab >= 21 (16 pieces and its 5 "
                         "special tokens)");
    config.qkvBias = true;
    config.rotaryDim = config.headDim / 2;
    config.ropeInterleaved = true;
    config.tieWordEmbeddings = false;
}

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
    else if (options.family == "chatglm")
        makeChatGlm(config);
    else if (options.family != "llama")
        throw FsllmError("init-tiny: --family " + TextFile::inQuotes(options.family) +
                         " is not one of llama, mistral, qwen2, qwen3, chatglm");
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
    if (config.modelType == "chatglm") { // its special tokens follow the pieces
        tokenizerOptions.vocabSize -= int(ChatGlmBackend::specialTokens().size());
        AtomicFile::write(directory + "/tokenizer_config.json",
                          "{\n  \"tokenizer_class\": \"ChatGLMTokenizer\"\n}\n");
    }
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
