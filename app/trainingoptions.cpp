#include "trainingoptions.h"

#include <sstream>

namespace fsllm {

namespace {

std::vector<std::string> splitCommas(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream stream(text);
    std::string part;
    while (std::getline(stream, part, ','))
        parts.push_back(part);
    return parts;
}

} // namespace

void TrainingOptions::applyDataOptions(const CommandLine& line, DataReadOptions& data) {
    if (line.has("format"))
        data.format = dataFormatFromName(line.value("format", ""));
    data.textColumn = line.value("text-column", data.textColumn);
    data.labelColumn = line.value("label-column", data.labelColumn);
    if (line.has("csv-columns"))
        data.csvColumns = splitCommas(line.value("csv-columns", ""));
    data.conllTagColumn = line.intValue("tag-column", data.conllTagColumn);
}

TrainingConfig TrainingOptions::configFrom(const CommandLine& line) {
    TrainingConfig c = line.has("config") ? TrainingConfig::load(line.value("config", ""))
                                          : TrainingConfig{};
    c.modelDir = line.value("model", c.modelDir);
    if (line.has("task"))
        c.data.task = taskKindFromName(line.value("task", ""));
    c.trainFile = line.value("train", c.trainFile);
    c.devFile = line.value("dev", c.devFile);
    c.outDir = line.value("out", c.outDir);
    applyDataOptions(line, c.data);
    if (line.has("mask"))
        c.mask.mode = maskModeFromName(line.value("mask", ""));
    c.mask.lambda = line.doubleValue("lambda", c.mask.lambda);
    c.mask.fromLayer = line.intValue("mask-from-layer", c.mask.fromLayer);
    if (line.has("pooling"))
        c.pooling = poolingFromName(line.value("pooling", ""));
    if (line.has("head"))
        c.head = headKindFromName(line.value("head", ""));
    c.headInner = line.intValue("head-inner", c.headInner);
    c.loraRank = line.intValue("lora-rank", c.loraRank);
    c.loraAlpha = line.doubleValue("lora-alpha", c.loraAlpha);
    c.loraDropout = line.doubleValue("lora-dropout", c.loraDropout);
    c.loraTargets = line.value("lora-targets", c.loraTargets);
    c.learningRate = line.doubleValue("lr", c.learningRate);
    c.weightDecay = line.doubleValue("weight-decay", c.weightDecay);
    c.batchSize = line.intValue("batch-size", c.batchSize);
    c.gradAccum = line.intValue("grad-accum", c.gradAccum);
    c.epochs = line.intValue("epochs", c.epochs);
    c.maxLength = line.intValue("max-length", c.maxLength);
    c.warmupRatio = line.doubleValue("warmup-ratio", c.warmupRatio);
    c.schedule = line.value("schedule", c.schedule);
    c.maxGradNorm = line.doubleValue("max-grad-norm", c.maxGradNorm);
    c.evalEvery = line.intValue("eval-every", c.evalEvery);
    c.logEvery = line.intValue("log-every", c.logEvery);
    c.earlyStopPatience = line.intValue("early-stop", c.earlyStopPatience);
    c.seed = line.intValue("seed", c.seed);
    if (line.flag("gradient-checkpointing"))
        c.gradientCheckpointing = true;
    c.device = line.value("device", c.device);
    c.dtype = line.value("dtype", c.dtype);
    c.threads = line.intValue("threads", c.threads);
    return c;
}

} // namespace fsllm
