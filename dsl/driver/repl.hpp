// The interactive prompt `tsr> ` (what `tsr` with no script starts).
//
// Lines gather until the parser says the input is complete (an open `function` or bracket
// asks for more, behind a continuation prompt); the input then runs as `REPL[N]`, and its
// last value is displayed as Julia's REPL does (not after a trailing `;`, never `nothing`).
// Errors are shown and the session goes on. On a terminal lines are edited with libedit, the
// history kept in $XDG_STATE_HOME/tsr/history if that variable is set, else ~/.tsr_history.
// When standard input is not a terminal, statements are read from it the same way, without
// prompts, so that `echo 'x = 2; x + 1' | tsr` prints 3.
#pragma once

#include "dsl/driver/driver.hpp"

namespace tsr {

// Runs until end of input (Ctrl-D). Returns the exit status: 0, or 1 when input that was
// not a terminal raised an error (so scripts piped in can tell).
int run_repl(Driver& driver);

}  // namespace tsr
