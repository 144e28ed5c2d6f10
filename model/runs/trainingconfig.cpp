#include "trainingconfig.h"

#include "fsllmerror.h"
#include "jsontext.h"

#include <nlohmann/json.hpp>

#include <type_traits>

#include <cmath>
#include <fstream>
#include <sstream>

namespace fsllm {

namespace {

using nlohmann::json;

void require(bool condition, const std::string& field, const std::string& problem) {
    if (!condition)
        throw FsllmError("field '" + field + "': " + problem);
}

// Reads `object[key]` into `target` when present, naming the key if its type is wrong.
template <typename T> void read(const json& object, const char* key, T& target) {
    if (!object.contains(key) || object[key].is_null())
        return;
    if constexpr (std::is_same_v<T, int>) {
        target = JsonText::intValue(object[key], key); // get<int>() of 1e300 is undefined
        return;
    }
    try {
        target = object[key].get<T>();
    } catch (const json::exception&) {
        throw FsllmError(std::string("field '") + key + "': wrong type (" +
                         JsonText::shown(object[key]) + ")");
    }
}

template <typename Parse>
auto readEnum(const json& object, const char* key, Parse parse, decltype(parse("")) fallback) {
    std::string name;
    read(object, key, name);
    if (name.empty())
        return fallback;
    return withErrorContext(std::string("field '") + key + "'", [&] { return parse(name); });
}

} // namespace

void TrainingConfig::validate() const {
    require(!modelDir.empty(), "model", "give the checkpoint folder (--model DIR)");
    require(method == "lora" || method == "zeroshot", "method", "choose lora or zeroshot");
    require(!trainFile.empty() || method == "zeroshot", "train",
            "give the training file (--train FILE)");
    require(!devFile.empty(), "dev", "give the dev file (--dev FILE); models are selected on dev");
    require(!outDir.empty(), "out", "give the run folder to write (--out RUN_DIR)");
    mask.validate();
    require(loraRank >= 1 && loraRank <= 4096, "lora_rank", "must be in 1..4096");
    require(loraAlpha > 0.0, "lora_alpha", "must be > 0");
    require(loraDropout >= 0.0 && loraDropout < 1.0, "lora_dropout", "must be in [0, 1)");
    require(learningRate > 0.0 && std::isfinite(learningRate), "lr", "must be > 0");
    require(weightDecay >= 0.0, "weight_decay", "must be >= 0");
    require(batchSize >= 1, "batch_size", "must be >= 1");
    require(gradAccum >= 1, "grad_accum", "must be >= 1");
    require(epochs >= 1, "epochs", "must be >= 1");
    require(maxLength >= 2, "max_length", "must be >= 2 (BOS plus one token)");
    require(warmupRatio >= 0.0 && warmupRatio < 1.0, "warmup_ratio", "must be in [0, 1)");
    require(schedule == "linear" || schedule == "cosine", "schedule", "choose linear or cosine");
    require(maxGradNorm >= 0.0, "max_grad_norm", "must be >= 0 (0 disables clipping)");
    require(evalEvery >= 0, "eval_every", "must be >= 0 (0 = at each epoch's end)");
    require(logEvery >= 1, "log_every", "must be >= 1");
    require(earlyStopPatience >= 0, "early_stop_patience", "must be >= 0");
    require(headInner >= 0, "head_inner", "must be >= 0");
    require(worldSize >= 1, "world_size", "must be >= 1 (the processes of a data-parallel run)");
}

std::string TrainingConfig::toJsonText() const {
    json object;
    object["model"] = modelDir;
    object["train"] = trainFile;
    object["dev"] = devFile;
    object["out"] = outDir;
    object["task"] = taskKindName(data.task);
    object["format"] = dataFormatName(data.format);
    object["text_column"] = data.textColumn;
    object["label_column"] = data.labelColumn;
    object["conll_tag_column"] = data.conllTagColumn;
    object["csv_columns"] = data.csvColumns;
    object["method"] = method;
    object["mask"] = maskModeName(mask.mode);
    object["lambda"] = std::isinf(mask.lambda) ? json(nullptr) : json(mask.lambda);
    object["mask_from_layer"] = mask.fromLayer;
    object["pooling"] = poolingName(pooling);
    object["head"] = headKindName(head);
    object["head_inner"] = headInner;
    object["lora_rank"] = loraRank;
    object["lora_alpha"] = loraAlpha;
    object["lora_dropout"] = loraDropout;
    object["lora_targets"] = loraTargets;
    object["lr"] = learningRate;
    object["weight_decay"] = weightDecay;
    object["batch_size"] = batchSize;
    object["grad_accum"] = gradAccum;
    object["epochs"] = epochs;
    object["max_length"] = maxLength;
    object["warmup_ratio"] = warmupRatio;
    object["schedule"] = schedule;
    object["max_grad_norm"] = maxGradNorm;
    object["eval_every"] = evalEvery;
    object["log_every"] = logEvery;
    object["early_stop_patience"] = earlyStopPatience;
    object["seed"] = seed;
    object["gradient_checkpointing"] = gradientCheckpointing;
    object["device"] = device;
    object["dtype"] = dtype;
    object["threads"] = threads;
    object["world_size"] = worldSize;
    return object.dump(2) + "\n";
}

TrainingConfig TrainingConfig::fromJsonText(const std::string& text, const std::string& source) {
    const json object = JsonText::parse(text, source, "fix the file or write it again");
    return withErrorContext(source, [&] {
        if (!object.is_object())
            throw FsllmError("expected a JSON object");
        TrainingConfig c;
        read(object, "model", c.modelDir);
        read(object, "train", c.trainFile);
        read(object, "dev", c.devFile);
        read(object, "out", c.outDir);
        c.data.task = readEnum(object, "task", taskKindFromName, TaskKind::Sequence);
        c.data.format = readEnum(object, "format", dataFormatFromName, DataFormat::Auto);
        read(object, "text_column", c.data.textColumn);
        read(object, "label_column", c.data.labelColumn);
        read(object, "conll_tag_column", c.data.conllTagColumn);
        read(object, "csv_columns", c.data.csvColumns);
        read(object, "method", c.method);
        c.mask.mode = readEnum(object, "mask", maskModeFromName, c.mask.mode);
        if (object.contains("lambda") && object["lambda"].is_null())
            c.mask.lambda = INFINITY;
        else
            read(object, "lambda", c.mask.lambda);
        read(object, "mask_from_layer", c.mask.fromLayer);
        c.pooling = readEnum(object, "pooling", poolingFromName, c.pooling);
        c.head = readEnum(object, "head", headKindFromName, c.head);
        read(object, "head_inner", c.headInner);
        read(object, "lora_rank", c.loraRank);
        read(object, "lora_alpha", c.loraAlpha);
        read(object, "lora_dropout", c.loraDropout);
        read(object, "lora_targets", c.loraTargets);
        read(object, "lr", c.learningRate);
        read(object, "weight_decay", c.weightDecay);
        read(object, "batch_size", c.batchSize);
        read(object, "grad_accum", c.gradAccum);
        read(object, "epochs", c.epochs);
        read(object, "max_length", c.maxLength);
        read(object, "warmup_ratio", c.warmupRatio);
        read(object, "schedule", c.schedule);
        read(object, "max_grad_norm", c.maxGradNorm);
        read(object, "eval_every", c.evalEvery);
        read(object, "log_every", c.logEvery);
        read(object, "early_stop_patience", c.earlyStopPatience);
        read(object, "seed", c.seed);
        read(object, "gradient_checkpointing", c.gradientCheckpointing);
        read(object, "device", c.device);
        read(object, "dtype", c.dtype);
        read(object, "threads", c.threads);
        read(object, "world_size", c.worldSize);
        return c;
    });
}

TrainingConfig TrainingConfig::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FsllmError(path + ": cannot open the run configuration");
    std::stringstream text;
    text << in.rdbuf();
    return fromJsonText(text.str(), path);
}

} // namespace fsllm
