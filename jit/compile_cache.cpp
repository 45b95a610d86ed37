#include "jit/compile_cache.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tsr::jit {

namespace {

// Version 02 records the entry's key in its header (an entry moved to another key is refused).
constexpr char kMagic[8] = {'T', 'S', 'R', 'O', 'B', 'J', '0', '2'};
constexpr size_t kKeyBytes = 32;
constexpr size_t kHeader = sizeof kMagic + kKeyBytes + 2 * sizeof(uint64_t);
// No object we write comes near this; a larger file is not ours.
constexpr uint64_t kMaxEntryBytes = uint64_t(256) << 20;

uint64_t fnv1a(const char* p, size_t n, uint64_t seed) {
  uint64_t h = 1469598103934665603ull ^ seed;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t fnv1a(const std::string& s, uint64_t seed) { return fnv1a(s.data(), s.size(), seed); }

std::string key_of(const std::string& path) { return std::filesystem::path(path).stem().string(); }

// Opens an existing cache file for reading only if it is an entry's: a regular file of ours
// (open_owned_file) no larger than an object of ours can be.
int open_entry(const std::string& path, struct stat& st) {
  int fd = open_owned_file(path, st);
  if (fd >= 0 && static_cast<uint64_t>(st.st_size) > kMaxEntryBytes + kHeader) {
    ::close(fd);
    errno = EPERM;
    return -1;
  }
  return fd;
}

}  // namespace

bool log_compiles_requested() {
  const char* log = std::getenv("TSR_LOG_COMPILES");
  return log && *log && std::string(log) != "0";
}

bool cache_write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

int open_owned_file(const std::string& path, struct stat& st) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
    ::close(fd);
    errno = EPERM;
    return -1;
  }
  return fd;
}

std::string cache_folder_problem(const std::filesystem::path& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return std::string("cannot be read (") + std::strerror(errno) + ")";
  if (S_ISLNK(st.st_mode)) return "is a symbolic link";
  if (!S_ISDIR(st.st_mode)) return "is not a directory";
  if (st.st_uid != ::geteuid()) return "is owned by another user";
  if (st.st_mode & (S_IWGRP | S_IWOTH)) return "is writable by other users";
  return "";
}

bool stale_temporary(const std::filesystem::path& p, std::filesystem::file_time_type written) {
  std::string name = p.filename().string();
  // KEY.o.tmpPID (object code), KEY.ptx.tmpPID (device code) or KEY.idx.tmpPID (a data copy)
  size_t at = name.rfind(".tmp");
  if (at == std::string::npos) return false;
  std::string base = name.substr(0, at);
  if (!(base.ends_with(".o") || base.ends_with(".ptx") || base.ends_with(".idx"))) return false;
  std::string digits = name.substr(at + 4);
  if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return false;
  long pid = std::stol(digits);
  bool gone = pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH);
  return gone || std::filesystem::file_time_type::clock::now() - written > std::chrono::hours(1);
}

std::string cache_dir() {
  namespace fs = std::filesystem;
  if (const char* d = std::getenv("TSR_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return (fs::path(x) / "tessera" / "v1").string();
  if (const char* h = std::getenv("HOME"); h && *h) return (fs::path(h) / ".cache" / "tessera" / "v1").string();
  // Shared temporary folder: one folder per user, so that another user cannot take the name.
  return (fs::temp_directory_path() / ("tessera-cache-" + std::to_string(::geteuid())) / "v1").string();
}

std::optional<std::string> usable_cache_dir(std::string* problem) {
  namespace fs = std::filesystem;
  fs::path dir = cache_dir();
  // The folders that belong to the cache: the last two (tessera/v1, tessera-cache-UID/v1),
  // or only the given one under $TSR_CACHE_DIR. Whoever can write a parent of v1 can
  // replace v1, so both are checked.
  const char* explicit_dir = std::getenv("TSR_CACHE_DIR");
  std::vector<fs::path> owned;
  if (!(explicit_dir && *explicit_dir) && dir.has_parent_path()) owned.push_back(dir.parent_path());
  owned.push_back(dir);
  std::error_code ec;
  if (owned.front().has_parent_path()) fs::create_directories(owned.front().parent_path(), ec);
  for (const fs::path& d : owned) {
    if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) {
      if (problem) *problem = "the compile cache folder " + d.string() + " cannot be created (" + std::strerror(errno) + ")";
      return std::nullopt;
    }
    std::string why = cache_folder_problem(d);
    if (!why.empty()) {
      if (problem) *problem = "the compile cache folder " + d.string() + " " + why;
      return std::nullopt;
    }
  }
  return dir.string();
}

std::string cache_key(const std::string& text) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(fnv1a(text, 0)),
                static_cast<unsigned long long>(fnv1a(text, 0x9e3779b97f4a7c15ull)));
  return buf;
}

