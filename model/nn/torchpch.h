// Precompiled header for the engine: the torch headers, which dominate compile time.
#pragma once
#include <torch/torch.h>
