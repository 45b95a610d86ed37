// `tsr runs report`: one self-contained HTML page (no scripts, fonts or images from the
// network) with the metrics of the chosen runs overlaid as inline SVG curves, one chart per
// metric and one <path> per run in it, then the runs' settings and git state.
#pragma once

#include <string>
#include <vector>

#include "dsl/driver/runs_store.hpp"

namespace tsr::runs {

// The page for these runs (their series loaded). Curves longer than a chart's width in points
// are reduced to that many bucket means, so 100 runs of 10k steps stay small and quick.
std::string report_html(const std::vector<RunRecord>& runs);

}  // namespace tsr::runs