void write_cache_file(const std::string& path, const std::string& object) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string key = key_of(path);
  if (key.size() != kKeyBytes || object.size() > kMaxEntryBytes) return;
  // Written aside and renamed, so a reader never sees half a file. O_EXCL | O_NOFOLLOW: never
  // into a file or link that someone placed under that name.
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  uint64_t size = object.size(), sum = fnv1a(object, 1);
  bool ok = cache_write_all(fd, kMagic, sizeof kMagic) && cache_write_all(fd, key.data(), kKeyBytes) &&
            cache_write_all(fd, reinterpret_cast<const char*>(&size), sizeof size) &&
            cache_write_all(fd, reinterpret_cast<const char*>(&sum), sizeof sum) && cache_write_all(fd, object.data(), object.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return;
  }
  // Scanning a large folder costs a few hundred ms: at most once per process, and once an
  // hour (a marker file's time says when it was last done).
  static bool pruned = false;
  if (!pruned) {
    pruned = true;
    fs::path marker = fs::path(path).parent_path() / ".last_prune";
    struct stat st {};
    bool due = ::lstat(marker.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
               std::chrono::system_clock::now() - std::chrono::system_clock::from_time_t(st.st_mtime) > std::chrono::hours(1);
    if (due) {
      ::unlink(marker.c_str());
      int m = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (m >= 0) ::close(m);
      prune_cache(fs::path(path).parent_path().string(), cache_max_bytes());
    }
  }
}

uint64_t cache_max_bytes() {
  if (const char* m = std::getenv("TSR_CACHE_MAX_MB"); m && *m) {
    char* end = nullptr;
    unsigned long long mb = std::strtoull(m, &end, 10);
    if (end && *end == 0 && mb < (1ull << 40)) return static_cast<uint64_t>(mb) << 20;
  }
  return uint64_t(512) << 20;
}

size_t prune_cache(const std::string& dir, uint64_t max_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  struct Entry {
    fs::file_time_type used;
    uint64_t bytes;
    fs::path path;
  };
  std::vector<Entry> files;
  uint64_t total = 0;
  size_t removed = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    // symlink_status: a link is never followed, whatever it points at.
    if (!fs::is_regular_file(it->symlink_status(ec))) continue;
    auto written = it->last_write_time(ec);
    if (ec) continue;
    if (stale_temporary(it->path(), written)) {
      if (fs::remove(it->path(), ec)) ++removed;
      continue;
    }
    if (it->path().extension() != ".o" && it->path().extension() != ".ptx") continue;
    uint64_t bytes = it->file_size(ec);
    if (ec) continue;
    files.push_back({written, bytes, it->path()});
    total += bytes;
  }
  if (total <= max_bytes) return removed;
  std::sort(files.begin(), files.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  for (const Entry& e : files) {
    if (total <= max_bytes / 4 * 3) break;
    if (fs::remove(e.path, ec)) {
      total -= e.bytes;
      ++removed;
    }
  }
  return removed;
}

void discard_cache_file(const std::string& path) { ::unlink(path.c_str()); }

std::optional<std::string> read_cache_file(const std::string& path) {
  struct stat st {};
  int fd = open_entry(path, st);
  if (fd < 0) {
    // Not a regular file of ours (a link, a FIFO, another user's file): not an entry. Removing
    // it (never following it) lets a fresh entry take the name.
    if (errno != ENOENT) discard_cache_file(path);
    return std::nullopt;
  }
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t r = ::read(fd, data.data() + got, data.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  bool ok = got == data.size() && data.size() >= kHeader && std::memcmp(data.data(), kMagic, sizeof kMagic) == 0 &&
            data.compare(sizeof kMagic, kKeyBytes, key_of(path)) == 0;
  uint64_t size = 0, sum = 0;
  if (ok) {
    std::memcpy(&size, data.data() + sizeof kMagic + kKeyBytes, sizeof size);
    std::memcpy(&sum, data.data() + sizeof kMagic + kKeyBytes + sizeof size, sizeof sum);
    ok = size == data.size() - kHeader && fnv1a(data.data() + kHeader, size, 1) == sum;
  }
  if (!ok) {
    discard_cache_file(path);  // corrupt, truncated or filed under another key: never trusted
    return std::nullopt;
  }
  ::utimensat(AT_FDCWD, path.c_str(), nullptr, AT_SYMLINK_NOFOLLOW);  // used now
  return data.substr(kHeader);
}

}  // namespace tsr::jit
