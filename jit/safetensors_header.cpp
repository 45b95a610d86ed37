// The safetensors header: a strict reader of its one JSON schema and its writer (format and
// rules: safetensors_header.hpp).
#include "jit/safetensors_header.hpp"

#include <algorithm>
#include <set>

namespace tsr::jit {

namespace {

struct DTypeName {
  const char* name;
  DType dtype;
};
constexpr DTypeName kDTypes[] = {{"F32", DType::Float32}, {"F64", DType::Float64}, {"F16", DType::Float16},
                                 {"BF16", DType::BFloat16}, {"I64", DType::Int64}, {"I32", DType::Int32},
                                 {"U8", DType::UInt8},      {"BOOL", DType::Bool}};
// Safetensors dtypes that no tensor type here holds.
constexpr const char* kOtherDTypes[] = {"I8", "I16", "U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3",
                                        "F6_E3M2", "F4", "C64"};

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Is s well-formed UTF-8 (what JSON text must be)? The position of the first bad byte, or npos.
size_t bad_utf8_at(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; k < n; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c >> 6) != 0x2) return i;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;  // overlong, too big, surrogate
    i += n;
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// A cursor over the header's JSON that reads only what the schema allows where it allows it.
class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {
    if (size_t at = bad_utf8_at(s); at != std::string_view::npos) {
      pos_ = at;
      fail("a byte that is not UTF-8");
    }
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw HeaderError("the header is not valid JSON at byte " + std::to_string(pos_) + ": " + what);
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool at_end() {
    skip_space();
    return pos_ == s_.size();
  }
  char peek() {
    skip_space();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  void expect(char c, const char* what) {
    if (peek() != c) fail(std::string("expected ") + what + (pos_ < s_.size() ? "" : ", found the end of the header"));
    ++pos_;
  }

  // { "key": value, ... }: member(key) reads each value; a key given twice is an error.
  template <class Member>
  void object(const char* what, Member&& member) {
    expect('{', what);
    std::set<std::string> seen;
    if (peek() == '}') {
      ++pos_;
      return;
    }
    for (;;) {
      size_t key_at = (skip_space(), pos_);
      std::string key = string("a string key");
      if (!seen.insert(key).second) {
        pos_ = key_at;
        fail("the key " + quoted(key) + " appears twice in one object");
      }
      expect(':', "':' after a key");
      member(key);
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}', "',' or '}' in an object");
      return;
    }
  }

  // [ value, ... ]
  template <class Element>
  void array(const char* what, Element&& element) {
    expect('[', what);
    if (peek() == ']') {
      ++pos_;
      return;
    }
    for (;;) {
      element();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']', "',' or ']' in an array");
      return;
    }
  }

  std::string string(const char* what) {
    expect('"', what);
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("a string that does not end");
      char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) {
        --pos_;
        fail("a control character inside a string");
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) fail("a string that does not end");
      switch (char e = s_[pos_++]) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("a \\u escape of a lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (s_.substr(pos_, 2) != "\\u") fail("a high surrogate not followed by a low one");
            pos_ += 2;
            uint32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("a high surrogate not followed by a low one");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: --pos_; fail(std::string("an unknown escape \\") + e);
      }
    }
  }

  // A non-negative integer that fits 64 bits (what shapes and offsets are).
  uint64_t integer(const char* what) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '-') fail(std::string("a negative number where ") + what + " goes");
    if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') fail(std::string("expected ") + what);
    size_t start = pos_;
    uint64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, uint64_t(s_[pos_] - '0'), &v))
        fail(std::string("a number too large for ") + what);
      ++pos_;
    }
    if (s_[start] == '0' && pos_ - start > 1) {
      pos_ = start;
      fail("a number with a leading zero");
    }
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      fail(std::string("a number that is not an integer where ") + what + " goes");
    return v;
  }

 private:
  uint32_t hex4() {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k, ++pos_) {
      char c = pos_ < s_.size() ? s_[pos_] : '\0';
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) fail("a \\u escape without four hex digits");
      v = v * 16 + uint32_t(d);
    }
    return v;
  }
  std::string_view s_;
  size_t pos_ = 0;
};

DType dtype_named(const std::string& tensor, const std::string& name) {
  for (const DTypeName& d : kDTypes)
    if (name == d.name) return d.dtype;
  std::string read = "F32, F64, F16, BF16, I64, I32, U8 and BOOL are read";
  for (const char* other : kOtherDTypes)
    if (name == other)
      throw HeaderError("tensor " + quoted(tensor) + " has dtype " + name + ", which no tensor type here holds (" + read + ")");
  throw HeaderError("tensor " + quoted(tensor) + " has dtype " + quoted(name) + ", not a safetensors dtype (" + read + ")");
}

