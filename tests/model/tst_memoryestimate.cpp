// MemoryEstimate: the counts it is built from, checked by hand for LLaMA-2-7B, and how the
// estimate moves with batch, length and activation checkpointing; the compute dtype that
// `--dtype auto` picks (ComputeDtypeChoice) and the CPU flags it reads (CpuFeatures).
#include "computedtypechoice.h"
#include "cpufeatures.h"
#include "fsllmerror.h"
#include "memoryestimate.h"

#include <QtTest>

using namespace fsllm;

namespace {

constexpr long kMachineRamMiB = 24 * 1024; // the machine of ComputeDtypeChoice's cases

MemoryEstimateInput llama7b() {
    MemoryEstimateInput input;
    input.config = ModelConfig::llamaShaped("test", 32, 4096, 32, 32, 11008, 32000);
    input.storedBytes = input.computeBytes = 2;
    input.loraRank = 8;
    input.loraTargets = "q,k,v,o";
    input.batch = 4;
    input.length = 64;
    return input;
}

constexpr double kMiB = 1024.0 * 1024.0;

} // namespace

class TstMemoryEstimate : public QObject {
    Q_OBJECT
private slots:
    void weightsAndTrainableCountedByHand() {
        const MemoryEstimate e = MemoryEstimate::estimate(llama7b());
        // LLaMA-2-7B: 6,738,415,616 parameters, two bytes each in bfloat16.
        QVERIFY(qAbs(e.weightsMiB - 6738415616.0 * 2 / kMiB) < 1.0);
        QVERIFY(e.weightsMapped);
        // LoRA r8 on q,k,v,o: 32 layers x 4 x 8 x (4096 + 4096); fs head: norm D, w, v, w2 D x D,
        // out (D + 1) x 2. Value, gradient and two AdamW moments in f32: 16 bytes each.
        const double lora = 32.0 * 4 * 8 * (4096 + 4096);
        const double head = 4096.0 + 3.0 * 4096 * 4096 + 4097.0 * 2;
        QVERIFY(qAbs(e.trainableMiB - (lora + head) * 16 / kMiB) < 0.01);
        // Converting to another dtype means the weights are no longer the file's bytes.
        MemoryEstimateInput f32 = llama7b();
        f32.computeBytes = 4;
        QVERIFY(!MemoryEstimate::estimate(f32).weightsMapped);
        QVERIFY(qAbs(MemoryEstimate::estimate(f32).weightsMiB - 2 * e.weightsMiB) < 1.0);
    }

    void activationsFollowBatchLengthAndCheckpointing() {
        const MemoryEstimate base = MemoryEstimate::estimate(llama7b());
        MemoryEstimateInput doubled = llama7b();
        doubled.batch *= 2;
        const MemoryEstimate twice = MemoryEstimate::estimate(doubled);
        QVERIFY(qAbs(twice.activationsMiB - 2 * base.activationsMiB) < 1e-6 * base.activationsMiB);
        QVERIFY(base.activationsRecomputeMiB < base.activationsMiB / 4);
        QVERIFY(base.trainingMiB(true) < base.trainingMiB(false));
        MemoryEstimateInput longer = llama7b();
        longer.length *= 4; // attention maps grow with length squared
        QVERIFY(MemoryEstimate::estimate(longer).activationsMiB > 4 * base.activationsMiB);
    }

    void warnsOnlyWhenItDoesNotFit() {
        const MemoryEstimate e = MemoryEstimate::estimate(llama7b());
        QVERIFY(!QString::fromStdString(e.toText(1 << 20)).contains(QStringLiteral("warning")));
        const long between = static_cast<long>((e.trainingMiB(false) + e.trainingMiB(true)) / 2);
        const QString tight = QString::fromStdString(e.toText(between));
        QVERIFY2(tight.contains(QStringLiteral("--gradient-checkpointing or")), qPrintable(tight));
        const QString tiny = QString::fromStdString(e.toText(1024));
        QVERIFY2(tiny.contains(QStringLiteral("even with --gradient-checkpointing")),
                 qPrintable(tiny));
    }

    void badInputNamesTheField() {
        MemoryEstimateInput input = llama7b();
        input.loraTargets = "q,query";
        try {
            MemoryEstimate::estimate(input);
            QFAIL("an unknown LoRA target was accepted");
        } catch (const FsllmError& e) {
            QVERIFY(QString(e.what()).contains(QStringLiteral("'query'")));
        }
        input = llama7b();
        input.batch = 0;
        QVERIFY_THROWS_EXCEPTION(FsllmError, MemoryEstimate::estimate(input));
    }

