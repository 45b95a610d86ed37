#include "jit/compile_cache.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <unistd.h>

namespace tsr::jit {

namespace {

constexpr char kMagic[8] = {'T', 'S', 'R', 'O', 'B', 'J', '0', '1'};

uint64_t fnv1a(const std::string& s, uint64_t seed) {
  uint64_t h = 1469598103934665603ull ^ seed;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string cache_dir() {
  namespace fs = std::filesystem;
  if (const char* d = std::getenv("TSR_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return (fs::path(x) / "tessera" / "v1").string();
  if (const char* h = std::getenv("HOME"); h && *h) return (fs::path(h) / ".cache" / "tessera" / "v1").string();
  return (fs::temp_directory_path() / "tessera-cache" / "v1").string();
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
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return;
  // Written aside and renamed, so a reader never sees half a file.
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    uint64_t size = object.size(), sum = fnv1a(object, 1);
    out.write(kMagic, sizeof kMagic);
    out.write(reinterpret_cast<const char*>(&size), sizeof size);
    out.write(reinterpret_cast<const char*>(&sum), sizeof sum);
    out.write(object.data(), static_cast<std::streamsize>(object.size()));
    if (!out) {
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
  // Scanning a large folder costs a few hundred ms: at most once per process, and once an
  // hour (a marker file's time says when it was last done).
  static bool pruned = false;
  if (!pruned) {
    pruned = true;
    fs::path marker = fs::path(path).parent_path() / ".last_prune";
    auto last = fs::last_write_time(marker, ec);
    if (ec || fs::file_time_type::clock::now() - last > std::chrono::hours(1)) {
      std::ofstream(marker.string()).put('\n');
      prune_cache(fs::path(path).parent_path().string(), cache_max_bytes());
    }
  }
}

uint64_t cache_max_bytes() {
  if (const char* m = std::getenv("TSR_CACHE_MAX_MB"); m && *m) {
    char* end = nullptr;
    unsigned long long mb = std::strtoull(m, &end, 10);
    if (end && *end == 0) return static_cast<uint64_t>(mb) << 20;
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
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().extension() != ".o") continue;
    uint64_t bytes = it->file_size(ec);
    if (ec) continue;
    files.push_back({it->last_write_time(ec), bytes, it->path()});
    total += bytes;
  }
  if (total <= max_bytes) return 0;
  std::sort(files.begin(), files.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  size_t removed = 0;
  for (const Entry& e : files) {
    if (total <= max_bytes / 4 * 3) break;
    if (fs::remove(e.path, ec)) {
      total -= e.bytes;
      ++removed;
    }
  }
  return removed;
}

std::optional<std::string> read_cache_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  const size_t header = sizeof kMagic + 2 * sizeof(uint64_t);
  bool ok = data.size() >= header && std::memcmp(data.data(), kMagic, sizeof kMagic) == 0;
  uint64_t size = 0, sum = 0;
  if (ok) {
    std::memcpy(&size, data.data() + sizeof kMagic, sizeof size);
    std::memcpy(&sum, data.data() + sizeof kMagic + sizeof size, sizeof sum);
    ok = size == data.size() - header && fnv1a(data.substr(header), 1) == sum;
  }
  if (!ok) {
    std::error_code ec;
    std::filesystem::remove(path, ec);  // corrupt or truncated: never trusted
    return std::nullopt;
  }
  std::error_code ec;
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now(), ec);  // used now
  return data.substr(header);
}

}  // namespace tsr::jit
