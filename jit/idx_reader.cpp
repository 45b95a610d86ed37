// The IDX reader behind `using Data` (stdlib/Data.tsr): `__read_idx(path)` reads the format of
// the (Fashion-)MNIST files — two zero bytes, a type code, the number of dimensions, the
// dimensions as big-endian 32-bit integers, then the elements (big-endian), row-major — into a
// tensor of that shape. zlib's gz* functions read gzip'd and plain files alike. A file that is
// cut short, has bytes after its data, or does not start as IDX is an error naming the file and
// what is wrong, never a tensor of garbage. A gzip'd file's bytes are kept uncompressed in the
// cache folder and read from there on the next runs (jit/idx_cache.hpp).
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jit/builtin_registrar.hpp"
#include "jit/compile_cache.hpp"
#include "jit/idx_cache.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit {

namespace {

// An IDX file being read; closes on every path out (errors included).
class IdxFile {
 public:
  explicit IdxFile(const std::string& path) : path_(path) {
    errno = 0;
    f_ = gzopen(path.c_str(), "rb");
    if (!f_)
      throw Error("SystemError", "opening file \"" + path + "\": " +
                                     (errno ? std::strerror(errno) : "zlib could not open it"));
    gzbuffer(f_, 1 << 20);  // bigger reads: the default 8 KiB costs ~10% on a 47 MB file
  }
  // An open file read from where it is (the cache's copy after its header); named `path` in errors.
  IdxFile(int fd, const std::string& path) : path_(path) {
    f_ = gzdopen(fd, "rb");
    if (!f_) {
      ::close(fd);
      throw Error("SystemError", "opening file \"" + path + "\": zlib could not open it");
    }
    gzbuffer(f_, 1 << 20);
  }
  ~IdxFile() { gzclose(f_); }
  IdxFile(const IdxFile&) = delete;
  IdxFile& operator=(const IdxFile&) = delete;

  // Reads up to n bytes; the count read. A gzip stream that is corrupt or cut short is an error.
  size_t read(void* into, size_t n) {
    size_t got = 0;
    while (got < n) {
      unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - got, size_t(1) << 30));
      int r = gzread(f_, static_cast<char*>(into) + got, chunk);
      if (r < 0) stream_error();
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    if (got < n) {
      int code = Z_OK;
      gzerror(f_, &code);
      if (code != Z_OK) stream_error();
    }
    return got;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ErrorException("IDX file \"" + path_ + "\": " + what);
  }

 private:
  [[noreturn]] void stream_error() const {
    int code = Z_OK;
    std::string msg = gzerror(f_, &code);
    if (msg.rfind(path_ + ": ", 0) == 0) msg.erase(0, path_.size() + 2);  // zlib names the file too
    fail("the gzip stream is damaged or cut short (zlib: " + (msg.empty() ? std::string("error") : msg) + ")");
  }
  std::string path_;
  gzFile f_ = nullptr;
};

// The IDX type codes the tensors can hold; Int8 (0x09) and Int16 (0x0B) have no tensor type.
bool dtype_of_code(uint8_t code, DType& d) {
  switch (code) {
    case 0x08: d = DType::UInt8; return true;
    case 0x0C: d = DType::Int32; return true;
    case 0x0D: d = DType::Float32; return true;
    case 0x0E: d = DType::Float64; return true;
    default: return false;
  }
}

