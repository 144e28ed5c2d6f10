#include "enginecommands.h"

#include "atomicfile.h"
#include "benchmark.h"
#include "checkpointbenchmark.h"
#include "commandline.h"
#include "engine.h"
#include "fsllmerror.h"
#include "jsontext.h"
#include "memoryestimate.h"
#include "memoryprobe.h"
#include "pretrainer.h"
#include "textfile.h"
#include "tinycheckpoint.h"
#include "tokenizer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <regex>

namespace fsllm {

namespace {

const std::map<std::string, std::string> kUsage = {
    {"info", "fsllm info --model DIR [--device auto|cpu|cuda] [--dtype auto|float32|bfloat16] "
             "[--threads N]\n           [--batch-size 16] [--max-length 128] [--lora-rank 8] "
             "[--lora-targets q,k,v,o]\n  Architecture, sizes, parameter count, dtype, device, "
             "BLAS, threads, and the memory LoRA\n  training at that batch size and length "
             "would need (headers only: no weights read).\n"},
    {"inspect",
     "fsllm inspect --model DIR --text TEXT [--mask causal|bidirectional|decay] [--lambda L]\n"
     "              [--mask-from-layer K] [--adapter RUN_DIR] [--json OUT] [--no-logits]\n"
     "              [--timing] [--device D] [--dtype T] [--threads N]\n"
     "  Tokens, attention [layer][head][T][T], hidden [T][D] and logits [T][V] of one sentence\n"
     "  under a mask (default: the adapter's mask, else causal; lambda default 0.5; layers\n"
     "  below --mask-from-layer stay causal).\n"},
    {"init-tiny",
     "fsllm init-tiny --out DIR [--layers 2] [--hidden 64] [--heads 4] [--kv-heads 2]\n"
     "                [--intermediate N] [--vocab 512] [--seed 0] [--qk-std 0.02] [--tied]\n"
     "                [--dtype float32|bfloat16] [--corpus FILE]\n"
     "                [--family llama|mistral|qwen2|qwen3|chatglm]\n"
     "  Writes a small random checkpoint (Hugging Face layout) with a tokenizer trained on the\n"
     "  shipped corpus. --family picks model_type with its own options on: mistral a sliding\n"
     "  window of 16, qwen2 q/k/v biases, qwen3 per-head q/k RMSNorm, chatglm ChatGLM2's\n"
     "  layout (fused q/k/v with bias, half-head RoPE, [gMASK] sop tokenizer prefix).\n"},
    {"bench",
     "fsllm bench [--layers 3] [--hidden 96] [--heads 6] [--kv-heads 2] [--intermediate N]\n"
     "            [--batch 16] [--seq-len 25] [--steps 10] [--lora-rank 8] [--dtype float32]\n"
     "            [--device cpu] [--threads N]\n"
     "  Forward and LoRA training tokens/s and GFLOP/s beside this run's matmul GFLOP/s.\n"},
    {"bench-checkpoint",
     "fsllm bench-checkpoint --out DIR [--preset 7b|1b|tiny] [--layers N] [--hidden D]\n"
     "            [--heads H] [--kv-heads K] [--intermediate F] [--vocab V] [--dtype bfloat16]\n"
     "            [--batch 1] [--seq-len 64] [--steps 2] [--lora-rank 8] [--threads N]\n"
     "  Streams a random checkpoint of that shape into DIR (default preset 7b: LLaMA-2-7B,\n"
     "  12.6 GiB in bfloat16; reused when DIR holds it), then prints header, load and inspect\n"
     "  times, LoRA training tokens/s with and without --gradient-checkpointing, the share of\n"
     "  the matmul peak, and memory measured beside the estimate.\n"},
    {"tokenize",
     "fsllm tokenize --tokenizer FILE|DIR (--text TEXT | --texts FILE.jsonl) [--no-bos]\n"
     "               [--pieces]\n"
     "  Token ids (or pieces) of each text as one JSON array a line; --texts holds one JSON\n"
     "  string a line. FILE: tokenizer.model or tokenizer.json; DIR: a checkpoint folder.\n"},
    {"pretrain",
     "fsllm pretrain --train-text FILE --heldout-text FILE --out DIR [--tokenizer FILE]\n"
     "               [--vocab 8000] [--layers 4] [--hidden 256] [--heads 8] [--kv-heads 4]\n"
     "               [--intermediate N] [--seq-len 128] [--batch 32] [--lr 3e-3]\n"
     "               [--warmup-steps 100] [--minutes 120] [--max-steps N] [--eval-every 200]\n"
     "               [--seed 0] [--threads N] [--dtype bfloat16|float32]\n"
     "  Pre-trains a small LLaMA-shaped causal LM from scratch (the bundled default model's\n"
     "  recipe; see installer/build-default-model.sh).\n"},
};

// The inspection target of the README's performance table: all layers' attention under the
// three masks, as the studio's Inspect tab asks for it for a new sentence (one batched forward
// pass). Prints the mean of 10 repetitions after one warm-up.
void printInspectTiming(Engine& engine, InspectRequest request) {
    request.wantLogits = false;
    const std::vector<MaskSpec> masks = {
        {MaskMode::Causal, 0.0}, {MaskMode::Decay, 0.5}, {MaskMode::Bidirectional, 0.0}};
    auto runAll = [&] { engine.inspectMasks(request, masks); };
    runAll();
    const int repeats = 10;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < repeats; ++i)
        runAll();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::cout << "timing  " << std::fixed << std::setprecision(1) << ms / repeats
              << " ms for the three masks (attention of every layer, mean of " << repeats << ")\n";
}

} // namespace

