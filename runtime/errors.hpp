// Errors raised by the runtime. User errors say what was expected and what was found; an
// InternalError means a bug in Tessera itself and says so.
#pragma once

#include <stdexcept>
#include <string>

namespace tsr {

// Base of every Tessera error. what() is the whole message, starting with the kind, as Julia
// prints it: "MethodError: no method matching area(::Circle)".
class Error : public std::runtime_error {
 public:
  Error(std::string kind, const std::string& message)
      : std::runtime_error(kind + ": " + message), kind_(std::move(kind)) {}
  const std::string& kind() const { return kind_; }
  // The message without the "Kind: " prefix.
  std::string message() const { return std::string(what()).substr(kind_.size() + 2); }

 private:
  std::string kind_;
};

// No applicable method, or an ambiguous call.
class MethodError : public Error {
 public:
  explicit MethodError(const std::string& m) : Error("MethodError", m) {}
};

// A value or type that is not what was expected: bad type parameters, failed assertions,
// subtyping a final type.
class TypeError : public Error {
 public:
  explicit TypeError(const std::string& m) : Error("TypeError", m) {}
};

// A name that is not defined.
class UndefVarError : public Error {
 public:
  explicit UndefVarError(const std::string& m) : Error("UndefVarError", m) {}
};

// A bad argument to a runtime operation (redefinition with a different shape, for example).
class ArgumentError : public Error {
 public:
  explicit ArgumentError(const std::string& m) : Error("ArgumentError", m) {}
};

// error("msg") and other plain failures.
class ErrorException : public Error {
 public:
  explicit ErrorException(const std::string& m) : Error("ErrorException", m) {}
};

// Julia's DomainError(x, why), which prints "DomainError with <x>:\n<why>": value_text is x
// as shown.
inline Error domain_error_with(const std::string& value_text, const std::string& why) {
  return Error("DomainError", "with " + value_text + ":\n" + why);
}

// A bug in Tessera, never the user's fault.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& m)
      : Error("InternalError", m + " (this is a bug in Tessera; please report it)") {}
};

}  // namespace tsr
