// Progress of a model load and the way to stop it: LoadedModel::open / Engine::open call the
// callback on the loading thread before the first weight tensor and after each one, with the
// bytes of tensor data placed so far and in all (the checkpoint's tensor bytes); a callback that
// returns false stops the load, which then throws LoadCancelled (nothing of the model is kept).
// Torch-free, so the facade (engine.h) can carry it to the GUI.
// Thread-safety: the callback runs on the loading thread; make what it reads thread-safe.
#pragma once

#include "cancelled.h"

#include <cstdint>
#include <functional>
#include <string>

namespace fsllm {

using LoadProgress = std::function<bool(std::int64_t bytesDone, std::int64_t bytesTotal)>;

// Thrown by a load whose LoadProgress returned false.
class LoadCancelled : public Cancelled {
public:
    explicit LoadCancelled(const std::string& directory)
        : Cancelled(directory + ": opening cancelled") {}
};

} // namespace fsllm
