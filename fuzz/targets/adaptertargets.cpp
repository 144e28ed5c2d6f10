// Fuzz target for PEFT adapter_config.json (the adapter weights are safetensors, fuzzed by the
// safetensors target).
#include "adapterio.h"
#include "fsllmerror.h"
#include "fuzztargetregistry.h"

using fsllm::FsllmError;

// Input: adapter_config.json text.
FSLLM_FUZZ_TARGET(adapter_config) {
    try {
        (void)fsllm::AdapterConfig::fromJsonText(
            std::string(reinterpret_cast<const char*>(data), size), "adapter_config.json");
    } catch (const FsllmError&) {
    }
}
