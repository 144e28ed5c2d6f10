#include "exportdialog.h"

#include "plotexporter.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>

#include <functional>

namespace fsllm {

namespace {

constexpr int kAllPlots = -1;

} // namespace

ExportDialog::ExportDialog(const QList<NamedPlot>& plots, QWidget* parent)
    : QDialog(parent), m_plots(plots) {
    setWindowTitle(tr("Export plots"));
    const QSettings settings;
    m_plotChoice = new QComboBox(this);
    if (m_plots.size() > 1)
        m_plotChoice->addItem(tr("All %1 plots").arg(m_plots.size()), kAllPlots);
    for (int i = 0; i < m_plots.size(); ++i)
        m_plotChoice->addItem(m_plots[i].name, i);

    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    m_folder = new QLineEdit(settings.value(QStringLiteral("export/folder"), documents).toString());
    auto* browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Export to"), m_folder->text());
        if (!dir.isEmpty())
            m_folder->setText(dir);
    });
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);

    m_stem = new QLineEdit;
    m_stem->setPlaceholderText(tr("from the plot name"));
    m_width = new QSpinBox;
    m_height = new QSpinBox;
    for (QSpinBox* box : {m_width, m_height}) {
        box->setRange(100, 8000);
        box->setSuffix(tr(" pt"));
    }
    m_width->setValue(settings.value(QStringLiteral("export/width"), 800).toInt());
    m_height->setValue(settings.value(QStringLiteral("export/height"), 500).toInt());
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(m_width);
    sizeRow->addWidget(new QLabel(QStringLiteral("×")));
    sizeRow->addWidget(m_height);
    m_scale = new QDoubleSpinBox;
    m_scale->setRange(0.5, 8.0);
    m_scale->setSingleStep(0.5);
    m_scale->setSuffix(QStringLiteral("×"));
    m_scale->setValue(settings.value(QStringLiteral("export/scale"), 2.0).toDouble());
    m_dpi = new QSpinBox;
    m_dpi->setRange(0, 1200);
    m_dpi->setSpecialValueText(tr("automatic (96 × scale)"));
    m_dpi->setValue(settings.value(QStringLiteral("export/dpi"), 0).toInt());

    m_png = new QCheckBox(QStringLiteral("PNG"));
    m_pdf = new QCheckBox(QStringLiteral("PDF"));
    m_svg = new QCheckBox(QStringLiteral("SVG"));
    m_csv = new QCheckBox(tr("CSV data"));
    auto* formatRow = new QHBoxLayout;
    for (QCheckBox* box : {m_png, m_pdf, m_svg, m_csv}) {
        box->setChecked(settings.value(QStringLiteral("export/") + box->text(), true).toBool());
        formatRow->addWidget(box);
    }

    auto* form = new QFormLayout;
    form->addRow(tr("Plot"), m_plotChoice);
    form->addRow(tr("Folder"), folderRow);
    form->addRow(tr("File name"), m_stem);
    form->addRow(tr("Size"), sizeRow);
    form->addRow(tr("PNG scale"), m_scale);
    form->addRow(tr("PNG dpi"), m_dpi);
    form->addRow(tr("Formats"), formatRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

ExportSettings ExportDialog::settings() const {
    ExportSettings s;
    s.width = m_width->value();
    s.height = m_height->value();
    s.scale = m_scale->value();
    s.dpi = m_dpi->value();
    s.png = m_png->isChecked();
    s.pdf = m_pdf->isChecked();
    s.svg = m_svg->isChecked();
    s.csv = m_csv->isChecked();
    return s;
}

QString ExportDialog::folder() const {
    return m_folder->text();
}

QList<NamedPlot> ExportDialog::chosenPlots() const {
    const int index = m_plotChoice->currentData().toInt();
    if (index == kAllPlots)
        return m_plots;
    return index >= 0 && index < m_plots.size() ? QList<NamedPlot>{m_plots[index]}
                                                : QList<NamedPlot>{};
}

QString ExportDialog::fileStem(const QString& name) {
    QString stem = name.toLower();
    stem.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("_"));
    while (stem.startsWith(QLatin1Char('_')))
        stem.remove(0, 1);
    while (stem.endsWith(QLatin1Char('_')))
        stem.chop(1);
    return stem.isEmpty() ? QStringLiteral("plot") : stem;
}

