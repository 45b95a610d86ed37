// Files and folders, as Julia's Base: open(path, mode) gives an IOStream that print, println,
// write and show write to (builtins_io.cpp's writers come here for it), read by readline,
// read(io, String) and eof, closed by close (or when the last reference goes); and the
// folder functions readdir, mkdir, mkpath, filesize, ispath, pwd, homedir, mv and cp. The
// rest (open(f, path), readlines, eachline, write(path, s), joinpath, basename, ...) is
// Tessera in stdlib/Files.tsr. Errors are Julia's SystemError ("opening file \"x\": No such
// file or directory") and IOError wordings.
#include "jit/file_stream.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "jit/builtin_registrar.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit {

namespace fs = std::filesystem;

FileStream::~FileStream() {
  if (file) std::fclose(file);
}

FileStream* file_stream(const Value& v) {
  return v.payload() == Payload::Object ? dynamic_cast<FileStream*>(v.as_object()) : nullptr;
}

namespace {

FileStream& open_stream(std::span<const Value> a, const char* fname, bool writing) {
  FileStream* s = file_stream(a[0]);
  if (!s) no_method(fname, a);
  if (!s->file) throw Error("ArgumentError", "IOStream(<file " + s->path + ">) is closed");
  if (writing ? !s->writable : !s->readable)
    throw Error("ArgumentError", std::string(writing ? "write failed, " : "read failed, ") + "IOStream(<file " + s->path +
                                     ">) is not " + (writing ? "writeable" : "readable"));
  return *s;
}

[[noreturn]] void io_error(const std::string& op, const std::string& path, int err) {
  throw Error("IOError", op + "(\"" + path + "\"): " + std::strerror(err));
}

}  // namespace

bool write_file_stream(const Value& dest, const std::string& text, std::span<const Value> args, const char* fname) {
  if (!file_stream(dest)) return false;
  FileStream& s = open_stream(args, fname, true);
  if (std::fwrite(text.data(), 1, text.size(), s.file) != text.size())
    throw Error("SystemError", "writing to file \"" + s.path + "\": " + std::strerror(errno));
  return true;
}

void flush_file_stream(const Value& v) {
  if (FileStream* s = file_stream(v); s && s->file) std::fflush(s->file);
}

