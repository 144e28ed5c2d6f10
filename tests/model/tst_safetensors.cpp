// Tests for the safetensors reader/writer, AtomicFile and CheckpointIndex: round trips, and every
// malformed input refused with a one-line message naming the file and the problem.
// Fixtures are written into a fresh QTemporaryDir per test function.
#include "atomicfile.h"
#include "checkpointindex.h"
#include "fsllmerror.h"
#include "safetensorsfile.h"
#include "safetensorsstreamwriter.h"
#include "safetensorswriter.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>
#include <memory>

using namespace fsllm;
using namespace std::string_literals;

namespace {

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string littleEndian64(std::uint64_t value) {
    std::string out;
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
    return out;
}

// A hand-made safetensors file: length field (the header's size unless overridden), header, data.
void writeRawSafetensors(const std::string& path, const std::string& header,
                         const std::string& data) {
    writeBytes(path, littleEndian64(header.size()) + header + data);
}

// The FsllmError message thrown by fn(), or "" when nothing was thrown.
template <typename Fn> std::string errorOf(Fn&& fn) {
    try {
        fn();
    } catch (const FsllmError& e) {
        return e.what();
    }
    return {};
}

bool containsNoCase(const std::string& text, const std::string& word) {
    return QString::fromStdString(text).contains(QString::fromStdString(word), Qt::CaseInsensitive);
}

// Opening `path` must fail with a one-line message that names the file and contains `word`.
void expectRejected(const std::string& path, const std::string& word) {
    const std::string message = errorOf([&] { SafetensorsFile file(path); });
    QVERIFY2(!message.empty(), ("no FsllmError for " + path).c_str());
    QVERIFY2(message.find(path) != std::string::npos, message.c_str());
    QVERIFY2(containsNoCase(message, word), (message + "  [expected: " + word + "]").c_str());
    QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
}

// A header holding one F32 tensor "t" with the given entry fields, plus 8 bytes of data.
std::string oneTensorHeader(const std::string& fields) {
    return "{\"t\": {" + fields + "}}";
}

} // namespace

class TstSafetensors : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;

    std::string path(const std::string& name) const {
        return QDir(m_dir->path()).filePath(QString::fromStdString(name)).toStdString();
    }
    // Writes a header with one F32 tensor "t" and 8 data bytes, then expects it rejected.
    void expectEntryRejected(const std::string& fields, const std::string& word) {
        const std::string file = path("bad.safetensors");
        writeRawSafetensors(file, oneTensorHeader(fields), std::string(8, '\0'));
        expectRejected(file, word);
    }

