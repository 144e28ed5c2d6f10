// The grid of a sweep (`fsllm sweep`, the studio's "Sweep…" queue): masks x lambdas x
// mask-from-layer values x heads x data sets x seeds over a base TrainingConfig, expanded into one
// run per point, each a normal run folder named after its settings under the sweep's folder:
//   <data>-<mask>[<lambda>][-from<K>]-<head>-s<seed>     e.g. genre-decay0.5-fs-s1
// lambdas apply to the decay mask only and mask-from-layer values to non-causal masks only, so
// the causal baseline is one run per head, data set and seed. The grid is read from a small JSON
// file (every key optional, command-line lists replace the file's):
//   {"masks": ["causal", "decay"], "lambdas": [0.1, 0.5], "mask_from_layers": [0, 2],
//    "heads": ["fs", "linear"], "seeds": [1, 2, 3],
//    "data": [{"name": "genre", "train": "a_train.tsv", "dev": "a_dev.tsv"}, "b_train.tsv:b_dev.tsv"]}
// An axis left empty takes the base configuration's value. No torch, no Qt.
// Thread-safety: value type.
#pragma once

#include "trainingconfig.h"

#include <string>
#include <vector>

namespace fsllm {

struct SweepData {
    std::string name; // used in run folder names; default: the train file's stem without "_train"
    std::string train;
    std::string dev;

    // "TRAIN:DEV" or "NAME=TRAIN:DEV". Throws FsllmError naming `what` when malformed.
    static SweepData parse(const std::string& text, const std::string& what);
};

struct SweepPoint {
    std::string name; // the run folder's name
    TrainingConfig config;
};

struct SweepGrid {
    std::vector<MaskMode> masks;
    std::vector<double> lambdas;
    std::vector<int> fromLayers;
    std::vector<HeadKind> heads;
    std::vector<int> seeds;
    std::vector<SweepData> data;

    // Throws FsllmError("<path>: ...") naming the key for a malformed file.
    static SweepGrid load(const std::string& path);
    static SweepGrid fromJsonText(const std::string& text, const std::string& sourceName);
    std::string toJsonText() const;

    // Comma-separated command-line lists ("causal,decay", "0.1,0.5", "1,2,3", "fs,linear").
    // Throws FsllmError naming `option` for a bad item.
    static std::vector<MaskMode> parseMasks(const std::string& list, const std::string& option);
    static std::vector<double> parseNumbers(const std::string& list, const std::string& option);
    static std::vector<int> parseIntegers(const std::string& list, const std::string& option);
    static std::vector<HeadKind> parseHeads(const std::string& list, const std::string& option);

    // One point per combination, in the order data, head, mask, lambda, from-layer, seed (the
    // seeds of one configuration run one after another). Each config is `base` with the point's
    // settings and outDir = outFolder/name. Throws FsllmError when two points would share a
    // folder name (repeated values in a list).
    std::vector<SweepPoint> expand(const TrainingConfig& base, const std::string& outFolder) const;
};

} // namespace fsllm