std::string hex(uint8_t b) {
  const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

// Big-endian elements to the machine's order (x86 and ARM are little-endian).
void to_host_order(char* data, size_t count, size_t width) {
  if (width == 1) return;
  for (size_t i = 0; i < count; ++i) std::reverse(data + i * width, data + (i + 1) * width);
}

// The IDX bytes as they are in the file (its header, then the data before any change of byte
// order), for the cache: to write a copy, or to check one.
using RawBytes = std::function<void(const std::string& header, const char* data, size_t bytes)>;

Value parse_idx(TypeRegistry& t, IdxFile& f, const RawBytes& raw) {
  uint8_t head[4];
  size_t got = f.read(head, 4);
  if (got < 4) f.fail("cut short: " + std::to_string(got) + " bytes, fewer than the 4-byte header");
  if (head[0] != 0 || head[1] != 0)
    f.fail("not an IDX file: it starts with bytes " + hex(head[0]) + " " + hex(head[1]) + ", not 0x00 0x00");
  DType dtype;
  if (!dtype_of_code(head[2], dtype))
    f.fail("element type code " + hex(head[2]) +
           (head[2] == 0x09 || head[2] == 0x0B ? " (Int8 or Int16) has no tensor type here"
                                               : " is not an IDX type (0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)") +
           "; 0x08 (UInt8), 0x0C (Int32), 0x0D (Float32) and 0x0E (Float64) are read");
  int rank = head[3];
  if (rank < 1 || rank > kMaxRank)
    f.fail(std::to_string(rank) + " dimensions: between 1 and " + std::to_string(kMaxRank) + " are read");
  uint8_t dims_be[4 * kMaxRank];
  got = f.read(dims_be, 4 * size_t(rank));
  if (got < 4 * size_t(rank))
    f.fail("cut short in the dimensions: " + std::to_string(rank) + " dimensions need " + std::to_string(4 * rank) +
           " bytes after the header, found " + std::to_string(got));
  std::vector<int64_t> shape(rank);
  size_t count = 1;
  for (int i = 0; i < rank; ++i) {
    const uint8_t* b = dims_be + 4 * i;
    shape[i] = (int64_t(b[0]) << 24) | (int64_t(b[1]) << 16) | (int64_t(b[2]) << 8) | int64_t(b[3]);
    if (__builtin_mul_overflow(count, size_t(shape[i]), &count)) f.fail("its dimensions overflow");
  }
  size_t width = dtype_size(dtype), bytes;
  if (__builtin_mul_overflow(count, width, &bytes)) f.fail("its dimensions overflow");
  Value out = new_tensor(t, dtype, shape, nullptr, /*zero=*/false);
  char* data = tensor_of(out).data();
  got = f.read(data, bytes);
  auto shape_text = [&] {
    std::string s;
    for (int i = 0; i < rank; ++i) s += (i ? "×" : "") + std::to_string(shape[i]);
    return s;
  };
  if (got < bytes)
    f.fail("cut short: a " + shape_text() + " " + dtype_name(dtype) + " array needs " + std::to_string(bytes) +
           " bytes of data, found " + std::to_string(got));
  char extra[4096];
  size_t after = 0;
  while (size_t n = f.read(extra, sizeof extra)) after += n;
  if (after)
    f.fail(std::to_string(after) + " bytes after the data of a " + shape_text() + " " + dtype_name(dtype) +
           " array (a damaged file, or its dimensions are wrong)");
  if (raw) {
    std::string header(reinterpret_cast<const char*>(head), 4);
    header.append(reinterpret_cast<const char*>(dims_be), 4 * size_t(rank));
    raw(header, data, bytes);
  }
  to_host_order(data, count, width);
  return out;
}

struct StaleCopy {};

void log_copy(const char* what, const std::string& path) {
  static const bool on = log_compiles_requested();
  if (on) std::fprintf(stderr, "[data] %s for %s\n", what, path.c_str());
}

Value read_idx(TypeRegistry& t, const std::string& path) {
  std::optional<IdxCacheEntry> entry;
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) entry = idx_cache_entry(path);
  if (entry) {
    if (std::optional<IdxCacheHit> hit = open_idx_cache(*entry)) {
      // The copy, when all of it checks out; anything else about it and it is made again.
      try {
        IdxFile f(hit->fd, path);
        Value out = parse_idx(t, f, [&](const std::string& header, const char* data, size_t bytes) {
          uLong crc = crc32_z(0, reinterpret_cast<const Bytef*>(header.data()), header.size());
          crc = crc32_z(crc, reinterpret_cast<const Bytef*>(data), bytes);
          if (header.size() + bytes != hit->payload_bytes || uint32_t(crc) != hit->crc) throw StaleCopy{};
        });
        log_copy("uncompressed copy read", path);
        return out;
      } catch (...) {
        log_copy("uncompressed copy damaged, made again", path);
        discard_idx_cache(*entry);
      }
    } else {
      log_copy("no uncompressed copy (or an outdated one): made", path);
    }
  }
  IdxFile f(path);
  std::string header;
  const char* raw_data = nullptr;
  size_t raw_bytes = 0;
  std::shared_ptr<std::string> swapped;  // bytes whose order parse_idx changes next: copied
  Value out = parse_idx(t, f, [&](const std::string& h, const char* data, size_t bytes) {
    header = h;
    raw_data = data;
    raw_bytes = bytes;
    if (h.size() > 2 && h[2] != 0x08) swapped = std::make_shared<std::string>(data, bytes);
  });
  // The copy is written from the tensor itself (held until it is written), or from that copy.
  if (entry && raw_data) {
    if (swapped) write_idx_cache(*entry, header, swapped, swapped->data(), swapped->size());
    else write_idx_cache(*entry, header, std::make_shared<Value>(out), raw_data, raw_bytes);
  }
  return out;
}

}  // namespace

void register_idx_reader(Registrar& r) {
  TypeRegistry& t = r.t_;
  r.add("__read_idx", {t.String}, {"path"}, nullptr,
        [&t](std::span<const Value> a) { return read_idx(t, a[0].as_string()); });
}

}  // namespace tsr::jit
