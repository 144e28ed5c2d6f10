#include "classifierspec.h"

#include "atomicfile.h"
#include "fsllmerror.h"
#include "jsontext.h"
#include "safetensorsfile.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fsllm {

namespace {

using nlohmann::json;

const json& requireField(const json& object, const char* name, const std::string& source) {
    if (!object.contains(name))
        throw FsllmError(source + ": field '" + name + "' is missing");
    return object.at(name);
}

std::string requireString(const json& object, const char* name, const std::string& source) {
    const json& value = requireField(object, name, source);
    if (!value.is_string())
        throw FsllmError(source + ": field '" + name + "' must be a string");
    return value.get<std::string>();
}

// Reads string field `name` and converts it with `parse`, naming the field in any error.
template <typename Parse>
auto parseStringField(const json& object, const char* name, const std::string& source,
                      Parse parse) {
    const std::string value = requireString(object, name, source);
    return withErrorContext(source + ": field '" + name + "'", [&] { return parse(value); });
}

// The shape of head tensor `name` ("out.weight") in the adapter's weights, or null.
const std::vector<std::int64_t>* headShape(const SafetensorsFile& weights, const char* name) {
    const std::string key = std::string("base_model.model.score.") + name;
    if (!weights.contains(key) || weights.tensor(key).shape.size() != 2)
        return nullptr;
    return &weights.tensor(key).shape;
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

// The head is built from classifier.json's label count and head_inner before the adapter's
// weights are loaded: both must agree with the weights, or a hostile head_inner allocates.
void checkHeadWeights(const ClassifierSpec& spec, const SafetensorsFile& weights,
                      const std::string& source) {
    const bool linear = spec.head == HeadKind::Linear;
    const char* outName = linear ? "weight" : "out.weight";
    if (const auto* out = headShape(weights, outName);
        out && (*out)[0] != static_cast<std::int64_t>(spec.labels.size()))
        throw FsllmError(source + ": field 'labels': " + std::to_string(spec.labels.size()) +
                         " labels but " + weights.path() + "'s tensor 'base_model.model.score." +
                         outName + "' has shape " + shapeText(*out) +
                         " (one row per label); the files come from different runs");
    if (linear)
        return;
    if (const auto* w = headShape(weights, "w.weight")) {
        const std::int64_t inner = spec.headInner > 0 ? spec.headInner : (*w)[1];
        if ((*w)[0] != inner)
            throw FsllmError(source + ": field 'head_inner': " + std::to_string(spec.headInner) +
                             " but " + weights.path() +
                             "'s tensor 'base_model.model.score.w.weight' has shape " +
                             shapeText(*w) + "; the files come from different runs");
    }
}

} // namespace

TaskKind taskKindFromName(const std::string& name) {
    if (name == "seq")
        return TaskKind::Sequence;
    if (name == "token")
        return TaskKind::Token;
    throw FsllmError("unknown task '" + name +
                     "'; choose seq (one label per text) or token "
                     "(one label per word)");
}

const char* taskKindName(TaskKind kind) {
    return kind == TaskKind::Sequence ? "seq" : "token";
}

HeadKind headKindFromName(const std::string& name) {
    if (name == "fs")
        return HeadKind::Fs;
    if (name == "linear")
        return HeadKind::Linear;
    throw FsllmError("unknown head '" + name + "'; choose fs or linear");
}

const char* headKindName(HeadKind kind) {
    return kind == HeadKind::Fs ? "fs" : "linear";
}

Pooling poolingFromName(const std::string& name) {
    if (name == "last")
        return Pooling::Last;
    if (name == "mean")
        return Pooling::Mean;
    if (name == "max")
        return Pooling::Max;
    throw FsllmError("unknown pooling '" + name + "'; choose last, mean or max");
}

const char* poolingName(Pooling pooling) {
    switch (pooling) {
    case Pooling::Last:
        return "last";
    case Pooling::Mean:
        return "mean";
    case Pooling::Max:
        return "max";
    }
    return "last";
}

std::string ClassifierSpec::toJsonText() const {
    json object;
    object["task"] = taskKindName(task);
    object["labels"] = labels;
    object["head"] = headKindName(head);
    object["head_inner"] = headInner;
    object["pooling"] = poolingName(pooling);
    object["mask"] = maskModeName(mask.mode);
    // JSON has no infinity: an infinite lambda is stored as null.
    object["lambda"] = std::isinf(mask.lambda) ? json(nullptr) : json(mask.lambda);
    object["mask_from_layer"] = mask.fromLayer;
    return object.dump(2) + "\n";
}

ClassifierSpec ClassifierSpec::fromJsonText(const std::string& text, const std::string& source) {
    const json object = JsonText::parse(text, source, "fix the file or train the run again");
    if (!object.is_object())
        throw FsllmError(source + ": expected a JSON object");
    ClassifierSpec spec;
    spec.task = parseStringField(object, "task", source, taskKindFromName);
    spec.mask.mode = parseStringField(object, "mask", source, maskModeFromName);
    spec.head = parseStringField(object, "head", source, headKindFromName);
    spec.pooling = parseStringField(object, "pooling", source, poolingFromName);
    const json& labels = requireField(object, "labels", source);
    if (!labels.is_array() || labels.empty())
        throw FsllmError(source + ": field 'labels' must be a non-empty array of strings");
    for (const auto& label : labels) {
        if (!label.is_string())
            throw FsllmError(source + ": field 'labels' must be a non-empty array of strings");
        spec.labels.push_back(label.get<std::string>());
    }
    if (object.contains("head_inner")) {
        const json& inner = object["head_inner"];
        if (!inner.is_number_integer() || inner.get<std::int64_t>() < 0 ||
            inner.get<std::int64_t>() > kMaxHeadInner)
            throw FsllmError(source + ": field 'head_inner' must be an integer from 0 to " +
                             std::to_string(kMaxHeadInner) + ", got " + JsonText::shown(inner));
        spec.headInner = inner.get<int>();
    }
    if (object.contains("lambda")) {
        const json& lambda = object["lambda"];
        if (lambda.is_null())
            spec.mask.lambda = INFINITY;
        else if (lambda.is_number())
            spec.mask.lambda = lambda.get<double>();
        else
            throw FsllmError(source + ": field 'lambda' must be a number or null");
    }
    if (object.contains("mask_from_layer")) { // absent in runs trained before it existed: 0
        const json& from = object["mask_from_layer"];
        if (!from.is_number_integer() || from.get<std::int64_t>() < 0 ||
            from.get<std::int64_t>() > kMaxMaskFromLayer)
            throw FsllmError(source + ": field 'mask_from_layer' must be an integer from 0 to " +
                             std::to_string(kMaxMaskFromLayer) + ", got " +
                             JsonText::shown(from));
        spec.mask.fromLayer = from.get<int>();
    }
    spec.mask.validate();
    return spec;
}

void ClassifierSpec::save(const std::string& directory) const {
    AtomicFile::write(directory + "/" + kFileName, toJsonText());
}

ClassifierSpec ClassifierSpec::load(const std::string& directory) {
    const std::string path = directory + "/" + kFileName;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FsllmError(path + ": cannot open (is this a run folder with a trained classifier?)");
    std::stringstream text;
    text << in.rdbuf();
    ClassifierSpec spec = fromJsonText(text.str(), path);
    const std::string weights = directory + "/" + kWeightsFile;
    if (std::filesystem::is_regular_file(weights))
        checkHeadWeights(spec, SafetensorsFile(weights), path);
    return spec;
}

} // namespace fsllm
