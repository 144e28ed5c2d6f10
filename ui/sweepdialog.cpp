#include "sweepdialog.h"

#include "fsllmerror.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace fsllm {

namespace {

QWidget* checkRow(const QStringList& names, QList<QCheckBox*>& boxes) {
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    for (const QString& name : names) {
        auto* box = new QCheckBox(name);
        boxes << box;
        layout->addWidget(box);
    }
    layout->addStretch(1);
    return row;
}

} // namespace

SweepDialog::SweepDialog(const TrainingConfig& base, const QString& folder, QWidget* parent)
    : QDialog(parent), m_base(base) {
    setWindowTitle(tr("Sweep"));
    auto* form = new QFormLayout;
    form->addRow(tr("Masks"), checkRow({QStringLiteral("causal"), QStringLiteral("bidirectional"),
                                        QStringLiteral("decay")},
                                       m_masks));
    m_lambdas = new QLineEdit(QString::number(base.mask.lambda > 0 ? base.mask.lambda : 0.5, 'g', 4));
    m_lambdas->setToolTip(tr("Comma-separated decay lambdas (the decay mask only)"));
    form->addRow(tr("Lambdas"), m_lambdas);
    m_fromLayers = new QLineEdit(QString::number(base.mask.fromLayer));
    m_fromLayers->setToolTip(
        tr("Comma-separated mask-from-layer values (non-causal masks; 0 = every layer)"));
    form->addRow(tr("Mask from layer"), m_fromLayers);
    form->addRow(tr("Heads"), checkRow({QStringLiteral("fs"), QStringLiteral("linear")}, m_heads));
    m_seeds = new QLineEdit(QStringLiteral("1,2,3"));
    m_seeds->setToolTip(tr("Comma-separated seeds: every configuration is trained once per seed"));
    form->addRow(tr("Seeds"), m_seeds);
    m_folder = new QLineEdit(folder);
    m_folder->setToolTip(tr("The sweep's folder: one run folder per run, and summary.md/.csv"));
    form->addRow(tr("Folder"), m_folder);
    m_count = new QLabel;
    m_count->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Queue runs"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Every combination is trained one after another with the "
                                    "Train form's other settings; the Runs tab lists the runs and "
                                    "compares each configuration with its causal one.")));
    layout->addLayout(form);
    layout->addWidget(m_count);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    setMasks({QStringLiteral("causal"), QString::fromLatin1(maskModeName(base.mask.mode))});
    setHeads({QString::fromLatin1(headKindName(base.head))});
    for (QCheckBox* box : m_masks + m_heads)
        connect(box, &QCheckBox::toggled, this, &SweepDialog::updateCount);
    for (QLineEdit* edit : {m_lambdas, m_fromLayers, m_seeds, m_folder})
        connect(edit, &QLineEdit::textChanged, this, &SweepDialog::updateCount);
    updateCount();
}

SweepGrid SweepDialog::grid() const {
    SweepGrid grid;
    QStringList masks, heads;
    for (const QCheckBox* box : m_masks)
        if (box->isChecked())
            masks << box->text();
    for (const QCheckBox* box : m_heads)
        if (box->isChecked())
            heads << box->text();
    if (masks.isEmpty())
        throw FsllmError("Masks: choose at least one");
    if (heads.isEmpty())
        throw FsllmError("Heads: choose at least one");
    grid.masks = SweepGrid::parseMasks(masks.join(QLatin1Char(',')).toStdString(), "Masks");
    grid.heads = SweepGrid::parseHeads(heads.join(QLatin1Char(',')).toStdString(), "Heads");
    grid.lambdas = SweepGrid::parseNumbers(m_lambdas->text().toStdString(), "Lambdas");
    grid.fromLayers = SweepGrid::parseIntegers(m_fromLayers->text().toStdString(), "Mask from layer");
    grid.seeds = SweepGrid::parseIntegers(m_seeds->text().toStdString(), "Seeds");
    return grid;
}

QString SweepDialog::folder() const {
    return m_folder->text().trimmed();
}

int SweepDialog::runCount() const {
    try {
        return int(grid().expand(m_base, folder().toStdString()).size());
    } catch (const std::exception&) {
        return 0;
    }
}

void SweepDialog::setMasks(const QStringList& masks) {
    for (QCheckBox* box : m_masks)
        box->setChecked(masks.contains(box->text()));
}

void SweepDialog::setHeads(const QStringList& heads) {
    for (QCheckBox* box : m_heads)
        box->setChecked(heads.contains(box->text()));
}

void SweepDialog::setLambdas(const QString& list) {
    m_lambdas->setText(list);
}

void SweepDialog::setFromLayers(const QString& list) {
    m_fromLayers->setText(list);
}

void SweepDialog::setSeeds(const QString& list) {
    m_seeds->setText(list);
}

void SweepDialog::updateCount() {
    QString problem;
    int runs = 0;
    try {
        runs = int(grid().expand(m_base, folder().toStdString()).size());
        if (folder().isEmpty())
            problem = tr("Folder: give the sweep's folder");
    } catch (const std::exception& e) {
        problem = QString::fromUtf8(e.what());
    }
    m_count->setStyleSheet(problem.isEmpty() ? QString() : QStringLiteral("color: #c0392b;"));
    m_count->setText(problem.isEmpty() ? tr("%n run(s), one after another", nullptr, runs)
                                       : problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty() && runs > 0);
}

} // namespace fsllm
