#pragma once

namespace llvm::orc {
class ObjectLayer;
}

namespace tsr::jit {

// With TSR_PERF_MAP=1, compiled functions are listed in /tmp/perf-PID.map as they are linked,
// so that `perf record` / `perf report` name Tessera's functions instead of bare addresses.
void maybe_add_perf_map(llvm::orc::ObjectLayer& layer);

}  // namespace tsr::jit
