// DataReader and LabelSet on small fixtures written into a temporary folder: every format, the
// format detection, and every malformed case (the error must name the file and the line).
#include "datareader.h"
#include "fsllmerror.h"
#include "labelset.h"
#include "textfile.h"
#include "unlabelledinput.h"

#include <QtTest>

#include <functional>
#include <random>

using namespace fsllm;

namespace {

// The FsllmError message `fn` throws, or "<no error>".
std::string errorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const FsllmError& e) {
        return e.what();
    }
    return "<no error>";
}

DataReadOptions options(TaskKind task = TaskKind::Sequence, DataFormat format = DataFormat::Auto) {
    DataReadOptions result;
    result.task = task;
    result.format = format;
    return result;
}

std::vector<std::string> strings(std::initializer_list<const char*> items) {
    return std::vector<std::string>(items.begin(), items.end());
}

} // namespace

// Reading `path` must fail with a message that starts "<path>:<line>: " and contains `fragment`.
#define EXPECT_READ_ERROR(path, opts, line, fragment)                                              \
    do {                                                                                           \
        const std::string message_ = errorOf([&] { DataReader::read(path, opts); });               \
        const std::string prefix_ = (path) + ":" + std::to_string(line) + ": ";                    \
        QVERIFY2(message_.rfind(prefix_, 0) == 0, message_.c_str());                               \
        QVERIFY2(message_.find(fragment) != std::string::npos, message_.c_str());                  \
    } while (false)

