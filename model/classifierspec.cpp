#include "classifierspec.h"

#include "atomicfile.h"
#include "fsllmerror.h"
#include "jsontext.h"

#include <nlohmann/json.hpp>

#include <cmath>
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
        if (!object["head_inner"].is_number_integer() || object["head_inner"].get<int>() < 0)
            throw FsllmError(source + ": field 'head_inner' must be an integer >= 0");
        spec.headInner = object["head_inner"].get<int>();
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
    return fromJsonText(text.str(), path);
}

} // namespace fsllm
