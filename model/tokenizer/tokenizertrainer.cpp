// Trains a LLaMA-style sentencepiece model (see tokenizertrainer.h): identity normalization,
// dummy prefix, digits split, byte fallback, <unk>=0 <s>=1 </s>=2 and no pad piece.
// Thread-safety: sentencepiece training and its log level are process-global; one thread at a time.
#include "tokenizertrainer.h"

#include "atomicfile.h"
#include "fsllmerror.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <fstream>
#include <string>
#include <unordered_map>

namespace fsllm {

namespace {

// sentencepiece log levels: 0 info, 1 warning, 2 error. Training chatter stays off the console.
constexpr int kSentencePieceLogLevel = 2;

void checkInputFiles(const std::vector<std::string>& inputFiles) {
    if (inputFiles.empty())
        throw FsllmError("tokenizer training needs at least one input text file");
    for (const std::string& path : inputFiles) {
        if (path.find(',') != std::string::npos) {
            throw FsllmError(path + ": sentencepiece cannot read input paths that contain a "
                                    "comma; rename or copy the file");
        }
        std::ifstream file(path);
        if (!file.good())
            throw FsllmError(path + ": tokenizer training input not found or not readable");
        if (file.peek() == std::ifstream::traits_type::eof())
            throw FsllmError(path + ": tokenizer training input is empty");
    }
}

void checkOptions(const TokenizerTrainingOptions& options) {
    if (options.modelType != "bpe" && options.modelType != "unigram") {
        throw FsllmError("tokenizer model type \"" + options.modelType +
                         "\" is not supported; use \"bpe\" or \"unigram\"");
    }
    const int minimum = options.byteFallback ? 256 + 3 + 1 : 3 + 1;
    if (options.vocabSize < minimum) {
        throw FsllmError("tokenizer vocabulary size " + std::to_string(options.vocabSize) +
                         " is too small; use at least " + std::to_string(minimum) +
                         (options.byteFallback ? " (byte fallback needs 256 pieces)" : ""));
    }
    if (options.characterCoverage <= 0.0 || options.characterCoverage > 1.0)
        throw FsllmError("tokenizer character coverage must be in (0, 1]");
    if (options.numThreads < 1)
        throw FsllmError("tokenizer training needs at least one thread");
}

std::string joined(const std::vector<std::string>& parts) {
    std::string result;
    for (const std::string& part : parts)
        result += (result.empty() ? "" : ",") + part;
    return result;
}

std::string boolText(bool value) {
    return value ? "true" : "false";
}

// The trainer's flags, as LLaMA's tokenizer.model records them.
std::unordered_map<std::string, std::string>
trainerArguments(const std::vector<std::string>& inputFiles,
                 const TokenizerTrainingOptions& options) {
    return {
        {"input", joined(inputFiles)},
        {"model_type", options.modelType},
        {"vocab_size", std::to_string(options.vocabSize)},
        // Small corpora may not support the full vocabulary: stop early instead of failing.
        {"hard_vocab_limit", "false"},
        {"character_coverage", std::to_string(options.characterCoverage)},
        {"byte_fallback", boolText(options.byteFallback)},
        {"num_threads", std::to_string(options.numThreads)},
        {"unk_id", "0"},
        {"bos_id", "1"},
        {"eos_id", "2"},
        {"pad_id", "-1"},
        {"normalization_rule_name", options.normalization},
        {"add_dummy_prefix", "true"},
        {"remove_extra_whitespaces", "false"},
        {"split_digits", "true"},
        {"allow_whitespace_only_pieces", "true"},
        {"minloglevel", std::to_string(kSentencePieceLogLevel)},
        {"input_sentence_size", std::to_string(options.maxSentences)},
        {"shuffle_input_sentence", "true"},
    };
}

} // namespace

void TokenizerTrainer::train(const std::vector<std::string>& inputFiles,
                             const std::string& outputModelPath,
                             const TokenizerTrainingOptions& options) {
    checkOptions(options);
    checkInputFiles(inputFiles);

    sentencepiece::SetRandomGeneratorSeed(static_cast<unsigned int>(options.seed));
    // Training into a string (no model_prefix) leaves no half-written files behind; the model
    // reaches its place in one atomic rename.
    std::string serializedModel;
    const sentencepiece::util::Status status = sentencepiece::SentencePieceTrainer::Train(
        trainerArguments(inputFiles, options), nullptr, &serializedModel);
    if (!status.ok()) {
        throw FsllmError("tokenizer training on " + joined(inputFiles) + " failed (" +
                         status.ToString() + ")");
    }
    if (serializedModel.empty())
        throw FsllmError("tokenizer training on " + joined(inputFiles) + " produced no model");
    AtomicFile::write(outputModelPath, serializedModel);
}

} // namespace fsllm
