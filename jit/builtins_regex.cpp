// Regular expressions for stdlib/Strings.tsr's Regex (r"..." literals): the C++ standard
// library's ECMAScript grammar, which has what scripts use from Julia's PCRE (classes \d \w \s,
// groups, alternation, lazy quantifiers, anchors, lookahead, back-references) but not
// lookbehind, named groups or possessive quantifiers; a pattern that uses them is an
// ArgumentError when the Regex is made, naming the grammar. Flags: i (case-insensitive) and m
// (^ and $ at line breaks); Julia's s and x are errors too. Matching is on bytes, so offsets are
// the byte indices that String indexing takes.
//   __regex_check(pattern, flags): nothing, or the ArgumentError
//   __regex_find(pattern, flags, s, start): nothing, or (first, last, captures, capture_starts),
//     the match's byte range (last = first - 1 for an empty match) found at or after byte
//     `start` (1-based, up to ncodeunits(s) + 1), each capture a String or nothing.
#include <list>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <unordered_map>

#include "jit/builtin_registrar.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit {

namespace {

std::regex::flag_type regex_flags(const std::string& flags) {
  std::regex::flag_type f = std::regex::ECMAScript;
  for (char c : flags) {
    if (c == 'i') f |= std::regex::icase;
    else if (c == 'm') f |= std::regex::multiline;
    else
      throw ArgumentError(std::string("Regex: the flag '") + c +
                          "' is not supported (Tessera's regular expressions take i and m; Julia's s and x are not available)");
  }
  return f;
}

// Compiling a std::regex is slow: the last patterns used are kept, compiled (shared, so that an
// entry another thread evicts stays alive for whoever is matching with it).
std::shared_ptr<const std::regex> compiled(const std::string& pattern, const std::string& flags) {
  static std::mutex lock;
  static std::unordered_map<std::string, std::shared_ptr<const std::regex>> cache;
  static std::list<std::string> order;
  std::string key = flags + '\n' + pattern;
  {
    std::lock_guard<std::mutex> hold(lock);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  std::shared_ptr<const std::regex> re;
  try {
    re = std::make_shared<const std::regex>(pattern, regex_flags(flags));
  } catch (const std::regex_error& e) {
    throw ArgumentError("Regex r\"" + pattern + "\": " + e.what() +
                        " (Tessera's regular expressions use the ECMAScript grammar of C++'s std::regex: no lookbehind, "
                        "named groups or possessive quantifiers)");
  }
  std::lock_guard<std::mutex> hold(lock);
  if (cache.emplace(key, re).second) {
    order.push_back(key);
    if (order.size() > 64) {
      cache.erase(order.front());
      order.pop_front();
    }
  }
  return re;
}

}  // namespace

void register_regex_builtins(Registrar& r) {
  TypeRegistry& t = r.t_;
  const Type* S = t.String;
  r.add("__regex_check", {S, S}, {"pattern", "flags"}, t.Nothing, [&r](std::span<const Value> a) {
    compiled(a[0].as_string(), a[1].as_string());
    return r.nothing();
  });
  r.add("__regex_find", {S, S, S, t.Int64}, {"pattern", "flags", "s", "start"}, nullptr, [&r, &t](std::span<const Value> a) {
    std::shared_ptr<const std::regex> re = compiled(a[0].as_string(), a[1].as_string());
    const std::string& s = a[2].as_string();
    int64_t start = a[3].as_int();
    if (start < 1 || start > int64_t(s.size()) + 1)
      throw Error("BoundsError", "attempt to access " + std::to_string(s.size()) + "-codeunit String at index [" +
                                     std::to_string(start) + "]");
    std::smatch m;
    auto from = s.begin() + (start - 1);
    // Not at the string's start: ^ does not match there, and \b looks at the byte before.
    auto flags = start > 1 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
    if (!std::regex_search(from, s.end(), m, *re, flags)) return r.nothing();
    int64_t first = int64_t(m.position(0)) + start;
    std::vector<Value> caps, starts;
    for (size_t i = 1; i < m.size(); ++i) {
      caps.push_back(m[i].matched ? r.str(m[i].str()) : r.nothing());
      starts.push_back(r.integer(m[i].matched ? int64_t(m.position(i)) + start : 0));
    }
    auto any_vector = [&](std::vector<Value> xs) { return vector_of(t, t.Any, std::move(xs)); };
    std::vector<Value> parts = {r.integer(first), r.integer(first + int64_t(m.length(0)) - 1), any_vector(std::move(caps)),
                                any_vector(std::move(starts))};
    std::vector<const Type*> types;
    for (const Value& p : parts) types.push_back(p.type());
    auto* obj = new StructObject();
    obj->fields = std::move(parts);
    return Value::from_object(t.tuple(types), obj);
  });
}

}  // namespace tsr::jit