int EngineCommands::tokenize(const std::vector<std::string>& args) {
    CommandLine line("tokenize", args, {"tokenizer", "text", "texts"}, {"no-bos", "pieces"});
    std::string path = line.required("tokenizer");
    if (std::filesystem::is_directory(path)) {
        const std::string found = Tokenizer::fileInFolder(path);
        if (found.empty())
            throw FsllmError(Tokenizer::missingMessage(path));
        path = found;
    }
    if (line.has("text") == line.has("texts"))
        throw FsllmError("fsllm tokenize: give exactly one of --text and --texts");
    std::vector<std::string> texts;
    if (line.has("text")) {
        texts.push_back(line.value("text", ""));
    } else {
        const std::string file = line.value("texts", "");
        const std::string content = TextFile::load(file);
        TextFile::LineCursor cursor(content);
        for (std::string_view row; cursor.next(row);) {
            if (row.empty())
                continue;
            const std::string where = file + ":" + std::to_string(cursor.number());
            const nlohmann::json value =
                JsonText::parse(row, where, "write one JSON string a line");
            if (!value.is_string())
                throw FsllmError(where + ": expected a JSON string, got " +
                                 JsonText::shown(value));
            texts.push_back(value.get<std::string>());
        }
    }
    const Tokenizer tokenizer(path);
    for (const std::string& text : texts) {
        const std::vector<int> ids = tokenizer.encode(text, !line.flag("no-bos"));
        const nlohmann::json out = line.flag("pieces") ? nlohmann::json(tokenizer.pieces(ids))
                                                       : nlohmann::json(ids);
        std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return 0;
}

std::string EngineCommands::usage(const std::string& command) {
    return CommandLine::usageFrom(kUsage, command);
}

int EngineCommands::info(const std::vector<std::string>& args) {
    CommandLine line("info", args,
                     {"model", "device", "dtype", "threads", "batch-size", "max-length",
                      "lora-rank", "lora-targets"},
                     {});
    // Headers only: no decoder, no tensor data (a 7B checkpoint prints in well under a second).
    const ModelSummary s = Engine::summarize(line.required("model"), line.engineOptions());
    std::cout << "model        " << s.directory << "\n"
              << "architecture " << s.modelType << ": " << s.family << "\n"
              << "options      " << s.options << "\n"
              << "layers       " << s.layers << "\n"
              << "hidden       " << s.hiddenSize << "  (intermediate " << s.intermediateSize
              << ")\n"
              << "heads        " << s.heads << " query / " << s.kvHeads << " key-value, head_dim "
              << s.headDim << "\n"
              << "vocab        " << s.vocabSize << "  (tokenizer pieces: "
              << (s.tokenizerPieces ? std::to_string(s.tokenizerPieces) : "no tokenizer")
              << ")\n"
              << "tokenizer    "
              << (s.tokenizerFile.empty() ? "none (no tokenizer.model or tokenizer.json)"
                                          : s.tokenizerFile + ", " + s.tokenizerKind)
              << "\n"
              << "positions    " << s.maxPositions << "  rope_theta " << s.ropeTheta
              << "  rope scaling " << s.ropeScaling << "\n"
              << "embeddings   " << (s.tiedEmbeddings ? "tied to the LM head" : "untied") << "\n"
              << "parameters   " << s.parameterCount << "\n"
              << "dtype        stored " << s.storedDtype << ", compute " << s.computeDtype << "\n"
              << "device       " << s.device
              << (s.runtime.cudaAvailable ? "  (CUDA available)" : "  (no CUDA)") << "\n"
              << "torch        " << s.runtime.torchVersion << "\n"
              << "BLAS         " << s.runtime.blasLibrary << "\n"
              << "threads      " << s.runtime.threads << "\n";
    // What LoRA training at the given (or default) batch and length would need.
    TrainingConfig run;
    run.device = line.value("device", run.device);
    run.dtype = line.value("dtype", run.dtype);
    run.batchSize = line.intValue("batch-size", run.batchSize);
    run.maxLength = line.intValue("max-length", run.maxLength);
    run.loraRank = line.intValue("lora-rank", run.loraRank);
    run.loraTargets = line.value("lora-targets", run.loraTargets);
    const MemoryEstimate memory = MemoryEstimate::estimate(MemoryEstimate::inputFor(
        run, ModelConfig::fromFile(s.directory + "/config.json"), 2));
    std::cout << "memory       LoRA r" << run.loraRank << " on " << run.loraTargets << ", batch "
              << run.batchSize << " x " << run.maxLength << " tokens:\n             "
              << std::regex_replace(memory.toText(MemoryProbe::totalRamMiB()), std::regex("\n"),
                                    "\n             ")
              << "\n";
    return 0;
}

int EngineCommands::inspect(const std::vector<std::string>& args) {
    CommandLine line(
        "inspect", args,
        {"model", "text", "mask", "lambda", "mask-from-layer", "adapter", "json", "device",
         "dtype", "threads"},
        {"no-logits", "timing"});
    const std::string modelDir = line.required("model");
    const std::string text = line.required("text");
    // The mask options are checked before the (slow) model load, so a typo fails at once.
    std::optional<MaskMode> maskMode;
    if (line.has("mask"))
        maskMode = withErrorContext("fsllm inspect: --mask",
                                    [&] { return maskModeFromName(line.value("mask", "")); });
    std::optional<double> lambda;
    if (line.has("lambda")) {
        lambda = line.doubleValue("lambda", 0.0);
        if (*lambda < 0.0)
            throw FsllmError("fsllm inspect: --lambda must be >= 0 (0 = bidirectional, larger = "
                             "closer to causal), got '" +
                             line.value("lambda", "") + "'");
    }
    // float32 for a small half-precision model unless --dtype says otherwise
    auto engine = Engine::open(modelDir, Engine::inspectionOptions(modelDir, line.engineOptions()));
    if (line.has("adapter"))
        engine->loadAdapter(line.value("adapter", ""));

    InspectRequest request;
    request.text = text;
    request.mask = engine->classifier() ? engine->classifier()->mask : MaskSpec{};
    if (maskMode) {
        request.mask.mode = *maskMode;
        if (request.mask.mode == MaskMode::Decay && !lambda &&
            (std::isinf(request.mask.lambda) || !engine->classifier()))
            request.mask.lambda = 0.5;
    }
    if (lambda)
        request.mask.lambda = *lambda;
    if (line.has("mask-from-layer"))
        request.mask.fromLayer = line.intValue("mask-from-layer", 0);
    request.wantLogits = !line.flag("no-logits");
    const InspectResult result = engine->inspect(request);
    if (line.flag("timing"))
        printInspectTiming(*engine, request);

    std::cout << "mask    " << result.mask.describe() << "\n";
    std::cout << "tokens  " << result.tokenCount << ":";
    for (std::size_t i = 0; i < result.tokens.size(); ++i)
        std::cout << " " << result.tokens[i] << "(" << result.ids[i] << ")";
    std::cout << "\n";
    if (result.hasPrediction && result.task == TaskKind::Sequence) {
        std::cout << "predict";
        for (std::size_t c = 0; c < result.labels.size(); ++c)
            std::cout << "  " << result.labels[c] << "=" << std::fixed << std::setprecision(3)
                      << result.probabilities[c];
        std::cout << "\n";
    }
    if (line.has("json")) {
        AtomicFile::write(line.value("json", ""), result.toJsonText());
        std::cout << "wrote   " << line.value("json", "") << "\n";
    }
    return 0;
}

int EngineCommands::initTiny(const std::vector<std::string>& args) {
    CommandLine line("init-tiny", args,
                     {"out", "layers", "hidden", "heads", "kv-heads", "intermediate", "vocab",
                      "seed", "qk-std", "dtype", "corpus", "max-positions", "family"},
                     {"tied"});
    TinyCheckpointOptions options;
    const std::string out = line.required("out");
    options.layers = line.intValue("layers", options.layers);
    options.hidden = line.intValue("hidden", options.hidden);
    options.heads = line.intValue("heads", options.heads);
    options.kvHeads = line.intValue("kv-heads", options.kvHeads);
    options.intermediate = line.intValue("intermediate", options.intermediate);
    options.vocab = line.intValue("vocab", options.vocab);
    options.maxPositions = line.intValue("max-positions", options.maxPositions);
    options.seed = line.intValue("seed", options.seed);
    options.qkStd = line.doubleValue("qk-std", options.qkStd);
    options.dtype = line.value("dtype", options.dtype);
    options.corpusPath = line.value("corpus", "");
    options.tied = line.flag("tied");
    options.family = line.value("family", options.family);
    TinyCheckpoint::write(out, options);
    std::cout << "wrote a " << options.layers << "-layer, D=" << options.hidden
              << " checkpoint with a " << options.vocab << "-piece tokenizer to " << out << "\n";
    return 0;
}

int EngineCommands::bench(const std::vector<std::string>& args) {
    CommandLine line("bench", args,
                     {"layers", "hidden", "heads", "kv-heads", "intermediate", "batch", "seq-len",
                      "steps", "lora-rank", "dtype", "device", "threads", "vocab", "profile"},
                     {});
    BenchmarkOptions options;
    options.layers = line.intValue("layers", options.layers);
    options.hidden = line.intValue("hidden", options.hidden);
    options.heads = line.intValue("heads", options.heads);
    options.kvHeads = line.intValue("kv-heads", options.kvHeads);
    options.intermediate = line.intValue("intermediate", options.intermediate);
    options.batch = line.intValue("batch", options.batch);
    options.seqLen = line.intValue("seq-len", options.seqLen);
    options.steps = line.intValue("steps", options.steps);
    options.loraRank = line.intValue("lora-rank", options.loraRank);
    options.vocab = line.intValue("vocab", options.vocab);
    options.dtype = line.value("dtype", options.dtype);
    options.device = line.value("device", options.device);
    options.threads = line.intValue("threads", options.threads);
    options.profileFile = line.value("profile", "");
    const BenchmarkReport report = Benchmark::run(
        options, [](const std::string& text) { std::cerr << "... " << text << "\n"; });
    std::cout << report.toText();
    return 0;
}

int EngineCommands::benchCheckpoint(const std::vector<std::string>& args) {
    CommandLine line("bench-checkpoint", args,
                     {"out", "preset", "layers", "hidden", "heads", "kv-heads", "intermediate",
                      "vocab", "dtype", "batch", "seq-len", "steps", "lora-rank", "threads"},
                     {});
    CheckpointBenchmarkOptions options;
    options.directory = line.required("out");
    if (line.has("preset"))
        options.applyPreset(line.value("preset", ""));
    options.layers = line.intValue("layers", options.layers);
    options.hidden = line.intValue("hidden", options.hidden);
    options.heads = line.intValue("heads", options.heads);
    options.kvHeads = line.intValue("kv-heads", options.kvHeads);
    options.intermediate = line.intValue("intermediate", options.intermediate);
    options.vocab = line.intValue("vocab", options.vocab);
    options.dtype = line.value("dtype", options.dtype);
    options.batch = line.intValue("batch", options.batch);
    options.seqLen = line.intValue("seq-len", options.seqLen);
    options.steps = line.intValue("steps", options.steps);
    options.loraRank = line.intValue("lora-rank", options.loraRank);
    options.threads = line.intValue("threads", options.threads);
    std::cout << CheckpointBenchmark::run(options, [](const std::string& text) {
        std::cerr << "... " << text << std::endl;
    });
    return 0;
}

} // namespace fsllm

