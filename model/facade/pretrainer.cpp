#include "pretrainer.h"

#include "adamwsetup.h"
#include "atomicfile.h"
#include "decoder.h"
#include "fsllmerror.h"
#include "runtimeinfo.h"
#include "tensorutil.h"
#include "tokenizer.h"
#include "tokenizertrainer.h"
#include "weightloader.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace fsllm {

namespace {

using Clock = std::chrono::steady_clock;

// The text of `path` as one token stream: each non-empty line becomes BOS + its pieces.
std::vector<int32_t> tokenStream(const std::string& path, const Tokenizer& tokenizer) {
    std::ifstream in(path);
    if (!in)
        throw FsllmError(path + ": cannot open the text file");
    std::vector<int32_t> stream;
    std::string line;
    int lineNumber = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        if (line.empty())
            continue;
        const auto ids = withErrorContext(path + ":" + std::to_string(lineNumber),
                                          [&] { return tokenizer.encode(line, /*addBos=*/true); });
        stream.insert(stream.end(), ids.begin(), ids.end());
    }
    return stream;
}

ModelConfig configFor(const PretrainOptions& o, int vocab) {
    ModelConfig config = ModelConfig::llamaShaped("pretrain", o.layers, o.hidden, o.heads,
                                                  o.kvHeads, o.intermediate, vocab);
    config.maxPositionEmbeddings = 512;
    config.tieWordEmbeddings = true;
    config.torchDtype = scalarTypeName(scalarTypeFromName(o.saveDtype));
    return config;
}

// GPT-2 style initialisation: N(0, 0.02), residual output projections scaled by 1/sqrt(2L).
void initialise(DecoderImpl& decoder, int layers) {
    torch::NoGradGuard noGrad;
    for (auto& item : decoder.named_parameters()) {
        auto& parameter = item.value();
        const std::string& name = item.key();
        parameter.set_requires_grad(true);
        if (name.find("norm") != std::string::npos) {
            parameter.fill_(1.0);
            continue;
        }
        const bool residual = name.find("o_proj") != std::string::npos ||
                              name.find("down_proj") != std::string::npos;
        parameter.normal_(0.0, residual ? 0.02 / std::sqrt(2.0 * layers) : 0.02);
    }
}

// Causal LM loss of chunks [B, T+1]: predict tokens 1..T from 0..T-1.
torch::Tensor languageModelLoss(DecoderImpl& decoder, const torch::Tensor& chunks) {
    const int64_t T = chunks.size(1) - 1;
    auto inputs = chunks.narrow(1, 0, T);
    auto targets = chunks.narrow(1, 1, T);
    auto lengths = torch::full({chunks.size(0)}, T, torch::kInt64);
    ForwardOptions options; // causal
    auto hidden = decoder.forward(inputs, lengths, options).hidden;  // [B, T, D]
    auto logits = decoder.lmLogits(hidden);                          // [B, T, V] f32
    return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}),
                                                targets.reshape({-1}));
}

torch::Tensor chunkAt(const std::vector<int32_t>& stream, int64_t offset, int64_t length) {
    return torch::from_blob(const_cast<int32_t*>(stream.data() + offset), {length}, torch::kInt32)
        .to(torch::kInt64);
}

double heldoutLoss(DecoderImpl& decoder, const std::vector<int32_t>& stream, int seqLen,
                   int chunks, int batch) {
    torch::NoGradGuard noGrad;
    decoder.eval();
    const int64_t available = static_cast<int64_t>(stream.size() - 1) / seqLen;
    const int64_t count = std::min<int64_t>(chunks, available);
    double sum = 0.0;
    int64_t done = 0;
    for (int64_t start = 0; start < count; start += batch) {
        std::vector<torch::Tensor> rows;
        for (int64_t c = start; c < std::min<int64_t>(count, start + batch); ++c)
            rows.push_back(chunkAt(stream, c * seqLen, seqLen + 1));
        sum += languageModelLoss(decoder, torch::stack(rows)).item<double>() * rows.size();
        done += static_cast<int64_t>(rows.size());
    }
    decoder.train();
    return done ? sum / done : 0.0;
}

} // namespace

