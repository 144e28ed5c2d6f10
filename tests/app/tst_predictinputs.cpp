// `fsllm predict --data FILE` on unlabelled input, run as a real child process: plain text lines
// (one text, or one sentence, per line), words-only CoNLL, TSV/CSV/JSON Lines without a label
// column. Nothing is guessed silently: a line's first word is never taken as a label, a sentence
// file is never joined into one sentence, and a file that reads two ways is refused naming the
// --format that decides. Token predictions are TSV (word<TAB>tag, blank line between sentences).
// A sequence run (pos/neg) and a token run (PER/LOC tags) are trained once on a tiny checkpoint.
#include "clirunner.h"
#include "testfiles.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QString kCorpus = QStringLiteral(FSLLM_TEST_DATA_DIR "/badinputs");

// Tagged sentences for the token run: names (PER) and places (LOC) in short frames.
QByteArray conllSentences(int count) {
    const QStringList people = {"John", "Mary", "Anna", "Peter"};
    const QStringList places = {"Paris", "Berlin", "Rome", "Oslo"};
    QByteArray text;
    for (int i = 0; i < count; ++i) {
        text += people[i % 4].toUtf8() + " B-PER\nvisited O\n" + places[(i / 2) % 4].toUtf8() +
                " B-LOC\ntoday O\n\n";
    }
    return text;
}

// The stdout of a successful run, or a failed test.
QByteArray successOut(const CliRunner::Run& run) {
    const QString problem = CliRunner::successProblem(run);
    if (!problem.isEmpty())
        QTest::qFail(qPrintable(problem), __FILE__, __LINE__);
    return run.out;
}

// Token predictions: the sentences of a "word<TAB>tag" TSV with blank lines between sentences.
QList<QStringList> predictedSentences(const QByteArray& out, QStringList* tags = nullptr) {
    QList<QStringList> sentences{{}};
    for (const QString& line : QString::fromUtf8(out).split(QLatin1Char('\n'))) {
        if (line.isEmpty()) {
            if (!sentences.last().isEmpty())
                sentences.append(QStringList());
            continue;
        }
        const QStringList fields = line.split(QLatin1Char('\t'));
        if (fields.size() != 2) {
            QTest::qFail(qPrintable("not 'word<TAB>tag': " + line), __FILE__, __LINE__);
            return {};
        }
        sentences.last().append(fields[0]);
        if (tags)
            tags->append(fields[1]);
    }
    if (sentences.last().isEmpty())
        sentences.removeLast();
    return sentences;
}

} // namespace

class TestPredictInputs : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void plainLinesAreWholeTexts();
    void sentenceFormatDropsTheLabel();
    void labelFirstLinesAreRefusedAsAmbiguous();
    void tabbedLinesWithoutHeaderAreRefused();
    void tablesWithoutLabelColumn_data();
    void tablesWithoutLabelColumn();
    void plainSentencesAreOnePerLine();
    void wordsOnlyConll_data();
    void wordsOnlyConll();
    void oneWordLinesWithoutBlankAreRefused();
    void tokenOutputIsTsvForWordsWithSlashes();
    void cutWordsAreMarked();
    void helpDescribesInputsAndOutput();

private:
    QString write(const QString& name, const QByteArray& bytes) const;
    // The predictions of `args` (after predict --run RUN) as stdout lines.
    QStringList predictLines(const QString& run, const QStringList& args) const;

    QTemporaryDir m_root;
    QString m_seqRun;
    QString m_tokenRun;
};