namespace fsllm {

int EngineCommands::pretrain(const std::vector<std::string>& args) {
    CommandLine line("pretrain", args,
                     {"train-text", "heldout-text", "out",   "tokenizer",    "vocab",
                      "layers",     "hidden",       "heads", "kv-heads",     "intermediate",
                      "seq-len",    "batch",        "lr",    "warmup-steps", "minutes",
                      "max-steps",  "eval-every",   "seed",  "threads",      "dtype"},
                     {});
    PretrainOptions o;
    o.trainText = line.required("train-text");
    o.heldoutText = line.required("heldout-text");
    o.outDir = line.required("out");
    o.tokenizer = line.value("tokenizer", "");
    o.vocab = line.intValue("vocab", o.vocab);
    o.layers = line.intValue("layers", o.layers);
    o.hidden = line.intValue("hidden", o.hidden);
    o.heads = line.intValue("heads", o.heads);
    o.kvHeads = line.intValue("kv-heads", o.kvHeads);
    o.intermediate = line.intValue("intermediate", o.intermediate);
    o.seqLen = line.intValue("seq-len", o.seqLen);
    o.batch = line.intValue("batch", o.batch);
    o.learningRate = line.doubleValue("lr", o.learningRate);
    o.warmupSteps = line.intValue("warmup-steps", o.warmupSteps);
    o.minutes = line.doubleValue("minutes", o.minutes);
    o.maxSteps = line.intValue("max-steps", o.maxSteps);
    o.evalEvery = line.intValue("eval-every", o.evalEvery);
    o.seed = line.intValue("seed", o.seed);
    o.threads = line.intValue("threads", o.threads);
    o.saveDtype = line.value("dtype", o.saveDtype);
    const PretrainReport report =
        Pretrainer::run(o, [](const std::string& text) { std::cout << text << std::endl; });
    std::cout << "done: " << report.steps << " steps (best held-out), " << report.tokensSeen
              << " tokens seen, held-out perplexity " << report.heldoutPerplexity << ", "
              << static_cast<int>(report.wallSeconds) << " s; model in " << o.outDir << "\n";
    return 0;
}

} // namespace fsllm
