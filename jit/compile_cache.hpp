// The on-disk compile cache: object code keyed by a hash of everything it was made from.
//
// The key covers the typed IR of every function in the module (types, bindings, literals, the
// values of the constants folded into the code, callee names), the optimization level, the host
// triple, CPU, features and tuning, the LLVM version and the build of Tessera (the executable's
// size and time): a change to any of them is a different entry, so a stale entry is never found.
// Each file carries a magic word, its key, its length and a checksum; one that does not check out
// is deleted and compiled again, never trusted. Files live in a versioned folder: $TSR_CACHE_DIR,
// else $XDG_CACHE_HOME/tessera/v1, else ~/.cache/tessera/v1, else $TMPDIR/tessera-cache-UID/v1.
// The folder is kept under $TSR_CACHE_MAX_MB (512 by default) by removing the least recently used
// files.
//
// The entries are code that tsr runs, so the cache trusts only what this user could have
// written: the folders are created 0700 and used only when they are real directories owned by
// the user and writable by nobody else; entries are read only when they are regular files owned
// by the user, opened without following links or blocking on FIFOs (docs/reliability.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <sys/stat.h>

namespace tsr::jit {

// Where the cache lives (not checked).
std::string cache_dir();
// cache_dir(), created 0700 where missing, when it is safe to load code from; otherwise
// nothing, and *problem says why ("the compile cache folder X is owned by another user").
std::optional<std::string> usable_cache_dir(std::string* problem = nullptr);
// 32 hex digits for the text.
std::string cache_key(const std::string& text);
// Best effort: a cache that cannot be written is not an error.
void write_cache_file(const std::string& path, const std::string& object);
// The object code, or nothing when the file is missing or does not check out (then deleted):
// not a regular file of this user's, a wrong magic word, key (the file's name), length or sum.
// A hit marks the file as used (its time), so pruning keeps what is in use.
std::optional<std::string> read_cache_file(const std::string& path);
// Keeps the folder under max_bytes: when it is over, the least recently used files go until
// it holds at most three quarters of that. Returns the number of files removed.
// Temporary files of writers that are gone (KEY.o.tmpPID) are removed too, and counted.
size_t prune_cache(const std::string& dir, uint64_t max_bytes);
// The cache's size limit: $TSR_CACHE_MAX_MB, else 512 MiB. write_cache_file prunes at most
// once per process, when it has written a file.
uint64_t cache_max_bytes();
// Removes an entry that failed to load (never following a link), so the next run compiles it.
void discard_cache_file(const std::string& path);

// Whether TSR_LOG_COMPILES asks for a log (set, and not "0"): of each compile, each cache hit
// or miss, and each data copy read or made.
bool log_compiles_requested();

// What the cache's files rest on, shared with the data copies (jit/idx_cache.hpp):
// all of n bytes written (false on an error);
bool cache_write_all(int fd, const char* p, size_t n);
// a file opened for reading only if it is a regular file of ours: never through a symbolic
// link (O_NOFOLLOW), never blocking on a FIFO (O_NONBLOCK), never a device; -1 otherwise;
int open_owned_file(const std::string& path, struct stat& st);
// "" when a folder may hold the cache's files (a real directory, ours, writable by nobody
// else), otherwise why not ("is a symbolic link");
std::string cache_folder_problem(const std::filesystem::path& dir);
// whether "NAME.o|ptx|idx.tmpPID" is a temporary file of a writer that is gone (killed while
// writing): its pid no longer runs, or it is older than an hour (the pid may have been reused).
bool stale_temporary(const std::filesystem::path& p, std::filesystem::file_time_type written);

}  // namespace tsr::jit
