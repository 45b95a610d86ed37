#include "jit/idx_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "jit/compile_cache.hpp"

namespace tsr::jit {

namespace {

constexpr char kMagic[8] = {'T', 'S', 'R', 'I', 'D', 'X', '0', '1'};

struct Header {
  char magic[8];
  uint64_t source_size;
  int64_t source_mtime_ns;
  uint64_t payload_bytes;
  uint32_t crc;
  uint32_t reserved;
};
static_assert(sizeof(Header) == 40);

bool read_all(int fd, char* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= size_t(r);
  }
  return true;
}

// The data/ folder of the compile cache's, made 0700; used only when the cache may use it
// as its own folder (cache_folder_problem).
std::optional<std::string> data_folder() {
  std::optional<std::string> dir = usable_cache_dir();
  if (!dir) return std::nullopt;
  std::string d = *dir + "/data";
  if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) return std::nullopt;
  if (!cache_folder_problem(d).empty()) return std::nullopt;
  return d;
}

}  // namespace

std::optional<IdxCacheEntry> idx_cache_entry(const std::string& source) {
  struct stat st {};
  if (::stat(source.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  char real[PATH_MAX];
  if (!::realpath(source.c_str(), real)) return std::nullopt;
  std::optional<std::string> folder = data_folder();
  if (!folder) return std::nullopt;
  IdxCacheEntry e;
  e.path = *folder + "/" + cache_key(std::string("idx copy v1\n") + real) + ".idx";
  e.source_size = uint64_t(st.st_size);
  e.source_mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  // The gzip trailer: CRC-32, then the length mod 2^32, both little-endian.
  int fd = ::open(source.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  unsigned char tail[8];
  bool ok = st.st_size >= 18 && ::pread(fd, tail, 8, st.st_size - 8) == 8;
  ::close(fd);
  if (!ok) return std::nullopt;
  e.source_crc = uint32_t(tail[0]) | uint32_t(tail[1]) << 8 | uint32_t(tail[2]) << 16 | uint32_t(tail[3]) << 24;
  return e;
}

std::optional<IdxCacheHit> open_idx_cache(const IdxCacheEntry& e) {
  struct stat st {};
  int fd = open_owned_file(e.path, st);
  if (fd < 0) return std::nullopt;
  Header h {};
  bool ok = read_all(fd, reinterpret_cast<char*>(&h), sizeof h) && std::memcmp(h.magic, kMagic, sizeof kMagic) == 0 &&
            h.source_size == e.source_size && h.source_mtime_ns == e.source_mtime_ns && h.crc == e.source_crc &&
            uint64_t(st.st_size) == sizeof(Header) + h.payload_bytes;
  if (!ok) {
    ::close(fd);
    return std::nullopt;
  }
  return IdxCacheHit{fd, h.payload_bytes, h.crc};
}

namespace {

void write_copy(const IdxCacheEntry& e, const std::string& header, const char* data, uint64_t bytes) {
  Header h {};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.source_size = e.source_size;
  h.source_mtime_ns = e.source_mtime_ns;
  h.payload_bytes = header.size() + bytes;
  h.crc = e.source_crc;
  // Aside and renamed, so that a reader never sees half a copy; never into a file or link that
  // someone placed under the temporary name. Each piece is copied out before it is summed and
  // written, so the sum is of what the file holds.
  std::string tmp = e.path + ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool ok = cache_write_all(fd, reinterpret_cast<const char*>(&h), sizeof h) && cache_write_all(fd, header.data(), header.size());
  uLong crc = crc32_z(0, reinterpret_cast<const Bytef*>(header.data()), header.size());
  std::vector<char> piece(size_t(1) << 20);
  for (uint64_t at = 0; ok && at < bytes; at += piece.size()) {
    size_t n = size_t(std::min<uint64_t>(piece.size(), bytes - at));
    std::memcpy(piece.data(), data + at, n);
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(piece.data()), n);
    ok = cache_write_all(fd, piece.data(), n);
  }
  ok = ::close(fd) == 0 && ok && uint32_t(crc) == e.source_crc;
  if (!ok || ::rename(tmp.c_str(), e.path.c_str()) != 0) ::unlink(tmp.c_str());
}

// Copies being written, finished before the process exits. Writing the 47 MB of the training
// images took 0.15 s, a tenth of a first run, while the other core sat idle.
struct Writers {
  std::mutex mu;
  std::vector<std::thread> threads;
  ~Writers() {
    std::lock_guard<std::mutex> lock(mu);
    for (std::thread& t : threads) t.join();
  }
};
Writers& writers() {
  static Writers w;
  return w;
}

// Temporary copies of this entry left by a process that was killed while writing one.
void remove_stale_temporaries(const IdxCacheEntry& e) {
  namespace fs = std::filesystem;
  std::string prefix = fs::path(e.path).filename().string() + ".tmp";
  std::error_code ec;
  for (fs::directory_iterator it(fs::path(e.path).parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().rfind(prefix, 0) != 0) continue;
    auto written = it->last_write_time(ec);
    if (!ec && stale_temporary(it->path(), written)) ::unlink(it->path().c_str());
  }
}

}  // namespace

void write_idx_cache(const IdxCacheEntry& e, std::string header, std::shared_ptr<const void> owner, const char* data,
                     uint64_t bytes) {
  remove_stale_temporaries(e);
  std::lock_guard<std::mutex> lock(writers().mu);
  writers().threads.emplace_back([e, header = std::move(header), owner = std::move(owner), data, bytes]() mutable {
    write_copy(e, header, data, bytes);
    owner.reset();
  });
}

void discard_idx_cache(const IdxCacheEntry& e) { ::unlink(e.path.c_str()); }

}  // namespace tsr::jit
