#include "sweepgrid.h"

#include "fsllmerror.h"
#include "jsontext.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

namespace fsllm {

namespace {

using nlohmann::json;

std::vector<std::string> splitCommas(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream stream(text);
    std::string part;
    while (std::getline(stream, part, ','))
        if (!TextFile::trimmed(part).empty())
            parts.emplace_back(TextFile::trimmed(part));
    return parts;
}

std::string numberText(double value) {
    std::ostringstream text;
    text.precision(4);
    text << value;
    return text.str();
}

std::string defaultDataName(const std::string& train) {
    std::string stem = std::filesystem::path(train).stem().string();
    for (const char* suffix : {"_train", "-train", ".train"}) {
        const std::string s = suffix;
        if (stem.size() > s.size() && stem.compare(stem.size() - s.size(), s.size(), s) == 0)
            return stem.substr(0, stem.size() - s.size());
    }
    return stem.empty() ? "data" : stem;
}

const json& arrayAt(const json& object, const char* key, const std::string& source) {
    const json& value = object[key];
    if (!value.is_array())
        throw FsllmError(source + ": field '" + key + "': expected a list, got " +
                         JsonText::shown(value));
    return value;
}

std::string stringItem(const json& item, const char* key, const std::string& source) {
    if (!item.is_string())
        throw FsllmError(source + ": field '" + key + "': expected strings, got " +
                         JsonText::shown(item));
    return item.get<std::string>();
}

double numberItem(const json& item, const char* key, const std::string& source) {
    if (!item.is_number())
        throw FsllmError(source + ": field '" + key + "': expected numbers, got " +
                         JsonText::shown(item));
    return item.get<double>();
}

template <typename T, typename Parse>
std::vector<T> parseList(const std::string& list, const std::string& option, Parse parse) {
    std::vector<T> values;
    for (const std::string& item : splitCommas(list))
        values.push_back(withErrorContext(option, [&] { return parse(item); }));
    if (values.empty())
        throw FsllmError(option + ": give at least one value (a comma-separated list)");
    return values;
}

} // namespace

SweepData SweepData::parse(const std::string& text, const std::string& what) {
    SweepData data;
    std::string rest = text;
    if (const std::size_t equals = rest.find('='); equals != std::string::npos) {
        data.name = rest.substr(0, equals);
        rest = rest.substr(equals + 1);
    }
    const std::size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
        throw FsllmError(what + ": '" + text +
                         "' is not TRAIN:DEV (or NAME=TRAIN:DEV), e.g. a_train.tsv:a_dev.tsv");
    data.train = rest.substr(0, colon);
    data.dev = rest.substr(colon + 1);
    if (data.name.empty())
        data.name = defaultDataName(data.train);
    return data;
}

std::vector<MaskMode> SweepGrid::parseMasks(const std::string& list, const std::string& option) {
    return parseList<MaskMode>(list, option, [](const std::string& s) { return maskModeFromName(s); });
}

std::vector<HeadKind> SweepGrid::parseHeads(const std::string& list, const std::string& option) {
    return parseList<HeadKind>(list, option, [](const std::string& s) { return headKindFromName(s); });
}

std::vector<double> SweepGrid::parseNumbers(const std::string& list, const std::string& option) {
    return parseList<double>(list, option, [](const std::string& s) {
        std::size_t used = 0;
        double value = 0.0;
        try {
            value = std::stod(s, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != s.size() || !std::isfinite(value) || value < 0.0)
            throw FsllmError("'" + s + "' is not a non-negative number");
        return value;
    });
}

std::vector<int> SweepGrid::parseIntegers(const std::string& list, const std::string& option) {
    return parseList<int>(list, option, [](const std::string& s) {
        std::size_t used = 0;
        long value = 0;
        try {
            value = std::stol(s, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != s.size() || value < 0 || value > 2147483647L)
            throw FsllmError("'" + s + "' is not a non-negative integer");
        return int(value);
    });
}

SweepGrid SweepGrid::load(const std::string& path) {
    return fromJsonText(TextFile::load(path), path);
}

SweepGrid SweepGrid::fromJsonText(const std::string& text, const std::string& source) {
    const json object = JsonText::parse(text, source, "write the grid as a JSON object");
    if (!object.is_object())
        throw FsllmError(source + ": expected a JSON object with masks, lambdas, seeds, ...");
    static const std::set<std::string> known = {"masks", "lambdas", "mask_from_layers",
                                                "heads", "seeds",   "data"};
    for (const auto& item : object.items())
        if (!known.count(item.key()))
            throw FsllmError(source + ": unknown field '" + item.key() +
                             "' (known: masks, lambdas, mask_from_layers, heads, seeds, data)");
    SweepGrid grid;
    auto in = [&](const char* key, auto each) {
        if (object.contains(key))
            for (const json& item : arrayAt(object, key, source))
                each(item);
    };
    auto context = [&](const char* key) { return source + ": field '" + key + "'"; };
    in("masks", [&](const json& item) {
        const std::string name = stringItem(item, "masks", source);
        grid.masks.push_back(withErrorContext(context("masks"), [&] { return maskModeFromName(name); }));
    });
    in("heads", [&](const json& item) {
        const std::string name = stringItem(item, "heads", source);
        grid.heads.push_back(withErrorContext(context("heads"), [&] { return headKindFromName(name); }));
    });
    in("lambdas", [&](const json& item) {
        const double value = numberItem(item, "lambdas", source);
        if (!std::isfinite(value) || value < 0.0)
            throw FsllmError(context("lambdas") + ": lambdas must be finite and >= 0");
        grid.lambdas.push_back(value);
    });
    in("mask_from_layers", [&](const json& item) {
        const int value = JsonText::intValue(item, "mask_from_layers");
        if (value < 0)
            throw FsllmError(context("mask_from_layers") + ": must be >= 0");
        grid.fromLayers.push_back(value);
    });
    in("seeds", [&](const json& item) {
        grid.seeds.push_back(JsonText::intValue(item, "seeds"));
    });
    in("data", [&](const json& item) {
        if (item.is_string()) {
            grid.data.push_back(SweepData::parse(item.get<std::string>(), context("data")));
            return;
        }
        if (!item.is_object() || !item.contains("train") || !item.contains("dev") ||
            !item["train"].is_string() || !item["dev"].is_string())
            throw FsllmError(context("data") +
                             ": each item is \"TRAIN:DEV\" or {\"name\": ..., \"train\": ..., "
                             "\"dev\": ...}, got " + JsonText::shown(item));
        SweepData data;
        data.train = item["train"].get<std::string>();
        data.dev = item["dev"].get<std::string>();
        data.name = item.contains("name") && item["name"].is_string()
                        ? item["name"].get<std::string>()
                        : defaultDataName(data.train);
        grid.data.push_back(data);
    });
    return grid;
}

std::string SweepGrid::toJsonText() const {
    json object;
    object["masks"] = json::array();
    for (const MaskMode mode : masks)
        object["masks"].push_back(maskModeName(mode));
    object["lambdas"] = lambdas;
    object["mask_from_layers"] = fromLayers;
    object["heads"] = json::array();
    for (const HeadKind head : heads)
        object["heads"].push_back(headKindName(head));
    object["seeds"] = seeds;
    object["data"] = json::array();
    for (const SweepData& d : data)
        object["data"].push_back({{"name", d.name}, {"train", d.train}, {"dev", d.dev}});
    return object.dump(2) + "\n";
}

std::vector<SweepPoint> SweepGrid::expand(const TrainingConfig& base,
                                          const std::string& outFolder) const {
    const std::vector<SweepData> dataSets =
        data.empty() ? std::vector<SweepData>{{defaultDataName(base.trainFile), base.trainFile,
                                               base.devFile}}
                     : data;
    const std::vector<HeadKind> headList = heads.empty() ? std::vector<HeadKind>{base.head} : heads;
    const std::vector<MaskMode> maskList =
        masks.empty() ? std::vector<MaskMode>{base.mask.mode} : masks;
    const std::vector<double> lambdaList =
        lambdas.empty() ? std::vector<double>{base.mask.lambda} : lambdas;
    const std::vector<int> layerList =
        fromLayers.empty() ? std::vector<int>{base.mask.fromLayer} : fromLayers;
    const std::vector<int> seedList = seeds.empty() ? std::vector<int>{base.seed} : seeds;

    std::vector<SweepPoint> points;
    std::set<std::string> names;
    for (const SweepData& d : dataSets)
        for (const HeadKind head : headList)
            for (const MaskMode mode : maskList) {
                const std::vector<double> modeLambdas =
                    mode == MaskMode::Decay ? lambdaList : std::vector<double>{0.0};
                const std::vector<int> modeLayers =
                    mode == MaskMode::Causal ? std::vector<int>{0} : layerList;
                for (const double lambda : modeLambdas)
                    for (const int fromLayer : modeLayers)
                        for (const int seed : seedList) {
                            SweepPoint point;
                            point.config = base;
                            point.config.trainFile = d.train;
                            point.config.devFile = d.dev;
                            point.config.head = head;
                            point.config.mask = {mode, lambda, fromLayer};
                            point.config.seed = seed;
                            std::string mask = maskModeName(mode);
                            if (mode == MaskMode::Decay)
                                mask += numberText(lambda);
                            if (fromLayer > 0)
                                mask += "-from" + std::to_string(fromLayer);
                            point.name = d.name + "-" + mask + "-" + headKindName(head) + "-s" +
                                         std::to_string(seed);
                            if (!names.insert(point.name).second)
                                throw FsllmError("sweep grid: two runs would share the folder '" +
                                                 point.name +
                                                 "'; remove repeated values (or give the data "
                                                 "sets different names, NAME=TRAIN:DEV)");
                            point.config.outDir =
                                (std::filesystem::path(outFolder) / point.name).string();
                            points.push_back(std::move(point));
                        }
            }
    return points;
}

} // namespace fsllm
