// Saves and loads LoRA adapters (and the classification head) in the PEFT layout, so Python users
// can load them: `adapter_config.json` + `adapter_model.safetensors` with keys
// "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight" ([r, in]) / "lora_B.weight"
// ([out, r]) and the head under "base_model.model.score.*". Keys and target_modules follow the
// model's family (PeftLayout: chatglm's fused query_key_value and dense_h_to_4h). Writes are
// atomic.
// Thread-safety: call from the thread that owns the modules.
#pragma once

#include "classificationhead.h"
#include "decoder.h"
#include "safetensorsfile.h"

#include <map>
#include <string>
#include <vector>

namespace fsllm {

struct AdapterConfig {
    LoraSettings lora;
    LoraTargets targets;
    std::string taskType = "SEQ_CLS"; // PEFT task_type: SEQ_CLS, TOKEN_CLS or CAUSAL_LM
    std::string baseModel;            // base_model_name_or_path
    bool hasHead = true;              // modules_to_save: ["score"]
    // target_modules as written (the family's names, PeftLayout::targetNames); empty: "<t>_proj"
    std::vector<std::string> peftTargets;
    // PEFT rank_pattern / alpha_pattern: per-target rank and alpha, used for fused modules only
    // (rank k * r and alpha keeping alpha / r, see peftlayout.h).
    std::map<std::string, std::int64_t> rankPattern;
    std::map<std::string, double> alphaPattern;

    static constexpr const char* kConfigFile = "adapter_config.json";
    static constexpr const char* kWeightsFile = "adapter_model.safetensors";
    // The largest rank accepted from a file (real adapters use 4 to 256).
    static constexpr std::int64_t kMaxRank = 65536;

    std::string toJsonText() const;
    // Throws FsllmError("<source>: field '<name>': ...") for a missing/wrong field, a peft_type
    // other than LORA, bias other than "none", a target module the engine does not have, a rank
    // outside 1..kMaxRank, dropout outside [0, 1), or an option that changes what the weights
    // mean and is not supported (use_dora, fan_in_fan_out; rank_pattern and alpha_pattern other
    // than for the fused modules this tool writes, with a scaling equal to lora_alpha / r).
    // use_rslora is supported (scaling alpha / sqrt(r)) and written back on save.
    static AdapterConfig fromJsonText(const std::string& text, const std::string& source);
    static AdapterConfig load(const std::string& directory);

    // The rank of the tensors of PEFT target `target` (rank_pattern, else r).
    std::int64_t rankOf(const std::string& target) const;
};

class AdapterIo {
public:
    // Writes adapter_config.json and adapter_model.safetensors into `directory` (created).
    // `head` may be null (LM-only adapter).
    static void save(const std::string& directory, DecoderImpl& decoder,
                     ClassificationHeadImpl* head, const AdapterConfig& config);

    // Enables LoRA on `decoder` as the config says (if not already) and loads A, B and the head.
    // Every tensor must be known and of the right shape, and every expected tensor present;
    // errors name the file and the key (a head saved under another name than "score" is the
    // classic PEFT mismatch and gets its own message). The rank is checked against the weights
    // before any LoRA module is allocated; NaN or infinite weights are refused.
    static AdapterConfig load(const std::string& directory, DecoderImpl& decoder,
                              ClassificationHeadImpl* head);

    // Throws FsllmError naming `configPath` and field 'r' unless every lora_A [r, in] and lora_B
    // [out, r] tensor of `file` has the config's rank r <= min(in, out); and naming the file when
    // it holds no LoRA tensors.
    static void checkRank(const AdapterConfig& config, const SafetensorsFile& file,
                          const std::string& configPath);
};

} // namespace fsllm
