// Checkpoint files in the safetensors format (stdlib/NN/checkpoint.tsr; the header:
// safetensors_header.hpp):
//   __safetensors_write(path, entries, metadata) writes the tensors of `entries`, (name, tensor)
//     pairs or tuples in order, and `metadata`, (key, value) string pairs, as one file;
//   __safetensors_read(path) gives (entries, metadata) back, entries in the order of their data.
// A save must never leave a half-written checkpoint where the old one was, even when the process
// is killed or the machine loses power: replace_file_atomically (atomic_file.hpp) writes it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "jit/atomic_file.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/safetensors_header.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

namespace {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian, as is the host's memory");

// safetensors' own limit on the header (a larger length means a damaged file, not a huge header).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// ---- writing ----

struct ToWrite {
  Value tensor;  // contiguous (a copy of a view with gaps)
  size_t bytes;
};

// entries and metadata as the Tessera side hands them: vectors or tuples of 2-element tuples or
// pairs (both are 2-field structs).
std::vector<std::pair<std::string, Value>> pairs_of(Globals& g, const Value& v, const char* what) {
  std::vector<std::pair<std::string, Value>> out;
  for (const Value& item : iterate_all(g, v)) {
    const TypeName* n = item.type()->name;
    auto* s = item.payload() == Payload::Object && (n->is_tuple || n->field_names.size() == 2) && !is_tensor(item)
                  ? dynamic_cast<StructObject*>(item.as_object())
                  : nullptr;
    if (!s || s->fields.size() != 2 || s->fields[0].type() != g.types().String) throw ArgumentError(std::string("save: ") + what + " are (name, value) pairs with a String name");
    out.emplace_back(item.as_struct().fields[0].as_string(), item.as_struct().fields[1]);
  }
  return out;
}

Value safetensors_write(Globals& g, std::span<const Value> a) {
  TypeRegistry& t = g.types();
  const std::string& path = a[0].as_string();
  SafetensorsHeader h;
  std::vector<ToWrite> data;
  std::set<std::string> names;
  for (auto& [name, v] : pairs_of(g, a[1], "the tensors")) {
    if (name.empty() || name == "__metadata__")
      throw ArgumentError("save: a tensor cannot be named \"" + name + "\" in a safetensors file");
    if (!names.insert(name).second) throw ArgumentError("save: two tensors are named \"" + name + "\"");
    if (!is_tensor(v))
      throw ArgumentError("save: \"" + name + "\" is a " + show_type(v.type()) + ", not a tensor");
    const TensorObject& obj = tensor_of(v);
    // A GPU tensor's unified memory is read here once the GPU is done with it.
    if (device_of(obj) == Device::GPU) device_synchronize();
    Value c = obj.contiguous() ? v : tensor_copy(t, v);
    data.push_back({c, size_t(obj.numel()) * dtype_size(obj.dtype)});
    h.tensors.push_back({name, obj.dtype, std::vector<int64_t>(obj.shape, obj.shape + obj.rank), 0, 0});
  }
  for (auto& [key, v] : pairs_of(g, a[2], "the metadata")) {
    if (v.type() != t.String) throw ArgumentError("save: metadata values are strings; \"" + key + "\" is a " + show_type(v.type()));
    h.metadata.emplace_back(key, v.as_string());
  }
  std::string header = format_safetensors_header(h);
  uint64_t n = header.size();
  char len[8];
  std::memcpy(len, &n, 8);
  std::vector<std::span<const char>> pieces = {{len, 8}, {header.data(), header.size()}};
  for (const ToWrite& w : data) pieces.emplace_back(tensor_of(w.tensor).data(), w.bytes);
  replace_file_atomically(path, "save", pieces);
  return Value::singleton(t.Nothing);
}

// ---- reading ----

class CheckpointFile {
 public:
  explicit CheckpointFile(const std::string& path) : path_(path) {
    fd_.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_.fd < 0) system_error("opening file \"" + path + "\"", errno);
    struct stat st;
    if (::fstat(fd_.fd, &st) != 0) system_error("reading \"" + path + "\"", errno);
    if (!S_ISREG(st.st_mode)) fail("not a regular file");
    size_ = uint64_t(st.st_size);
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ErrorException("safetensors file \"" + path_ + "\": " + what);
  }
  uint64_t size() const { return size_; }
  void read_at(uint64_t at, char* into, uint64_t n) const {
    while (n > 0) {
      ssize_t r = ::pread(fd_.fd, into, std::min<uint64_t>(n, uint64_t(1) << 30), off_t(at));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) system_error("reading \"" + path_ + "\"", errno);
      if (r == 0) fail("it became shorter while being read");
      into += r;
      at += uint64_t(r);
      n -= uint64_t(r);
    }
  }

 private:
  std::string path_;
  Fd fd_;
  uint64_t size_ = 0;
};

