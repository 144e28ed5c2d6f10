// The family table (see familytable.h). Adding a family: write its file (see qwen2family.cpp),
// declare its row function here and add it to the table, add it to model/CMakeLists.txt, and
// give it a parity test (tests/reference/make_reference.py + tst_decoder). docs/ARCHITECTURE.md.
#include "familytable.h"

#include "fsllmerror.h"

namespace fsllm {

// One function per family file.
const ModelFamily& llamaFamily();   // llamafamily.cpp
const ModelFamily& mistralFamily(); // mistralfamily.cpp
const ModelFamily& qwen2Family();   // qwen2family.cpp
const ModelFamily& qwen3Family();   // qwen3family.cpp
const ModelFamily& chatglmFamily(); // chatglmfamily.cpp

const std::vector<const ModelFamily*>& FamilyTable::all() {
    static const std::vector<const ModelFamily*> table = {
        &llamaFamily(),
        &mistralFamily(),
        &qwen2Family(),
        &qwen3Family(),
        &chatglmFamily(),
    };
    return table;
}

const ModelFamily* FamilyTable::find(const std::string& modelType) {
    for (const ModelFamily* family : all())
        if (family->modelType == modelType)
            return family;
    return nullptr;
}

const ModelFamily& FamilyTable::require(const std::string& modelType, const std::string& who) {
    if (const ModelFamily* family = find(modelType))
        return *family;
    throw FsllmError(who + ": model type '" + modelType +
                     "' is not supported; supported model types: " + supportedNames());
}

std::string FamilyTable::supportedNames() {
    std::string names;
    for (const ModelFamily* family : all())
        names += (names.empty() ? "" : ", ") + family->modelType;
    return names;
}

} // namespace fsllm
