// The on-disk compile cache: object code keyed by a hash of everything it was made from.
//
// The key covers the typed IR of every function in the module (types, bindings, literals,
// callee names), the optimization level, the host triple, CPU and features, the LLVM version
// and the build of Tessera (the executable's size and time): a change to any of them is a
// different entry, so a stale entry is never found. Each file carries a magic word, its length and a checksum; one that does not check
// out is deleted and compiled again, never trusted. Files live in a versioned folder:
// $TSR_CACHE_DIR, else $XDG_CACHE_HOME/tessera/v1, else ~/.cache/tessera/v1. The folder is kept
// under $TSR_CACHE_MAX_MB (512 by default) by removing the least recently used files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace tsr::jit {

std::string cache_dir();
// 32 hex digits for the text.
std::string cache_key(const std::string& text);
// Best effort: a cache that cannot be written is not an error.
void write_cache_file(const std::string& path, const std::string& object);
// The object code, or nothing when the file is missing or does not check out (then deleted).
// A hit marks the file as used (its time), so pruning keeps what is in use.
std::optional<std::string> read_cache_file(const std::string& path);
// Keeps the folder under max_bytes: when it is over, the least recently used files go until
// it holds at most three quarters of that. Returns the number of files removed.
size_t prune_cache(const std::string& dir, uint64_t max_bytes);
// The cache's size limit: $TSR_CACHE_MAX_MB, else 512 MiB. write_cache_file prunes at most
// once per process, when it has written a file.
uint64_t cache_max_bytes();

}  // namespace tsr::jit