    void trainingConfigMapsToTheInput() {
        TrainingConfig run;
        run.dtype = "auto";
        run.batchSize = 3;
        run.maxLength = 50;
        run.head = HeadKind::Linear;
        ModelConfig model = ModelConfig::llamaShaped("test", 2, 64, 4, 2, 0, 512);
        model.torchDtype = "float16";
        const MemoryEstimateInput input = MemoryEstimate::inputFor(run, model, 5);
        QCOMPARE(input.storedBytes, 2);
        QCOMPARE(input.computeBytes, 4); // float16 is computed as float32 on the CPU
        QCOMPARE(input.batch, 3);
        QCOMPARE(input.length, 50);
        QCOMPARE(input.numLabels, 5);
        QVERIFY(!input.fsHead);
        model.torchDtype = "bfloat16"; // a small model: float32 on the CPU, as it is loaded
        QCOMPARE(MemoryEstimate::inputFor(run, model, 5).computeBytes, 4);
        run.device = "cuda";
        QCOMPARE(MemoryEstimate::inputFor(run, model, 5).computeBytes, 2);
    }

    // --dtype auto: float32 where a half-precision matmul would be slow and the copy fits.
    void autoComputeDtype() {
        const auto choose = [](const char* stored, bool cpu, std::int64_t parameters,
                               bool bf16Instructions, long ramMiB = kMachineRamMiB) {
            return ComputeDtypeChoice::forAuto(stored, cpu, parameters, bf16Instructions, ramMiB);
        };
        QCOMPARE(choose("float32", true, 7'000'000'000, false), std::string("float32"));
        QCOMPARE(choose("float16", true, 7'000'000'000, false), std::string("float32"));
        QCOMPARE(choose("float16", false, 1'000'000, false), std::string("float16")); // a GPU
        QCOMPARE(choose("bfloat16", false, 1'000'000, false), std::string("bfloat16"));
        // Small models: float32 whatever the CPU.
        QCOMPARE(choose("bfloat16", true, 3'100'000, true), std::string("float32"));
        // 1.5 B parameters: 5.6 GiB in float32, 23% of 24 GiB: converted without BF16
        // instructions, kept with them; 7 B (26 GiB) is kept either way.
        QCOMPARE(choose("bfloat16", true, 1'500'000'000, false), std::string("float32"));
        QCOMPARE(choose("bfloat16", true, 1'500'000'000, true), std::string("bfloat16"));
        QCOMPARE(choose("bfloat16", true, 7'000'000'000, false), std::string("bfloat16"));
        // The boundary: at most 40% of the RAM.
        const std::int64_t fits =
            static_cast<std::int64_t>(0.4 * kMachineRamMiB * 1024.0 * 1024.0 / 4.0);
        QCOMPARE(choose("bfloat16", true, fits, false), std::string("float32"));
        QCOMPARE(choose("bfloat16", true, fits + 1'000'000, false), std::string("bfloat16"));
        QCOMPARE(choose("bfloat16", true, 1'500'000'000, false, -1), std::string("bfloat16"));
    }

    void cpuFlags() {
        const std::string withBf16 = "processor\t: 0\nflags\t\t: fpu sse avx2 avx512f "
                                     "avx512_bf16 avx512_vnni\nbugs\t\t: none\n";
        const std::string withAmx = "flags\t: avx512f amx_tile amx_bf16 amx_int8\n";
        const std::string without = "flags\t\t: fpu sse avx avx2 avx512bw\nbugs\t\t: avx512_bf16\n";
        QVERIFY(CpuFeatures::flagsHaveBf16(withBf16));
        QVERIFY(CpuFeatures::flagsHaveBf16(withAmx));
        QVERIFY(!CpuFeatures::flagsHaveBf16(without)); // another line's words do not count
        QVERIFY(!CpuFeatures::flagsHaveBf16(""));
        qInfo("this CPU: %s", CpuFeatures::hasBf16Instructions() ? "BF16 instructions"
                                                                  : "no BF16 instructions");
    }
};

QTEST_GUILESS_MAIN(TstMemoryEstimate)
#include "tst_memoryestimate.moc"
