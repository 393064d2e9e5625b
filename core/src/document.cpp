// Loading YAML and JSON into Node with libyaml's event parser: the one file that includes yaml.h.
#include "ridgeline/document.hpp"

#include <yaml.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "ridgeline/error.hpp"
#include "ridgeline/file_read.hpp"

namespace ridgeline {

Node Node::scalar(std::string text, bool quoted, int line) {
  Node n;
  n.kind_ = Kind::scalar;
  n.text_ = std::move(text);
  n.quoted_ = quoted;
  n.line_ = line;
  return n;
}

Node Node::sequence(int line) {
  Node n;
  n.kind_ = Kind::sequence;
  n.line_ = line;
  return n;
}

Node Node::map(int line) {
  Node n;
  n.kind_ = Kind::map;
  n.line_ = line;
  return n;
}

Node Node::null(int line) {
  Node n;
  n.line_ = line;
  return n;
}

const Node* Node::find(std::string_view key) const {
  for (const auto& e : entries_)
    if (e.key == key) return &e.value;
  return nullptr;
}

const Node& Node::operator[](std::string_view key) const {
  static const Node absent;
  const Node* v = find(key);
  return v ? *v : absent;
}

void Node::append(Node item) {
  if (kind_ != Kind::sequence) throw std::logic_error("Node::append on a value that is not a sequence");
  items_.push_back(std::move(item));
}

void Node::set(std::string key, Node value) {
  if (kind_ != Kind::map) throw std::logic_error("Node::set on a value that is not a map");
  for (auto& e : entries_)
    if (e.key == key) {
      e.value = std::move(value);
      return;
    }
  entries_.push_back({std::move(key), std::move(value)});
}

namespace {

// libyaml reads JSON as YAML flow, which refuses a few texts RFC 8259 allows. For a document that
// opens with '{' or '[' this rewrites them, on the same lines (line numbers in errors still hold):
// - tabs before the first or after the last character (YAML allows no tab where a block could
//   start; inside the brackets libyaml accepts them);
// - a surrogate pair escape "\ud83d\ude00", refused by libyaml, as "\U0001f600";
// - DEL and C1 control characters and U+FFFE/U+FFFF written raw inside a string (JSON allows
//   them, YAML's printable set does not) as \u escapes;
// - a key string longer than libyaml's 1024-character limit for implicit keys, or one with a line
//   break before its ':', as an explicit key ("? " before it).
// nullopt when the text needs none of this (the usual case: no copy).
std::optional<std::string> json_for_libyaml(const std::string& text) {
  const bool bom = text.starts_with("\xEF\xBB\xBF");
  const size_t first = text.find_first_not_of(" \t\r\n", bom ? 3 : 0);
  if (first == std::string::npos || (text[first] != '{' && text[first] != '[')) return std::nullopt;
  const size_t last = text.find_last_not_of(" \t\r\n");
  std::string out;
  size_t copied = 0;  // text[0, copied) is in `out`
  auto flush = [&](size_t upto) {
    out.append(text, copied, upto - copied);
    copied = upto;
  };
  auto replace = [&](size_t at, size_t length, const std::string& with) {
    flush(at);
    out += with;
    copied = at + length;
  };
  auto hex4 = [&](size_t at) -> long {
    if (at + 4 > text.size()) return -1;
    long v = 0;
    for (size_t k = at; k < at + 4; ++k) {
      const char c = text[k];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  };
  for (size_t i = 0; i < first; ++i)
    if (text[i] == '\t') replace(i, 1, " ");
  // Implicit keys are limited to 1024 characters; this many bytes is always within that.
  constexpr size_t kLongKeyBytes = 1000;
  for (size_t i = first; i <= last && i < text.size(); ++i) {
    if (text[i] != '"') continue;
    const size_t open = i;
    const size_t open_in_out = out.size() + (open - copied);
    for (++i; i < text.size() && text[i] != '"'; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c == '\\') {
        const long high = text[i + 1] == 'u' ? hex4(i + 2) : -1;
        if (high >= 0xD800 && high <= 0xDBFF && text.compare(i + 6, 2, "\\u") == 0) {  // hex4 read to i + 6
          const long low = hex4(i + 8);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            const long code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            replace(i, 12, fmt::format("\\U{:08x}", code));
            i += 11;
            continue;
          }
        }
        ++i;  // the escaped character, whatever it is
      } else if (c == 0x7F) {
        replace(i, 1, "\\u007f");
      } else if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                 static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
        replace(i, 2, fmt::format("\\u00{:02x}", static_cast<unsigned char>(text[i + 1])));
        ++i;
      } else if (c == 0xEF && text.compare(i + 1, 2, "\xBF\xBE") == 0) {
        replace(i, 3, "\\ufffe");
        i += 2;
      } else if (c == 0xEF && text.compare(i + 1, 2, "\xBF\xBF") == 0) {
        replace(i, 3, "\\uffff");
        i += 2;
      }
    }
    if (i >= text.size()) break;  // never closed: libyaml reports it
    const size_t after = text.find_first_not_of(" \t\r\n", i + 1);
    if (after == std::string::npos || text[after] != ':') continue;
    const bool line_break = text.find('\n', i + 1) < after;
    if (i - open > kLongKeyBytes || line_break) {
      flush(i + 1);
      out.insert(open_in_out, "? ");
    }
  }
  for (size_t i = last + 1; i < text.size(); ++i)
    if (text[i] == '\t') replace(i, 1, " ");
  if (copied == 0 && out.empty()) return std::nullopt;
  flush(text.size());
  return out;
}