Value pair_tuple(TypeRegistry& t, Value a, Value b) {
  auto* obj = new StructObject();
  obj->fields = {a, b};
  const Type* types[] = {a.type(), b.type()};
  return Value::from_object(t.tuple(types), obj);
}

Value safetensors_read(Registrar& r, const std::string& path) {
  TypeRegistry& t = r.t_;
  CheckpointFile f(path);
  if (f.size() < 8)
    f.fail("cut short: " + std::to_string(f.size()) + " bytes, fewer than the 8 bytes of the header's length");
  uint64_t n;
  f.read_at(0, reinterpret_cast<char*>(&n), 8);
  if (n > f.size() - 8)
    f.fail("the header's length is " + std::to_string(n) + " bytes but only " + std::to_string(f.size() - 8) +
           " bytes follow it (cut short, or not a safetensors file)");
  if (n > kMaxHeaderBytes)
    f.fail("the header's length, " + std::to_string(n) + " bytes, is past safetensors' limit of " +
           std::to_string(kMaxHeaderBytes) + " (not a safetensors file?)");
  std::string json(n, '\0');
  f.read_at(8, json.data(), n);
  SafetensorsHeader h;
  try {
    h = parse_safetensors_header(json, f.size() - 8 - n);
  } catch (const HeaderError& e) {
    f.fail(e.what());
  }
  std::vector<Value> entries, metadata;
  for (const SafetensorsEntry& e : h.tensors) {
    Value v = new_tensor(t, e.dtype, e.shape, nullptr, /*zero=*/false);
    char* data = tensor_of(v).data();
    f.read_at(8 + n + e.begin, data, e.end - e.begin);
    if (e.dtype == DType::Bool)
      for (uint64_t i = 0; i < e.end - e.begin; ++i)
        if (static_cast<unsigned char>(data[i]) > 1)
          f.fail("the BOOL tensor \"" + e.name + "\" holds the byte " + std::to_string(uint8_t(data[i])) +
                 " at element " + std::to_string(i + 1) + " (only 0 and 1 are Bools)");
    entries.push_back(pair_tuple(t, r.str(e.name), v));
  }
  for (auto& [k, v] : h.metadata) metadata.push_back(pair_tuple(t, r.str(k), r.str(v)));
  return pair_tuple(t, vector_of(t, t.Any, std::move(entries)), vector_of(t, t.Any, std::move(metadata)));
}

}  // namespace

void register_safetensors_io(Registrar& r) {
  TypeRegistry& t = r.t_;
  r.add("__safetensors_write", {t.String, t.Any, t.Any}, {"path", "entries", "metadata"}, t.Nothing,
        [&r](std::span<const Value> a) { return safetensors_write(r.g_, a); });
  r.add("__safetensors_read", {t.String}, {"path"}, nullptr,
        [&r](std::span<const Value> a) { return safetensors_read(r, a[0].as_string()); });
}

}  // namespace tsr::jit
