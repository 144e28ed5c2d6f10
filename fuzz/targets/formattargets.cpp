// Fuzz targets for the checkpoint formats: safetensors files, sharded-checkpoint indexes,
// config.json, sentencepiece tokenizer.model and Hugging Face tokenizer.json files, and the
// torch.save pickle patch of pytorch_model.bin files.
#include "checkpointindex.h"
#include "fsllmerror.h"
#include "fuzzscratch.h"
#include "fuzztargetregistry.h"
#include "modelconfig.h"
#include "picklepatch.h"
#include "safetensorsfile.h"
#include "tokenizer.h"

#include <string>
#include <string_view>

using fsllm::FsllmError;
using fsllm::fuzz::FuzzScratch;

namespace {

// Reads every byte of every tensor the reader hands out, so a view past the mapping is caught.
unsigned touchEveryTensor(const fsllm::SafetensorsFile& file) {
    unsigned sum = 0;
    for (const std::string& name : file.names()) {
        const fsllm::TensorView& view = file.tensor(name);
        for (std::size_t i = 0; i < view.byteSize; ++i)
            sum += view.data[i];
    }
    return sum;
}

} // namespace

// Input: the whole safetensors file.
FSLLM_FUZZ_TARGET(safetensors) {
    const std::string path = FuzzScratch::write("model.safetensors", data, size);
    try {
        fsllm::SafetensorsFile file(path);
        volatile unsigned sink = touchEveryTensor(file);
        (void)sink;
        (void)file.metadata();
    } catch (const FsllmError&) {
    }
}

// Input: model.safetensors.index.json of a folder that also holds one valid shard.
FSLLM_FUZZ_TARGET(checkpoint_index) {
    const std::string folder = FuzzScratch::freshFolder("sharded");
    // A valid two-tensor shard: header {"a":F32[2], "b":F32[1]}, 12 bytes of data.
    const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
    std::string shard(8, '\0');
    for (int i = 0; i < 8; ++i)
        shard[std::size_t(i)] = char((header.size() >> (8 * i)) & 0xff);
    shard += header;
    shard += std::string(12, '\x01');
    FuzzScratch::write("sharded/model-00001-of-00001.safetensors", shard);
    FuzzScratch::write("sharded/model.safetensors.index.json", data, size);
    try {
        fsllm::CheckpointIndex index(folder);
        for (const std::string& name : index.names())
            (void)index.tensor(name).byteSize;
    } catch (const FsllmError&) {
    }
}

// Input: config.json text.
FSLLM_FUZZ_TARGET(model_config) {
    try {
        (void)fsllm::ModelConfig::fromJsonText(
            std::string(reinterpret_cast<const char*>(data), size), "config.json");
    } catch (const FsllmError&) {
    }
}

// Input: a tokenizer.model file; a loaded tokenizer then encodes, aligns and decodes a sentence.
FSLLM_FUZZ_TARGET(tokenizer) {
    const std::string path = FuzzScratch::write("tokenizer.model", data, size);
    try {
        fsllm::Tokenizer tokenizer(path);
        const std::vector<int> ids =
            tokenizer.encode("The café's 3 films, ünïcode and émoji 🙂.");
        (void)tokenizer.pieces(ids);
        (void)tokenizer.decode(ids);
        (void)tokenizer.encodeWords({"New", "York", "Ünïon", "🙂"});
        (void)tokenizer.pieceToId("▁the");
    } catch (const FsllmError&) {
    }
}

// Input: a tokenizer.json file (byte-level BPE); a loaded tokenizer then encodes text with
// special-token look-alikes, whitespace runs and digits, aligns words and decodes.
FSLLM_FUZZ_TARGET(tokenizer_json) {
    const std::string path = FuzzScratch::write("tokenizer.json", data, size);
    try {
        fsllm::Tokenizer tokenizer(path);
        const std::vector<int> ids = tokenizer.encode(
            "The caf\xC3\xA9's 3 films,  <|endoftext|>\t2024 \xF0\x9F\x99\x82\n\n e\xCC\x81!");
        (void)tokenizer.pieces(ids);
        (void)tokenizer.decode(ids);
        (void)tokenizer.encodeWords({"New", "York", "\xC3\x9Cn\xC3\xAFon", "123", "\xF0\x9F\x99\x82"});
        (void)tokenizer.pieceToId("\xC4\xA0the");
    } catch (const FsllmError&) {
    }
}

// Input: a pickle (the data.pkl of a pytorch_model.bin).
FSLLM_FUZZ_TARGET(pickle_patch) {
    const std::string pickle(reinterpret_cast<const char*>(data), size);
    try {
        (void)fsllm::PicklePatch::rewrite(pickle, "data.pkl");
    } catch (const FsllmError&) {
    }
}
