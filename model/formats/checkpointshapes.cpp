// config.json against the checkpoint's tensor headers (see checkpointshapes.h). Sizes multiply in
// 64 bits, so a config whose products overflow an int can only disagree with the weights.
// Thread-safety: pure functions.
#include "checkpointshapes.h"

#include "familytable.h"
#include "fsllmerror.h"

#include <algorithm>
#include <cstdlib>
#include <set>

namespace fsllm {

namespace {

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

// The config value of a field, for messages.
std::string fieldValue(const ModelConfig& c, const std::string& field) {
    const SizeFields& f = c.family().fields;
    const std::string headDim =
        " (x " + std::string(f.headDim) + " " + std::to_string(c.headDim) + ")";
    if (field == f.vocab)
        return std::to_string(c.vocabSize);
    if (field == f.hidden)
        return std::to_string(c.hiddenSize);
    if (field == f.inner)
        return std::to_string(c.intermediateSize);
    if (field == f.heads)
        return std::to_string(c.numHeads) + headDim;
    if (field == f.kvHeads)
        return std::to_string(c.numKvHeads) + headDim;
    if (field == f.headDim)
        return std::to_string(c.headDim);
    return "?";
}

// "model.layers.3.self_attn.q_proj.bias" -> "self_attn.q_proj.bias"; other names unchanged.
std::string layerRelative(const std::string& name, const std::string& layerPrefix) {
    if (name.compare(0, layerPrefix.size(), layerPrefix) != 0)
        return name;
    const std::size_t dot = name.find('.', layerPrefix.size());
    return dot == std::string::npos ? name : name.substr(dot + 1);
}

// Why a checkpoint may hold tensors the family does not use, from the tensors themselves.
std::string likelyCause(const ModelConfig& config, const std::vector<std::string>& extra) {
    const ModelFamily& family = config.family();
    std::set<std::string> relative;
    for (const std::string& name : extra)
        relative.insert(layerRelative(name, family.names.layerPrefix));
    for (const ModelFamily* other : FamilyTable::all()) {
        if (other == &family)
            continue;
        for (const std::string& tensor : other->distinctiveTensors)
            if (relative.count(tensor))
                return "'" + tensor + "' is present but " + family.modelType +
                       (tensor.find("bias") != std::string::npos ? " as configured has no such bias"
                                                                   : " has no such tensor") +
                       ": is this a " + other->modelType +
                       " checkpoint? Set config.json's model_type to match the weights";
    }
    for (const std::string& tensor : relative)
        if (tensor.size() > 5 && tensor.compare(tensor.size() - 5, 5, ".bias") == 0)
            return "'" + tensor + "' is present but config.json asks for no such bias (" +
                   family.modelType +
                   "'s attention_bias); set it if the model has biases, or use matching weights";
    if (relative.count(family.names.lmHead) && config.tieWordEmbeddings)
        return "tie_word_embeddings is true but the weights hold their own " +
               family.names.lmHead + "; set tie_word_embeddings to false";
    return "config.json's model_type '" + config.modelType +
           "' may be wrong for these weights (supported: " + FamilyTable::supportedNames() + ")";
}

} // namespace

std::vector<std::int64_t> CheckpointShapes::Tensor::parameterShape() const {
    std::vector<std::int64_t> result = shape;
    if (fused())
        result.front() = rows;
    return result;
}

std::int64_t CheckpointShapes::Tensor::parameterNumel() const {
    std::int64_t count = 1;
    for (const std::int64_t size : parameterShape())
        count *= size;
    return count;
}

std::vector<CheckpointShapes::Tensor> CheckpointShapes::expected(const ModelConfig& c) {
    const ModelFamily& family = c.family();
    const TensorNames& names = family.names;
    const TensorNames parameters = TensorNames::decoderParameters();
    const std::int64_t D = c.hiddenSize, F = c.intermediateSize, V = c.vocabSize;
    const std::int64_t hd = c.headDim;
    const std::int64_t q = std::int64_t(c.numHeads) * hd;
    const std::int64_t kv = std::int64_t(c.numKvHeads) * hd;
    const char* hidden = family.fields.hidden;
    const char* heads = family.fields.heads;
    const char* kvHeads = family.fields.kvHeads;
    const char* inner = family.fields.inner;
    const char* vocab = family.fields.vocab;

    std::vector<Tensor> tensors;
    tensors.push_back({names.embedding, parameters.embedding, {V, D}, {vocab, hidden}});
    for (int i = 0; i < c.numLayers; ++i) {
        const std::string index = std::to_string(i) + ".";
        const std::string layer = names.layerPrefix + index;
        const std::string parameterLayer = parameters.layerPrefix + index;
        // `member` picks the same role out of the family's names and the decoder's.
        const auto add = [&](std::string TensorNames::*member, const char* ending,
                             std::vector<std::int64_t> shape, std::vector<const char*> fields) {
            tensors.push_back({layer + names.*member + ending,
                               parameterLayer + parameters.*member + ending, std::move(shape),
                               std::move(fields)});
        };
        // Row blocks of one fused checkpoint tensor "<layer><stem><ending>" of `total` rows.
        const auto addRows = [&](const std::string& stem, std::string TensorNames::*member,
                                 const char* ending, std::vector<std::int64_t> shape,
                                 std::vector<const char*> fields, std::int64_t offset,
                                 std::int64_t rows) {
            tensors.push_back({layer + stem + ending, parameterLayer + parameters.*member + ending,
                               std::move(shape), std::move(fields), offset, rows});
        };
        add(&TensorNames::inputNorm, "", {D}, {hidden});
        if (!names.fusedQkv.empty()) {
            // [q; k; v] rows of one tensor; a shape error names the heads field.
            const std::int64_t all = q + 2 * kv;
            for (const char* ending : {".weight", ".bias"}) {
                const bool weight = std::string(ending) == ".weight";
                if (!weight && !c.qkvBias)
                    continue;
                auto shape =
                    weight ? std::vector<std::int64_t>{all, D} : std::vector<std::int64_t>{all};
                auto fields = weight ? std::vector<const char*>{kvHeads, hidden}
                                     : std::vector<const char*>{kvHeads};
                addRows(names.fusedQkv, &TensorNames::qProj, ending, shape, fields, 0, q);
                addRows(names.fusedQkv, &TensorNames::kProj, ending, shape, fields, q, kv);
                addRows(names.fusedQkv, &TensorNames::vProj, ending, shape, fields, q + kv, kv);
            }
        } else {
            add(&TensorNames::qProj, ".weight", {q, D}, {heads, hidden});
            if (c.qkvBias)
                add(&TensorNames::qProj, ".bias", {q}, {heads});
            add(&TensorNames::kProj, ".weight", {kv, D}, {kvHeads, hidden});
            if (c.qkvBias)
                add(&TensorNames::kProj, ".bias", {kv}, {kvHeads});
            add(&TensorNames::vProj, ".weight", {kv, D}, {kvHeads, hidden});
            if (c.qkvBias)
                add(&TensorNames::vProj, ".bias", {kv}, {kvHeads});
        }
        add(&TensorNames::oProj, ".weight", {D, q}, {hidden, heads});
        if (c.outputBias)
            add(&TensorNames::oProj, ".bias", {D}, {hidden});
        if (c.qkNorm) {
            add(&TensorNames::qNorm, "", {hd}, {"head_dim"});
            add(&TensorNames::kNorm, "", {hd}, {"head_dim"});
        }
        add(&TensorNames::postAttentionNorm, "", {D}, {hidden});
        if (!names.fusedGateUp.empty()) { // [gate; up] rows of one tensor
            addRows(names.fusedGateUp, &TensorNames::gateProj, ".weight", {2 * F, D},
                    {inner, hidden}, 0, F);
            addRows(names.fusedGateUp, &TensorNames::upProj, ".weight", {2 * F, D}, {inner, hidden},
                    F, F);
        } else {
            add(&TensorNames::gateProj, ".weight", {F, D}, {inner, hidden});
            add(&TensorNames::upProj, ".weight", {F, D}, {inner, hidden});
        }
        add(&TensorNames::downProj, ".weight", {D, F}, {hidden, inner});
    }
    tensors.push_back({names.finalNorm, parameters.finalNorm, {D}, {hidden}});
    if (!c.tieWordEmbeddings)
        tensors.push_back({names.lmHead, parameters.lmHead, {V, D}, {vocab, hidden}});
    return tensors;
}

std::int64_t CheckpointShapes::layerCount(const CheckpointIndex& checkpoint,
                                          const std::string& layerPrefix) {
    std::int64_t count = 0;
    for (const std::string& name : checkpoint.names()) {
        if (name.compare(0, layerPrefix.size(), layerPrefix) != 0)
            continue;
        const char* digits = name.c_str() + layerPrefix.size();
        char* end = nullptr;
        const long long index = std::strtoll(digits, &end, 10);
        // "<prefix><N>.": plain decimal digits followed by a dot
        if (end != digits && *end == '.' && *digits >= '0' && *digits <= '9' && index >= 0 &&
            index < (std::int64_t(1) << 40))
            count = std::max<std::int64_t>(count, index + 1);
    }
    return count;
}

std::vector<std::string> CheckpointShapes::unexpected(const ModelConfig& config,
                                                      const CheckpointIndex& checkpoint) {
    const ModelFamily& family = config.family();
    std::set<std::string> used;
    for (const Tensor& tensor : expected(config))
        used.insert(tensor.name);
    std::vector<std::string> extra;
    for (const std::string& name : checkpoint.names())
        if (!used.count(name) && !family.ignores(name))
            extra.push_back(name);
    std::sort(extra.begin(), extra.end());
    return extra;
}

void CheckpointShapes::check(const ModelConfig& config, const CheckpointIndex& checkpoint,
                             const std::string& configPath) {
    const TensorNames& names = config.family().names;
    const std::int64_t layers = layerCount(checkpoint, names.layerPrefix);
    if (layers != config.numLayers)
        throw FsllmError(configPath + ": field '" + config.family().fields.layers +
                         "': " + std::to_string(config.numLayers) + " but the weights hold " +
                         std::to_string(layers) + " layer(s) (" + names.layerPrefix +
                         "N.*); config.json and the weights disagree, set " +
                         config.family().fields.layers + " to " + std::to_string(layers) +
                         " or use the matching weights");
    for (const Tensor& tensor : expected(config)) {
        if (!checkpoint.contains(tensor.name))
            throw FsllmError(checkpoint.directory() + ": tensor '" + tensor.name +
                             "' is missing; config.json (model_type '" + config.modelType +
                             "') describes a model that needs it "
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
    const std::vector<std::string> extra = unexpected(config, checkpoint);
    if (extra.empty())
        return;
    std::string listed;
    for (std::size_t i = 0; i < extra.size() && i < 3; ++i)
        listed += (i ? ", " : "") + extra[i];
    if (extra.size() > 3)
        listed += ", ... (" + std::to_string(extra.size()) + " in all)";
    throw FsllmError(checkpoint.directory() + ": " + std::to_string(extra.size()) +
                     " tensor(s) that a " + config.modelType +
                     " model as configured does not use: " + listed + "; " +
                     likelyCause(config, extra));
}

} // namespace fsllm
