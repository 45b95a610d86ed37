#include "ast_printer.hpp"

#include <fmt/format.h>

namespace tsr::syntax {

namespace {

// Shortest round-trip text, always recognisable as a float ("2.0", not "2").
template <typename Float>
std::string format_float(Float value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

bool has_payload_text(NodeKind kind) {
  switch (kind) {
    case NodeKind::Identifier:
    case NodeKind::Symbol:
    case NodeKind::Operator:
    case NodeKind::BinaryOp:
    case NodeKind::UnaryOp:
    case NodeKind::UpdateAssign:
    case NodeKind::MacroCall:
    case NodeKind::Param:
    case NodeKind::TypeParam:
    case NodeKind::Field:
    case NodeKind::Kwarg: return true;
    default: return false;
  }
}

// The literal value or name a node carries, as printed; empty if none.
std::string payload(const Node& node) {
  switch (node.kind) {
    case NodeKind::Int: return fmt::format("{}", node.int_value);
    case NodeKind::Float64: return format_float(node.float_value);
    case NodeKind::Float32: return format_float(static_cast<float>(node.float_value));
    case NodeKind::Bool: return node.bool_value ? "true" : "false";
    case NodeKind::String: return quote_string(node.text);
    case NodeKind::Char: return quote_string(node.text, '\'');
    default: return has_payload_text(node.kind) ? node.text : std::string();
  }
}

std::string head(const Node& node, bool show_keyword_section = true) {
  std::string text(node.kind == NodeKind::If && node.is_elseif ? "elseif"
                                                               : node_kind_name(node.kind));
  std::string value = payload(node);
  if (!value.empty()) text += " " + value;
  if (node.is_mutable) text += " mutable";
  if (node.is_vararg) text += " vararg";
  if (node.is_keyword_section && show_keyword_section) text += " ;";
  return text;
}

std::string position(const Node& node, const SourceFile& file, const AstPrintOptions& options) {
  std::string text = format_location(file.location(node.span.begin));
  if (options.show_end) {
    text += '-';
    text += format_location(file.location(node.span.end));
  }
  return text;
}

void print_tree(const Node& node, const SourceFile& file, const AstPrintOptions& options,
                int indent, std::string& out) {
  out.append(static_cast<std::size_t>(indent) * 2, ' ');
  if (node.kind == NodeKind::Empty) {
    out += '_';
    return;
  }
  out += '(';
  out += head(node);
  out += ' ';
  out += position(node, file, options);
  for (const NodePtr& child : node.children) {
    out += '\n';
    print_tree(*child, file, options, indent + 1, out);
  }
  out += ')';
}

// Kinds that print as their operator in the compact form: (+ a b), (= x 1).
std::string compact_operator(const Node& node) {
  switch (node.kind) {
    case NodeKind::BinaryOp:
    case NodeKind::UnaryOp:
    case NodeKind::UpdateAssign: return node.text;
    case NodeKind::And:
    case NodeKind::Or:
    case NodeKind::Assign:
    case NodeKind::DotAssign:
    case NodeKind::TypeAssert:
    case NodeKind::Lambda:
    case NodeKind::FieldAccess:
    case NodeKind::Ternary:
    case NodeKind::Splat: return std::string(node_kind_name(node.kind));
    default: return {};
  }
}

void print_compact(const Node& node, std::string& out) {
  if (node.is_keyword_section) out += "(; ";
  switch (node.kind) {
    case NodeKind::Empty: out += '_'; break;
    case NodeKind::Identifier:
    case NodeKind::Operator: out += node.text; break;
    case NodeKind::Int:
    case NodeKind::Float64:
    case NodeKind::Bool:
    case NodeKind::String:
    case NodeKind::Char: out += payload(node); break;
    case NodeKind::Float32: out += payload(node) + "f0"; break;
    case NodeKind::Nothing: out += "nothing"; break;
    case NodeKind::Symbol: out += ":" + node.text; break;
    case NodeKind::Colon: out += ':'; break;
    case NodeKind::IndexEnd: out += "end"; break;
    default: {
      std::string op = compact_operator(node);
      out += '(';
      if (!op.empty()) {
        out += op;
      } else {
        out += head(node, false);  // the `;` flag is printed as the (; ...) wrapper
      }
      for (const NodePtr& child : node.children) {
        out += ' ';
        print_compact(*child, out);
      }
      out += ')';
    }
  }
  if (node.is_keyword_section) out += ')';
}

}  // namespace

std::string print_ast(const Node& node, const SourceFile& file, const AstPrintOptions& options) {
  std::string out;
  print_tree(node, file, options, 0, out);
  out += '\n';
  return out;
}

std::string to_sexpr(const Node& node) {
  std::string out;
  print_compact(node, out);
  return out;
}

std::string quote_string(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      case '$': out += "\\$"; break;
      default:
        if (c == quote) {
          out += '\\';
          out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += quote;
  return out;
}

}  // namespace tsr::syntax
