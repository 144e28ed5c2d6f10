// c10d Gloo data parallelism (see dataparallel.h). Compiled with USE_C10D_GLOO when CMake finds
// Gloo's headers (Debian: libgloo-dev); without them the constructor refuses.
#include "dataparallel.h"

#include "fsllmerror.h"

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#include <chrono>

namespace fsllm {

struct DataParallel::Impl {
    DistributedSettings settings;
#ifdef USE_C10D_GLOO
    c10::intrusive_ptr<c10d::TCPStore> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
#endif

    double seconds = 0.0; // in collectives

    // Runs a collective, timed; a dead or silent peer becomes one clear message.
    template <typename Fn> void collective(const char* what, Fn&& fn) {
        const auto start = std::chrono::steady_clock::now();
        try {
            fn();
            seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                           .count();
        } catch (const std::exception& e) {
            throw FsllmError("distributed training: rank " + std::to_string(settings.rank) +
                             " of " + std::to_string(settings.worldSize) + ": " + what +
                             " failed (" + std::string(e.what()).substr(0, 300) +
                             "); another rank has probably died or stopped answering (timeout " +
                             std::to_string(int(settings.timeoutSeconds)) +
                             " s, FSLLM_DIST_TIMEOUT)");
        }
    }
};

DataParallel::DataParallel(const DistributedSettings& settings) : m_impl(std::make_unique<Impl>()) {
    m_impl->settings = settings;
#ifdef USE_C10D_GLOO
    const auto timeout =
        std::chrono::milliseconds(static_cast<long>(settings.timeoutSeconds * 1000));
    const std::string where = settings.masterAddr + ":" + std::to_string(settings.masterPort);
    try {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(settings.masterPort);
        options.isServer = settings.rank == 0;
        options.numWorkers = settings.worldSize;
        options.waitWorkers = true;
        options.timeout = timeout;
        m_impl->store = c10::make_intrusive<c10d::TCPStore>(settings.masterAddr, options);
        auto groupOptions = c10d::ProcessGroupGloo::Options::create();
        groupOptions->timeout = timeout;
        groupOptions->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        m_impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(
            m_impl->store, settings.rank, settings.worldSize, groupOptions);
    } catch (const std::exception& e) {
        throw FsllmError("distributed training: rank " + std::to_string(settings.rank) +
                         " could not join the group of " + std::to_string(settings.worldSize) +
                         " at MASTER_ADDR:MASTER_PORT = " + where + " (" +
                         std::string(e.what()).substr(0, 300) +
                         "); check that every rank uses the same address and a free port, and "
                         "that all ranks start within FSLLM_DIST_TIMEOUT (" +
                         std::to_string(int(settings.timeoutSeconds)) + " s)");
    }
#else
    throw FsllmError("distributed training: this build has no Gloo backend (install Gloo's "
                     "development files, e.g. Debian's libgloo-dev, and rebuild)");
#endif
}

DataParallel::~DataParallel() = default;

int DataParallel::rank() const {
    return m_impl->settings.rank;
}

int DataParallel::worldSize() const {
    return m_impl->settings.worldSize;
}

std::vector<double> DataParallel::sum(const std::vector<double>& values) {
    torch::Tensor buffer = torch::tensor(values, torch::kFloat64);
#ifdef USE_C10D_GLOO
    m_impl->collective("summing losses and counts", [&] {
        std::vector<torch::Tensor> tensors{buffer};
        m_impl->group->allreduce(tensors)->wait();
    });
#endif
    return std::vector<double>(buffer.data_ptr<double>(),
                               buffer.data_ptr<double>() + buffer.numel());
}

void DataParallel::sumGradients(const std::vector<torch::Tensor>& parameters) {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> flat;
    for (torch::Tensor parameter : parameters) { // a handle: its grad is the parameter's
        torch::Tensor& grad = parameter.mutable_grad();
        if (!grad.defined())
            grad = torch::zeros_like(parameter);
        flat.push_back(grad.reshape({-1}));
    }
    // One bucket (LoRA + head are small), on the host: Gloo reduces CPU tensors, so gradients on
    // a GPU travel through host memory (NCCL, which would keep them there, needs a CUDA build).
    const torch::Tensor joined = torch::cat(flat);
    torch::Tensor buffer = joined.is_cpu() ? joined : joined.to(torch::kCPU);
#ifdef USE_C10D_GLOO
    m_impl->collective("summing gradients", [&] {
        std::vector<torch::Tensor> tensors{buffer};
        m_impl->group->allreduce(tensors)->wait();
    });
#endif
    std::int64_t offset = 0;
    for (torch::Tensor parameter : parameters) {
        torch::Tensor& grad = parameter.mutable_grad();
        grad.copy_(buffer.narrow(0, offset, grad.numel()).view_as(grad));
        offset += grad.numel();
    }
}

double DataParallel::collectiveSeconds() const {
    return m_impl->seconds;
}

void DataParallel::barrier() {
#ifdef USE_C10D_GLOO
    m_impl->collective("waiting for the other ranks", [&] { m_impl->group->barrier()->wait(); });
#endif
}

} // namespace fsllm