class TstDataReader : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    // Writes `content` to <temp>/<name> and returns the path.
    std::string write(const QString& name, const QByteArray& content) {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        file.write(content);
        return path.toStdString();
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // ---- Formats ----------------------------------------------------------------------------

    void tsvWithHeader() {
        const std::string path =
            write("glue.tsv", "sentence\tlabel\n"
                              "hide new secretions from the parental units \t0\n"
                              "\n"
                              "contains no wit , only labored gags \t1\r\n");
        const auto examples = DataReader::read(path, options());
        QCOMPARE(examples.size(), std::size_t(2));
        QCOMPARE(examples[0].text, std::string("hide new secretions from the parental units"));
        QCOMPARE(examples[0].label, std::string("0"));
        QCOMPARE(examples[0].line, 2);
        QCOMPARE(examples[1].text, std::string("contains no wit , only labored gags"));
        QCOMPARE(examples[1].label, std::string("1"));
        QCOMPARE(examples[1].line, 4);
    }

    void tsvChosenColumns() {
        const std::string path = write("chosen.tsv", "id\tstars\treview\n7\t5\tgreat \"fun\"\n");
        DataReadOptions opts = options();
        opts.textColumn = "review";
        opts.labelColumn = "stars";
        const auto examples = DataReader::read(path, opts);
        QCOMPARE(examples.size(), std::size_t(1));
        QCOMPARE(examples[0].text, std::string("great \"fun\"")); // TSV has no quoting
        QCOMPARE(examples[0].label, std::string("5"));
    }

    void sentenceLabel() {
        const std::string path = write("sst.txt", "1 a stirring , funny film\n"
                                                  "\n"
                                                  "0 apparently reassembled .\r\n"
                                                  "4\tvery good\n");
        const auto examples =
            DataReader::read(path, options(TaskKind::Sequence, DataFormat::SentenceLabel));
        QCOMPARE(examples.size(), std::size_t(3));
        QCOMPARE(examples[0].label, std::string("1"));
        QCOMPARE(examples[0].text, std::string("a stirring , funny film"));
        QCOMPARE(examples[1].label, std::string("0"));
        QCOMPARE(examples[1].text, std::string("apparently reassembled ."));
        QCOMPARE(examples[1].line, 3);
        QCOMPARE(examples[2].label, std::string("4"));
        QCOMPARE(examples[2].line, 4);
    }

    void csvQuotedFields() {
        const std::string path = write("tweets.csv", "text,label\r\n"
                                                     "\"$CX - Cemex cut, J.P. Morgan\",0\r\n"
                                                     "\"He said \"\"sell\"\" now\",1\r\n"
                                                     "\"first line\r\nsecond line\n"
                                                     "third line\",2\r\n"
                                                     "plain text,1\r\n"
                                                     "\"\",2\n");
        const auto examples = DataReader::read(path, options());
        QCOMPARE(examples.size(), std::size_t(5));
        QCOMPARE(examples[0].text, std::string("$CX - Cemex cut, J.P. Morgan"));
        QCOMPARE(examples[0].line, 2);
        QCOMPARE(examples[1].text, std::string("He said \"sell\" now"));
        QCOMPARE(examples[1].label, std::string("1"));
        QCOMPARE(examples[2].text, std::string("first line\nsecond line\nthird line"));
        QCOMPARE(examples[2].label, std::string("2"));
        QCOMPARE(examples[2].line, 4);
        QCOMPARE(examples[3].text, std::string("plain text"));
        QCOMPARE(examples[3].line, 7); // the quoted field above spans lines 4-6
        QCOMPARE(examples[4].text, std::string(""));
        QCOMPARE(examples[4].line, 8);
    }

    void csvJoinedColumns() {
        const std::string path =
            write("news.csv", "class,title,description\n"
                              "3,Fears for pension,Unions say they are upset.\n"
                              "4,\"Race, on\",\n");
        DataReadOptions opts = options();
        opts.textColumn = "title+description";
        opts.labelColumn = "class";
        const auto examples = DataReader::read(path, opts);
        QCOMPARE(examples.size(), std::size_t(2));
        QCOMPARE(examples[0].text, std::string("Fears for pension Unions say they are upset."));
        QCOMPARE(examples[0].label, std::string("3"));
        QCOMPARE(examples[1].text, std::string("Race, on")); // empty description adds nothing
    }

    void csvWithoutHeader() {
        const std::string path = write("ag.csv", "\"3\",\"Fears for T N pension\",\"Unions "
                                                 "representing workers, \"\"disappointed\"\".\"\n"
                                                 "\"4\",\"The Race is On\",\"SPACE.com - a "
                                                 "second\\team of rocketeers\"\n");
        DataReadOptions opts = options();
        opts.csvColumns = strings({"class", " title", "description "}); // as split from a,b,c
        opts.textColumn = "title+description";
        opts.labelColumn = "class";
        const auto examples = DataReader::read(path, opts);
        QCOMPARE(examples.size(), std::size_t(2));
        QCOMPARE(examples[0].label, std::string("3"));
        QCOMPARE(examples[0].line, 1);
        QCOMPARE(examples[0].text, std::string("Fears for T N pension Unions representing "
                                               "workers, \"disappointed\"."));
        QCOMPARE(examples[1].label, std::string("4"));
        QCOMPARE(examples[1].text,
                 std::string("The Race is On SPACE.com - a second\\team of rocketeers"));
    }

    void jsonlSequence() {
        const std::string path =
            write("data.jsonl", "{\"text\": \"good film\", \"label\": 1}\n"
                                "\n"
                                "{\"text\": \"bad film\", \"label\": \"neg\"}\r\n"
                                "{\"label\": 12, \"text\": \"caf\\u00e9\"}\n");
        const auto examples = DataReader::read(path, options());
        QCOMPARE(examples.size(), std::size_t(3));
        QCOMPARE(examples[0].text, std::string("good film"));
        QCOMPARE(examples[0].label, std::string("1"));
        QCOMPARE(examples[1].label, std::string("neg"));
        QCOMPARE(examples[1].line, 3);
        QCOMPARE(examples[2].label, std::string("12"));
        QCOMPARE(examples[2].text, std::string("caf\xC3\xA9"));
    }

    void jsonlChosenKeys() {
        const std::string path =
            write("keys.jsonl", "{\"title\": \"A\", \"body\": \"b c\", \"y\": 0}\n");
        DataReadOptions opts = options();
        opts.textColumn = "title+body";
        opts.labelColumn = "y";
        const auto examples = DataReader::read(path, opts);
        QCOMPARE(examples.size(), std::size_t(1));
        QCOMPARE(examples[0].text, std::string("A b c"));
        QCOMPARE(examples[0].label, std::string("0"));
    }

    void jsonlTokens() {
        const std::string path =
            write("ner.jsonl", "{\"tokens\": [\"EU\", \"rejects\", \"German\"], "
                               "\"tags\": [\"B-ORG\", \"O\", \"B-MISC\"]}\n"
                               "{\"words\": [\"Peter\", \"Blackburn\"], "
                               "\"ner_tags\": [\"I-PER\", \"I-PER\"]}\n");
        const auto examples = DataReader::read(path, options(TaskKind::Token));
        QCOMPARE(examples.size(), std::size_t(2));
        QCOMPARE(examples[0].words, strings({"EU", "rejects", "German"}));
        QCOMPARE(examples[0].tags, strings({"B-ORG", "O", "B-MISC"}));
        QCOMPARE(examples[1].words, strings({"Peter", "Blackburn"}));
        QCOMPARE(examples[1].tags, strings({"I-PER", "I-PER"}));
        QCOMPARE(examples[1].line, 2);
    }

    void conllColumns() {
        const std::string path = write("eng.conll", "-DOCSTART- -X- O O\n"
                                                    "\n"
                                                    "EU NNP I-NP I-ORG\n"
                                                    "rejects VBZ I-VP O\n"
                                                    "\n"
                                                    "\n"
                                                    "\n"
                                                    "Peter NNP I-NP I-PER\r\n"
                                                    "Blackburn\tNNP\tI-NP\tI-PER\n"
                                                    "-DOCSTART- -X- O O\n"
                                                    "BRUSSELS NNP I-NP I-LOC\n"
                                                    "1996-08-22 CD I-NP O"); // no final newline
        const auto examples = DataReader::read(path, options(TaskKind::Token));
        QCOMPARE(examples.size(), std::size_t(3));
        QCOMPARE(examples[0].words, strings({"EU", "rejects"}));
        QCOMPARE(examples[0].tags, strings({"I-ORG", "O"})); // IOB1 kept as is
        QCOMPARE(examples[0].line, 3);
        QCOMPARE(examples[1].words, strings({"Peter", "Blackburn"}));
        QCOMPARE(examples[1].tags, strings({"I-PER", "I-PER"}));
        QCOMPARE(examples[1].line, 8);
        QCOMPARE(examples[2].words, strings({"BRUSSELS", "1996-08-22"}));
        QCOMPARE(examples[2].line, 11);
    }

    void conllTagColumn() {
        const std::string path = write("chunks.conll", "EU NNP B-NP S-ORG\n"
                                                       "rejects VBZ B-VP O\n");
        DataReadOptions opts = options(TaskKind::Token);
        opts.conllTagColumn = 2;
        const auto chunks = DataReader::read(path, opts);
        QCOMPARE(chunks.front().tags, strings({"B-NP", "B-VP"}));
        opts.conllTagColumn = -1;
        QCOMPARE(DataReader::read(path, opts).front().tags, strings({"S-ORG", "O"}));
        opts.conllTagColumn = 1;
        QCOMPARE(DataReader::read(path, opts).front().tags, strings({"NNP", "VBZ"}));
    }

    void byteOrderMarkIsSkipped() {
        const std::string path = write("bom.tsv", "\xEF\xBB\xBFsentence\tlabel\nok\t1\n");
        QCOMPARE(DataReader::read(path, options()).size(), std::size_t(1));
    }

    // ---- Detection --------------------------------------------------------------------------

    void detection() {
        const QByteArray conll = "EU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\n";
        const TaskKind seq = TaskKind::Sequence, token = TaskKind::Token;
        QCOMPARE(DataReader::detect(write("a.tsv", "sentence\tlabel\nx\t1\n"), seq),
                 DataFormat::Tsv);
        QCOMPARE(DataReader::detect(write("a.CSV", "text,label\nx,1\n"), seq), DataFormat::Csv);
        QCOMPARE(DataReader::detect(write("a.jsonl", "{\"text\":\"x\",\"label\":1}\n"), seq),
                 DataFormat::Jsonl);
        QCOMPARE(DataReader::detect(write("a.json", "{\"text\":\"x\",\"label\":1}\n"), seq),
                 DataFormat::Jsonl);
        QCOMPARE(DataReader::detect(write("a.conll", conll), token), DataFormat::Conll);
        QCOMPARE(DataReader::detect(write("a.bio", conll), token), DataFormat::Conll);
        QCOMPARE(DataReader::detect(write("sst.txt", "\n1 a fine film\n0 dull .\n"), seq),
                 DataFormat::SentenceLabel);
        QCOMPARE(DataReader::detect(write("doc.txt", "-DOCSTART- -X- O O\n\nEU I-ORG\n"), seq),
                 DataFormat::Conll);
        QCOMPARE(DataReader::detect(write("ner.txt", conll), seq), DataFormat::Conll);
        QCOMPARE(DataReader::detect(write("pos.txt", "The DT\ndog NN\n"), token),
                 DataFormat::Conll); // no IOB tags, but the task says token
        QCOMPARE(DataReader::detect(write("glue.txt", "sentence\tlabel\nx\t1\n"), seq),
                 DataFormat::Tsv);
        QCOMPARE(DataReader::detect(write("lines.txt", "{\"text\":\"x\",\"label\":1}\n"), seq),
                 DataFormat::Jsonl);
        QCOMPARE(DataReader::detect(write("eng.train", conll), token), DataFormat::Conll);

        // Auto-detected reads give the same examples as the explicit format.
        const auto examples = DataReader::read(write("auto.txt", conll), options(token));
        QCOMPARE(examples.size(), std::size_t(2));
        QCOMPARE(examples[1].words, strings({"Peter"}));

        const std::string unknown = write("one.txt", "\n\nhello\n");
        const std::string message = errorOf([&] { DataReader::detect(unknown, seq); });
        QVERIFY2(message.rfind(unknown + ":3: ", 0) == 0, message.c_str());
        QVERIFY2(message.find("choose the format") != std::string::npos, message.c_str());
    }

    // A .txt table whose header has no "label" column used to be read as "<label> <text>"
    // lines (bogus labels, no error): it is refused, and --label-column makes it a TSV.
    void ambiguousTableRefused() {
        const QByteArray table = "sentence\tsentiment\ngood movie\tpositive\nbad movie\tnegative\n";
        const std::string txt = write("reviews.txt", table);
        EXPECT_READ_ERROR(txt, options(), 1, "no 'label' column");
        EXPECT_READ_ERROR(txt, options(), 1, "'sentence', 'sentiment'");
        EXPECT_READ_ERROR(write("three.txt", "a\tb\tc\nx\ty\tz\n"), options(), 1,
                          "three or more tab-separated fields");

        DataReadOptions chosen = options();
        chosen.labelColumn = "sentiment";
        const auto examples = DataReader::read(txt, chosen);
        QCOMPARE(examples.size(), std::size_t(2));
        QCOMPARE(examples[0].text, std::string("good movie"));
        QCOMPARE(examples[1].label, std::string("negative"));

        // "<label><TAB><text>" lines stay sentence-level data.
        const auto tabbed =
            DataReader::read(write("tabbed.txt", "1\ta fine film\n0\tdull .\n"), options());
        QCOMPARE(tabbed.size(), std::size_t(2));
        QCOMPARE(tabbed[0].label, std::string("1"));
        QCOMPARE(tabbed[1].text, std::string("dull ."));
    }

    // A label or text column given for a file auto-detection reads without columns is refused
    // rather than ignored.
    void columnOptionsNeverIgnored() {
        const std::string sst = write("sst-columns.txt", "1 a fine film\n0 dull .\n");
        DataReadOptions label = options();
        label.labelColumn = "sentiment";
        EXPECT_READ_ERROR(sst, label, 1, "label column 'sentiment' was given");
        DataReadOptions text = options();
        text.textColumn = "review";
        EXPECT_READ_ERROR(sst, text, 1, "text column 'review' was given");
    }

    // Old-Mac CR line ends are line ends; messages never carry a raw CR.
    void carriageReturnLineEnds() {
        const auto sentences =
            DataReader::read(write("mac.txt", "1 a fine film\r0 dull .\r1 good\r"), options());
        QCOMPARE(sentences.size(), std::size_t(3));
        QCOMPARE(sentences[1].label, std::string("0"));
        QCOMPARE(sentences[2].line, 3);
        const auto tsv =
            DataReader::read(write("mac.tsv", "sentence\tlabel\rgood\t1\rbad\t0\r"), options());
        QCOMPARE(tsv.size(), std::size_t(2));
        QCOMPARE(tsv[1].label, std::string("0"));
        const std::string path = write("mac-bad.txt", "1 fine\r\r0\r");
        EXPECT_READ_ERROR(path, options(TaskKind::Sequence, DataFormat::SentenceLabel), 3,
                          "only '0'");
        const std::string message = errorOf([&] { DataReader::read(path, options()); });
        QVERIFY2(message.find('\r') == std::string::npos, message.c_str());
        QCOMPARE(TextFile::inQuotes("a\rb\tc\x01"), std::string("'a\\rb\\tc\\x01'"));
    }

    void longExampleRefused() {
        const std::size_t limit = DataReader::kMaxExampleBytes;
        const QByteArray ok = "1 " + QByteArray(int(limit) - 10, 'a') + "\n";
        const QByteArray tooLong = "0 " + QByteArray(int(limit) + 1, 'b') + "\n";
        QCOMPARE(DataReader::read(write("ok.txt", ok + ok), options()).size(), std::size_t(2));
        EXPECT_READ_ERROR(write("long.txt", ok + tooLong), options(), 2, "over the limit of");
        EXPECT_READ_ERROR(write("long.jsonl", "{\"text\": \"" + QByteArray(int(limit) + 1, 'c') +
                                                  "\", \"label\": 1}\n"),
                          options(), 1, "split it into shorter examples");
    }

    void formatNames() {
        for (const char* name : {"auto", "tsv", "sentence", "csv", "jsonl", "conll", "text"})
            QCOMPARE(std::string(dataFormatName(dataFormatFromName(name))), std::string(name));
        const std::string message = errorOf([] { dataFormatFromName("xml"); });
        QVERIFY2(message.find("'xml'") != std::string::npos, message.c_str());
        QVERIFY2(message.find("tsv, sentence, csv, jsonl, conll or text") != std::string::npos,
                 message.c_str());
    }

    // ---- Malformed files --------------------------------------------------------------------

    void missingAndEmptyFiles() {
        const std::string missing = m_dir.filePath("nope.tsv").toStdString();
        std::string message = errorOf([&] { DataReader::read(missing, options()); });
        QVERIFY2(message.rfind(missing + ": cannot open", 0) == 0, message.c_str());
        message = errorOf([&] { DataReader::read(m_dir.path().toStdString(), options()); });
        QVERIFY2(message.find("folder") != std::string::npos, message.c_str());

        EXPECT_READ_ERROR(write("empty.tsv", ""), options(), 1, "empty");
        EXPECT_READ_ERROR(write("blank.csv", "\n  \n\r\n"), options(), 1, "empty");
        EXPECT_READ_ERROR(write("header.tsv", "sentence\tlabel\n"), options(), 1, "no examples");
        EXPECT_READ_ERROR(write("header.csv", "text,label\n\n"), options(), 2, "no examples");
        EXPECT_READ_ERROR(write("docs.conll", "-DOCSTART- -X- O O\n\n-DOCSTART- -X- O O\n"),
                          options(TaskKind::Token), 3, "no examples");
    }

    void invalidUtf8() {
        const std::string path = write("latin1.tsv", "sentence\tlabel\nfine\t1\ncaf\xE9 noir\t0\n");
        EXPECT_READ_ERROR(path, options(), 3, "byte 0xE9 at column 4");
        // Truncated sequence, overlong encoding and a UTF-16 surrogate are refused too.
        EXPECT_READ_ERROR(write("cut.txt", "1 ok\n0 \xE2\x82\n"), options(), 2, "byte 0xE2");
        EXPECT_READ_ERROR(write("overlong.txt", "1 \xC0\xAF\n"), options(), 1, "byte 0xC0");
        EXPECT_READ_ERROR(write("surrogate.txt", "1 \xED\xA0\x80\n"), options(), 1, "0xED");
    }

    void missingColumns() {
        const std::string path = write("cols.tsv", "review\tstars\ngood\t5\n");
        const std::string message = errorOf([&] { DataReader::read(path, options()); });
        QVERIFY2(message.rfind(path + ":1: ", 0) == 0, message.c_str());
        QVERIFY2(message.find("'review', 'stars'") != std::string::npos, message.c_str());

        DataReadOptions opts = options();
        opts.textColumn = "review";
        EXPECT_READ_ERROR(path, opts, 1, "no label column 'label'");
        opts.labelColumn = "stars";
        opts.textColumn = "title+review";
        EXPECT_READ_ERROR(path, opts, 1, "no text column 'title'");

        const std::string csv = write("cols.csv", "\n\ntitle,class\nx,1\n");
        EXPECT_READ_ERROR(csv, options(), 3, "(the columns are 'title', 'class')");

        opts = options();
        opts.csvColumns = strings({"class", "title"});
        opts.labelColumn = "class";
        EXPECT_READ_ERROR(write("named.csv", "1,x\n"), opts, 1, "'class', 'title'");
    }

    void wrongFieldCounts() {
        EXPECT_READ_ERROR(write("fields.tsv", "sentence\tlabel\nok\t1\ntab\there\t0\n"), options(),
                          3, "3 field(s) but the header has 2");
        EXPECT_READ_ERROR(write("fields.csv", "text,label\n\"a\nb\",1\nx,y,1\n"), options(), 4,
                          "3 field(s) but the header has 2");
        DataReadOptions opts = options();
        opts.csvColumns = strings({"label", "text"});
        EXPECT_READ_ERROR(write("named2.csv", "1,a\n2\n"), opts, 2,
                          "1 field(s) but 2 column names were given");
    }

    void csvQuoteErrors() {
        const std::string open =
            write("open.csv", "text,label\nok,1\n\"never closed,1\nx,0\ny,1\n");
        EXPECT_READ_ERROR(open, options(), 3, "never closed");
        EXPECT_READ_ERROR(write("stray.csv", "text,label\nok,1\n\"say \"hi\" now\",1\n"), options(),
                          3, "unexpected 'h' after the closing quote");
    }

    void emptyLabels() {
        EXPECT_READ_ERROR(write("nolabel.tsv", "sentence\tlabel\nok\t1\nbad\t \n"), options(), 3,
                          "label is empty");
        EXPECT_READ_ERROR(write("nolabel.csv", "text,label\n\"a\nb\",\n"), options(), 2,
                          "label is empty");
        EXPECT_READ_ERROR(write("nolabel.jsonl", "{\"text\":\"a\",\"label\":\"\"}\n"), options(), 1,
                          "label is empty");
    }

    void sentenceLabelErrors() {
        const DataReadOptions opts = options(TaskKind::Sequence, DataFormat::SentenceLabel);
        EXPECT_READ_ERROR(write("lonely.txt", "1 fine\n\n0\n"), opts, 3,
                          "expected '<label> <text>'");
    }

    void jsonlErrors() {
        const DataReadOptions seq = options(), token = options(TaskKind::Token);
        EXPECT_READ_ERROR(write("broken.jsonl", "{\"text\":\"a\",\"label\":1}\n{\"text\": \n"), seq,
                          2, "not valid JSON");
        EXPECT_READ_ERROR(write("array.jsonl", "[{\"text\":\"a\",\"label\":1}]\n"), seq, 1,
                          "the line holds a JSON array, not an object");
        EXPECT_READ_ERROR(write("nokey.jsonl", "{\"text\":\"a\",\"label\":1}\n{\"txt\":\"a\"}\n"),
                          seq, 2, "(the keys are 'txt')");
        EXPECT_READ_ERROR(write("float.jsonl", "{\"text\":\"a\",\"label\":1.5}\n"), seq, 1,
                          "a label must be a string or an integer");
        EXPECT_READ_ERROR(write("numtext.jsonl", "{\"text\":3,\"label\":1}\n"), seq, 1,
                          "store the text as a JSON string");
        EXPECT_READ_ERROR(write("ids.jsonl", "{\"tokens\":[\"a\"],\"ner_tags\":[3]}\n"), token, 1,
                          "integer tags");
        EXPECT_READ_ERROR(write("uneven.jsonl", "{\"tokens\":[\"a\",\"b\"],\"tags\":[\"O\"]}\n"),
                          token, 1, "2 words but 1 tags");
        EXPECT_READ_ERROR(write("notags.jsonl", "{\"tokens\":[\"a\"]}\n"), token, 1,
                          "no 'tags' or 'ner_tags' key");
    }

    void conllErrors() {
        const DataReadOptions token = options(TaskKind::Token);
        EXPECT_READ_ERROR(write("notag.conll", "EU NNP I-ORG\n\nrejects\n"), token, 3,
                          "'rejects' has a token but no tag");
        DataReadOptions opts = token;
        opts.conllTagColumn = 3;
        EXPECT_READ_ERROR(write("narrow.conll", "EU NNP I-NP I-ORG\nrejects VBZ O\n"), opts, 2,
                          "the line has 3 columns but the tag column is 3");
        opts.conllTagColumn = 0;
        const std::string message =
            errorOf([&] { DataReader::read(write("zero.conll", "EU I-ORG\n"), opts); });
        QVERIFY2(message.find("0 is the token") != std::string::npos, message.c_str());
    }

    void taskMismatch() {
        const std::string tsv = write("task.tsv", "sentence\tlabel\nok\t1\n");
        std::string message = errorOf([&] { DataReader::read(tsv, options(TaskKind::Token)); });
        QVERIFY2(message.rfind(tsv + ": a tsv file holds one label per text, but the task is "
                                     "token",
                               0) == 0,
                 message.c_str());
        const std::string conll = write("task.conll", "EU I-ORG\n");
        message = errorOf([&] { DataReader::read(conll, options(TaskKind::Sequence)); });
        QVERIFY2(message.rfind(conll + ": a CoNLL file holds one tag per word, but the task is "
                                       "seq",
                               0) == 0,
                 message.c_str());
        message = errorOf([&] {
            DataReader::read(write("task.txt", "1 ok\n"),
                             options(TaskKind::Token, DataFormat::SentenceLabel));
        });
        QVERIFY2(message.find("the task is token") != std::string::npos, message.c_str());
    }

    // Random bytes drawn from each format's structural characters: a result or an FsllmError,
    // never a crash, a hang or another exception type.
    void neverCrashes() {
        const std::string alphabet = "\"\t,\n\r {}[]:-OBIESabc01\\\xC3\xA9\xFF";
        std::mt19937 random(7);
        for (int trial = 0; trial < 400; ++trial) {
            QByteArray bytes;
            const int size = static_cast<int>(random() % 60);
            for (int i = 0; i < size; ++i)
                bytes.append(alphabet[random() % alphabet.size()]);
            const std::string path = write("fuzz.dat", bytes);
            for (DataFormat format : {DataFormat::Auto, DataFormat::Tsv, DataFormat::SentenceLabel,
                                      DataFormat::Csv, DataFormat::Jsonl, DataFormat::Conll}) {
                for (TaskKind task : {TaskKind::Sequence, TaskKind::Token}) {
                    DataReadOptions opts = options(task, format);
                    opts.textColumn = trial % 2 ? "a+b" : "";
                    try {
                        DataReader::read(path, opts);
                    } catch (const FsllmError&) {
                    }
                }
            }
        }
    }

    // ---- LabelSet ---------------------------------------------------------------------------

    void labelSetNaturalOrder() {
        std::vector<RawExample> examples;
        for (const char* label : {"10", "2", "1", "0", "2"}) {
            examples.emplace_back();
            examples.back().label = label;
        }
        QCOMPARE(LabelSet::fromExamples(examples, TaskKind::Sequence).names(),
                 strings({"0", "1", "2", "10"}));

        examples.clear();
        for (const char* label : {"positive", "negative", "neutral", "class10", "class9"}) {
            examples.emplace_back();
            examples.back().label = label;
        }
        const LabelSet words = LabelSet::fromExamples(examples, TaskKind::Sequence);
        QCOMPARE(words.names(), strings({"class9", "class10", "negative", "neutral", "positive"}));
        QCOMPARE(words.size(), 5);
        QCOMPARE(words.id("neutral", "dev.tsv", 1), 3);
        QCOMPARE(words.name(4), std::string("positive"));
        QVERIFY(words.contains("negative"));
        QVERIFY(!words.contains("Negative"));
    }

    void labelSetTagsPutOFirst() {
        RawExample sentence;
        sentence.words = strings({"a", "b", "c", "d", "e"});
        sentence.tags = strings({"I-PER", "O", "B-LOC", "I-LOC", "B-PER"});
        const LabelSet tags = LabelSet::fromExamples({sentence}, TaskKind::Token);
        QCOMPARE(tags.names(), strings({"O", "B-LOC", "B-PER", "I-LOC", "I-PER"}));
        QCOMPARE(tags.id("O", "x", 1), 0);
    }

    void labelSetUnknownLabel() {
        const std::string train = write("train.tsv", "sentence\tlabel\na\t0\nb\t1\n");
        const std::string dev = write("dev.tsv", "sentence\tlabel\nc\t1\n\nd\t2\n");
        const LabelSet labels =
            LabelSet::fromExamples(DataReader::read(train, options()), TaskKind::Sequence);
        const auto examples = DataReader::read(dev, options());
        QCOMPARE(labels.id(examples[0].label, dev, examples[0].line), 1);
        const std::string message =
            errorOf([&] { labels.id(examples[1].label, dev, examples[1].line); });
        QVERIFY2(message.rfind(dev + ":4: label '2' was not seen in training (known: 0, 1)", 0) ==
                     0,
                 message.c_str());
    }

    // ---- Unlabelled input (prediction) --------------------------------------------------------

    void unlabelledLayouts() {
        const std::vector<std::string> labels = strings({"neg", "pos"});
        const auto read = [&](const QString& name, const QByteArray& content, TaskKind task) {
            return UnlabelledInput::read(write(name, content), options(task), labels);
        };
        // SST-2 style sentences: each whole line is one text, no label taken from it.
        UnlabelledRead text = read("sst2.txt", "it 's a charming journey\nhide new secretions\n",
                                   TaskKind::Sequence);
        QCOMPARE(text.format, DataFormat::Text);
        QCOMPARE(text.examples.size(), std::size_t(2));
        QCOMPARE(text.examples[0].text, std::string("it 's a charming journey"));
        QVERIFY(text.examples[0].label.empty());
        // A TSV without a label column, in a .txt; a JSONL without a label key.
        UnlabelledRead table = read("test.txt", "id\tsentence\n1\ta fine film\n", TaskKind::Sequence);
        QCOMPARE(table.format, DataFormat::Tsv);
        QCOMPARE(table.examples.at(0).text, std::string("a fine film"));
        QCOMPARE(read("t.jsonl", "{\"text\": \"a fine film\"}\n", TaskKind::Sequence).examples.at(0).text,
                 std::string("a fine film"));
        // Token tasks: sentences per line; words-only CoNLL; tagged CoNLL with its tags ignored.
        UnlabelledRead sentences = read("s.txt", "John lives in Paris\nMary sings\n", TaskKind::Token);
        QCOMPARE(sentences.format, DataFormat::Text);
        QCOMPARE(sentences.examples.at(1).words, strings({"Mary", "sings"}));
        UnlabelledRead words = read("w.txt", "John\nlives\n\nMary\n", TaskKind::Token);
        QCOMPARE(words.format, DataFormat::Conll);
        QCOMPARE(words.examples.size(), std::size_t(2));
        QCOMPARE(words.examples.at(0).words, strings({"John", "lives"}));
        QCOMPARE(words.examples.at(1).line, 4);
        QCOMPARE(read("x.conll", "EU B-ORG\nrejects\n", TaskKind::Token).examples.at(0).words,
                 strings({"EU", "rejects"}));
        // An explicit --format is taken as given.
        DataReadOptions sentence = options(TaskKind::Sequence, DataFormat::SentenceLabel);
        QCOMPARE(UnlabelledInput::read(write("l.txt", "pos a fine film\n"), sentence, labels)
                     .examples.at(0).text,
                 std::string("a fine film"));
    }

    void unlabelledAmbiguityIsRefused() {
        const std::vector<std::string> labels = strings({"neg", "pos"});
        const auto messageOf = [&](const QString& name, const QByteArray& content, TaskKind task) {
            const std::string path = write(name, content);
            return errorOf([&] { UnlabelledInput::read(path, options(task), labels); });
        };
        std::string message = messageOf("lab.txt", "pos a fine film\nneg dull\n", TaskKind::Sequence);
        QVERIFY2(message.find("lab.txt:1: ") != std::string::npos &&
                     message.find("--format sentence") != std::string::npos &&
                     message.find("--format text") != std::string::npos,
                 message.c_str());
        // One line that does not start with a label is enough to tell: plain text.
        QCOMPARE(messageOf("mixed.txt", "pos a fine film\nthe worst film\n", TaskKind::Sequence),
                 std::string("<no error>"));
        message = messageOf("tabs.txt", "1\ta fine film\n", TaskKind::Sequence);
        QVERIFY2(message.find("--format tsv") != std::string::npos, message.c_str());
        message = messageOf("one.txt", "John\nlives\n", TaskKind::Token);
        QVERIFY2(message.find("--format conll") != std::string::npos, message.c_str());
        message = messageOf("cols.txt", "John NNP\nlives VBZ\n\nMary NNP\n", TaskKind::Token);
        QVERIFY2(message.find("2 fields") != std::string::npos, message.c_str());
        // The text format holds no labels: refused where labels are needed.
        message = errorOf([&] {
            DataReader::read(write("train.txt", "a fine film\n"),
                             options(TaskKind::Sequence, DataFormat::Text));
        });
        QVERIFY2(message.find("holds no labels") != std::string::npos, message.c_str());
    }

    void labelSetRefusesDuplicates() {
        const std::string message = errorOf([] { (void)LabelSet(strings({"a", "b", "a"})); });
        QVERIFY2(message.find("'a' appears twice") != std::string::npos, message.c_str());
        QCOMPARE(LabelSet(strings({"pos", "neg"})).id("neg", "x", 1), 1); // order kept as given
    }
};

QTEST_GUILESS_MAIN(TstDataReader)
#include "tst_datareader.moc"
