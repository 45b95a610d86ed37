// `tsr runs [compare A B ... | report [RUNS...] [-o FILE]]` (runs_main.cpp).
#pragma once

namespace tsr::runs {

// argv[0] is "runs"; the exit status of the command.
int runs_main(int argc, char** argv);

}  // namespace tsr::runs
