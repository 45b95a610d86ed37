// The decompressed copies of gzip'd IDX files (the (Fashion-)MNIST files of Debian's dataset
// packages), kept beside the compile cache in its folder's data/ (docs/install.md): inflating
// the 47 MB training images takes ~0.2 s on every run, reading the copy ~0.03 s, as torchvision
// keeps its extracted files.
//
// An entry is named by a hash of the source's real path and holds a header (magic word, the
// source's size and time of change, the payload's length and CRC-32) and then the IDX bytes
// as the source holds them, uncompressed. It is used only when the header matches the source as
// it is now (size, time and the CRC its gzip trailer states) and the payload's CRC checks out;
// otherwise it is rewritten from the source. TSR_LOG_COMPILES=1 says which. The
// folder and files are trusted as the compile cache's are (owned by this user, 0700, no links).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace tsr::jit {

// Where the copy of this gzip'd source lives and what it must say about the source; nothing
// when the source is not a regular file or the cache folder cannot be used.
struct IdxCacheEntry {
  std::string path;          // the copy
  uint64_t source_size = 0;  // the source as it is now
  int64_t source_mtime_ns = 0;
  // The CRC-32 of the uncompressed bytes that the gzip trailer states (zlib checks it as it
  // reads): a copy is kept only when what was written has it.
  uint32_t source_crc = 0;
};
std::optional<IdxCacheEntry> idx_cache_entry(const std::string& source);

// The copy's file descriptor, positioned at the IDX bytes, and their expected length and CRC,
// when its header matches the source; nothing otherwise (a missing, foreign or stale copy).
struct IdxCacheHit {
  int fd = -1;
  uint64_t payload_bytes = 0;
  uint32_t crc = 0;
};
std::optional<IdxCacheHit> open_idx_cache(const IdxCacheEntry& e);

// Writes the copy (aside, then renamed) on a thread of its own, which the process waits for
// at exit: the IDX header bytes, then `bytes` at `data` as read from the source (before any
// change of byte order), which stay valid while `owner` is held. The copy is kept only when
// its CRC is the source's (so data changed while it was written is never kept). Best effort:
// a copy that cannot be written is not an error.
void write_idx_cache(const IdxCacheEntry& e, std::string header, std::shared_ptr<const void> owner, const char* data,
                     uint64_t bytes);

// Removes a copy whose payload did not check out.
void discard_idx_cache(const IdxCacheEntry& e);

}  // namespace tsr::jit
