// replace_file_atomically (atomic_file.hpp): see there for why each step is needed.
#include "jit/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/errors.hpp"

namespace tsr::jit {

void system_error(const std::string& doing, int err) {
  throw Error("SystemError", doing + ": " + std::strerror(err));
}

namespace {

// `doing` names the save and the temporary file in the error (a full disk: ENOSPC).
void write_all(int fd, const char* data, size_t n, const std::string& doing) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, std::min<size_t>(n, size_t(1) << 30));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) system_error(doing, errno);
    data += w;
    n -= size_t(w);
  }
}

}  // namespace

void replace_file_atomically(const std::string& path, const char* who, const std::vector<std::span<const char>>& pieces) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) throw ArgumentError(std::string(who) + ": \"" + path + "\" names a folder, not a file");
  std::string tmp = (dir == "/" ? "" : dir) + "/." + base + ".tmp.XXXXXX";
  Fd f;
  f.fd = ::mkstemp(tmp.data());
  if (f.fd < 0) system_error("saving \"" + path + "\": creating a temporary file in \"" + dir + "\"", errno);
  try {
    mode_t mask = ::umask(0);  // mkstemp makes the file 0600; the file gets the usual 0666 & ~umask
    ::umask(mask);
    ::fchmod(f.fd, 0666 & ~mask);
    std::string doing = "saving \"" + path + "\": writing \"" + tmp + "\"";
    for (std::span<const char> p : pieces) write_all(f.fd, p.data(), p.size(), doing);
    if (::fsync(f.fd) != 0) system_error("saving \"" + path + "\": fsync of \"" + tmp + "\"", errno);
    int fd = f.fd;
    f.fd = -1;
    if (::close(fd) != 0) system_error("saving \"" + path + "\": closing \"" + tmp + "\"", errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      system_error("saving \"" + path + "\": renaming \"" + tmp + "\" over it", errno);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  Fd d;
  d.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  // Some file systems cannot fsync a folder (EINVAL); the rename is then as durable as they allow.
  if (d.fd < 0 || (::fsync(d.fd) != 0 && errno != EINVAL))
    system_error("saving \"" + path + "\": fsync of the folder \"" + dir + "\"", errno);
}

}  // namespace tsr::jit
