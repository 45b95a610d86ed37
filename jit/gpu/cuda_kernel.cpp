#include "jit/gpu/cuda_kernel.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <regex>

#include "jit/builtin_registrar.hpp"
#include "jit/gpu/cuda_driver.hpp"
#include "jit/gpu/device_code_dump.hpp"
#include "jit/gpu/device_launch.hpp"
#include "jit/gpu/device_memory.hpp"
#include "jit/gpu/nvrtc.hpp"
#include "runtime/errors.hpp"
#include "runtime/number_types.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit::gpu {

namespace {

// CudaKernel(name, source, file, line, first_line): what launch needs, and where it was defined.
const DataType* kernel_type(TypeRegistry& t) {
  static std::mutex mu;
  static std::map<TypeRegistry*, const DataType*> types;
  std::lock_guard<std::mutex> lock(mu);
  const DataType*& dt = types[&t];
  if (!dt) dt = declare_struct(t, "CudaKernel", t.Any, {"name", "source", "file", "line", "first_line"},
                           {t.String, t.String, t.String, t.Int64, t.Int64});
  return dt;
}

struct Fields {
  std::string name, source, file;
  int64_t line, first_line;
};

Fields fields_of(const Value& k) {
  const auto& f = k.as_struct().fields;
  return {f[0].as_string(), f[1].as_string(), f[2].as_string(), f[3].as_int(), f[4].as_int()};
}

std::string where(const Fields& k) { return k.file + ":" + std::to_string(k.line); }

// NVRTC's "saxpy.cu(3): error: ..." as "script.tsr:14: error: ..." (the source's line 1 is
// the script's first_line).
std::string script_lines(const std::string& log, const std::string& entry, const Fields& k) {
  std::regex at(std::regex_replace(entry, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") + R"(\.cu\((\d+)\))");
  std::string out;
  auto begin = std::sregex_iterator(log.begin(), log.end(), at);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += log.substr(last, static_cast<size_t>(it->position()) - last);
    out += k.file + ":" + std::to_string(k.first_line + std::stoll((*it)[1].str()) - 1);
    last = static_cast<size_t>(it->position() + it->length());
  }
  return out + log.substr(last);
}

std::string compile(const Fields& k, int sm) {
  try {
    return nvrtc_compile(k.source, k.name, sm);
  } catch (const ErrorException& e) {
    throw ErrorException("@cuda_kernel " + k.name + " at " + where(k) + " does not compile: " + script_lines(e.message(), k.name, k));
  }
}

// NVRTC's PTX and, once launched, the module the driver loaded from it, by the kernel's entry,
// architecture and source.
struct Compiled {
  std::string ptx;
  std::optional<LoadedModule> module;
};
std::mutex compiled_mu;
std::map<std::string, Compiled>& compiled() {
  static auto* m = new std::map<std::string, Compiled>();
  return *m;
}

// The width in bytes of each parameter of `entry` in PTX (`.param .f32 name`, `.param .u64
// name`, ...; 0 for one that is not a scalar, an aggregate passed by value).
std::vector<int> entry_param_bytes(const std::string& ptx, const std::string& entry) {
  std::vector<int> widths;
  size_t at = ptx.find(".entry " + entry + "(");
  if (at == std::string::npos) return widths;
  size_t close = ptx.find("\n)", at);
  std::regex param(R"(\.param\s+(?:\.align\s+\d+\s+)?\.([a-z])(\d+)\s+[\w$]+(\[\d+\])?)");
  std::string params = ptx.substr(at, close == std::string::npos ? std::string::npos : close - at);
  for (auto it = std::sregex_iterator(params.begin(), params.end(), param); it != std::sregex_iterator(); ++it)
    widths.push_back((*it)[3].matched ? 0 : std::stoi((*it)[2].str()) / 8);
  return widths;
}

// How a launch passes a value: a tensor as a pointer (8 bytes), a number as its C type.
int argument_bytes(const Value& v) {
  if (is_tensor(v)) return 8;
  switch (v.payload()) {
    case Payload::Float64: return 8;
    case Payload::Float32: return 4;
    case Payload::Half: return 2;
    case Payload::Bool: return 1;
    case Payload::Int: return integer_bits(v.type()) / 8;
    default: return -1;
  }
}

// "a Float64", "an Int32".
std::string with_article(const std::string& type) {
  return (std::string("AEIOU").find(type.empty() ? 'x' : type[0]) != std::string::npos ? "an " : "a ") + type;
}

void check_arguments(const std::string& what, const std::vector<int>& widths, std::span<const Value> args) {
  auto c_of = [](int bytes) {
    return bytes == 8 ? "a pointer, double or long long" : bytes == 4 ? "a float or int" : bytes == 2 ? "a half or short" : "a bool or char";
  };
  if (widths.size() != args.size())
    throw ArgumentError("launch: " + what + " takes " + std::to_string(widths.size()) + " parameters, got " + std::to_string(args.size()) +
                        " arguments after the ndrange");
  for (size_t i = 0; i < args.size(); ++i) {
    int got = argument_bytes(args[i]);
    if (got < 0)
      throw ArgumentError("launch: " + what + " takes tensors and numbers; argument " + std::to_string(i + 1) + " is " +
                          with_article(show_type(args[i].type())));
    if (widths[i] == 0)
      throw ArgumentError("launch: " + what + "'s parameter " + std::to_string(i + 1) + " is a struct passed by value, which launch cannot pass");
    if (got != widths[i])
      throw ArgumentError("launch: " + what + "'s parameter " + std::to_string(i + 1) + " is " + std::to_string(widths[i]) + " bytes (" +
                          c_of(widths[i]) + "), and argument " + std::to_string(i + 1) + ", " + with_article(show_type(args[i].type())) + ", is " +
                          std::to_string(got) + " (pass " + (widths[i] == 8 ? "an Int64, a Float64 or a tensor" : widths[i] == 4 ? "an Int32 or a Float32" : widths[i] == 2 ? "a Float16" : "a Bool or a UInt8") + ")");
  }
}

}  // namespace

bool is_cuda_kernel(const Value& v) { return v.type() && v.type()->name->name == "CudaKernel" && v.payload() == Payload::Object; }

Value define_cuda_kernel(Compiler& c, std::span<const Value> a) {
  TypeRegistry& t = c.types();
  Fields k{a[0].as_string(), a[1].as_string(), a[2].as_string(), a[3].as_int(), a[4].as_int()};
  // The entry: the one __global__ function, or the one named.
  std::regex global(R"(__global__\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?void\s+([A-Za-z_]\w*)\s*\()");
  std::vector<std::string> entries;
  for (auto it = std::sregex_iterator(k.source.begin(), k.source.end(), global); it != std::sregex_iterator(); ++it)
    entries.push_back((*it)[1].str());
  if (entries.empty())
    throw ErrorException("@cuda_kernel at " + where(k) + ": the source defines no kernel (extern \"C\" __global__ void name(...) { ... })");
  if (k.name.empty()) {
    if (entries.size() > 1) {
      std::string names;
      for (const auto& e : entries) names += (names.empty() ? "" : ", ") + e;
      throw ErrorException("@cuda_kernel at " + where(k) + ": the source defines " + std::to_string(entries.size()) + " kernels (" + names +
                           "); name the one to launch: @cuda_kernel \"" + entries[0] + "\" \"\"\"...\"\"\"");
    }
    k.name = entries[0];
  } else if (std::find(entries.begin(), entries.end(), k.name) == entries.end()) {
    throw ErrorException("@cuda_kernel at " + where(k) + ": the source defines no __global__ function named " + k.name);
  }
  // Compiled here when NVRTC is found, so that an error shows where the kernel is defined.
  if (nvrtc_available()) {
    std::string ptx = compile(k, device_arch());
    if (ptx.find(".entry " + k.name + "(") == std::string::npos)
      throw ErrorException("@cuda_kernel " + k.name + " at " + where(k) + ": its name is mangled in the compiled code; declare it extern \"C\"");
  }
  on_cuda_kernel_defined(c, k.name, k.source, "@cuda_kernel " + k.name + " at " + where(k));
  auto* obj = new StructObject();
  obj->fields = {Value::from_object(t.String, new StringObject(k.name)), a[1], a[2], a[3], a[4]};
  return Value::from_object(kernel_type(t), obj);
}

void launch_cuda_kernel(Compiler& c, const Value& kv, std::span<const Value> args, const std::vector<int64_t>& dims, int64_t workgroup) {
  (void)c;
  Fields k = fields_of(kv);
  std::string what = "@cuda_kernel " + k.name + " (" + where(k) + ")";
  // The arguments against the entry's parameters first (NVRTC's PTX says how many and how wide
  // each is): a launch with the wrong ones would hand the GPU garbage.
  int sm = device_arch();
  // Held through the launch too (launches are synchronous, so they run one at a time anyway).
  std::lock_guard<std::mutex> lock(compiled_mu);
  std::string key = k.name + "\n" + std::to_string(sm) + "\n" + k.source;
  auto it = compiled().find(key);
  if (it == compiled().end()) it = compiled().emplace(key, Compiled{compile(k, sm), std::nullopt}).first;
  Compiled& code = it->second;
  check_arguments(what, entry_param_bytes(code.ptx, k.name), args);
  use_gpu("launch(" + k.name + ", ...)");
  for (size_t i = 0; i < args.size(); ++i) {
    if (!is_tensor(args[i])) continue;
    const TensorObject& o = tensor_of(args[i]);
    if (device_of(o) != Device::GPU)
      throw ArgumentError("launch: " + what + " runs on the GPU, and argument " + std::to_string(i + 1) + " is on the CPU; move it with gpu(x)");
    if (!o.contiguous())
      throw ArgumentError("launch: " + what + " takes tensors as pointers to their elements, and argument " + std::to_string(i + 1) +
                          " is not contiguous; pass copy(x)");
  }
  if (!code.module) code.module = load_module(code.ptx, k.name, what);
  // One 8-byte slot per parameter: a tensor's data pointer, a number's bits (check_arguments
  // refused anything else).
  std::vector<uint64_t> slots;
  for (const Value& v : args) slots.push_back(is_tensor(v) ? reinterpret_cast<uint64_t>(tensor_of(v).base) : number_bits(v));
  std::vector<void*> params;
  for (uint64_t& s : slots) params.push_back(&s);
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  launch_kernel(*code.module, total, workgroup, params, what);
  synchronize("running " + what);
}

}  // namespace tsr::jit::gpu
