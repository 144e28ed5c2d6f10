// config.json against the checkpoint's tensor headers (see checkpointshapes.h). Sizes multiply in
// 64 bits, so a config whose products overflow an int can only disagree with the weights.
// Thread-safety: pure functions.
#include "checkpointshapes.h"

#include "fsllmerror.h"

#include <algorithm>
#include <cstdlib>

namespace fsllm {

namespace {

const std::string kLayerPrefix = "model.layers.";

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

// The config value of a field, for messages.
std::string fieldValue(const ModelConfig& c, const std::string& field) {
    if (field == "vocab_size")
        return std::to_string(c.vocabSize);
    if (field == "hidden_size")
        return std::to_string(c.hiddenSize);
    if (field == "intermediate_size")
        return std::to_string(c.intermediateSize);
    if (field == "num_attention_heads")
        return std::to_string(c.numHeads) + " (x head_dim " + std::to_string(c.headDim) + ")";
    if (field == "num_key_value_heads")
        return std::to_string(c.numKvHeads) + " (x head_dim " + std::to_string(c.headDim) + ")";
    if (field == "attention_bias")
        return c.attentionBias ? "true" : "false";
    return "?";
}

} // namespace

std::vector<CheckpointShapes::Tensor> CheckpointShapes::expected(const ModelConfig& c) {
    const std::int64_t D = c.hiddenSize, F = c.intermediateSize, V = c.vocabSize;
    const std::int64_t q = std::int64_t(c.numHeads) * c.headDim;
    const std::int64_t kv = std::int64_t(c.numKvHeads) * c.headDim;
    const char* hidden = "hidden_size";
    const char* heads = "num_attention_heads";
    const char* kvHeads = "num_key_value_heads";
    const char* inner = "intermediate_size";

    std::vector<Tensor> tensors;
    tensors.push_back({"model.embed_tokens.weight", {V, D}, {"vocab_size", hidden}});
    for (int i = 0; i < c.numLayers; ++i) {
        const std::string layer = kLayerPrefix + std::to_string(i) + ".";
        const auto add = [&](const std::string& name, std::vector<std::int64_t> shape,
                             std::vector<const char*> fields) {
            tensors.push_back({layer + name, std::move(shape), std::move(fields)});
        };
        add("input_layernorm.weight", {D}, {hidden});
        const struct {
            const char* name;
            std::int64_t out, in;
            const char *outField, *inField;
        } projections[] = {{"q_proj", q, D, heads, hidden},
                           {"k_proj", kv, D, kvHeads, hidden},
                           {"v_proj", kv, D, kvHeads, hidden},
                           {"o_proj", D, q, hidden, heads}};
        for (const auto& p : projections) {
            const std::string path = std::string("self_attn.") + p.name + ".";
            add(path + "weight", {p.out, p.in}, {p.outField, p.inField});
            if (c.attentionBias)
                add(path + "bias", {p.out}, {p.outField});
        }
        add("post_attention_layernorm.weight", {D}, {hidden});
        add("mlp.gate_proj.weight", {F, D}, {inner, hidden});
        add("mlp.up_proj.weight", {F, D}, {inner, hidden});
        add("mlp.down_proj.weight", {D, F}, {hidden, inner});
    }
    tensors.push_back({"model.norm.weight", {D}, {hidden}});
    if (!c.tieWordEmbeddings)
        tensors.push_back({"lm_head.weight", {V, D}, {"vocab_size", hidden}});
    return tensors;
}

std::int64_t CheckpointShapes::layerCount(const CheckpointIndex& checkpoint) {
    std::int64_t count = 0;
    for (const std::string& name : checkpoint.names()) {
        if (name.compare(0, kLayerPrefix.size(), kLayerPrefix) != 0)
            continue;
        const char* digits = name.c_str() + kLayerPrefix.size();
        char* end = nullptr;
        const long long index = std::strtoll(digits, &end, 10);
        // "model.layers.<N>.": plain decimal digits followed by a dot
        if (end != digits && *end == '.' && *digits >= '0' && *digits <= '9' && index >= 0 &&
            index < (std::int64_t(1) << 40))
            count = std::max<std::int64_t>(count, index + 1);
    }
    return count;
}

void CheckpointShapes::check(const ModelConfig& config, const CheckpointIndex& checkpoint,
                             const std::string& configPath) {
    const std::int64_t layers = layerCount(checkpoint);
    if (layers != config.numLayers)
        throw FsllmError(configPath + ": field 'num_hidden_layers': " +
                         std::to_string(config.numLayers) + " but the weights hold " +
                         std::to_string(layers) + " layer(s) (model.layers.N.*); config.json " +
                         "and the weights disagree, set num_hidden_layers to " +
                         std::to_string(layers) + " or use the matching weights");
    for (const Tensor& tensor : expected(config)) {
        if (!checkpoint.contains(tensor.name))
            throw FsllmError(checkpoint.directory() + ": tensor '" + tensor.name +
                             "' is missing; config.json describes a model that needs it "
                             "(is this the right checkpoint for this config?)");
        const std::vector<std::int64_t>& actual = checkpoint.tensor(tensor.name).shape;
        if (actual == tensor.shape)
            continue;
        std::string field = tensor.fields.front();
        if (actual.size() == tensor.shape.size())
            for (std::size_t d = 0; d < actual.size(); ++d)
                if (actual[d] != tensor.shape[d]) {
                    field = tensor.fields[d];
                    break;
                }
        throw FsllmError(configPath + ": field '" + field + "': " + fieldValue(config, field) +
                         " implies shape " + shapeText(tensor.shape) + " for tensor '" +
                         tensor.name + "', but the weights hold " + shapeText(actual) +
                         "; config.json and the weights disagree");
    }
}

} // namespace fsllm
