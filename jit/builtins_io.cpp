// I/O: the IO types (stdout and stderr as IOStreams, IOBuffer), print/println/show/write on an
// IO, flush, exit, time, and the hook through which the C++ value printer runs a user's
// `show(io, x)` (or `print(io, x)`) method for their types, wherever a value is printed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "jit/abi.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/file_stream.hpp"
#include "jit/printf_format.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

// An IOBuffer's bytes. The Tessera type declares no fields: only IOBuffer() makes these.
struct BufferObject : StructObject {
  std::string data;
};

struct IoTypes {
  const DataType* stream = nullptr;  // IOStream: its one field is the file descriptor (1 or 2)
  const DataType* buffer = nullptr;  // IOBuffer
  Globals* globals = nullptr;
  const Method* show_fallback = nullptr;   // show(io, x) built in
  const Method* print_fallback = nullptr;  // print(io::IO, xs...) built in
};
IoTypes& io() {
  static IoTypes t;
  return t;
}

Value new_buffer() { return Value::from_object(io().buffer, new BufferObject()); }

// Writes text to an IO value; a MethodError names `fname` for anything else.
void write_to(const char* fname, const Value& dest, const std::string& text, std::span<const Value> args) {
  if (dest.type() == io().buffer) {
    if (auto* b = dynamic_cast<BufferObject*>(dest.as_object())) {
      b->data += text;
      return;
    }
  } else if (dest.type() == io().stream) {
    if (write_file_stream(dest, text, args, fname)) return;
    int64_t fd = dest.as_struct().fields[0].as_int();
    if (fd == 2) std::fflush(stdout);  // what was printed before stays before
    std::FILE* f = fd == 2 ? stderr : fd == 1 ? stdout : nullptr;
    if (f) {
      std::fwrite(text.data(), 1, text.size(), f);
      return;
    }
  }
  no_method(fname, args);
}

std::string print_all(std::span<const Value> xs) {
  std::string s;
  for (const Value& v : xs) s += show_value(v, false);
  return s;
}

// The value printer's hook: a user's method for x's type, found by dispatch on (IOBuffer, T)
// and remembered per type until the function gains a method.
bool user_show(const Value& v, bool printing, std::string& out) {
  IoTypes& k = io();
  struct Seen {
    uint64_t epoch;
    const Method* method;
  };
  auto run = [&](const char* fname, const Method* fallback, std::unordered_map<const DataType*, Seen>& seen) {
    GenericFunction* f = k.globals->find_function(fname);
    if (!f) return false;
    auto it = seen.find(v.type());
    if (it == seen.end() || it->second.epoch != f->epoch()) {
      const Type* argtypes[] = {k.buffer, v.type()};
      const Method* m = f->which(argtypes);
      it = seen.insert_or_assign(v.type(), Seen{f->epoch(), m == fallback ? nullptr : m}).first;
    }
    if (!it->second.method) return false;
    Value args[] = {new_buffer(), v};
    it->second.method->call(args, 2);
    out = static_cast<BufferObject*>(args[0].as_object())->data;
    return true;
  };
  static std::unordered_map<const DataType*, Seen> seen_print, seen_show;
  if (printing && run("print", k.print_fallback, seen_print)) return true;
  return run("show", k.show_fallback, seen_show);
}


