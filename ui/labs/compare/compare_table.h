#pragma once
// The Compare lab's table of agreement with the unreduced model: per method its achieved GFLOPs
// (and share of the unreduced model's), the cosine similarity of the output vectors, the KL
// divergence of the class softmax (with a head), whether the top-1 class is the same and the
// measured forward time; the unreduced model's row first. Each number cell holds its exact value
// under Qt::UserRole (the text is rounded), as `compare --json` writes it.
#include <QTableWidget>

namespace ts {

struct CompareResult;

class CompareTable : public QTableWidget {
    Q_OBJECT
public:
    enum Column { Method, Gflops, Share, Cosine, Kl, Top1, Milliseconds, Columns };
    explicit CompareTable(QWidget* parent = nullptr);
    void setResult(const CompareResult& result);
    // The exact value behind a cell (row 0: unreduced; rows 1..: the methods in order).
    QVariant value(int row, Column column) const;

protected:
    QSize sizeHint() const override;
};

} // namespace ts
