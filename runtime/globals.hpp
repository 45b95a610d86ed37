// Globals: the names of one runtime: its generic functions and global variables.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/method_table.hpp"

namespace tsr {

class Globals {
 public:
  explicit Globals(TypeRegistry& types) : types_(types) {}
  Globals(const Globals&) = delete;
  Globals& operator=(const Globals&) = delete;

  TypeRegistry& types() { return types_; }
  World& world() { return world_; }

  // The generic function of that name, created on first use.
  GenericFunction& function(std::string_view name);
  GenericFunction* find_function(std::string_view name) const;
  std::vector<std::string> function_names() const;

  // Global variables. A `const` global may be set once.
  void set_global(const std::string& name, Value v, bool is_const = false);
  const Value* global(std::string_view name) const;
  bool is_const(std::string_view name) const;
  std::vector<std::string> global_names() const;

 private:
  struct Global {
    Value value;
    bool is_const = false;
  };
  TypeRegistry& types_;
  World world_;
  std::unordered_map<std::string, std::unique_ptr<GenericFunction>> functions_;
  std::unordered_map<std::string, Global> globals_;
};

}  // namespace tsr