double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void register_io_builtins(Registrar& r) {
  TypeRegistry& t = r.t_;
  IoTypes& k = io();
  k.globals = &r.g_;
  TypeDecl abstract_io;
  abstract_io.kind = TypeDecl::Kind::Abstract;
  abstract_io.name = "IO";
  t.declare(abstract_io);
  const Type* IO = t.lookup("IO");
  // Mutable: a value with identity, so that a file's stream (a FileStream object, builtins_files.cpp)
  // is passed as itself and never rebuilt from its field as an immutable struct may be.
  k.stream = declare_struct(t, "IOStream", IO, {"fd"}, {t.Int64}, true);
  k.buffer = declare_struct(t, "IOBuffer", IO, {}, {}, true);
  // Julia's stdout and stderr are global variables (redirect_stdout rebinds them), not
  // constants: code that reads them stays cacheable.
  for (int fd : {1, 2}) {
    auto* obj = new StructObject();
    obj->fields.push_back(Value::from_int(t.Int64, fd));
    r.g_.set_global(fd == 1 ? "stdout" : "stderr", Value::from_object(k.stream, obj));
  }
  const Type* any = t.Any;
  const Type* va_any = t.vararg(any);
  k.print_fallback = r.add("print", {IO, va_any}, {"io", "xs"}, t.Nothing, [&r](std::span<const Value> a) {
    write_to("print", a[0], print_all(a.subspan(1)), a);
    return r.nothing();
  });
  r.add("println", {IO, va_any}, {"io", "xs"}, t.Nothing, [&r](std::span<const Value> a) {
    write_to("println", a[0], print_all(a.subspan(1)) + "\n", a);
    return r.nothing();
  });
  // (io, x) with io untyped, so that a user's show(io, p::Point) is more specific than it.
  k.show_fallback = r.add("show", {any, any}, {"io", "x"}, t.Nothing, [&r](std::span<const Value> a) {
    write_to("show", a[0], show_value(a[1]), a);
    return r.nothing();
  });
  // __has_show(x): whether x's type has a show method of its own, from a script or the
  // standard library (NN's summary prints a layer through it; the fallback would print every
  // field, whole tensors included).
  r.add("__has_show", {any}, {"x"}, t.Bool, [&r, &k](std::span<const Value> a) {
    GenericFunction* f = k.globals->find_function("show");
    const Type* argtypes[] = {k.buffer, a[0].type()};
    const Method* m = f ? f->which(argtypes) : nullptr;
    return r.boolean(m && m != k.show_fallback);
  });
  // What an uncaught error prints after "ERROR: ".
  r.add("showerror", {IO, t.lookup("Exception")}, {"io", "e"}, t.Nothing, [&r](std::span<const Value> a) {
    write_to("showerror", a[0], describe_exception(a[1]), a);
    return r.nothing();
  });
  r.add("write", {IO, t.String}, {"io", "s"}, t.Int64, [&r](std::span<const Value> a) {
    write_to("write", a[0], a[1].as_string(), a);
    return r.integer(static_cast<int64_t>(a[1].as_string().size()));
  });
  r.add("write", {IO, t.UInt8}, {"io", "b"}, t.Int64, [&r](std::span<const Value> a) {
    write_to("write", a[0], std::string(1, static_cast<char>(a[1].as_int())), a);
    return r.integer(1);
  });
  r.add("flush", {IO}, {"io"}, t.Nothing, [&r](std::span<const Value> a) {
    if (file_stream(a[0])) flush_file_stream(a[0]);
    else if (a[0].type() == io().stream) std::fflush(a[0].as_struct().fields[0].as_int() == 2 ? stderr : stdout);
    return r.nothing();
  });
  r.add("IOBuffer", {}, {}, k.buffer, [](std::span<const Value>) { return new_buffer(); });
  // take!(io): the bytes written so far, as a Vector{UInt8}; the buffer starts again empty.
  r.add("take!", {k.buffer}, {"io"}, nullptr, [&t](std::span<const Value> a) {
    auto* b = dynamic_cast<BufferObject*>(a[0].as_object());
    std::vector<Value> bytes;
    if (b) {
      for (unsigned char c : b->data) bytes.push_back(Value::from_int(t.UInt8, c));
      b->data.clear();
    }
    return vector_of(t, t.UInt8, std::move(bytes));
  });
  const Type* bytes_vector = t.instantiate(t.lookup("Vector"), std::vector<const Type*>{t.UInt8});
  r.add("String", {bytes_vector}, {"v"}, t.String, [&r](std::span<const Value> a) {
    std::string s;
    for (const Value& b : a[0].as_struct().fields) s += static_cast<char>(b.as_int());
    return r.str(std::move(s));
  });
  r.add("String", {t.String}, {"s"}, t.String, [](std::span<const Value> a) { return a[0]; });
  // exit(n): what was printed is flushed, then the process ends with status n at once.
  auto exit_now = [](int64_t code) -> Value {
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(static_cast<int>(code & 0xff));
  };
  r.add("exit", {}, {}, t.bottom(), [exit_now](std::span<const Value>) { return exit_now(0); });
  r.add("exit", {t.Integer}, {"code"}, t.bottom(), [exit_now](std::span<const Value> a) { return exit_now(a[0].as_int()); });
  // time(): seconds since the Unix epoch, as a Float64.
  r.add("time", {}, {}, t.Float64, [&t](std::span<const Value>) {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return Value::from_f64(t.Float64, std::chrono::duration<double>(now).count());
  });
  // @elapsed: __elapsed_start() before the expression, __elapsed_seconds(t0) after it.
  r.add("__elapsed_start", {}, {}, t.Int64, [&r](std::span<const Value>) {
    return r.integer(std::chrono::steady_clock::now().time_since_epoch().count());
  });
  r.add("__elapsed_seconds", {t.Int64}, {"t0"}, t.Float64, [&t](std::span<const Value> a) {
    std::chrono::steady_clock::time_point t0{std::chrono::steady_clock::duration(a[0].as_int())};
    return Value::from_f64(t.Float64, seconds_since(t0));
  });
  // @sprintf and @printf: the lowering checked the literal format; parsed formats are kept.
  r.add("__sprintf", {t.String, va_any}, {"fmt", "xs"}, t.String, [&r](std::span<const Value> a) {
    static std::unordered_map<std::string, std::vector<FormatSpec>> parsed;
    auto it = parsed.find(a[0].as_string());
    if (it == parsed.end()) {
      std::string error;
      auto specs = parse_format(a[0].as_string(), &error);
      if (!specs) throw ArgumentError("invalid format string: " + error);
      it = parsed.emplace(a[0].as_string(), std::move(*specs)).first;
    }
    size_t want = format_arguments(it->second);
    if (want != a.size() - 1)
      throw ArgumentError("Number of format specifiers and number of provided args differ: " + std::to_string(want) +
                          " != " + std::to_string(a.size() - 1));
    return r.str(format_values(it->second, a.subspan(1)));
  });
  set_show_hook(&user_show);
  register_file_builtins(r, k.stream);
}

}  // namespace tsr::jit
