// Replacing a file so that a reader never sees it half-written (checkpoints, PNGs).
#pragma once

#include <unistd.h>

#include <span>
#include <string>
#include <vector>

namespace tsr::jit {

// Julia's SystemError: "doing: strerror(err)".
[[noreturn]] void system_error(const std::string& doing, int err);

// A file descriptor closed on every way out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Makes `path` hold the concatenation of `pieces`, atomically: the bytes are written under a
// temporary name `.NAME.tmp.XXXXXX` in the same folder, fsync'd, renamed over `path` (atomic on
// POSIX) and the folder fsync'd so that the rename itself is on disk. A process killed at any
// moment leaves the old file whole, and at worst the temporary file beside it. Failures are a
// SystemError "saving "path": what was being done: strerror"; `who` names the caller in the
// ArgumentError for a path that names a folder ("save: "dir/" names a folder, not a file").
void replace_file_atomically(const std::string& path, const char* who, const std::vector<std::span<const char>>& pieces);

}  // namespace tsr::jit
