// An open file as an IOStream value (open(path, mode), jit/builtins_files.cpp): the IO
// writers of builtins_io.cpp hand such a destination to write_file_stream.
#pragma once

#include <cstdio>
#include <span>
#include <string>

#include "runtime/value.hpp"

namespace tsr::jit {

// The IOStream type declares one field, fd (1 and 2 for stdout and stderr); a file's object is
// this subclass, its fd the file's descriptor while open.
struct FileStream : StructObject {
  std::FILE* file = nullptr;  // nullptr once closed
  std::string path;
  bool readable = false, writable = false;
  ~FileStream() override;
};

// The stream of an IOStream value that open made, else nullptr (stdout, stderr, anything else).
FileStream* file_stream(const Value& v);
// Writes text to dest when it is a file stream (true), or returns false; an error when it is
// closed or not open for writing (the MethodError and messages name fname).
bool write_file_stream(const Value& dest, const std::string& text, std::span<const Value> args, const char* fname);
void flush_file_stream(const Value& v);

}  // namespace tsr::jit