SafetensorsEntry read_entry(JsonReader& in, const std::string& name) {
  SafetensorsEntry e;
  e.name = name;
  bool has_dtype = false, has_shape = false, has_offsets = false;
  in.object("an object {\"dtype\", \"shape\", \"data_offsets\"} for a tensor", [&](const std::string& key) {
    if (key == "dtype") {
      e.dtype = dtype_named(name, in.string("a dtype string such as \"F32\""));
      has_dtype = true;
    } else if (key == "shape") {
      in.array("an array of dimensions for \"shape\"", [&] {
        uint64_t d = in.integer("a dimension");
        if (d > uint64_t(INT64_MAX)) in.fail("a dimension too large");
        e.shape.push_back(int64_t(d));
      });
      has_shape = true;
    } else if (key == "data_offsets") {
      std::vector<uint64_t> offsets;
      in.array("an array [begin, end] for \"data_offsets\"", [&] { offsets.push_back(in.integer("an offset")); });
      if (offsets.size() != 2)
        throw HeaderError("tensor " + quoted(name) + " has " + std::to_string(offsets.size()) +
                          " data_offsets, not two (begin and end)");
      e.begin = offsets[0];
      e.end = offsets[1];
      has_offsets = true;
    } else {
      throw HeaderError("tensor " + quoted(name) + " has an unknown field " + quoted(key) +
                        " (an entry has dtype, shape and data_offsets)");
    }
  });
  const char* missing = !has_dtype ? "dtype" : !has_shape ? "shape" : !has_offsets ? "data_offsets" : nullptr;
  if (missing) throw HeaderError("tensor " + quoted(name) + " has no " + missing);
  return e;
}

std::string range_text(uint64_t begin, uint64_t end) { return std::to_string(begin) + ".." + std::to_string(end); }

// Each tensor's bytes agree with its shape and dtype, lie inside the data, and the tensors
// cover the data exactly, without overlap (safetensors' own rules).
void check_layout(std::vector<SafetensorsEntry>& ts, uint64_t data_bytes) {
  for (const SafetensorsEntry& e : ts) {
    if (int(e.shape.size()) > kMaxRank)
      throw HeaderError("tensor " + quoted(e.name) + " has " + std::to_string(e.shape.size()) +
                        " dimensions; tensors here have at most " + std::to_string(kMaxRank));
    uint64_t bytes = dtype_size(e.dtype);
    for (int64_t d : e.shape)
      if (__builtin_mul_overflow(bytes, uint64_t(d), &bytes))
        throw HeaderError("tensor " + quoted(e.name) + " has a shape whose size overflows");
    if (e.end < e.begin)
      throw HeaderError("tensor " + quoted(e.name) + " has data_offsets [" + std::to_string(e.begin) + ", " +
                        std::to_string(e.end) + "] that end before they begin");
    if (e.end - e.begin != bytes)
      throw HeaderError("tensor " + quoted(e.name) + " has data_offsets " + range_text(e.begin, e.end) + " (" +
                        std::to_string(e.end - e.begin) + " bytes) but its shape and dtype need " +
                        std::to_string(bytes) + " bytes");
    if (e.end > data_bytes)
      throw HeaderError("tensor " + quoted(e.name) + " has data_offsets " + range_text(e.begin, e.end) +
                        " past the end of the data (" + std::to_string(data_bytes) + " bytes): the file is cut short");
  }
  std::stable_sort(ts.begin(), ts.end(), [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (ts[i].begin < covered)
      throw HeaderError("tensors " + quoted(ts[i - 1].name) + " (bytes " + range_text(ts[i - 1].begin, ts[i - 1].end) +
                        ") and " + quoted(ts[i].name) + " (bytes " + range_text(ts[i].begin, ts[i].end) + ") overlap");
    if (ts[i].begin > covered)
      throw HeaderError("bytes " + range_text(covered, ts[i].begin) + " of the data belong to no tensor");
    covered = ts[i].end;
  }
  if (covered != data_bytes)
    throw HeaderError(std::to_string(data_bytes - covered) + " bytes after the last tensor's data (the data has " +
                      std::to_string(data_bytes) + " bytes, the tensors cover " + std::to_string(covered) + ")");
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[(c >> 4) & 0xF];
      out += hex[c & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

const char* safetensors_dtype(DType d) {
  for (const DTypeName& n : kDTypes)
    if (n.dtype == d) return n.name;
  return "?";
}

SafetensorsHeader parse_safetensors_header(std::string_view json, uint64_t data_bytes) {
  SafetensorsHeader h;
  JsonReader in(json);
  in.object("'{' at the start of the header", [&](const std::string& key) {
    if (key == "__metadata__")
      in.object("an object of strings for \"__metadata__\"", [&](const std::string& k) {
        h.metadata.emplace_back(k, in.string("a string value in \"__metadata__\""));
      });
    else
      h.tensors.push_back(read_entry(in, key));
  });
  if (!in.at_end()) in.fail("more text after the header's object");
  check_layout(h.tensors, data_bytes);
  return h;
}

std::string format_safetensors_header(SafetensorsHeader& h) {
  std::string out = "{";
  if (!h.metadata.empty()) {
    out += "\"__metadata__\":{";
    for (size_t i = 0; i < h.metadata.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, h.metadata[i].first);
      out += ':';
      append_json_string(out, h.metadata[i].second);
    }
    out += '}';
  }
  uint64_t offset = 0;
  for (SafetensorsEntry& e : h.tensors) {
    uint64_t bytes = dtype_size(e.dtype);
    for (int64_t d : e.shape) bytes *= uint64_t(d);
    e.begin = offset;
    e.end = offset += bytes;
    if (out.size() > 1) out += ',';
    append_json_string(out, e.name);
    out += ":{\"dtype\":\"" + std::string(safetensors_dtype(e.dtype)) + "\",\"shape\":[";
    for (size_t i = 0; i < e.shape.size(); ++i) out += (i ? "," : "") + std::to_string(e.shape[i]);
    out += "],\"data_offsets\":[" + std::to_string(e.begin) + "," + std::to_string(e.end) + "]}";
  }
  out += '}';
  out.append((8 - out.size() % 8) % 8, ' ');
  return out;
}

}  // namespace tsr::jit
