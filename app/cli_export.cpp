#include "app/cli_export.h"

#include "core/util/error.h"
#include "ui/figures/figure_export.h"

#include <QString>

namespace ts::cli {

double pngScale(const Args& args)
{
    if (args.has("scale") && args.has("dpi"))
        throw Error("give either --scale or --dpi, not both");
    if (args.has("dpi")) {
        const double dpi = args.number("dpi", kFigureLogicalDpi);
        if (!(dpi > 0))
            throw Error("--dpi must be positive, got " + args.value("dpi"));
        return scaleForDpi(dpi);
    }
    const double scale = args.number("scale", 1.0);
    if (!(scale > 0) || scale > kMaxFigureScale)
        throw Error("--scale must be above 0 and at most " + QString::number(kMaxFigureScale).toStdString() + ", got "
                    + args.value("scale"));
    return scale;
}

} // namespace ts::cli
