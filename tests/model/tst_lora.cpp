// LoRA and the classification head: zero-initialised adapters leave the model unchanged, training
// touches only adapters and head, merging is exact, and the PEFT layout round-trips.
#include "adapterio.h"
#include "classificationhead.h"
#include "decoderfixture.h"
#include "fsllmerror.h"
#include "safetensorsfile.h"
#include "safetensorswriter.h"
#include "tensorutil.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

using namespace fsllm;
using namespace fsllm::testing;

namespace {

const std::string kModel = std::string(FSLLM_TEST_DATA_DIR) + "/reference/tiny_llama";
const MaskSpec kDecay{MaskMode::Decay, 0.5};

std::map<std::string, torch::Tensor> snapshot(torch::nn::Module& module) {
    std::map<std::string, torch::Tensor> copy;
    for (const auto& item : module.named_parameters())
        copy[item.key()] = item.value().detach().clone();
    return copy;
}

// A few AdamW steps on a toy sequence task through the FS head with last-token pooling.
void train(DecoderImpl& decoder, ClassificationHeadImpl& head, int steps) {
    auto [ids, lengths] = padBatch({{1, 17, 42, 100, 5}, {1, 50, 7}, {1, 9, 9, 9}});
    auto labels = torch::tensor({0, 1, 0}, torch::kInt64);
    std::vector<torch::Tensor> trainable;
    for (auto& parameter : decoder.parameters())
        if (parameter.requires_grad())
            trainable.push_back(parameter);
    for (auto& parameter : head.parameters())
        trainable.push_back(parameter);
    torch::optim::AdamW optimizer(trainable, torch::optim::AdamWOptions(1e-2));
    decoder.train();
    head.train();
    for (int step = 0; step < steps; ++step) {
        optimizer.zero_grad();
        auto out = decoder.forward(ids, lengths, ForwardOptions{kDecay, false, false});
        auto logits = head.forward(poolHidden(out.hidden, lengths, Pooling::Last));
        torch::nn::functional::cross_entropy(logits, labels).backward();
        optimizer.step();
    }
    decoder.eval();
    head.eval();
}

const std::vector<int64_t> kProbe = {1, 17, 42, 100, 5, 63, 28, 81, 3};

// Every layer's q, k, v and gate, up in one buffer each (FusedProjection::pack), or each weight
// in its own storage, so that every projection runs on its own.
void packProjections(DecoderImpl& decoder, bool packed) {
    torch::NoGradGuard noGrad;
    for (const auto& module : *decoder.layers) {
        auto& layer = *module->as<DecoderLayerImpl>();
        if (packed) {
            layer.selfAttn->qkvProjection().pack();
            layer.mlp->gateUpProjection().pack();
            continue;
        }
        for (auto part : {layer.selfAttn->qProj, layer.selfAttn->kProj, layer.selfAttn->vProj,
                          layer.mlp->gateProj, layer.mlp->upProj})
            part->weight.set_data(part->weight.clone());
    }
}

bool allPacked(DecoderImpl& decoder) {
    bool packed = true;
    for (const auto& module : *decoder.layers) {
        auto& layer = *module->as<DecoderLayerImpl>();
        packed = packed && layer.selfAttn->qkvProjection().packed() &&
                 layer.mlp->gateUpProjection().packed();
    }
    return packed;
}

// The tiny model with adapters on `targets` whose B matrices are random (seeded, so two calls
// give the same adapters), its projections packed or not.
Decoder adaptedDecoder(const std::string& targets, bool packed,
                       torch::ScalarType dtype = torch::kFloat32) {
    Decoder decoder = loadDecoder(kModel, dtype);
    packProjections(*decoder, packed);
    torch::manual_seed(11);
    decoder->enableLora(LoraSettings{4, 16.0, 0.0}, LoraTargets::parse(targets));
    torch::NoGradGuard noGrad;
    for (auto& [path, layer] : decoder->loraLayers())
        layer->loraB.normal_(0.0, 0.05);
    return decoder;
}

} // namespace

