// The query filter's lexer and recursive-descent parser (grammar in
// docs/query-language.md). Each error names the 1-based position of the
// token where it was found.
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "common/time_format.h"
#include "querylang/ast.h"
#include "querylang/query_filter.h"

namespace spoor::querylang {
namespace {

enum class Tok {
  kEnd,
  kLBrace,
  kRBrace,
  kLParen,
  kRParen,
  kAnd,
  kOr,
  kNot,
  kEq,
  kNe,
  kRegex,
  kNotRegex,
  kLt,
  kLe,
  kGt,
  kGe,
  kDescendant,
  kPipe,
  kIdent,
  kString,
  kNumber,
};

struct Token {
  Tok type = Tok::kEnd;
  size_t pos = 0;    // 0-based byte offset
  std::string text;  // the identifier, the string's value, the number as written
};

// Nested parentheses and braces allowed (the parser recurses).
constexpr int kMaxDepth = 64;

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // All tokens, ending with kEnd; false with `error` set on a bad character.
  bool Run(std::vector<Token>* out, std::string* error) {
    while (true) {
      while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
      Token t;
      t.pos = i_;
      if (i_ == s_.size()) {
        out->push_back(t);
        return true;
      }
      char c = s_[i_];
      auto two = [&](char next) { return i_ + 1 < s_.size() && s_[i_ + 1] == next; };
      auto op = [&](Tok type, size_t len) {
        t.type = type;
        t.text = std::string(s_.substr(i_, len));
        i_ += len;
      };
      if (c == '{')
        op(Tok::kLBrace, 1);
      else if (c == '}')
        op(Tok::kRBrace, 1);
      else if (c == '(')
        op(Tok::kLParen, 1);
      else if (c == ')')
        op(Tok::kRParen, 1);
      else if (c == '&' && two('&'))
        op(Tok::kAnd, 2);
      else if (c == '|' && two('|'))
        op(Tok::kOr, 2);
      else if (c == '|')
        op(Tok::kPipe, 1);
      else if (c == '!' && two('='))
        op(Tok::kNe, 2);
      else if (c == '!' && two('~'))
        op(Tok::kNotRegex, 2);
      else if (c == '!')
        op(Tok::kNot, 1);
      else if (c == '=' && two('~'))
        op(Tok::kRegex, 2);
      else if (c == '=')
        op(Tok::kEq, 1);
      else if (c == '<' && two('='))
        op(Tok::kLe, 2);
      else if (c == '<')
        op(Tok::kLt, 1);
      else if (c == '>' && two('>'))
        op(Tok::kDescendant, 2);
      else if (c == '>' && two('='))
        op(Tok::kGe, 2);
      else if (c == '>')
        op(Tok::kGt, 1);
      else if (c == '"') {
        t.type = Tok::kString;
        if (!ReadString(&t.text, error)) return false;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '-' && i_ + 1 < s_.size() &&
                  std::isdigit(static_cast<unsigned char>(s_[i_ + 1])))) {
        t.type = Tok::kNumber;
        size_t start = i_++;
        // Digits, a fraction, and duration units (1.5s, 1m30s, 300µs).
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) ||
                                  s_[i_] == '.' || static_cast<unsigned char>(s_[i_]) >= 0x80)) {
          ++i_;
        }
        t.text = std::string(s_.substr(start, i_ - start));
      } else if (IdentStart(c)) {
        t.type = Tok::kIdent;
        while (i_ < s_.size()) {
          if (IdentChar(s_[i_])) {
            t.text.push_back(s_[i_++]);
          } else if (s_[i_] == '"' && !t.text.empty() && t.text.back() == '.') {
            // span."an attribute with spaces"
            std::string quoted;
            if (!ReadString(&quoted, error)) return false;
            t.text += quoted;
          } else {
            break;
          }
        }
      } else {
        // The whole character, when it is more than one byte of UTF-8.
        size_t len = 1;
        while (i_ + len < s_.size() && len < 4 &&
               (static_cast<unsigned char>(s_[i_ + len]) & 0xC0) == 0x80) {
          ++len;
        }
        *error = At(s_, i_, "unexpected character '" + std::string(s_.substr(i_, len)) + "'");
        return false;
      }
      out->push_back(std::move(t));
    }
  }

  // "at N: what", N the 1-based position of byte `pos` of `text` in
  // characters (UTF-8 sequences count once).
  static std::string At(std::string_view text, size_t pos, const std::string& what) {
    size_t characters = 1;
    for (size_t i = 0; i < pos && i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++characters;
    }
    return "at " + std::to_string(characters) + ": " + what;
  }

 private:
  static bool IdentStart(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  }
  static bool IdentChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
           c == '/' || c == ':';
  }

  // A double-quoted string with \" \\ \n \t escapes, from s_[i_] == '"'.
  bool ReadString(std::string* out, std::string* error) {
    size_t start = i_++;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
        char e = s_[i_ + 1];
        out->push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
        i_ += 2;
      } else {
        out->push_back(s_[i_++]);
      }
    }
    if (i_ == s_.size()) {
      *error = At(s_, start, "the string is not closed with '\"'");
      return false;
    }
    ++i_;
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens) : text_(text), t_(std::move(tokens)) {}

  Result<std::unique_ptr<Pipeline>> Run() {
    auto p = ParsePipeline();
    if (!ok()) return InvalidArgument(error_);
    if (Peek().type != Tok::kEnd) {
      Fail(Peek(), "unexpected " + Describe(Peek()) + " after the end of the query");
      return InvalidArgument(error_);
    }
    return p;
  }

 private:
  [[nodiscard]] bool ok() const { return error_.empty(); }
  const Token& Peek() const { return t_[i_]; }
  const Token& Next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
  void Fail(const Token& at, const std::string& what) {
    if (ok()) error_ = Lexer::At(text_, at.pos, what);
  }
  static std::string Describe(const Token& t) {
    if (t.type == Tok::kEnd) return "the end of the query";
    if (t.type == Tok::kString) return "\"" + t.text + "\"";
    return "'" + t.text + "'";
  }
  bool Expect(Tok type, const char* what) {
    if (Peek().type == type) {
      Next();
      return true;
    }
    Fail(Peek(), std::string("expected ") + what + ", found " + Describe(Peek()));
    return false;
  }
  struct Depth {
    Parser& p;
    explicit Depth(Parser& parser) : p(parser) {
      if (++p.depth_ > kMaxDepth) p.Fail(p.Peek(), "the query nests too deeply");
    }
    ~Depth() { --p.depth_; }
  };

  std::unique_ptr<Pipeline> ParsePipeline() {
    auto p = std::make_unique<Pipeline>();
    p->set = ParseSetOr();
    while (ok() && Peek().type == Tok::kPipe) {
      Next();
      const Token& fn = Peek();
      if (fn.type != Tok::kIdent || fn.text != "count") {
        Fail(fn, "expected count() after '|', found " + Describe(fn));
        return p;
      }
      Next();
      if (!Expect(Tok::kLParen, "'('") || !Expect(Tok::kRParen, "')'")) return p;
      CountStage stage;
      const Token& op = Peek();
      if (!CompareOpOf(op.type, &stage.op) || stage.op == CompareOp::kRegex ||
          stage.op == CompareOp::kNotRegex) {
        Fail(op,
             "expected a comparison (=, !=, <, <=, >, >=) after count(), found " + Describe(op));
        return p;
      }
      Next();
      const Token& n = Peek();
      auto count = n.type == Tok::kNumber ? ParseInt64(n.text) : std::nullopt;
      if (!count) {
        Fail(n, "expected a whole number after count() " + op.text + ", found " + Describe(n));
        return p;
      }
      stage.count = *count;
      Next();
      p->stages.push_back(stage);
    }
    return p;
  }

  std::unique_ptr<SetExpr> Binary(SetExpr::Type type, std::unique_ptr<SetExpr> lhs,
                                  std::unique_ptr<SetExpr> rhs) {
    auto e = std::make_unique<SetExpr>();
    e->type = type;
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    return e;
  }

  std::unique_ptr<SetExpr> ParseSetOr() {
    auto lhs = ParseSetAnd();
    while (ok() && Peek().type == Tok::kOr) {
      Next();
      lhs = Binary(SetExpr::Type::kOr, std::move(lhs), ParseSetAnd());
    }
    return lhs;
  }

  std::unique_ptr<SetExpr> ParseSetAnd() {
    auto lhs = ParseSetStructure();
    while (ok() && Peek().type == Tok::kAnd) {
      Next();
      lhs = Binary(SetExpr::Type::kAnd, std::move(lhs), ParseSetStructure());
    }
    return lhs;
  }

  std::unique_ptr<SetExpr> ParseSetStructure() {
    auto lhs = ParseSetPrimary();
    while (ok() && (Peek().type == Tok::kGt || Peek().type == Tok::kDescendant)) {
      auto type = Next().type == Tok::kGt ? SetExpr::Type::kChild : SetExpr::Type::kDescendant;
      lhs = Binary(type, std::move(lhs), ParseSetPrimary());
    }
    return lhs;
  }

  std::unique_ptr<SetExpr> ParseSetPrimary() {
    Depth depth(*this);
    auto e = std::make_unique<SetExpr>();
    if (!ok()) return e;
    if (Peek().type == Tok::kLParen) {
      Next();
      e->type = SetExpr::Type::kPipeline;
      e->pipeline = ParsePipeline();
      Expect(Tok::kRParen, "')'");
      return e;
    }
    if (!Expect(Tok::kLBrace, "'{' (a span selector) or '('")) return e;
    if (Peek().type == Tok::kRBrace) {
      e->condition = std::make_unique<SpanExpr>();  // { }: every span
    } else {
      e->condition = ParseSpanOr();
    }
    Expect(Tok::kRBrace, "'}' or && or ||");
    return e;
  }

  std::unique_ptr<SpanExpr> Logical(SpanExpr::Type type, std::unique_ptr<SpanExpr> lhs,
                                    std::unique_ptr<SpanExpr> rhs) {
    auto e = std::make_unique<SpanExpr>();
    e->type = type;
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    return e;
  }

  std::unique_ptr<SpanExpr> ParseSpanOr() {
    auto lhs = ParseSpanAnd();
    while (ok() && Peek().type == Tok::kOr) {
      Next();
      lhs = Logical(SpanExpr::Type::kOr, std::move(lhs), ParseSpanAnd());
    }
    return lhs;
  }

  std::unique_ptr<SpanExpr> ParseSpanAnd() {
    auto lhs = ParseSpanUnary();
    while (ok() && Peek().type == Tok::kAnd) {
      Next();
      lhs = Logical(SpanExpr::Type::kAnd, std::move(lhs), ParseSpanUnary());
    }
    return lhs;
  }

  std::unique_ptr<SpanExpr> ParseSpanUnary() {
    Depth depth(*this);
    if (!ok()) return std::make_unique<SpanExpr>();
    if (Peek().type == Tok::kNot) {
      Next();
      return Logical(SpanExpr::Type::kNot, ParseSpanUnary(), nullptr);
    }
    if (Peek().type == Tok::kLParen) {
      Next();
      auto inner = ParseSpanOr();
      Expect(Tok::kRParen, "')'");
      return inner;
    }
    return ParseComparison();
  }

  static bool CompareOpOf(Tok t, CompareOp* op) {
    switch (t) {
      case Tok::kEq: *op = CompareOp::kEq; return true;
      case Tok::kNe: *op = CompareOp::kNe; return true;
      case Tok::kRegex: *op = CompareOp::kRegex; return true;
      case Tok::kNotRegex: *op = CompareOp::kNotRegex; return true;
      case Tok::kLt: *op = CompareOp::kLt; return true;
      case Tok::kLe: *op = CompareOp::kLe; return true;
      case Tok::kGt: *op = CompareOp::kGt; return true;
      case Tok::kGe: *op = CompareOp::kGe; return true;
      default: return false;
    }
  }

  bool FieldOf(const Token& t, Field* f) {
    static const std::pair<std::string_view, FieldKind> kIntrinsics[] = {
        {"name", FieldKind::kName},
        {"status", FieldKind::kStatus},
        {"statusMessage", FieldKind::kStatusMessage},
        {"kind", FieldKind::kKind},
        {"duration", FieldKind::kDuration},
        {"traceDuration", FieldKind::kTraceDuration},
        {"rootServiceName", FieldKind::kRootServiceName},
        {"rootName", FieldKind::kRootName},
    };
    for (const auto& [name, kind] : kIntrinsics) {
      if (t.text == name) {
        f->kind = kind;
        return true;
      }
    }
    for (const auto& [prefix, kind] :
         {std::pair{std::string_view("span."), FieldKind::kSpanAttribute},
          std::pair{std::string_view("resource."), FieldKind::kResourceAttribute},
          std::pair{std::string_view("."), FieldKind::kAnyAttribute}}) {
      if (StartsWith(t.text, prefix) && t.text.size() > prefix.size()) {
        f->kind = kind;
        f->key = t.text.substr(prefix.size());
        return true;
      }
    }
    Fail(t, "unknown field '" + t.text +
                "': an intrinsic (name, status, kind, duration, statusMessage, traceDuration, "
                "rootServiceName, rootName) or an attribute (span." +
                t.text + ", resource." + t.text + ", ." + t.text + ")");
    return false;
  }

  std::unique_ptr<SpanExpr> ParseComparison() {
    auto e = std::make_unique<SpanExpr>();
    e->type = SpanExpr::Type::kCompare;
    const Token& field = Peek();
    if (field.type != Tok::kIdent) {
      Fail(field,
           "expected a field (name, duration, span.<attribute>, ...), found " + Describe(field));
      return e;
    }
    if (!FieldOf(field, &e->field)) return e;
    Next();
    const Token& op = Peek();
    if (!CompareOpOf(op.type, &e->op)) {
      Fail(op, "expected a comparison (=, !=, =~, !~, <, <=, >, >=) after '" + field.text +
                   "', found " + Describe(op));
      return e;
    }
    Next();
    const Token& value = Peek();
    if (!ParseValue(value, e->field, e->op, &e->value)) return e;
    Next();
    return e;
  }

  bool ParseValue(const Token& v, const Field& field, CompareOp op, Literal* out) {
    const bool ordering = op == CompareOp::kLt || op == CompareOp::kLe || op == CompareOp::kGt ||
                          op == CompareOp::kGe;
    const bool regex = op == CompareOp::kRegex || op == CompareOp::kNotRegex;
    auto fail = [&](const std::string& what) {
      Fail(v, what + ", found " + Describe(v));
      return false;
    };
    switch (field.kind) {
      case FieldKind::kStatus:
        if (op != CompareOp::kEq && op != CompareOp::kNe) return fail("status takes = or !=");
        out->type = Literal::Type::kStatus;
        if (v.type == Tok::kIdent && v.text == "error")
          out->status = SpanStatusCode::kError;
        else if (v.type == Tok::kIdent && v.text == "ok")
          out->status = SpanStatusCode::kOk;
        else if (v.type == Tok::kIdent && v.text == "unset")
          out->status = SpanStatusCode::kUnset;
        else
          return fail("expected error, ok or unset");
        return true;
      case FieldKind::kKind:
        if (op != CompareOp::kEq && op != CompareOp::kNe) return fail("kind takes = or !=");
        out->type = Literal::Type::kKind;
        if (v.type != Tok::kIdent ||
            !(v.text == "unspecified" ? (out->kind = SpanKind::kUnspecified, true)
                                      : ParseSpanKind(v.text, &out->kind))) {
          return fail("expected server, client, producer, consumer, internal or unspecified");
        }
        return true;
      case FieldKind::kDuration:
      case FieldKind::kTraceDuration:
        if (regex) return fail("durations take =, !=, <, <=, > or >=, not a regular expression");
        out->type = Literal::Type::kDuration;
        if (auto ns = v.type == Tok::kNumber ? ParseGoDuration(v.text) : std::nullopt) {
          out->int_value = *ns;
          return true;
        }
        return fail("expected a duration with its unit (300ms, 1.5s, 2m)");
      case FieldKind::kName:
      case FieldKind::kStatusMessage:
      case FieldKind::kRootServiceName:
      case FieldKind::kRootName:
        if (ordering) return fail("text takes =, !=, =~ or !~");
        if (v.type != Tok::kString) return fail("expected a string in double quotes");
        return StringLiteral(v, regex, out);
      case FieldKind::kSpanAttribute:
      case FieldKind::kResourceAttribute:
      case FieldKind::kAnyAttribute: break;
    }
    if (v.type == Tok::kString) {
      if (ordering) return fail("<, <=, > and >= compare numbers");
      return StringLiteral(v, regex, out);
    }
    if (regex) return fail("=~ and !~ take a regular expression in double quotes");
    if (v.type == Tok::kIdent && (v.text == "true" || v.text == "false")) {
      if (ordering) return fail("<, <=, > and >= compare numbers");
      out->type = Literal::Type::kBool;
      out->bool_value = v.text == "true";
      return true;
    }
    if (v.type == Tok::kNumber) {
      if (auto i = ParseInt64(v.text)) {
        out->type = Literal::Type::kInt;
        out->int_value = *i;
        out->double_value = static_cast<double>(*i);
        return true;
      }
      if (auto d = ParseDouble(v.text)) {
        out->type = Literal::Type::kDouble;
        out->double_value = *d;
        return true;
      }
      return fail(
          "attributes compare with a number, a string, true or false; durations are "
          "for duration and traceDuration");
    }
    return fail("expected a value (a string in double quotes, a number, true or false)");
  }

  bool StringLiteral(const Token& v, bool regex, Literal* out) {
    out->type = Literal::Type::kString;
    out->string = v.text;
    if (!regex) return true;
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_shared<const RE2>(v.text, options);
    if (!re->ok()) {
      Fail(v, "invalid regular expression: " + re->error());
      return false;
    }
    out->regex = std::move(re);
    return true;
  }

  std::string_view text_;
  std::vector<Token> t_;
  size_t i_ = 0;
  int depth_ = 0;
  std::string error_;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> ParseFilter(std::string_view text) {
  if (text.size() > QueryFilter::kMaxLength) {
    return InvalidArgument("the query is longer than " + std::to_string(QueryFilter::kMaxLength) +
                           " characters");
  }
  std::vector<Token> tokens;
  std::string error;
  if (!Lexer(text).Run(&tokens, &error)) return InvalidArgument(error);
  return Parser(text, std::move(tokens)).Run();
}

}  // namespace spoor::querylang