void TestPredictInputs::initTestCase() {
    QVERIFY(m_root.isValid());
    const QString tiny = m_root.filePath(QStringLiteral("tiny"));
    CliRunner::Run run =
        CliRunner::run(QStringList{"init-tiny", "--out", tiny, "--layers", "2", "--hidden", "32",
                                   "--heads", "4", "--kv-heads", "2", "--vocab", "512"});
    QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    m_seqRun = m_root.filePath(QStringLiteral("seq"));
    run = CliRunner::run(QStringList{"train", "--model", tiny, "--task", "seq", "--train",
                                     kCorpus + "/good_train.tsv", "--dev",
                                     kCorpus + "/good_dev.tsv", "--epochs", "1", "--batch-size",
                                     "4", "--out", m_seqRun});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    m_tokenRun = m_root.filePath(QStringLiteral("token"));
    run = CliRunner::run(QStringList{"train", "--model", tiny, "--task", "token", "--train",
                                     write("train.conll", conllSentences(12)), "--dev",
                                     write("dev.conll", conllSentences(4)), "--epochs", "1",
                                     "--batch-size", "4", "--max-length", "24", "--out",
                                     m_tokenRun});
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

QString TestPredictInputs::write(const QString& name, const QByteArray& bytes) const {
    const QString path = m_root.filePath(name);
    TestFiles::write(path, bytes);
    return path;
}

QStringList TestPredictInputs::predictLines(const QString& run, const QStringList& args) const {
    return CliRunner::outputLines(successOut(CliRunner::run(QStringList{"predict", "--run", run} + args)));
}

// An SST-2-style file of sentences: each line is predicted whole, exactly as --text predicts it
// (the old reader took each first word as a label and predicted the rest).
void TestPredictInputs::plainLinesAreWholeTexts() {
    const QStringList texts = {"great acting and a clever plot", "the plot made no sense",
                               "i wanted to leave early"};
    const QString file = write("sst2_test.txt", texts.join(QLatin1Char('\n')).toUtf8() + "\n");
    const CliRunner::Run run = CliRunner::run(QStringList{"predict", "--run", m_seqRun, "--data", file});
    const QStringList lines = CliRunner::outputLines(successOut(run));
    QCOMPARE(lines.size(), texts.size());
    QVERIFY2(run.err.contains("read 3 text(s) as plain text, one text per line"), run.err.constData());
    for (int i = 0; i < texts.size(); ++i) {
        const QStringList single = predictLines(m_seqRun, {"--text", texts[i]});
        QCOMPARE(single.size(), 1);
        QCOMPARE(lines[i], single.first());
        const QStringList withoutFirstWord =
            predictLines(m_seqRun, {"--text", texts[i].section(QLatin1Char(' '), 1)});
        QVERIFY2(lines[i] != withoutFirstWord.first(), qPrintable(lines[i]));
    }
}

// --format sentence reads '<label> <text>' lines: the label is dropped, the rest predicted.
void TestPredictInputs::sentenceFormatDropsTheLabel() {
    const QString file = write("labelled.txt", "pos a clever and warm film\nneg the worst film\n");
    const QStringList lines = predictLines(m_seqRun, {"--data", file, "--format", "sentence"});
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0], predictLines(m_seqRun, {"--text", "a clever and warm film"}).first());
    QCOMPARE(lines[1], predictLines(m_seqRun, {"--text", "the worst film"}).first());
}

// Every line starts with one of the run's labels: '<label> <text>' or text? Refused, naming both.
void TestPredictInputs::labelFirstLinesAreRefusedAsAmbiguous() {
    const QString file = write("maybe_labelled.txt", "pos a clever and warm film\nneg dull\n");
    const CliRunner::Run run =
        CliRunner::run(QStringList{"predict", "--run", m_seqRun, "--data", file});
    const QString problem = CliRunner::refusalProblem(
        run, {"maybe_labelled.txt:1: ", "one of the run's labels", "--format sentence",
              "--format text"});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestPredictInputs::tabbedLinesWithoutHeaderAreRefused() {
    const QString file = write("tabbed.txt", "1\ta clever and warm film\n2\tthe worst film\n");
    const CliRunner::Run run =
        CliRunner::run(QStringList{"predict", "--run", m_seqRun, "--data", file});
    const QString problem = CliRunner::refusalProblem(
        run, {"tabbed.txt:1: ", "--format tsv", "--text-column", "--format text"});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestPredictInputs::tablesWithoutLabelColumn_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("options");
    QTest::newRow("tsv") << "test.tsv"
                         << QByteArray("index\tsentence\n0\ta clever and warm film\n"
                                       "1\tthe worst film\n")
                         << QStringList();
    QTest::newRow("tsv, header in a .txt") << "test_header.txt"
                                          << QByteArray("index\tsentence\n0\ta clever and warm film\n"
                                                        "1\tthe worst film\n")
                                          << QStringList();
    QTest::newRow("csv") << "test.csv"
                         << QByteArray("id,text\n0,a clever and warm film\n1,the worst film\n")
                         << QStringList();
    QTest::newRow("jsonl") << "test.jsonl"
                           << QByteArray("{\"text\": \"a clever and warm film\"}\n"
                                         "{\"text\": \"the worst film\"}\n")
                           << QStringList();
    QTest::newRow("tsv with --text-column") << "review.tsv"
                                            << QByteArray("review\n a clever and warm film\n"
                                                          "the worst film\n")
                                            << QStringList{"--text-column", "review"};
}

// The text column is predicted; no label column is needed.
void TestPredictInputs::tablesWithoutLabelColumn() {
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QStringList, options);
    const QStringList lines = predictLines(m_seqRun, QStringList{"--data", write(name, content)} + options);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0], predictLines(m_seqRun, {"--text", "a clever and warm film"}).first());
    QCOMPARE(lines[1], predictLines(m_seqRun, {"--text", "the worst film"}).first());
}

// A plain sentence file for a token run: one sentence per line (the old reader joined the file
// into one sentence, taking each line's last word as its tag).
void TestPredictInputs::plainSentencesAreOnePerLine() {
    const QString file = write("sentences.txt", "John visited Paris today\nMary saw Rome\n");
    const CliRunner::Run run =
        CliRunner::run(QStringList{"predict", "--run", m_tokenRun, "--data", file});
    const QList<QStringList> sentences = predictedSentences(successOut(run));
    QCOMPARE(sentences.size(), 2);
    QCOMPARE(sentences[0], QStringList({"John", "visited", "Paris", "today"}));
    QCOMPARE(sentences[1], QStringList({"Mary", "saw", "Rome"}));
    QVERIFY2(run.err.contains("plain text, one sentence per line"), run.err.constData());
}

