// Prepares a torch.save pickle (protocol 2, the data.pkl of a pytorch_model.bin) for LibTorch's
// unpickler (torch::jit::Unpickler of LibTorch 1.13), which reads collections.OrderedDict as None
// (it only expects one as a tensor's empty backward hooks) and has neither SETITEM nor POP.
// Walks the pickle opcode by opcode, following where each stack entry starts, and writes a copy
// in which
//   - every "OrderedDict()" call (the OrderedDict global, or a memo GET of it, followed by
//     EMPTY_TUPLE REDUCE ")R") drops the global and pushes an empty dict instead (NEWOBJ "}":
//     LibTorch's NEWOBJ only pops the top of the stack, which is the drop it lacks);
//   - a BUILD and the state it applies (a state dict's `_metadata` attribute) are removed;
//   - a single-item SETITEM "key value s" becomes MARK "( key value u" SETITEMS.
// Everything else is copied as it is. The result is meant for LibTorch only.
// Torch-free. Thread-safety: pure function.
#pragma once

#include <string>

namespace fsllm {

class PicklePatch {
public:
    // The rewritten pickle (see above); `orderedDicts` (may be null) receives how many
    // OrderedDict() calls became dicts. Throws FsllmError("<source>: byte N: ...") for an opcode
    // outside those torch.save writes, a truncated argument, a stack that runs empty, or a
    // pickle without STOP.
    static std::string rewrite(const std::string& pickle, const std::string& source,
                               int* orderedDicts = nullptr);
};

} // namespace fsllm
