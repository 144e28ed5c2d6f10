// pytorch_model.bin checkpoints through LibTorch's zip reader and unpickler (see
// torchbincheckpoint.h).
#include "torchbincheckpoint.h"

#include "fsllmerror.h"
#include "lfspointer.h"
#include "mappedfile.h"
#include "picklepatch.h"
#include "tensorutil.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/unpickler.h>
#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <map>

namespace fsllm {

namespace {

namespace fs = std::filesystem;

constexpr const char* kSingleFile = "pytorch_model.bin";
constexpr const char* kIndexFile = "pytorch_model.bin.index.json";

// A storage record's bytes in the file's mapping, handed to the unpickler without a copy: the
// DataPtr's context holds the mapping, so tensors keep it alive.
at::DataPtr mappedRecord(const MappedFile& file, std::size_t offset) {
    auto* holder = new std::shared_ptr<const void>(file.owner);
    void* data = const_cast<std::uint8_t*>(file.data + offset);
    return at::DataPtr(
        data, holder,
        [](void* context) { delete static_cast<std::shared_ptr<const void>*>(context); },
        at::Device(at::kCPU));
}

// The {name: tensor} dict of one .bin file, as views into its mapping.
std::vector<TensorView> readFile(const std::string& path) {
    if (!fs::is_regular_file(path))
        throw FsllmError(path + ": does not exist; download the checkpoint's weights");
    const MappedFile file = MappedFile::open(path, "a pytorch_model.bin file");
    const std::string_view head(reinterpret_cast<const char*>(file.data),
                                std::min<std::size_t>(file.size, 64));
    LfsPointer::refuse(path, head, file.size);
    if (file.size < 4 || head.substr(0, 4) != std::string_view("PK\x03\x04", 4)) {
        const bool legacy = file.size > 0 && static_cast<unsigned char>(head[0]) == 0x80;
        throw FsllmError(path + (legacy ? ": is in PyTorch's legacy (pre-1.6) format, which is "
                                          "not a zip archive; re-save it with a current "
                                          "torch.save or convert it to safetensors"
                                        : ": is not a PyTorch checkpoint (no zip archive); "
                                          "re-download it or convert it to safetensors"));
    }
    std::vector<TensorView> views;
    try {
        caffe2::serialize::PyTorchStreamReader reader(path);
        at::DataPtr pickleData;
        std::size_t pickleSize = 0;
        std::tie(pickleData, pickleSize) = reader.getRecord("data.pkl");
        const std::string pickle = PicklePatch::rewrite(
            std::string(static_cast<const char*>(pickleData.get()), pickleSize),
            path + " (data.pkl)");
        std::size_t position = 0;
        const auto read = [&](char* buffer, std::size_t length) {
            length = std::min(length, pickle.size() - position);
            std::memcpy(buffer, pickle.data() + position, length);
            position += length;
            return length;
        };
        const auto record = [&](const std::string& key) {
            return mappedRecord(file, reader.getRecordOffset("data/" + key));
        };
        torch::jit::Unpickler unpickler(read, nullptr, nullptr, record, at::Device(at::kCPU));
        const c10::IValue root = unpickler.parse_ivalue();
        if (!root.isGenericDict())
            throw FsllmError(path + ": holds a " + root.tagKind() +
                             ", not a state dict of named tensors; save model.state_dict()");
        for (const auto& item : root.toGenericDict()) {
            if (!item.key().isString() || !item.value().isTensor())
                throw FsllmError(path +
                                 ": an entry of the state dict is not a name and a tensor "
                                 "(" +
                                 item.key().tagKind() + " -> " + item.value().tagKind() +
                                 "); save model.state_dict()");
            const std::string name = item.key().toStringRef();
            at::Tensor tensor = item.value().toTensor();
            const DType dtype = withErrorContext(path + ": tensor '" + name + "'",
                                                 [&] { return dtypeOf(tensor.scalar_type()); });
            // The storage must lie inside the file before a byte of it is read.
            const auto* begin = static_cast<const std::uint8_t*>(tensor.storage().data());
            const std::size_t bytes = tensor.storage().nbytes();
            if (bytes > 0 && (begin < file.data || begin > file.data + file.size ||
                              bytes > static_cast<std::size_t>(file.data + file.size - begin)))
                throw FsllmError(path + ": tensor '" + name + "' claims " + std::to_string(bytes) +
                                 " bytes that run past the end of the file; the file is "
                                 "truncated or corrupt, re-download it");
            if (!tensor.is_contiguous())
                tensor = tensor.contiguous(); // a saved view: its own row-major copy
            TensorView view;
            view.name = name;
            view.dtype = dtype;
            view.shape.assign(tensor.sizes().begin(), tensor.sizes().end());
            view.data = static_cast<const std::uint8_t*>(tensor.data_ptr());
            view.byteSize = static_cast<std::size_t>(tensor.numel()) * dtypeSize(dtype);
            // The deleter's copy of the tensor keeps its storage, and so the mapping, alive.
            view.mapping = std::shared_ptr<const void>(view.data, [tensor](const void*) {});
            views.push_back(std::move(view));
        }
    } catch (const c10::Error& e) {
        throw FsllmError(path + ": cannot read the PyTorch checkpoint (" +
                         e.what_without_backtrace() +
                         "); re-download it or convert it to safetensors");
    }
    return views;
}

} // namespace

bool TorchBinCheckpoint::holdsBinWeights(const std::string& directory) {
    return fs::is_regular_file(fs::path(directory) / kSingleFile) ||
           fs::is_regular_file(fs::path(directory) / kIndexFile);
}

std::unique_ptr<CheckpointIndex> TorchBinCheckpoint::open(const std::string& directory) {
    const fs::path folder(directory);
    if (fs::is_regular_file(folder / kSingleFile))
        return std::make_unique<CheckpointIndex>(directory,
                                                 readFile((folder / kSingleFile).string()));
    const std::string indexPath = (folder / kIndexFile).string();
    std::map<std::string, std::vector<std::string>> tensorsOfShard;
    for (const auto& [tensor, shard] : CheckpointIndex::readWeightMap(indexPath))
        tensorsOfShard[shard].push_back(tensor);
    std::vector<TensorView> views;
    for (const auto& [shard, tensors] : tensorsOfShard) {
        const std::string shardPath = (folder / shard).string();
        if (!fs::is_regular_file(shardPath))
            throw FsllmError(indexPath + ": shard '" + shard + "' (holding tensor '" +
                             tensors.front() + "') does not exist in " + directory +
                             "; download the missing shard");
        std::map<std::string, TensorView> inShard;
        for (TensorView& view : readFile(shardPath))
            inShard.emplace(view.name, std::move(view));
        for (const std::string& tensor : tensors) {
            const auto found = inShard.find(tensor);
            if (found == inShard.end())
                throw FsllmError(indexPath + ": tensor '" + tensor + "' is mapped to shard '" +
                                 shard +
                                 "', but that shard does not contain it; re-download "
                                 "the checkpoint");
            views.push_back(std::move(found->second));
        }
    }
    return std::make_unique<CheckpointIndex>(directory, std::move(views));
}

} // namespace fsllm