void TestPredictInputs::wordsOnlyConll_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("words only, .txt") << "words.txt" << QByteArray("John\nvisited\nParis\n\nMary\nsaw\nRome\n");
    QTest::newRow("words only, .conll") << "words.conll" << QByteArray("John\nvisited\nParis\n\nMary\nsaw\nRome\n");
    QTest::newRow("words and tags, .txt")
        << "tagged.txt" << QByteArray("John B-PER\nvisited O\nParis B-LOC\n\nMary B-PER\nsaw O\nRome B-LOC\n");
    QTest::newRow("-DOCSTART-, words only")
        << "doc.txt" << QByteArray("-DOCSTART-\n\nJohn\nvisited\nParis\n\nMary\nsaw\nRome\n");
}

void TestPredictInputs::wordsOnlyConll() {
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    const CliRunner::Run run =
        CliRunner::run(QStringList{"predict", "--run", m_tokenRun, "--data", write(name, content)});
    const QList<QStringList> sentences = predictedSentences(successOut(run));
    QCOMPARE(sentences.size(), 2);
    QCOMPARE(sentences[0], QStringList({"John", "visited", "Paris"}));
    QCOMPARE(sentences[1], QStringList({"Mary", "saw", "Rome"}));
    QVERIFY2(run.err.contains("CoNLL, one word per line"), run.err.constData());
}

// One word per line and no blank line: one sentence in CoNLL, or one-word sentences? Refused;
// each --format it names then reads it.
void TestPredictInputs::oneWordLinesWithoutBlankAreRefused() {
    const QString file = write("oneword.txt", "John\nvisited\nParis\n");
    const CliRunner::Run run =
        CliRunner::run(QStringList{"predict", "--run", m_tokenRun, "--data", file});
    const QString problem =
        CliRunner::refusalProblem(run, {"oneword.txt:1: ", "--format conll", "--format text"});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QByteArray asConll = successOut(
        CliRunner::run(QStringList{"predict", "--run", m_tokenRun, "--data", file, "--format", "conll"}));
    QCOMPARE(predictedSentences(asConll).size(), 1);
    const QByteArray asText = successOut(
        CliRunner::run(QStringList{"predict", "--run", m_tokenRun, "--data", file, "--format", "text"}));
    QCOMPARE(predictedSentences(asText).size(), 3);
}

// word<TAB>tag: a word holding '/' (or anything but white space) stays one field.
void TestPredictInputs::tokenOutputIsTsvForWordsWithSlashes() {
    QStringList tags;
    const QList<QStringList> sentences = predictedSentences(
        successOut(CliRunner::run(QStringList{"predict", "--run", m_tokenRun, "--text", "AC/DC played in Oslo/Norway"})),
        &tags);
    QCOMPARE(sentences.size(), 1);
    QCOMPARE(sentences[0], QStringList({"AC/DC", "played", "in", "Oslo/Norway"}));
    QCOMPARE(tags.size(), 4);
    const QStringList runTags = {"B-PER", "B-LOC", "O"};
    for (const QString& tag : tags)
        QVERIFY2(runTags.contains(tag), qPrintable(tag));
}

// Words past the run's --max-length (24 tokens) are not predicted: tag <cut>, and stderr says so.
void TestPredictInputs::cutWordsAreMarked() {
    QStringList words;
    for (int i = 0; i < 40; ++i)
        words << (i % 2 ? "Paris" : "John");
    QStringList tags;
    const CliRunner::Run run = CliRunner::run(
        QStringList{"predict", "--run", m_tokenRun, "--text", words.join(QLatin1Char(' '))});
    const QList<QStringList> sentences = predictedSentences(successOut(run), &tags);
    QCOMPARE(sentences.size(), 1);
    QCOMPARE(sentences[0], words);
    const int cut = int(tags.count(QStringLiteral("<cut>")));
    QVERIFY2(cut > 0 && cut < words.size(), qPrintable(tags.join(QLatin1Char(' '))));
    QCOMPARE(tags.indexOf(QStringLiteral("<cut>")), words.size() - cut); // the last words
    QVERIFY2(run.err.contains(QStringLiteral("%1 word(s) past it are not predicted (tag <cut>)")
                                  .arg(cut)
                                  .toUtf8()),
             run.err.constData());
}

void TestPredictInputs::helpDescribesInputsAndOutput() {
    const QByteArray help = successOut(CliRunner::run(QStringList{"predict", "--help"}));
    for (const char* fragment : {"one text per line", "one word per line", "word<TAB>tag",
                                 "a blank line after each sentence", "--format", "label column is ignored"})
        QVERIFY2(help.contains(fragment), fragment);
}

QTEST_GUILESS_MAIN(TestPredictInputs)
#include "tst_predictinputs.moc"
