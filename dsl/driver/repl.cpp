#include "dsl/driver/repl.hpp"

#include <editline/readline.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "dsl/syntax/lexer.hpp"
#include "dsl/syntax/parser.hpp"
#include "jit/host_target.hpp"
#include "runtime/value_display.hpp"

namespace tsr {

namespace {

// Input the parser reports as ending too early ("..., found end of file") goes on on the next
// line; any other error is the user's to see.
bool incomplete(const std::string& text) {
  syntax::SourceFile file("REPL", text);
  syntax::ParseResult parsed = syntax::parse(file);
  for (const auto& d : parsed.diagnostics)
    if (d.message.ends_with("found end of file")) return true;
  return false;
}

// Julia's REPL shows nothing for input whose last token is `;`.
bool ends_with_semicolon(const std::string& text) {
  syntax::SourceFile file("REPL", text);
  syntax::DiagnosticSink sink;
  std::vector<syntax::Token> tokens = syntax::lex(file, sink);
  for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
    if (it->kind == syntax::TokenKind::EndOfFile || it->kind == syntax::TokenKind::Newline) continue;
    return it->is_op(";");
  }
  return false;
}

std::string history_path() {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) {
    std::filesystem::path dir = std::filesystem::path(state) / "tsr";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    return (dir / "history").string();
  }
  const char* home = std::getenv("HOME");
  return home && *home ? std::string(home) + "/.tsr_history" : "";
}

// Where lines come from: libedit on a terminal, plain reads otherwise.
class LineSource {
 public:
  explicit LineSource(bool terminal) : terminal_(terminal) {
    if (!terminal_) return;
    history_ = history_path();
    using_history();
    if (!history_.empty()) read_history(history_.c_str());
  }
  // After every input, as exit(n) ends the process without unwinding.
  void save() {
    if (terminal_ && !history_.empty()) write_history(history_.c_str());
  }
  std::optional<std::string> next(const char* prompt) {
    if (!terminal_) {
      std::string line;
      if (!std::getline(std::cin, line)) return std::nullopt;
      return line;
    }
    char* raw = readline(prompt);
    if (!raw) return std::nullopt;
    std::string line(raw);
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) add_history(line.c_str());
    return line;
  }

 private:
  bool terminal_;
  std::string history_;
};

int screen_rows(bool terminal) {
  winsize ws{};
  if (terminal && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
  return 24;  // Julia's displaysize when it cannot ask the terminal
}

}  // namespace

int run_repl(Driver& driver) {
  bool terminal = isatty(STDIN_FILENO);
  LineSource lines(terminal);
  if (terminal) {
    const auto& t = jit::host_target();
    std::printf("tsr 0.1.0 (LLVM %s, %s). Ctrl-D exits.\n", t.llvm_version.c_str(), t.cpu.c_str());
  }
  bool failed = false;
  for (int n = 1;; ++n) {
    std::string input;
    bool eof = false;
    // Lines up to a complete input; blank lines before it are skipped.
    while (true) {
      std::optional<std::string> line = lines.next(input.empty() ? "tsr> " : "...> ");
      if (!line) {
        eof = true;
        break;
      }
      if (input.empty() && line->find_first_not_of(" \t\r") == std::string::npos) continue;
      input += *line + "\n";
      if (!incomplete(input)) break;
    }
    if (input.empty()) break;
    lines.save();
    Value last;
    int rc = driver.run_source("REPL[" + std::to_string(n) + "]", input, &last);
    if (rc == 1) driver.report_uncaught();
    failed |= rc != 0;
    if (rc == 0 && last.defined()) {
      driver.runtime().globals().set_global("ans", last);
      bool nothing = last.payload() == Payload::None && last.type() == driver.runtime().types().Nothing;
      if (!nothing && !ends_with_semicolon(input)) {
        std::string text;
        try {
          text = display_value(last, screen_rows(terminal));
        } catch (const Error& e) {  // a user's show method failed
          std::fflush(stdout);
          std::fprintf(stderr, "ERROR: %s\n", e.what());
          failed = true;
        }
        if (!text.empty()) std::printf("%s\n", text.c_str());
      }
    }
    if (terminal) std::printf("\n");
    std::fflush(stdout);
    if (eof) break;
  }
  if (terminal) std::printf("\n");
  return !terminal && failed ? 1 : 0;
}

}  // namespace tsr
