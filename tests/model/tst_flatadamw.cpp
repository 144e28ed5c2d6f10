// FlatAdamW against torch::optim::AdamW: the same updates, element for element, over matrices
// (decayed) and vectors (not decayed); gradient clipping as clip_grad_norm_; and optimizer.pt in
// torch::optim::AdamW's format both ways, so run folders written before the flat optimizer resume.
#include "adamwsetup.h"
#include "flatadamw.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace fsllm;

namespace {

constexpr double kRate = 1e-2;
constexpr double kDecay = 0.1;

// A matrix, a vector and another matrix, as LoRA A, a norm weight and LoRA B would be.
std::vector<torch::Tensor> someParameters() {
    torch::manual_seed(5);
    return {torch::randn({4, 6}).requires_grad_(), torch::randn({6}).requires_grad_(),
            torch::randn({3, 4}).requires_grad_()};
}

std::vector<torch::Tensor> copiesOf(const std::vector<torch::Tensor>& parameters) {
    std::vector<torch::Tensor> copies;
    for (const auto& parameter : parameters)
        copies.push_back(parameter.detach().clone().requires_grad_());
    return copies;
}

// The same seeded loss on both sets: sum(w_i * r_i)^2-like, so that gradients depend on values.
void backward(const std::vector<torch::Tensor>& parameters, int step) {
    torch::manual_seed(100 + step);
    torch::Tensor loss = torch::zeros({});
    for (const auto& parameter : parameters)
        loss = loss + (parameter * torch::randn_like(parameter)).sum().pow(2);
    loss.backward();
}

// One step of each optimizer on its own parameters, with the same seeded gradients.
void stepTogether(FlatAdamW& flat, const std::vector<torch::Tensor>& flatParameters,
                  torch::optim::AdamW& torchAdamW, const std::vector<torch::Tensor>& torchParameters,
                  int step) {
    backward(flatParameters, step);
    backward(torchParameters, step);
    flat.step();
    torchAdamW.step();
    flat.zeroGrad();
    torchAdamW.zero_grad();
}

double maxDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
    return worst;
}

std::string archiveBytes(const std::function<void(torch::serialize::OutputArchive&)>& save) {
    torch::serialize::OutputArchive archive;
    save(archive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    return bytes.str();
}

torch::serialize::InputArchive archiveOf(const std::string& bytes) {
    torch::serialize::InputArchive archive;
    std::istringstream stream(bytes);
    archive.load_from(stream);
    return archive;
}

} // namespace

