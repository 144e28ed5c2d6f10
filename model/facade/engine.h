// The engine's facade for the CLI and the GUI: opens a Hugging Face checkpoint folder, optionally
// a trained adapter, and inspects sentences under the three masks. Plain C++ types only (no torch
// in this header), so ui/ and app/ compile fast and never see LibTorch.
// Thread-safety: an Engine is used by one thread at a time (the GUI keeps it in a worker).
// Every failure is an FsllmError whose message names the file/field and what to fix.
#pragma once

#include "attributionresult.h"
#include "classifierspec.h"
#include "inspectresult.h"
#include "loadprogress.h"
#include "maskspec.h"
#include "runtimeinfo.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace fsllm {

struct EngineOptions {
    std::string device = "auto"; // "auto" (CUDA when available), "cpu", "cuda", "cuda:N"
    std::string dtype = "auto";  // "auto" (stored dtype; F16 -> float32 on CPU), "float32", "bfloat16"
    int threads = 0;             // 0 = all cores available to the process
    LoadProgress progress;       // open() only: weight-loading progress and Cancel (may be empty)
};

struct ModelSummary {
    std::string directory;
    std::string modelType;
    std::string family;  // the family's one-line summary ("Qwen3 decoder (LLaMA layout ...)")
    std::string options; // ModelConfig::describeOptions(): "q/k/v bias, sliding window 4096"
    int layers = 0, hiddenSize = 0, intermediateSize = 0, heads = 0, kvHeads = 0, headDim = 0;
    int vocabSize = 0, maxPositions = 0;
    double ropeTheta = 0.0, ropeScaling = 1.0, rmsNormEps = 0.0;
    bool tiedEmbeddings = false;
    std::int64_t parameterCount = 0;
    std::string storedDtype;  // of the checkpoint's embedding table
    std::string computeDtype; // what the engine computes in
    std::string device;
    int tokenizerPieces = 0;  // 0 when the folder has no tokenizer
    std::string tokenizerFile; // ".../tokenizer.model" or ".../tokenizer.json"; "" when none
    std::string tokenizerKind; // Tokenizer::kind(), e.g. "byte-level BPE (tokenizer.json)"
    RuntimeInfo runtime;
};

struct InspectRequest {
    std::string text;
    MaskSpec mask;
    bool wantAttention = true;
    bool wantHidden = true;
    bool wantLogits = true;
    // Polled before each decoder layer (any thread's flag; may be empty); returning true stops
    // the work and inspect() throws Cancelled (cancelled.h).
    std::function<bool()> cancel;
};

struct AttributionRequest {
    std::string text;
    MaskSpec mask;
    int steps = 32; // integrated-gradients interpolation points, 1..1024
    // Token classifiers only: the token (0-based over the tokens, BOS = 0) whose predicted tag is
    // attributed. -1: of the tokens after BOS tagged other than "O", the one tagged with the
    // highest probability (an entity the model sees), else the last token. Out of range:
    // FsllmError. Sequence classifiers ignore it.
    int token = -1;
    // Polled between batches of interpolation points (any thread's flag); returning true stops
    // the work and attribute() returns a result with `cancelled` set. Empty: never stops.
    std::function<bool()> cancel;
};

class Engine {
public:
    // Reads config.json, the weights and (if present) tokenizer.model or tokenizer.json from
    // `modelDirectory`.
    static std::unique_ptr<Engine> open(const std::string& modelDirectory,
                                        const EngineOptions& options = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    ModelSummary summary() const;

    // The same summary from the headers alone (config.json, tokenizer.model, the safetensors
    // headers): no decoder is built and no tensor data is read, so it takes well under a second
    // and little memory for any checkpoint size. Errors as open()'s.
    static ModelSummary summarize(const std::string& modelDirectory,
                                  const EngineOptions& options = {});

    // The options to inspect `modelDirectory` with: `options`, except that a small CPU model
    // stored in bfloat16 or float16 (the bundled default model is one) whose dtype is left "auto"
    // is computed in float32. LibTorch's CPU kernels run such a model's forward pass about 12x
    // slower in bfloat16 (default model, 32 tokens, one thread: 82 ms against 6.5 ms), and the
    // float32 copy of at most kFloat32InspectionMaxParameters weights costs at most 200 MB;
    // larger models keep the stored dtype (used in place, zero-copy). Reads config.json and the
    // safetensors headers only (no tokenizer, no weights); unreadable ones leave `options` as
    // they are (open() then says what is wrong).
    static constexpr std::int64_t kFloat32InspectionMaxParameters = 50'000'000;
    static EngineOptions inspectionOptions(const std::string& modelDirectory,
                                           EngineOptions options = {});

    // Loads a trained classifier from a run folder (its best/ adapter) or from an adapter folder
    // (classifier.json + PEFT adapter files). Only one per Engine.
    void loadAdapter(const std::string& runOrAdapterDirectory);
    // The loaded classifier, or null.
    const ClassifierSpec* classifier() const;

    // Tokenizes `request.text` (BOS first) and runs the decoder under `request.mask`.
    InspectResult inspect(const InspectRequest& request);
    // The same under each of `masks` (request.mask is ignored), in one batched forward pass:
    // one result per mask, in order, each as inspect() gives it for that mask (within float
    // rounding). Throws FsllmError for an empty list or an invalid mask.
    std::vector<InspectResult> inspectMasks(const InspectRequest& request,
                                            const std::vector<MaskSpec>& masks);

    // Token attribution (gradient x input and integrated gradients, TokenAttribution) for the
    // class the loaded classifier predicts for `request.text` under `request.mask`: the
    // sentence's class (sequence classifiers) or one token's tag (token classifiers, chosen by
    // `request.token`). Throws FsllmError when no adapter is loaded.
    AttributionResult attribute(const AttributionRequest& request);

private:
    Engine();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fsllm