private slots:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }
    void cleanup() { m_dir.reset(); }

    // ---- dtype helpers ---------------------------------------------------------------------

    void dtypeHelpers() {
        QCOMPARE(dtypeFromName("F32"), DType::F32);
        QCOMPARE(dtypeFromName("F16"), DType::F16);
        QCOMPARE(dtypeFromName("BF16"), DType::BF16);
        QCOMPARE(std::string(dtypeName(DType::BF16)), std::string("BF16"));
        QCOMPARE(dtypeSize(DType::F32), std::size_t(4));
        QCOMPARE(dtypeSize(DType::F16), std::size_t(2));
        QCOMPARE(dtypeSize(DType::BF16), std::size_t(2));
        const std::string message = errorOf([] { dtypeFromName("I64"); });
        QVERIFY2(containsNoCase(message, "I64") && containsNoCase(message, "BF16"),
                 message.c_str());
    }

    // ---- round trips -----------------------------------------------------------------------

    void roundTripF32() {
        const std::vector<float> values = {1.5f, -2.25f, 3.0e-8f, 1.0e30f, 0.0f, -0.0f};
        SafetensorsWriter writer;
        writer.add("weight", DType::F32, {2, 3}, values.data(), values.size() * sizeof(float));
        writer.write(path("f32.safetensors"));

        SafetensorsFile file(path("f32.safetensors"));
        QCOMPARE(file.path(), path("f32.safetensors"));
        QVERIFY(file.contains("weight"));
        const TensorView& view = file.tensor("weight");
        QCOMPARE(view.name, std::string("weight"));
        QCOMPARE(view.dtype, DType::F32);
        QCOMPARE(view.shape, (std::vector<std::int64_t>{2, 3}));
        QCOMPARE(view.numel(), std::int64_t(6));
        QCOMPARE(view.byteSize, std::size_t(24));
        std::vector<float> back(6);
        std::memcpy(back.data(), view.data, view.byteSize);
        QVERIFY(std::memcmp(back.data(), values.data(), 24) == 0);
    }

    void roundTripF16AndBF16() {
        const std::vector<std::uint16_t> half = {0x3C00, 0xC000, 0x7BFF,
                                                 0x0001};                  // 1, -2, max, tiny
        const std::vector<std::uint16_t> brain = {0x3F80, 0xBF80, 0x7F7F}; // 1, -1, max
        SafetensorsWriter writer;
        writer.add("a.half", DType::F16, {4}, half.data(), half.size() * 2);
        writer.add("b.brain", DType::BF16, {1, 3}, brain.data(), brain.size() * 2);
        writer.write(path("half.safetensors"));

        SafetensorsFile file(path("half.safetensors"));
        QCOMPARE(file.names(), (std::vector<std::string>{"a.half", "b.brain"}));
        const TensorView& a = file.tensor("a.half");
        const TensorView& b = file.tensor("b.brain");
        QCOMPARE(a.dtype, DType::F16);
        QCOMPARE(b.dtype, DType::BF16);
        QCOMPARE(b.shape, (std::vector<std::int64_t>{1, 3}));
        QVERIFY(std::memcmp(a.data, half.data(), 8) == 0);
        QVERIFY(std::memcmp(b.data, brain.data(), 6) == 0);
        QVERIFY(a.data < b.data); // data in name order
    }

    void roundTripMetadata() {
        const float one = 1.0f;
        SafetensorsWriter writer;
        writer.setMetadata("format", "pt");
        writer.setMetadata("note", "unicode \xc3\xa9 and \"quotes\"");
        writer.add("x", DType::F32, {}, &one, 4); // scalar: shape [], numel 1
        writer.write(path("meta.safetensors"));

        SafetensorsFile file(path("meta.safetensors"));
        QCOMPARE(file.metadata().size(), std::size_t(2));
        QCOMPARE(file.metadata().at("format"), std::string("pt"));
        QCOMPARE(file.metadata().at("note"), std::string("unicode \xc3\xa9 and \"quotes\""));
        QCOMPARE(file.tensor("x").numel(), std::int64_t(1));
        QVERIFY(!file.contains("__metadata__"));
    }

    void zeroSizeTensorsAllowed() {
        const float values[2] = {1.0f, 2.0f};
        SafetensorsWriter writer;
        writer.add("empty", DType::F32, {0, 5}, nullptr, 0);
        writer.add("full", DType::F32, {2}, values, 8);
        writer.add("zz_empty", DType::BF16, {3, 0}, nullptr, 0);
        writer.write(path("zero.safetensors"));

        SafetensorsFile file(path("zero.safetensors"));
        QCOMPARE(file.tensor("empty").numel(), std::int64_t(0));
        QCOMPARE(file.tensor("empty").byteSize, std::size_t(0));
        QCOMPARE(file.tensor("zz_empty").byteSize, std::size_t(0));
        QVERIFY(std::memcmp(file.tensor("full").data, values, 8) == 0);
    }

    void emptyFileWithoutTensors() {
        SafetensorsWriter().write(path("none.safetensors"));
        SafetensorsFile file(path("none.safetensors"));
        QVERIFY(file.names().empty());
        QVERIFY(file.metadata().empty());
    }

    void headerPaddedWithSpacesToMultipleOf8() {
        const float value = 1.0f;
        for (const std::string name : {"a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg"}) {
            SafetensorsWriter writer;
            writer.add(name, DType::F32, {1}, &value, 4);
            writer.write(path("pad.safetensors"));
            const std::string bytes = readAll(path("pad.safetensors"));
            std::uint64_t length = 0;
            for (int i = 7; i >= 0; --i)
                length = (length << 8) | static_cast<unsigned char>(bytes[i]);
            QCOMPARE(length % 8, std::uint64_t(0));
            QCOMPARE(bytes.size(), 8 + length + 4);
            const std::string header = bytes.substr(8, length);
            const std::size_t closing = header.find_last_of('}');
            QCOMPARE(header.find_first_not_of(' ', closing + 1), std::string::npos);
            QVERIFY(length - (closing + 1) < 8); // fewer than 8 spaces of padding
            QVERIFY(SafetensorsFile(path("pad.safetensors")).contains(name));
        }
    }

    // Files from other writers: unpadded header, whitespace, null metadata, tensors listed out of
    // offset order, extra entry keys.
    void readsForeignLayout() {
        const std::string header =
            "{ \"__metadata__\": null, \"b\": {\"dtype\": \"F16\", \"shape\": [1], "
            "\"data_offsets\": [0, 2]}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], "
            "\"data_offsets\": [2, 6], \"extra\": 1} }";
        writeRawSafetensors(path("foreign.safetensors"), header, "\x00\x3c\x00\x00\x80\x3f"s);
        SafetensorsFile file(path("foreign.safetensors"));
        float a = 0;
        std::memcpy(&a, file.tensor("a").data, 4);
        QCOMPARE(a, 1.0f);
        QVERIFY(file.metadata().empty());
    }

    void writerRejectsBadInput() {
        const float values[4] = {};
        SafetensorsWriter writer;
        writer.add("ok", DType::F32, {4}, values, 16);
        QVERIFY(containsNoCase(errorOf([&] { writer.add("ok", DType::F32, {4}, values, 16); }),
                               "twice"));
        QVERIFY(containsNoCase(errorOf([&] { writer.add("m", DType::F32, {3}, values, 16); }),
                               "mismatch"));
        QVERIFY(
            containsNoCase(errorOf([&] { writer.add("", DType::F32, {4}, values, 16); }), "empty"));
        QVERIFY(containsNoCase(
            errorOf([&] { writer.add("__metadata__", DType::F32, {4}, values, 16); }), "reserved"));
        QVERIFY(containsNoCase(errorOf([&] { writer.add("n", DType::F32, {-1}, values, 0); }),
                               "negative"));
    }

    // ---- AtomicFile ------------------------------------------------------------------------

    void atomicWriteReplacesAndLeavesNoTempFile() {
        AtomicFile::write(path("file.txt"), "first");
        AtomicFile::write(path("file.txt"), "second, longer");
        QCOMPARE(readAll(path("file.txt")), std::string("second, longer"));
        QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), QStringList{"file.txt"});
    }

    // The streaming writer lays a file out byte for byte as SafetensorsWriter does.
    void streamWriterMatchesWriter() {
        const float a[3] = {1.0f, -2.5f, 3.0f};
        const std::uint16_t b[4] = {0x3f80, 0x4000, 0xc040, 0x0000};
        SafetensorsWriter writer;
        writer.setMetadata("format", "pt");
        writer.add("a", DType::F32, {3}, a, sizeof a);
        writer.add("b", DType::BF16, {2, 2}, b, sizeof b);
        writer.write(path("whole.safetensors"));
        {
            SafetensorsStreamWriter stream(path("streamed.safetensors"),
                                           {{"a", DType::F32, {3}}, {"b", DType::BF16, {2, 2}}},
                                           {{"format", "pt"}});
            stream.append("a", a, sizeof a);
            QVERIFY(!QFile::exists(QString::fromStdString(path("streamed.safetensors"))));
            stream.append("b", b, sizeof b);
            stream.commit();
        }
        QCOMPARE(readAll(path("streamed.safetensors")), readAll(path("whole.safetensors")));
        QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files).size(), 2);
    }

    void streamWriterRefusesMisuseAndCleansUp() {
        const float a[3] = {1.0f, 2.0f, 3.0f};
        const std::string file = path("s.safetensors");
        {
            SafetensorsStreamWriter stream(file, {{"a", DType::F32, {3}}, {"b", DType::F32, {1}}});
            QVERIFY(errorOf([&] { stream.append("b", a, 4); }).find("out of order") !=
                    std::string::npos);
            QVERIFY(errorOf([&] { stream.append("a", a, 8); }).find("needs 12") !=
                    std::string::npos);
            stream.append("a", a, sizeof a);
            QVERIFY(errorOf([&] { stream.commit(); }).find("not written yet") !=
                    std::string::npos);
        } // destroyed before commit: neither the file nor its temp file is left
        QVERIFY(QDir(m_dir->path()).entryList(QDir::Files).isEmpty());
        QVERIFY(errorOf([&] {
                    SafetensorsStreamWriter(file, {{"a", DType::F32, {1}}, {"a", DType::F32, {1}}});
                }).find("given twice") != std::string::npos);
        QVERIFY(errorOf([&] { SafetensorsStreamWriter(path("no/such/dir.safetensors"), {}); })
                    .find("cannot create") != std::string::npos);
    }

    void atomicWriteErrorNamesPath() {
        const std::string target = path("no-such-folder/file.txt");
        const std::string message = errorOf([&] { AtomicFile::write(target, "x"); });
        QVERIFY2(message.find(target) != std::string::npos, message.c_str());
    }

    // ---- malformed files: each refused with the path and a telling word ---------------------

    void rejectsMissingFile() { expectRejected(path("absent.safetensors"), "cannot open"); }

    void rejectsDirectory() { expectRejected(m_dir->path().toStdString(), "regular file"); }

    void rejectsEmptyFile() {
        writeBytes(path("empty.safetensors"), "");
        expectRejected(path("empty.safetensors"), "shorter than");
    }

    void rejectsFileShorterThan8Bytes() {
        writeBytes(path("short.safetensors"), "\x02\x00\x00"s);
        expectRejected(path("short.safetensors"), "shorter than");
    }

    void rejectsHeaderLengthAboveLimit() {
        writeBytes(path("big.safetensors"),
                   littleEndian64(SafetensorsFile::kMaxHeaderBytes + 1) + "{}");
        expectRejected(path("big.safetensors"), "exceeds the limit");
    }

    void rejectsHeaderLength2Pow63() {
        writeBytes(path("huge.safetensors"), littleEndian64(std::uint64_t(1) << 63) + "{}");
        expectRejected(path("huge.safetensors"), "exceeds the limit");
        writeBytes(path("max.safetensors"), littleEndian64(~std::uint64_t(0)) + "{}");
        expectRejected(path("max.safetensors"), "exceeds the limit");
    }

    void rejectsTruncatedHeader() {
        writeBytes(path("trunc.safetensors"), littleEndian64(1000) + "{\"t\": {\"dtype\"");
        expectRejected(path("trunc.safetensors"), "truncated");
    }

    void rejectsZeroLengthHeader() {
        writeBytes(path("zero.safetensors"), littleEndian64(0));
        expectRejected(path("zero.safetensors"), "not valid JSON");
    }

    void rejectsInvalidJson() {
        writeRawSafetensors(path("json.safetensors"), "{\"t\": {\"dtype\": F32}}", "");
        expectRejected(path("json.safetensors"), "not valid JSON");
    }

    void rejectsInvalidUtf8InHeader() {
        writeRawSafetensors(path("utf8.safetensors"), "{\"\xff\xfe\": {}}", "");
        expectRejected(path("utf8.safetensors"), "not valid JSON");
    }

    void rejectsHeaderNotObject() {
        writeRawSafetensors(path("array.safetensors"), "[1, 2, 3]", "");
        expectRejected(path("array.safetensors"), "not an object");
    }

    void rejectsDuplicateTensorName() {
        const std::string entry = "{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}";
        writeRawSafetensors(path("dup.safetensors"), "{\"t\": " + entry + ", \"t\": " + entry + "}",
                            std::string(4, '\0'));
        expectRejected(path("dup.safetensors"), "twice");
    }

    void rejectsEntryNotObject() {
        writeRawSafetensors(path("entry.safetensors"), "{\"t\": [\"F32\", [2], [0, 8]]}",
                            std::string(8, '\0'));
        expectRejected(path("entry.safetensors"), "not an object");
    }

    void rejectsMissingDtype() {
        expectEntryRejected("\"shape\": [2], \"data_offsets\": [0, 8]", "missing 'dtype'");
    }

    void rejectsDtypeNotString() {
        expectEntryRejected("\"dtype\": 32, \"shape\": [2], \"data_offsets\": [0, 8]",
                            "dtype is a JSON number");
    }

    void rejectsUnsupportedDtypeI64() {
        expectEntryRejected("\"dtype\": \"I64\", \"shape\": [1], \"data_offsets\": [0, 8]",
                            "'I64' is not supported (supported dtypes are F32, F16 and BF16)");
    }

    void rejectsUnknownDtype() {
        expectEntryRejected("\"dtype\": \"float\", \"shape\": [2], \"data_offsets\": [0, 8]",
                            "unknown dtype 'float'");
    }

    void rejectsMissingShape() {
        expectEntryRejected("\"dtype\": \"F32\", \"data_offsets\": [0, 8]", "missing 'shape'");
    }

    void rejectsShapeNotArray() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": 2, \"data_offsets\": [0, 8]",
                            "shape is a JSON number");
    }

    void rejectsNegativeShape() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]",
                            "non-negative integers");
    }

    void rejectsNonIntegerShape() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [2.0], \"data_offsets\": [0, 8]",
                            "non-negative integers");
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [\"2\"], \"data_offsets\": [0, 8]",
                            "non-negative integers");
    }

    void rejectsOverflowingShape() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], "
                            "\"data_offsets\": [0, 8]",
                            "too large");
    }

    void rejectsMissingOffsets() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [2]", "missing 'data_offsets'");
    }

    void rejectsOffsetsNotTwoIntegers() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4, 8]",
                            "data_offsets");
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": \"0-8\"",
                            "two non-negative integers");
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0.0, 8]",
                            "two non-negative integers");
    }

    void rejectsNegativeOffsets() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [-8, 0]",
                            "two non-negative integers");
    }

    void rejectsBeginAfterEnd() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 0]",
                            "begin after");
    }

    void rejectsOffsetsBeyondData() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]",
                            "beyond the data section");
    }

    void rejectsSizeMismatch() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]",
                            "mismatch");
    }

    void rejectsOverlappingTensors() {
        const std::string header =
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
            "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}";
        writeRawSafetensors(path("overlap.safetensors"), header, std::string(12, '\0'));
        expectRejected(path("overlap.safetensors"), "overlap");
    }

    void rejectsZeroSizeTensorInsideAnother() {
        const std::string header =
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
            "\"b\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [4, 4]}}";
        writeRawSafetensors(path("inside.safetensors"), header, std::string(8, '\0'));
        expectRejected(path("inside.safetensors"), "overlap");
    }

    void rejectsGapBetweenTensors() {
        const std::string header =
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, "
            "\"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}";
        writeRawSafetensors(path("gap.safetensors"), header, std::string(12, '\0'));
        expectRejected(path("gap.safetensors"), "gap");
    }

    void rejectsGapAtStart() {
        expectEntryRejected("\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]", "gap");
    }

    void rejectsDataNotCovered() {
        const std::string header =
            oneTensorHeader("\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]");
        writeRawSafetensors(path("tail.safetensors"), header, std::string(12, '\0'));
        expectRejected(path("tail.safetensors"), "unused bytes");
    }

    void rejectsMetadataNotObject() {
        writeRawSafetensors(path("meta.safetensors"), "{\"__metadata__\": [\"pt\"]}", "");
        expectRejected(path("meta.safetensors"), "__metadata__");
    }

    void rejectsMetadataValueNotString() {
        writeRawSafetensors(path("metaval.safetensors"), "{\"__metadata__\": {\"step\": 5}}", "");
        expectRejected(path("metaval.safetensors"), "not a string");
    }

    void missingTensorLookupNamesFileAndTensor() {
        SafetensorsWriter().write(path("lookup.safetensors"));
        SafetensorsFile file(path("lookup.safetensors"));
        const std::string message = errorOf([&] { file.tensor("lm_head.weight"); });
        QVERIFY2(message.find(path("lookup.safetensors")) != std::string::npos, message.c_str());
        QVERIFY2(message.find("'lm_head.weight'") != std::string::npos, message.c_str());
    }

    // ---- CheckpointIndex -------------------------------------------------------------------

    void checkpointSingleFile() {
        const float values[3] = {1, 2, 3};
        SafetensorsWriter writer;
        writer.add("model.norm.weight", DType::F32, {3}, values, 12);
        writer.write(path("model.safetensors"));

        CheckpointIndex index(m_dir->path().toStdString());
        QCOMPARE(index.directory(), m_dir->path().toStdString());
        QCOMPARE(index.names(), std::vector<std::string>{"model.norm.weight"});
        QVERIFY(std::memcmp(index.tensor("model.norm.weight").data, values, 12) == 0);
        const std::string message = errorOf([&] { index.tensor("score.weight"); });
        QVERIFY2(message == m_dir->path().toStdString() +
                                ": tensor 'score.weight' is missing from the checkpoint",
                 message.c_str());
    }

    void checkpointShardedRoundTrip() {
        const float a[2] = {1, 2};
        const std::uint16_t b[3] = {0x3F80, 0x4000, 0x4040};
        const float c[1] = {7};
        SafetensorsWriter first;
        first.add("layers.0.w", DType::F32, {2}, a, 8);
        first.add("layers.0.b", DType::BF16, {3}, b, 6);
        first.write(path("model-00001-of-00002.safetensors"));
        SafetensorsWriter second;
        second.add("lm_head.weight", DType::F32, {1, 1}, c, 4);
        second.write(path("model-00002-of-00002.safetensors"));
        writeBytes(path("model.safetensors.index.json"),
                   R"({"metadata": {"total_size": 18}, "weight_map": {
                       "layers.0.w": "model-00001-of-00002.safetensors",
                       "layers.0.b": "model-00001-of-00002.safetensors",
                       "lm_head.weight": "model-00002-of-00002.safetensors"}})");

        CheckpointIndex index(m_dir->path().toStdString());
        QCOMPARE(index.names(),
                 (std::vector<std::string>{"layers.0.b", "layers.0.w", "lm_head.weight"}));
        QVERIFY(index.contains("lm_head.weight"));
        QVERIFY(!index.contains("score.weight"));
        QCOMPARE(index.tensor("layers.0.b").dtype, DType::BF16);
        QVERIFY(std::memcmp(index.tensor("layers.0.b").data, b, 6) == 0);
        QVERIFY(std::memcmp(index.tensor("lm_head.weight").data, c, 4) == 0);
        QCOMPARE(index.tensor("lm_head.weight").shape, (std::vector<std::int64_t>{1, 1}));
    }

    void checkpointRejectsEmptyFolder() {
        const std::string folder = m_dir->path().toStdString();
        const std::string message = errorOf([&] { CheckpointIndex index(folder); });
        QVERIFY2(message.find(folder) != std::string::npos, message.c_str());
        QVERIFY2(containsNoCase(message, "no model.safetensors"), message.c_str());
    }

    void checkpointRejectsMissingFolder() {
        const std::string folder = path("nowhere");
        const std::string message = errorOf([&] { CheckpointIndex index(folder); });
        QVERIFY2(message.find(folder) != std::string::npos, message.c_str());
        QVERIFY2(containsNoCase(message, "not a folder"), message.c_str());
    }

    void checkpointRejectsMalformedIndex() {
        const std::string indexPath = path("model.safetensors.index.json");
        const std::string folder = m_dir->path().toStdString();
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"{not json", "not valid JSON"},
            {"[]", "not a JSON object"},
            {"{\"metadata\": {}}", "weight_map"},
            {"{\"weight_map\": {}}", "empty"},
            {"{\"weight_map\": {\"t\": 3}}", "shard file name"},
            {"{\"weight_map\": {\"t\": \"../x.safetensors\"}}", "shard file name"},
        };
        for (const auto& [text, word] : cases) {
            writeBytes(indexPath, text);
            const std::string message = errorOf([&] { CheckpointIndex index(folder); });
            QVERIFY2(message.find(indexPath) != std::string::npos, message.c_str());
            QVERIFY2(containsNoCase(message, word),
                     (message + "  [expected: " + word + "]").c_str());
        }
    }

    void checkpointRejectsMissingShard() {
        writeBytes(path("model.safetensors.index.json"),
                   R"({"weight_map": {"t": "model-00001-of-00001.safetensors"}})");
        const std::string message =
            errorOf([&] { CheckpointIndex index(m_dir->path().toStdString()); });
        QVERIFY2(message.find(path("model.safetensors.index.json")) != std::string::npos,
                 message.c_str());
        QVERIFY2(containsNoCase(message, "model-00001-of-00001.safetensors' (holding tensor 't')"
                                         " does not exist"),
                 message.c_str());
    }

    void checkpointRejectsTensorMissingFromShard() {
        const float value = 1;
        SafetensorsWriter writer;
        writer.add("other", DType::F32, {1}, &value, 4);
        writer.write(path("shard.safetensors"));
        writeBytes(path("model.safetensors.index.json"),
                   R"({"weight_map": {"wanted": "shard.safetensors"}})");
        const std::string message =
            errorOf([&] { CheckpointIndex index(m_dir->path().toStdString()); });
        QVERIFY2(message.find(path("model.safetensors.index.json")) != std::string::npos,
                 message.c_str());
        QVERIFY2(containsNoCase(message, "does not contain"), message.c_str());
    }

    void checkpointReportsBadShardByPath() {
        writeBytes(path("shard.safetensors"), "xx");
        writeBytes(path("model.safetensors.index.json"),
                   R"({"weight_map": {"t": "shard.safetensors"}})");
        const std::string message =
            errorOf([&] { CheckpointIndex index(m_dir->path().toStdString()); });
        QVERIFY2(message.find(path("shard.safetensors")) != std::string::npos, message.c_str());
        QVERIFY2(containsNoCase(message, "shorter than"), message.c_str());
    }
};

QTEST_GUILESS_MAIN(TstSafetensors)
#include "tst_safetensors.moc"