PretrainReport Pretrainer::run(const PretrainOptions& o,
                               const std::function<void(const std::string&)>& progress) {
    auto say = [&](const std::string& text) {
        if (progress)
            progress(text);
    };
    if (o.outDir.empty() || o.trainText.empty() || o.heldoutText.empty())
        throw FsllmError("pretrain: --train-text, --heldout-text and --out are required");
    configFor(o, o.vocab); // checks the sizes before any work
    Runtime::configureThreads(o.threads);
    std::filesystem::create_directories(o.outDir);
    const std::string tokenizerPath = o.outDir + "/tokenizer.model";
    if (o.tokenizer.empty()) {
        say("training a " + std::to_string(o.vocab) + "-piece tokenizer on " + o.trainText);
        TokenizerTrainingOptions tokenizerOptions;
        tokenizerOptions.vocabSize = o.vocab;
        tokenizerOptions.numThreads = std::max(1, Runtime::availableCores());
        tokenizerOptions.maxSentences = 300000;
        TokenizerTrainer::train({o.trainText}, tokenizerPath, tokenizerOptions);
    } else if (std::filesystem::absolute(o.tokenizer) != std::filesystem::absolute(tokenizerPath)) {
        std::filesystem::copy_file(o.tokenizer, tokenizerPath,
                                   std::filesystem::copy_options::overwrite_existing);
    }
    Tokenizer tokenizer(tokenizerPath);
    const auto train = tokenStream(o.trainText, tokenizer);
    const auto heldout = tokenStream(o.heldoutText, tokenizer);
    if (train.size() < static_cast<std::size_t>(o.seqLen) * 4 || heldout.size() < static_cast<std::size_t>(o.seqLen) + 1)
        throw FsllmError("pretrain: the text is too short for --seq-len " + std::to_string(o.seqLen));
    PretrainReport report;
    report.trainTokens = static_cast<long long>(train.size());
    report.heldoutTokens = static_cast<long long>(heldout.size());
    say("tokens: train " + std::to_string(train.size()) + ", held-out " + std::to_string(heldout.size()));

    const ModelConfig config = configFor(o, tokenizer.vocabSize());
    torch::manual_seed(static_cast<uint64_t>(o.seed));
    Decoder decoder(config, torch::TensorOptions().dtype(torch::kFloat32));
    initialise(*decoder, o.layers);
    for (const auto& parameter : decoder->parameters())
        report.parameters += parameter.numel();
    say("model: " + std::to_string(report.parameters) + " parameters");

    auto optimizer = AdamWSetup::create(decoder->parameters(), o.learningRate, o.weightDecay,
                                        /*beta2=*/0.95);

    std::mt19937_64 random(static_cast<uint64_t>(o.seed) + 1);
    std::uniform_int_distribution<int64_t> offset(0, static_cast<int64_t>(train.size()) - o.seqLen - 2);
    const double budget = o.minutes * 60.0;
    const auto start = Clock::now();
    std::string log;
    double bestHeldout = INFINITY;
    double lossSum = 0.0;
    int lossCount = 0;
    decoder->train();
    for (int step = 0;; ++step) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        double progressFraction = elapsed / budget;
        if (o.maxSteps > 0)
            progressFraction = std::max(progressFraction, static_cast<double>(step) / o.maxSteps);
        const bool last = progressFraction >= 1.0;
        if (step > 0 && (step % o.evalEvery == 0 || last)) {
            const double loss = heldoutLoss(*decoder, heldout, o.seqLen, o.evalChunks, o.batch);
            nlohmann::json line = {{"step", step},
                                   {"tokens", report.tokensSeen},
                                   {"train_loss", lossSum / std::max(1, lossCount)},
                                   {"heldout_loss", loss},
                                   {"heldout_ppl", std::exp(loss)},
                                   {"wall_time", elapsed}};
            log += line.dump() + "\n";
            AtomicFile::write(o.outDir + "/pretrain_log.jsonl", log);
            std::ostringstream text;
            text.precision(4);
            text << "step " << step << "  tokens " << report.tokensSeen << "  train loss "
                 << lossSum / std::max(1, lossCount) << "  held-out loss " << loss << "  ppl "
                 << std::exp(loss) << "  " << static_cast<int>(elapsed) << " s";
            say(text.str());
            report.finalTrainLoss = lossSum / std::max(1, lossCount);
            lossSum = 0.0;
            lossCount = 0;
            if (loss < bestHeldout) { // keep the best model on disk at every evaluation
                bestHeldout = loss;
                report.heldoutLoss = loss;
                report.heldoutPerplexity = std::exp(loss);
                report.steps = step;
                WeightLoader::save(*decoder, o.outDir + "/model.safetensors",
                                   scalarTypeFromName(o.saveDtype));
                AtomicFile::write(o.outDir + "/config.json", config.toJsonText());
            }
        }
        if (last)
            break;
        const double warm = std::max(1, o.warmupSteps);
        const double cosine = 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progressFraction)));
        const double rate = step < warm ? o.learningRate * (step + 1) / warm
                                        : o.learningRate * (o.minLearningRateRatio +
                                                            (1.0 - o.minLearningRateRatio) * cosine);
        AdamWSetup::setLearningRate(*optimizer, rate);
        std::vector<torch::Tensor> rows;
        for (int b = 0; b < o.batch; ++b)
            rows.push_back(chunkAt(train, offset(random), o.seqLen + 1));
        optimizer->zero_grad();
        auto loss = languageModelLoss(*decoder, torch::stack(rows)); // chunks [B, T+1]
        const double value = loss.item<double>();
        if (!std::isfinite(value))
            throw FsllmError("pretrain: loss became " + std::to_string(value) + " at step " +
                             std::to_string(step) + "; lower --lr");
        loss.backward();
        torch::nn::utils::clip_grad_norm_(decoder->parameters(), 1.0);
        optimizer->step();
        lossSum += value;
        ++lossCount;
        report.tokensSeen += static_cast<long long>(o.batch) * o.seqLen;
    }
    report.wallSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    return report;
}

} // namespace fsllm