class TstFlatAdamW : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void sameUpdatesAsTorchAdamW() {
        auto flatParameters = someParameters();
        const auto reference = copiesOf(flatParameters);
        FlatAdamW flat(flatParameters, kRate, kDecay);
        auto torchAdamW = AdamWSetup::create(reference, kRate, kDecay);
        for (int step = 0; step < 20; ++step) {
            const double rate = kRate * (1.0 - step / 40.0); // a schedule, set every step
            flat.setLearningRate(rate);
            AdamWSetup::setLearningRate(*torchAdamW, rate);
            stepTogether(flat, flatParameters, *torchAdamW, reference, step);
        }
        QCOMPARE(flat.stepsTaken(), int64_t{20});
        const double difference = maxDifference(flatParameters, reference);
        QVERIFY2(difference < 1e-6, std::to_string(difference).c_str());
        // The run moved the values: the agreement above is not that of untouched tensors. (The
        // vector is not decayed: AdamWSetup puts it in torch's no-decay group.)
        QVERIFY(maxDifference(flatParameters, someParameters()) > 1e-2);
    }

    void gradientsAreViewsOfOneBuffer() {
        auto parameters = someParameters();
        FlatAdamW flat(parameters, kRate, kDecay);
        QCOMPARE(flat.gradients().numel(), int64_t{24 + 6 + 12});
        backward(parameters, 0);
        backward(parameters, 1); // accumulates in place
        double viewSum = 0.0;
        for (const auto& parameter : parameters)
            viewSum += parameter.grad().sum().item<double>();
        QVERIFY(std::abs(viewSum - flat.gradients().sum().item<double>()) < 1e-4);
        QVERIFY(flat.gradients().abs().sum().item<double>() > 0.0);
        flat.zeroGrad();
        for (const auto& parameter : parameters)
            QCOMPARE(parameter.grad().abs().sum().item<double>(), 0.0);
    }

    void clippingAsClipGradNorm() {
        auto flatParameters = someParameters();
        const auto reference = copiesOf(flatParameters);
        FlatAdamW flat(flatParameters, kRate, kDecay);
        backward(flatParameters, 0);
        backward(reference, 0);
        const double norm = flat.clipGradientNorm(0.5);
        const double referenceNorm = torch::nn::utils::clip_grad_norm_(reference, 0.5);
        QVERIFY(norm > 0.5); // the clip did something
        QVERIFY(std::abs(norm - referenceNorm) < 1e-4 * referenceNorm);
        for (std::size_t i = 0; i < reference.size(); ++i)
            QVERIFY((flatParameters[i].grad() - reference[i].grad()).abs().max().item<double>() <
                    1e-6);
        QVERIFY(std::abs(flat.gradients().norm().item<double>() - 0.5) < 1e-4);
    }

    // Saved by either, loaded by either, the next steps agree: optimizer.pt stays torch's format.
    void stateRoundTripsThroughTorchFormat() {
        for (const bool flatWrites : {true, false}) {
            auto flatParameters = someParameters();
            auto reference = copiesOf(flatParameters);
            FlatAdamW flat(flatParameters, kRate, kDecay);
            auto torchAdamW = AdamWSetup::create(reference, kRate, kDecay);
            for (int step = 0; step < 3; ++step)
                stepTogether(flat, flatParameters, *torchAdamW, reference, step);
            const std::string bytes =
                flatWrites ? archiveBytes([&](auto& a) { flat.save(a); })
                           : archiveBytes([&](auto& a) { torchAdamW->save(a); });
            // A fresh optimizer of the other kind over copies of the values continues the run.
            auto resumedParameters = copiesOf(flatWrites ? flatParameters : reference);
            auto archive = archiveOf(bytes);
            std::unique_ptr<FlatAdamW> resumedFlat;
            std::unique_ptr<torch::optim::AdamW> resumedTorch;
            if (flatWrites) {
                resumedTorch = AdamWSetup::create(resumedParameters, kRate, kDecay);
                resumedTorch->load(archive);
            } else {
                resumedFlat = std::make_unique<FlatAdamW>(resumedParameters, kRate, kDecay);
                resumedFlat->load(archive);
                QCOMPARE(resumedFlat->stepsTaken(), int64_t{3});
            }
            auto& continued = flatWrites ? flatParameters : reference;
            for (int step = 3; step < 6; ++step) {
                if (flatWrites)
                    stepTogether(flat, flatParameters, *resumedTorch, resumedParameters, step);
                else
                    stepTogether(*resumedFlat, resumedParameters, *torchAdamW, reference, step);
            }
            const double difference = maxDifference(continued, resumedParameters);
            QVERIFY2(difference < 1e-6, std::to_string(difference).c_str());
        }
    }

    void savedBeforeTheFirstStep() {
        auto parameters = someParameters();
        FlatAdamW flat(parameters, kRate, kDecay);
        const std::string bytes = archiveBytes([&](auto& a) { flat.save(a); });
        auto resumedParameters = copiesOf(parameters);
        FlatAdamW resumed(resumedParameters, kRate, kDecay);
        auto archive = archiveOf(bytes);
        resumed.load(archive);
        QCOMPARE(resumed.stepsTaken(), int64_t{0});
        QCOMPARE(resumed.gradients().abs().sum().item<double>(), 0.0);
    }
};

QTEST_GUILESS_MAIN(TstFlatAdamW)
#include "tst_flatadamw.moc"
