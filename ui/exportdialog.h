// The figure export dialog: which plot (or all plots of the current tab), the folder and file
// name, the size (points), the PNG resolution (scale and dpi) and the formats (PNG, PDF, SVG, and
// the plotted data as CSV), remembered in QSettings. Figures that are not a QCustomPlot (the heads
// grid) are written as PNG only. exportPlot() does the writing and is used
// without the dialog too. installContextMenu() gives any plot a right-click "Export…" entry.
// Thread-safety: GUI thread only.
#pragma once

#include <QDialog>
#include <QList>
#include <QPointer>
#include <QStringList>

#include <functional>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace fsllm {

// A figure that is not one QCustomPlot (the Inspect tab's layers x heads grid) writes itself:
// a PNG at `pngPath`, `scale` pixels per point, atomically; false and `error` when it cannot.
using FigureImageWriter =
    std::function<bool(const QString& pngPath, double scale, QString* error)>;

struct NamedPlot {
    QString name; // "Train loss"; also the file name stem ("train_loss")
    QPointer<QCustomPlot> plot;
    FigureImageWriter image = {}; // used when `plot` is null: PNG only (the dialog's scale)
};

struct ExportSettings {
    int width = 800; // <= 0: the plot's current size
    int height = 500;
    double scale = 2.0; // PNG pixels per point
    int dpi = 0;        // stored in the PNG; 0: 96 * scale
    bool png = true, pdf = true, svg = true, csv = true;
};

class ExportDialog : public QDialog {
    Q_OBJECT

public:
    ExportDialog(const QList<NamedPlot>& plots, QWidget* parent = nullptr);

    ExportSettings settings() const;
    QString folder() const;
    // The plots chosen (one, or all of them).
    QList<NamedPlot> chosenPlots() const;

    // Writes the chosen plots; the files written are appended to `written`.
    bool exportChosen(QStringList* written, QString* error);

    // "Train loss" -> "train_loss".
    static QString fileStem(const QString& name);
    // Writes `<basePath>.png/.pdf/.svg/.csv` as `settings` selects.
    static bool exportPlot(QCustomPlot* plot, const QString& basePath,
                           const ExportSettings& settings, QStringList* written, QString* error);
    // Adds a context menu with "Export…" (opens this dialog for the one plot) to `plot`.
    static void installContextMenu(QCustomPlot* plot, const QString& name);

    // Opens the dialog for `plots` and reports the outcome in a message box.
    static void run(const QList<NamedPlot>& plots, QWidget* parent);

private:
    void accept() override;
    void saveSettings() const;

    QList<NamedPlot> m_plots;
    QComboBox* m_plotChoice;
    QLineEdit* m_folder;
    QLineEdit* m_stem;
    QSpinBox* m_width;
    QSpinBox* m_height;
    QDoubleSpinBox* m_scale;
    QSpinBox* m_dpi;
    QCheckBox* m_png;
    QCheckBox* m_pdf;
    QCheckBox* m_svg;
    QCheckBox* m_csv;
};

} // namespace fsllm