void register_file_builtins(Registrar& r, const DataType* stream_type) {
  TypeRegistry& t = r.t_;
  const Type* S = t.AbstractString;
  // open(path, mode): "r" (the default), "w", "a", "r+", "w+", "a+", as C's fopen and Julia's.
  auto open = [&t, stream_type](const std::string& path, const std::string& mode) {
    static const char* modes[] = {"r", "w", "a", "r+", "w+", "a+"};
    bool known = false;
    for (const char* m : modes) known = known || mode == m;
    if (!known) throw Error("ArgumentError", "invalid open mode: " + mode);
    std::FILE* f = std::fopen(path.c_str(), mode.c_str());
    if (!f) throw Error("SystemError", "opening file \"" + path + "\": " + std::strerror(errno));
    auto* s = new FileStream();
    s->file = f;
    s->path = path;
    s->readable = mode[0] == 'r' || mode.size() == 2;
    s->writable = mode[0] != 'r' || mode.size() == 2;
    s->fields.push_back(Value::from_int(t.Int64, ::fileno(f)));
    return Value::from_object(stream_type, s);
  };
  r.add("open", {S}, {"path"}, stream_type, [open](std::span<const Value> a) { return open(a[0].as_string(), "r"); });
  r.add("open", {S, S}, {"path", "mode"}, stream_type,
        [open](std::span<const Value> a) { return open(a[0].as_string(), a[1].as_string()); });
  r.add("close", {stream_type}, {"io"}, t.Nothing, [&r](std::span<const Value> a) {
    if (FileStream* s = file_stream(a[0]); s && s->file) {
      std::fclose(s->file);
      s->file = nullptr;
    }
    return r.nothing();
  });
  r.add("isopen", {stream_type}, {"io"}, t.Bool, [&r](std::span<const Value> a) {
    FileStream* s = file_stream(a[0]);
    return r.boolean(!s || s->file != nullptr);  // stdout and stderr stay open
  });
  r.add("eof", {stream_type}, {"io"}, t.Bool, [&r](std::span<const Value> a) {
    FileStream& s = open_stream(a, "eof", false);
    int c = std::fgetc(s.file);
    if (c == EOF) return r.boolean(true);
    std::ungetc(c, s.file);
    return r.boolean(false);
  });
  // readline(io; keep = false): the next line without its "\n" (with it when keep), "" at the end.
  r.add("readline", {stream_type}, {"io"}, t.String, [&r](std::span<const Value> a) {
    bool keep = has_kwargs(a.data(), a.size()) && a.back().as_struct().fields[1].as_bool();
    FileStream& s = open_stream(a.first(1), "readline", false);
    std::string line;
    int c;
    while ((c = std::fgetc(s.file)) != EOF) {
      if (c == '\n') {
        if (keep) line += '\n';
        break;
      }
      line += static_cast<char>(c);
    }
    if (!keep && !line.empty() && line.back() == '\r') line.pop_back();  // "\r\n" lines, as Julia
    return r.str(std::move(line));
  }, {"keep"});
  // read(io, String): the rest of the stream.
  r.add("read", {stream_type, t.type_of_type(t.String)}, {"io", "T"}, t.String, [&r](std::span<const Value> a) {
    FileStream& s = open_stream(a, "read", false);
    std::string out;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, s.file)) > 0) out.append(buf, n);
    return r.str(std::move(out));
  });
  // The folders (readdir() is readdir(".") in stdlib/Files.tsr).
  r.add("readdir", {S}, {"dir"}, nullptr, [&r, &t](std::span<const Value> a) {
    const std::string& dir = a[0].as_string();
    bool join = has_kwargs(a.data(), a.size()) && a.back().as_struct().fields[1].as_bool();
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
    if (ec) io_error("readdir", dir, ec.value());
    std::sort(names.begin(), names.end());
    std::vector<Value> xs;
    for (auto& n : names) xs.push_back(r.str(join ? (fs::path(dir) / n).string() : n));
    return vector_of(t, t.String, std::move(xs));
  }, {"join"});
  r.add("mkdir", {S}, {"path"}, t.String, [](std::span<const Value> a) {
    const std::string& p = a[0].as_string();
    std::error_code ec;
    if (!fs::create_directory(p, ec)) io_error("mkdir", p, ec ? ec.value() : EEXIST);
    return a[0];
  });
  r.add("mkpath", {S}, {"path"}, t.String, [](std::span<const Value> a) {
    const std::string& p = a[0].as_string();
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec) io_error("mkpath", p, ec.value());
    return a[0];
  });
  r.add("filesize", {S}, {"path"}, t.Int64, [&r](std::span<const Value> a) {
    std::error_code ec;
    auto n = fs::file_size(a[0].as_string(), ec);
    if (ec) io_error("stat", a[0].as_string(), ec.value());
    return r.integer(static_cast<int64_t>(n));
  });
  r.add("ispath", {S}, {"path"}, t.Bool, [&r](std::span<const Value> a) {
    std::error_code ec;
    return r.boolean(fs::exists(a[0].as_string(), ec));
  });
  r.add("pwd", {}, {}, t.String, [&r](std::span<const Value>) {
    std::error_code ec;
    return r.str(fs::current_path(ec).string());
  });
  r.add("homedir", {}, {}, t.String, [&r](std::span<const Value>) {
    const char* h = std::getenv("HOME");
    return r.str(h ? h : "/");
  });
  r.add("mv", {S, S}, {"src", "dst"}, t.String, [](std::span<const Value> a) {
    std::error_code ec;
    fs::rename(a[0].as_string(), a[1].as_string(), ec);
    if (ec) io_error("rename", a[0].as_string(), ec.value());
    return a[1];
  });
  r.add("cp", {S, S}, {"src", "dst"}, t.String, [](std::span<const Value> a) {
    std::error_code ec;
    fs::copy(a[0].as_string(), a[1].as_string(), fs::copy_options::recursive, ec);
    if (ec) io_error("cp", a[0].as_string(), ec.value());
    return a[1];
  });
}

}  // namespace tsr::jit