bool ExportDialog::exportPlot(QCustomPlot* plot, const QString& basePath, const ExportSettings& s,
                              QStringList* written, QString* error) {
    PlotExporter exporter(plot);
    struct Job {
        bool enabled;
        const char* suffix;
        std::function<bool(const QString&)> save;
    };
    const Job jobs[] = {
        {s.png, ".png",
         [&](const QString& p) { return exporter.savePng(p, s.width, s.height, s.scale, s.dpi); }},
        {s.pdf, ".pdf", [&](const QString& p) { return exporter.savePdf(p, s.width, s.height); }},
        {s.svg, ".svg", [&](const QString& p) { return exporter.saveSvg(p, s.width, s.height); }},
        {s.csv, ".csv", [&](const QString& p) { return exporter.saveCsv(p); }},
    };
    for (const Job& job : jobs) {
        if (!job.enabled)
            continue;
        const QString path = basePath + QLatin1String(job.suffix);
        if (!job.save(path)) {
            if (error)
                *error = exporter.errorString();
            return false;
        }
        if (written)
            written->append(path);
    }
    return true;
}

bool ExportDialog::exportChosen(QStringList* written, QString* error) {
    const QList<NamedPlot> plots = chosenPlots();
    if (!QDir().mkpath(folder())) {
        if (error)
            *error = tr("%1: cannot create the folder").arg(folder());
        return false;
    }
    const QDir dir(folder());
    for (const NamedPlot& named : plots) {
        if (!named.plot && !named.image)
            continue;
        QString stem = fileStem(named.name);
        if (!m_stem->text().trimmed().isEmpty())
            stem = plots.size() == 1 ? m_stem->text().trimmed()
                                     : m_stem->text().trimmed() + QLatin1Char('_') + stem;
        if (!named.plot) { // a figure that writes itself: PNG only
            const QString path = dir.filePath(stem + QStringLiteral(".png"));
            if (!named.image(path, settings().scale, error))
                return false;
            if (written)
                written->append(path);
            continue;
        }
        if (!exportPlot(named.plot, dir.filePath(stem), settings(), written, error))
            return false;
    }
    return true;
}

void ExportDialog::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("export/folder"), m_folder->text());
    settings.setValue(QStringLiteral("export/width"), m_width->value());
    settings.setValue(QStringLiteral("export/height"), m_height->value());
    settings.setValue(QStringLiteral("export/scale"), m_scale->value());
    settings.setValue(QStringLiteral("export/dpi"), m_dpi->value());
    for (QCheckBox* box : {m_png, m_pdf, m_svg, m_csv})
        settings.setValue(QStringLiteral("export/") + box->text(), box->isChecked());
}

void ExportDialog::accept() {
    saveSettings();
    QDialog::accept();
}

void ExportDialog::run(const QList<NamedPlot>& plots, QWidget* parent) {
    if (plots.isEmpty())
        return;
    ExportDialog dialog(plots, parent);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QStringList written;
    QString error;
    if (dialog.exportChosen(&written, &error))
        QMessageBox::information(
            parent, tr("Export"),
            tr("Wrote %n file(s) to %1.", nullptr, int(written.size())).arg(dialog.folder()));
    else
        QMessageBox::warning(parent, tr("Export failed"), error);
}

void ExportDialog::installContextMenu(QCustomPlot* plot, const QString& name) {
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(plot, &QWidget::customContextMenuRequested, plot, [plot, name](QPoint at) {
        QMenu menu(plot);
        QAction* exportAction = menu.addAction(tr("Export “%1”…").arg(name));
        if (menu.exec(plot->mapToGlobal(at)) == exportAction)
            ExportDialog::run({NamedPlot{name, plot}}, plot->window());
    });
}

} // namespace fsllm
