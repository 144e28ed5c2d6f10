// Fuzz target for PyTorch pytorch_model.bin checkpoints: the whole reader (zip archive, the pickle
// patch, LibTorch's unpickler, the views' bounds). The patch alone is `pickle_patch`
// (formattargets.cpp).
#include "fsllmerror.h"
#include "fuzzscratch.h"
#include "fuzztargetregistry.h"
#include "torchbincheckpoint.h"

#include <string>

using fsllm::FsllmError;
using fsllm::fuzz::FuzzScratch;

// Input: the whole pytorch_model.bin of a checkpoint folder.
FSLLM_FUZZ_TARGET(torch_bin) {
    const std::string folder = FuzzScratch::freshFolder("torchbin");
    FuzzScratch::write("torchbin/pytorch_model.bin", data, size);
    try {
        const auto checkpoint = fsllm::TorchBinCheckpoint::open(folder);
        unsigned sum = 0; // every byte of every view, so a view past the mapping is caught
        for (const std::string& name : checkpoint->names()) {
            const fsllm::TensorView& view = checkpoint->tensor(name);
            for (std::size_t i = 0; i < view.byteSize; ++i)
                sum += view.data[i];
        }
        volatile unsigned sink = sum;
        (void)sink;
    } catch (const FsllmError&) {
    }
}
