#include "tinycheckpoint.h"

#include "atomicfile.h"
#include "decoder.h"
#include "fsllmerror.h"
#include "modelconfig.h"
#include "tensorutil.h"
#include "tokenizertrainer.h"
#include "weightloader.h"

#include <cstdlib>
#include <filesystem>

namespace fsllm {

namespace {

ModelConfig configFor(const TinyCheckpointOptions& options) {
    if (options.layers < 1 || options.hidden < 1 || options.heads < 1 || options.kvHeads < 1 ||
        options.vocab < 16)
        throw FsllmError("init-tiny: layers, hidden, heads and kv-heads must be >= 1 and vocab >= 16");
    if (options.hidden % options.heads != 0 || options.heads % options.kvHeads != 0 ||
        (options.hidden / options.heads) % 2 != 0)
        throw FsllmError("init-tiny: hidden must be a multiple of heads with an even head size, "
                         "and heads a multiple of kv-heads");
    ModelConfig config;
    config.hiddenSize = options.hidden;
    config.intermediateSize = options.intermediate > 0
                                  ? options.intermediate
                                  : ((options.hidden * 8 / 3 + 15) / 16) * 16;
    config.numLayers = options.layers;
    config.numHeads = options.heads;
    config.numKvHeads = options.kvHeads;
    config.headDim = options.hidden / options.heads;
    config.vocabSize = options.vocab;
    config.maxPositionEmbeddings = options.maxPositions;
    config.rmsNormEps = 1e-5;
    config.tieWordEmbeddings = options.tied;
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