std::string kind_text(const Node& n) {
  switch (n.kind()) {
    case Node::Kind::map: return "a map";
    case Node::Kind::sequence: return "a list";
    default: return "a value";
  }
}

// One parser event, deleted on every path out.
struct Event {
  yaml_event_t e{};
  bool live = false;
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event() {
    if (live) yaml_event_delete(&e);
  }
};

int line_of(const yaml_mark_t& m) { return static_cast<int>(std::min<size_t>(m.line, 1'000'000'000)) + 1; }

}  // namespace

// Builds the tree from the events of the first document; a friend of Node.
class DocumentLoader {
 public:
  DocumentLoader(const std::string& text, const std::string& label) : text_(text), label_(label) {
    if (!yaml_parser_initialize(&parser_)) throw InputError("{}: out of memory starting the YAML parser", label);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text_.data()), text_.size());
  }
  ~DocumentLoader() { yaml_parser_delete(&parser_); }
  DocumentLoader(const DocumentLoader&) = delete;
  DocumentLoader& operator=(const DocumentLoader&) = delete;

  Node load() {
    int documents = 0;
    for (;;) {
      Event ev;
      if (!yaml_parser_parse(&parser_, &ev.e)) throw syntax_error();
      ev.live = true;
      const int line = line_of(ev.e.start_mark);
      switch (ev.e.type) {
        case YAML_DOCUMENT_START_EVENT:
          if (++documents > 1)
            throw InputError("{}: line {}: a second document starts here; a file holds one YAML or JSON document",
                             label_, line);
          break;
        case YAML_STREAM_END_EVENT:
          if (!root_ || root_->is_null()) throw InputError("{}: the file is empty", label_);
          return std::move(*root_);
        case YAML_SCALAR_EVENT: scalar(ev.e, line); break;
        case YAML_SEQUENCE_START_EVENT:
          open(Node::sequence(line), ev.e.data.sequence_start.anchor, line);
          break;
        case YAML_MAPPING_START_EVENT:
          open(Node::map(line), ev.e.data.mapping_start.anchor, line);
          break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: close(); break;
        case YAML_ALIAS_EVENT: alias(ev.e, line); break;
        default: break;  // stream start, document end, no event
      }
    }
  }

 private:
  struct Frame {
    Node node;
    std::string anchor;
    size_t count = 1;  // values in this subtree, the node itself included
    std::string key;   // a map's key waiting for its value
    bool has_key = false;
    std::unordered_set<std::string> keys;  // a large map's keys, for the duplicate check
  };

  InputError syntax_error() const {
    if (parser_.error == YAML_MEMORY_ERROR) return InputError("{}: out of memory while parsing", label_);
    size_t line = parser_.problem_mark.line;
    if (parser_.error == YAML_READER_ERROR)  // the reader reports a byte offset, not a line
      line = static_cast<size_t>(std::count(text_.begin(), text_.begin() + static_cast<std::ptrdiff_t>(
                                                std::min(parser_.problem_offset, text_.size())), '\n'));
    // libyaml ends the input with a line break of its own: an error at the end of a text without
    // a final one would name a line past the last.
    line = std::min(line, static_cast<size_t>(std::count(text_.begin(), text_.end(), '\n')));
    return InputError("{}: line {}: not valid YAML/JSON: {}", label_, line + 1,
                      parser_.problem ? parser_.problem : "unknown error");
  }

  void count(size_t values, int line) {
    total_ += values;
    if (total_ > kMaxDocumentNodes)
      throw InputError("{}: line {}: more than {} values (aliases repeating too much?)", label_, line, kMaxDocumentNodes);
  }

  void scalar(const yaml_event_t& e, int line) {
    const auto& s = e.data.scalar;
    std::string text(reinterpret_cast<const char*>(s.value), s.length);
    const bool quoted = s.style != YAML_PLAIN_SCALAR_STYLE;
    // Null as YAML's core schema writes it, and only when plain and untagged.
    const bool null = !quoted && s.plain_implicit &&
                      (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL");
    count(1, line);
    Node n = null ? Node::null(line) : Node::scalar(std::move(text), quoted, line);
    if (s.anchor) anchors_[reinterpret_cast<const char*>(s.anchor)] = {n, 1};
    add(std::move(n), 1, line);
  }

  void open(Node n, const yaml_char_t* anchor, int line) {
    if (stack_.size() >= kMaxDocumentDepth)
      throw InputError("{}: line {}: nested deeper than {} levels", label_, line, kMaxDocumentDepth);
    count(1, line);
    stack_.push_back({std::move(n), anchor ? reinterpret_cast<const char*>(anchor) : "", 1, {}, false, {}});
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (!f.anchor.empty()) anchors_[f.anchor] = {f.node, f.count};
    const int line = f.node.line();
    add(std::move(f.node), f.count, line);
  }

  void alias(const yaml_event_t& e, int line) {
    const std::string name = reinterpret_cast<const char*>(e.data.alias.anchor);
    auto it = anchors_.find(name);
    if (it == anchors_.end())
      throw InputError("{}: line {}: alias '*{}' names no anchor completed before it", label_, line, name);
    count(it->second.second, line);
    add(it->second.first, it->second.second, line);
  }

  // Places a finished value: the root, a sequence's element, a map's key or a map's value.
  void add(Node n, size_t values, int line) {
    if (stack_.empty()) {
      root_ = std::move(n);
      return;
    }
    Frame& f = stack_.back();
    f.count += values;
    if (f.node.kind_ == Node::Kind::sequence) {
      f.node.items_.push_back(std::move(n));
    } else if (f.has_key) {
      f.node.entries_.push_back({std::move(f.key), std::move(n)});
      f.has_key = false;
    } else {
      if (n.is_map() || n.is_sequence())
        throw InputError("{}: line {}: a key that is {}; keys are plain text", label_, line, kind_text(n));
      if (duplicate(f, n.text()))
        throw InputError("{}: key '{}' appears twice (line {})", label_, n.text(), line);
      f.key = std::move(n.text_);
      f.has_key = true;
    }
  }

  // Maps of a few keys are searched; larger ones (safetensors headers) keep a set of their keys.
  static bool duplicate(Frame& f, const std::string& key) {
    const auto& entries = f.node.entries_;
    constexpr size_t kSearched = 16;
    if (entries.size() < kSearched)
      return std::any_of(entries.begin(), entries.end(), [&](const Node::Entry& e) { return e.key == key; });
    if (f.keys.empty())
      for (const auto& e : entries) f.keys.insert(e.key);
    return !f.keys.insert(key).second;
  }

  const std::string& text_;
  const std::string& label_;
  yaml_parser_t parser_{};
  std::vector<Frame> stack_;
  std::optional<Node> root_;
  std::unordered_map<std::string, std::pair<Node, size_t>> anchors_;
  size_t total_ = 0;
};

Node load_document_text(const std::string& text, const std::string& label) {
  if (text.find('\0') != std::string::npos)
    throw InputError("{}: binary data, not a YAML or JSON text", label);
  if (auto rewritten = json_for_libyaml(text)) return DocumentLoader(*rewritten, label).load();
  return DocumentLoader(text, label).load();
}

std::string read_text_file(const std::string& path) {
  return read_file_capped(path, kMaxTextFileBytes, "a YAML, JSON or text file");
}

Node load_document(const std::string& path) { return load_document_text(read_text_file(path), path); }

}  // namespace ridgeline
