// Damages compile-cache entries so that they still pass the cache's own checks (magic word,
// key, length and checksum are rewritten to match): what an entry that fails only when loaded
// looks like. Used by cache_faults.sh.
//   cache_inject truncate ENTRY     the object cut to half its length
//   cache_inject badelf ENTRY       the object's ELF header overwritten
//   cache_inject garbage ENTRY      the object's section table overwritten with bytes
//   cache_inject swap ENTRY1 ENTRY2 each entry's object filed under the other's key
#include <cstdio>
#include <string>

#include "jit/compile_cache.hpp"

using tsr::jit::read_cache_file;
using tsr::jit::write_cache_file;

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  std::string mode = argv[1];
  auto a = read_cache_file(argv[2]);
  if (!a) return std::fprintf(stderr, "cache_inject: %s is not a valid entry\n", argv[2]), 1;
  if (mode == "truncate") {
    write_cache_file(argv[2], a->substr(0, a->size() / 2));
  } else if (mode == "badelf") {
    a->replace(0, std::min<size_t>(64, a->size()), std::string(std::min<size_t>(64, a->size()), '\x5a'));
    write_cache_file(argv[2], *a);
  } else if (mode == "garbage") {
    // e_shoff (offset 0x28) says where the section headers are: fill them with junk.
    for (size_t i = a->size() / 2; i < a->size(); ++i) (*a)[i] = static_cast<char>(i * 131 + 7);
    write_cache_file(argv[2], *a);
  } else if (mode == "swap" && argc == 4) {
    auto b = read_cache_file(argv[3]);
    if (!b) return std::fprintf(stderr, "cache_inject: %s is not a valid entry\n", argv[3]), 1;
    write_cache_file(argv[2], *b);
    write_cache_file(argv[3], *a);
  } else {
    return 2;
  }
  return 0;
}
