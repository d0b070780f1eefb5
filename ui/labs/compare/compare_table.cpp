#include "ui/labs/compare/compare_table.h"

#include "core/reduction/compare_api.h"

#include <QHeaderView>

namespace ts {

CompareTable::CompareTable(QWidget* parent) : QTableWidget(0, Columns, parent)
{
    setHorizontalHeaderLabels({tr("Method"), tr("GFLOPs"), tr("of unreduced"), tr("Cosine"), tr("KL"), tr("Top-1"), tr("Time (ms)")});
    verticalHeader()->hide();
    horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::NoSelection);
    setFocusPolicy(Qt::NoFocus);
    setToolTip(tr("Agreement of each method's output with the unreduced model's on this image"));
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setMinimumHeight(sizeHint().height()); // every row shown: the unreduced model and four methods
}

namespace {

QTableWidgetItem* cell(const QString& text, const QVariant& value = {})
{
    auto* item = new QTableWidgetItem(text);
    item->setData(Qt::UserRole, value);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

void CompareTable::setResult(const CompareResult& result)
{
    setRowCount(static_cast<int>(result.methods.size()) + 1);
    const double plain = result.methods.empty() ? 0 : result.methods.front().budget.plainFlops;
    auto* name = cell(tr("unreduced"));
    name->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    setItem(0, Method, name);
    setItem(0, Gflops, cell(QString::number(plain / 1e9, 'f', 3), plain / 1e9));
    setItem(0, Share, cell(QStringLiteral("100%"), 1.0));
    for (Column c : {Cosine, Kl, Top1})
        setItem(0, c, cell(QStringLiteral("—")));
    setItem(0, Milliseconds, cell(QString::number(result.plain.secondsMerged * 1e3, 'f', 1), result.plain.secondsMerged));
    for (std::size_t i = 0; i < result.methods.size(); ++i) {
        const MethodComparison& m = result.methods[i];
        const int row = static_cast<int>(i) + 1;
        auto* title = cell(QString::fromUtf8(reductionMethodTitle(m.options.method)), QString::fromUtf8(reductionMethodName(m.options.method)));
        title->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        setItem(row, Method, title);
        setItem(row, Gflops, cell(QString::number(m.budget.flops / 1e9, 'f', 3), m.budget.flops / 1e9));
        setItem(row, Share, cell(QString::number(100 * m.budget.flops / plain, 'f', 1) + "%", m.budget.flops / plain));
        setItem(row, Cosine, cell(QString::number(m.agreement.cosine, 'f', 5), m.agreement.cosine));
        setItem(row, Kl, m.agreement.hasHead ? cell(QString::number(m.agreement.kl, 'g', 3), m.agreement.kl) : cell(tr("no head")));
        setItem(row, Top1, cell(m.agreement.top1Same ? tr("same") : tr("differs"), m.agreement.top1Same));
        setItem(row, Milliseconds, cell(QString::number(m.run.secondsMerged * 1e3, 'f', 1), m.run.secondsMerged));
    }
}

QVariant CompareTable::value(int row, Column column) const
{
    const QTableWidgetItem* i = item(row, column);
    return i ? i->data(Qt::UserRole) : QVariant();
}

QSize CompareTable::sizeHint() const
{
    const int rows = 5;
    return {600, horizontalHeader()->sizeHint().height() + rows * verticalHeader()->defaultSectionSize() + 2 * frameWidth()};
}

} // namespace ts