class TstLora : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        torch::set_num_threads(1);
        torch::manual_seed(7);
    }

    void freshAdapterGivesBaseOutput() {
        Decoder decoder = loadDecoder(kModel);
        const auto base = runAlone(*decoder, kProbe, kDecay);
        decoder->enableLora(LoraSettings{8, 32.0, 0.1}, LoraTargets::parse("q,k,v,o,gate,up,down"));
        QCOMPARE(static_cast<int>(decoder->loraLayers().size()), 2 * 7);
        const auto adapted = runAlone(*decoder, kProbe, kDecay);
        QCOMPARE(maxAbsDiff(base.hidden, adapted.hidden), 0.0);
    }

    void onlyAdaptersAndHeadTrain() {
        Decoder decoder = loadDecoder(kModel);
        decoder->enableLora(LoraSettings{4, 16.0, 0.0}, LoraTargets::parse("q,v"));
        ClassificationHead head(64, 2, HeadKind::Fs, 0, 1e-5, torch::kCPU);
        const auto decoderBefore = snapshot(*decoder);
        const auto headBefore = snapshot(*head);
        train(*decoder, *head, 3);
        int changedLora = 0;
        for (const auto& item : decoder->named_parameters()) {
            const bool isLora = item.key().find("lora_") != std::string::npos;
            const bool same = torch::equal(item.value(), decoderBefore.at(item.key()));
            if (isLora)
                changedLora += same ? 0 : 1;
            else
                QVERIFY2(same, item.key().c_str()); // base weights are frozen
        }
        QCOMPARE(changedLora, 2 * 2 * 2); // 2 layers x {q, v} x {A, B}
        for (const auto& item : head->named_parameters())
            QVERIFY2(!torch::equal(item.value(), headBefore.at(item.key())), item.key().c_str());
    }

    // Activation checkpointing recomputes each layer in backward: same outputs, same gradients,
    // with LoRA dropout on (its random numbers must be replayed, not drawn again), with the
    // projections fused (one dropout mask shared by q, k, v and one by gate, up) or not.
    void recomputedLayersGiveTheSameGradients_data() {
        QTest::addColumn<bool>("packed");
        QTest::newRow("separate projections") << false;
        QTest::newRow("fused projections") << true;
    }
    void recomputedLayersGiveTheSameGradients() {
        QFETCH(bool, packed);
        Decoder decoder = loadDecoder(kModel);
        packProjections(*decoder, packed);
        QCOMPARE(allPacked(*decoder), packed);
        decoder->enableLora(LoraSettings{4, 16.0, 0.3}, LoraTargets::parse("q,k,v,o,gate,up,down"));
        {
            torch::NoGradGuard noGrad;
            for (auto& [path, layer] : decoder->loraLayers())
                layer->loraB.normal_(0.0, 0.05); // B = 0 would leave A without gradient
        }
        decoder->train();
        const auto batch = padBatch({{1, 17, 42, 100, 5}, {1, 63, 28, 81, 3, 9, 11}});
        const torch::Tensor& ids = batch.first;      // [2, 7]
        const torch::Tensor& lengths = batch.second; // [2]
        auto run = [&](bool recompute, std::uint64_t seed) {
            for (auto& parameter : decoder->parameters())
                parameter.mutable_grad() = torch::Tensor();
            torch::manual_seed(seed);
            ForwardOptions options;
            options.mask = kDecay;
            options.recomputeLayers = recompute;
            const auto output = decoder->forward(ids, lengths, options);
            output.hidden.pow(2).mean().backward();
            std::map<std::string, torch::Tensor> grads;
            for (const auto& item : decoder->named_parameters())
                if (item.value().requires_grad())
                    grads[item.key()] = item.value().grad().clone();
            return std::make_pair(output.hidden.detach(), grads);
        };
        const auto plain = run(false, 7);
        const auto recomputed = run(true, 7);
        QVERIFY(maxAbsDiff(plain.first, recomputed.first) < 1e-6);
        QCOMPARE(recomputed.second.size(), std::size_t{2 * 7 * 2}); // 2 layers x 7 x {A, B}
        for (const auto& [name, grad] : plain.second) {
            const torch::Tensor& other = recomputed.second.at(name);
            QVERIFY2(other.defined() && grad.abs().max().item<double>() > 0, name.c_str());
            QVERIFY2(maxAbsDiff(grad, other) < 1e-6 * (1.0 + grad.abs().max().item<double>()),
                     name.c_str());
        }
        // Dropout matters here: another seed gives other gradients.
        const auto reseeded = run(true, 8);
        const auto& name = plain.second.begin()->first;
        QVERIFY(maxAbsDiff(plain.second.at(name), reseeded.second.at(name)) > 1e-6);
    }

    void mergeEqualsUnmerged() {
        Decoder decoder = loadDecoder(kModel);
        decoder->enableLora(LoraSettings{4, 8.0, 0.0}, LoraTargets{});
        ClassificationHead head(64, 2, HeadKind::Linear, 0, 1e-5, torch::kCPU);
        train(*decoder, *head, 3);
        const auto adapted = runAlone(*decoder, kProbe, kDecay);
        decoder->mergeLora();
        QVERIFY(decoder->loraLayers().empty());
        for (const auto& item : decoder->named_parameters())
            QVERIFY(item.key().find("lora_") == std::string::npos);
        const auto merged = runAlone(*decoder, kProbe, kDecay);
        QVERIFY(maxAbsDiff(adapted.hidden, merged.hidden) < 1e-4);
    }

    void peftRoundTrip_data() {
        QTest::addColumn<QString>("head");
        QTest::newRow("fs head") << "fs";
        QTest::newRow("linear head") << "linear";
    }
    void peftRoundTrip() {
        QFETCH(QString, head);
        const HeadKind kind = headKindFromName(head.toStdString());
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/adapter";
        Decoder decoder = loadDecoder(kModel);
        AdapterConfig config;
        config.lora = LoraSettings{4, 16.0, 0.1};
        config.targets = LoraTargets::parse("q,k,v,o");
        config.baseModel = kModel;
        decoder->enableLora(config.lora, config.targets);
        ClassificationHead trained(64, 3, kind, 0, 1e-5, torch::kCPU);
        train(*decoder, *trained, 2);
        AdapterIo::save(out, *decoder, trained.get(), config);

        // PEFT's own names and shapes.
        SafetensorsFile weights(out + "/adapter_model.safetensors");
        const auto& a = weights.tensor("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
        const auto& b = weights.tensor("base_model.model.model.layers.1.self_attn.o_proj.lora_B.weight");
        QCOMPARE(a.shape, (std::vector<int64_t>{4, 64}));
        QCOMPARE(b.shape, (std::vector<int64_t>{64, 4}));
        QCOMPARE(weights.metadata().at("format"), std::string("pt"));
        if (kind == HeadKind::Linear)
            QCOMPARE(weights.tensor("base_model.model.score.weight").shape,
                     (std::vector<int64_t>{3, 64}));
        std::ifstream configFile(out + "/adapter_config.json");
        const auto json = nlohmann::json::parse(configFile);
        QCOMPARE(json["peft_type"].get<std::string>(), std::string("LORA"));
        QCOMPARE(json["r"].get<int>(), 4);
        QCOMPARE(json["lora_alpha"].get<double>(), 16.0);
        QCOMPARE(json["target_modules"][0].get<std::string>(), std::string("q_proj"));
        QCOMPARE(json["modules_to_save"][0].get<std::string>(), std::string("score"));
        QCOMPARE(json["bias"].get<std::string>(), std::string("none"));

        // A fresh model + loaded adapter reproduces the outputs exactly.
        Decoder reloaded = loadDecoder(kModel);
        ClassificationHead reloadedHead(64, 3, kind, 0, 1e-5, torch::kCPU);
        AdapterIo::load(out, *reloaded, reloadedHead.get());
        const auto before = runAlone(*decoder, kProbe, kDecay);
        const auto after = runAlone(*reloaded, kProbe, kDecay);
        QCOMPARE(maxAbsDiff(before.hidden, after.hidden), 0.0);
        auto lengths = torch::tensor({static_cast<int64_t>(kProbe.size())}, torch::kInt64);
        torch::NoGradGuard noGrad;
        QCOMPARE(maxAbsDiff(trained(poolHidden(before.hidden, lengths, Pooling::Mean)),
                            reloadedHead(poolHidden(after.hidden, lengths, Pooling::Mean))),
                 0.0);
    }

    void misnamedHeadIsExplained() {
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        Decoder decoder = loadDecoder(kModel);
        AdapterConfig config;
        config.targets = LoraTargets::parse("q");
        decoder->enableLora(config.lora, config.targets);
        ClassificationHead head(64, 2, HeadKind::Linear, 0, 1e-5, torch::kCPU);
        AdapterIo::save(out, *decoder, head.get(), config);
        // Rename the head tensor as other tools do ("classifier").
        SafetensorsFile original(out + "/adapter_model.safetensors");
        SafetensorsWriter writer;
        for (const auto& name : original.names()) {
            std::string renamed = name;
            const std::string from = "base_model.model.score.";
            if (renamed.rfind(from, 0) == 0)
                renamed = "base_model.model.classifier." + renamed.substr(from.size());
            addTensor(writer, renamed, tensorFromView(original.tensor(name), torch::kFloat32));
        }
        writer.write(out + "/adapter_model.safetensors");
        Decoder fresh = loadDecoder(kModel);
        ClassificationHead freshHead(64, 2, HeadKind::Linear, 0, 1e-5, torch::kCPU);
        try {
            AdapterIo::load(out, *fresh, freshHead.get());
            QFAIL("a misnamed head must be refused");
        } catch (const FsllmError& e) {
            const QString message = e.what();
            QVERIFY2(message.contains("score") && message.contains("classifier"), e.what());
        }
    }

    void wrongShapeIsRefused() {
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        Decoder decoder = loadDecoder(kModel);
        decoder->enableLora(LoraSettings{4, 16.0, 0.0}, LoraTargets{});
        ClassificationHead head(64, 3, HeadKind::Linear, 0, 1e-5, torch::kCPU);
        AdapterConfig config;
        config.lora = LoraSettings{4, 16.0, 0.0};
        AdapterIo::save(out, *decoder, head.get(), config);
        Decoder fresh = loadDecoder(kModel);
        ClassificationHead twoLabels(64, 2, HeadKind::Linear, 0, 1e-5, torch::kCPU);
        try {
            AdapterIo::load(out, *fresh, twoLabels.get());
            QFAIL("a head of another label count must be refused");
        } catch (const FsllmError& e) {
            QVERIFY2(QString(e.what()).contains("score.weight") &&
                         QString(e.what()).contains("[3, 64]"),
                     e.what());
        }
    }

    // q, k, v (and gate, up) in one matmul, their adapters' A stacked and B block-diagonal: the
    // same outputs and gradients as each projection on its own, whichever projections have
    // adapters.
    void fusedProjectionsEqualSeparateOnes_data() {
        QTest::addColumn<QString>("targets");
        QTest::newRow("all") << "q,k,v,o,gate,up,down";
        QTest::newRow("q,v") << "q,v";
        QTest::newRow("k,up") << "k,up";
        QTest::newRow("none of them") << "o,down";
    }
    void fusedProjectionsEqualSeparateOnes() {
        QFETCH(QString, targets);
        auto [ids, lengths] = padBatch({{1, 17, 42, 100, 5}, {1, 50, 7}, {1, 9, 9, 9}});
        std::map<std::string, torch::Tensor> gradients[2];
        torch::Tensor hidden[2];
        for (int packed = 0; packed < 2; ++packed) {
            Decoder decoder = adaptedDecoder(targets.toStdString(), packed == 1);
            QCOMPARE(allPacked(*decoder), packed == 1);
            decoder->train();
            auto out = decoder->forward(ids, lengths, ForwardOptions{kDecay, false, false});
            hidden[packed] = out.hidden.detach();
            torch::manual_seed(3);
            (out.hidden * torch::randn_like(out.hidden)).sum().backward();
            for (const auto& item : decoder->named_parameters())
                if (item.value().requires_grad())
                    gradients[packed][item.key()] = item.value().grad().clone();
        }
        QVERIFY(maxAbsDiff(hidden[0], hidden[1]) < 1e-5);
        QVERIFY(!gradients[0].empty());
        QCOMPARE(gradients[0].size(), gradients[1].size());
        for (const auto& [name, separate] : gradients[0]) {
            const torch::Tensor& fused = gradients[1].at(name);
            const double scale = std::max(1e-3, separate.abs().max().item<double>());
            QVERIFY2(separate.abs().max().item<double>() > 0.0, name.c_str());
            QVERIFY2(maxAbsDiff(separate, fused) / scale < 1e-5, name.c_str());
        }
    }

    // Pre-training trains the base weights: every part of a packed group gets its own gradient,
    // the one it gets when each projection runs on its own.
    void trainableBaseWeightsGetTheirGradients() {
        auto [ids, lengths] = padBatch({{1, 17, 42, 100, 5}, {1, 50, 7}});
        std::map<std::string, torch::Tensor> gradients[2];
        for (int packed = 0; packed < 2; ++packed) {
            Decoder decoder = loadDecoder(kModel);
            packProjections(*decoder, packed == 1);
            QCOMPARE(allPacked(*decoder), packed == 1);
            for (auto& parameter : decoder->parameters())
                parameter.set_requires_grad(true);
            decoder->forward(ids, lengths, ForwardOptions{kDecay, false, false})
                .hidden.pow(2).mean().backward();
            for (const auto& item : decoder->named_parameters())
                gradients[packed][item.key()] =
                    item.value().grad().defined() ? item.value().grad().clone() : torch::Tensor();
        }
        for (const char* name : {"layers.0.self_attn.k_proj.weight",
                                 "layers.1.self_attn.v_proj.weight", "layers.1.mlp.up_proj.weight"}) {
            const torch::Tensor& separate = gradients[0].at(name);
            const torch::Tensor& fused = gradients[1].at(name);
            QVERIFY2(separate.defined() && fused.defined(), name);
            QVERIFY2(separate.abs().max().item<double>() > 0.0, name);
            QVERIFY2(maxAbsDiff(separate, fused) < 1e-6, name);
        }
    }

    // The fused path needs the parts side by side: a part whose weight was replaced (as merge()
    // does) sends the group back to separate matmuls until it is packed again.
    void packingFollowsTheWeights() {
        Decoder decoder = adaptedDecoder("q,k,v", true);
        QVERIFY(allPacked(*decoder));
        auto& attention = *decoder->layers[0]->as<DecoderLayerImpl>()->selfAttn;
        torch::NoGradGuard noGrad;
        attention.kProj->weight.set_data(attention.kProj->weight.clone()); // as merge() does
        QVERIFY(!attention.qkvProjection().packed());
        attention.qkvProjection().pack();
        QVERIFY(attention.qkvProjection().packed());
        // The parts are views of one buffer: same storage, consecutive rows.
        QVERIFY(attention.qProj->weight.storage().is_alias_of(attention.vProj->weight.storage()));
    }

    // In bfloat16 the adapters' matmuls run in bfloat16 from their float32 masters: the
    // gradients arrive in float32 and agree with a float32 run to bfloat16's precision.
    void adaptersRunInTheComputeDtype() {
        auto [ids, lengths] = padBatch({{1, 17, 42, 100, 5}, {1, 50, 7}});
        std::map<std::string, torch::Tensor> gradients[2];
        torch::Tensor hidden[2];
        const torch::ScalarType types[2] = {torch::kFloat32, torch::kBFloat16};
        for (int i = 0; i < 2; ++i) {
            Decoder decoder = adaptedDecoder("q,k,v,o,gate,up,down", true, types[i]);
            QVERIFY(allPacked(*decoder));
            decoder->train();
            auto out = decoder->forward(ids, lengths, ForwardOptions{kDecay, false, false});
            QCOMPARE(out.hidden.scalar_type(), types[i]);
            hidden[i] = out.hidden.detach().to(torch::kFloat32);
            out.hidden.to(torch::kFloat32).pow(2).mean().backward();
            for (const auto& item : decoder->named_parameters())
                if (item.value().requires_grad()) {
                    QCOMPARE(item.value().grad().scalar_type(), torch::kFloat32);
                    gradients[i][item.key()] = item.value().grad().clone();
                }
        }
        const double scale = hidden[0].abs().max().item<double>();
        QVERIFY(maxAbsDiff(hidden[0], hidden[1]) < 0.05 * scale);
        for (const auto& [name, exact] : gradients[0]) {
            const double size = exact.norm().item<double>();
            QVERIFY2(size > 0.0, name.c_str());
            QVERIFY2((exact - gradients[1].at(name)).norm().item<double>() < 0.1 * size,
                     name.c_str());
        }
    }

    void poolingSkipsPadding() {
        auto hidden = torch::tensor({{{1.0f, -1.0f}, {3.0f, 5.0f}, {100.0f, 100.0f}}}); // [1,3,2]
        auto lengths = torch::tensor({2}, torch::kInt64);
        QCOMPARE(maxAbsDiff(poolHidden(hidden, lengths, Pooling::Last),
                            torch::tensor({{3.0f, 5.0f}})), 0.0);
        QCOMPARE(maxAbsDiff(poolHidden(hidden, lengths, Pooling::Mean),
                            torch::tensor({{2.0f, 2.0f}})), 0.0);
        QCOMPARE(maxAbsDiff(poolHidden(hidden, lengths, Pooling::Max),
                            torch::tensor({{3.0f, 5.0f}})), 0.0);
    }
};

QTEST_GUILESS_MAIN(TstLora)
#include "tst_lora.moc"
