#pragma once
// The project's own document tree: what every YAML and JSON input is read into. Loading (the YAML
// library's parser events -> Node) happens in core/src/document.cpp and nowhere else, so no other
// file sees the YAML library.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ridgeline {

// One value of a document: null, a scalar (its text), a sequence or a map (keys in file order).
class Node {
 public:
  enum class Kind : unsigned char { null, scalar, sequence, map };
  struct Entry;

  Node() = default;  // null
  static Node scalar(std::string text, bool quoted = false, int line = 0);
  static Node sequence(int line = 0);
  static Node map(int line = 0);
  static Node null(int line);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_scalar() const { return kind_ == Kind::scalar; }
  bool is_sequence() const { return kind_ == Kind::sequence; }
  bool is_map() const { return kind_ == Kind::map; }
  // A scalar's text as written, escapes resolved; empty for the other kinds.
  const std::string& text() const { return text_; }
  // Written in quotes (or as a block scalar): a quoted "null" or "" is text, a plain one is null.
  bool quoted() const { return quoted_; }
  // The 1-based line the value starts on; 0 for a node made in code.
  int line() const { return line_; }

  // A sequence's elements; empty for the other kinds.
  const std::vector<Node>& items() const { return items_; }
  // A map's key/value pairs in file order; empty for the other kinds.
  inline const std::vector<Entry>& entries() const;
  // Elements of a sequence or entries of a map; 0 for a scalar or null.
  inline std::size_t size() const;
  // The i-th element of a sequence (std::out_of_range past its end).
  const Node& operator[](std::size_t i) const { return items_.at(i); }
  // The value under `key`; nullptr when absent or when this is not a map.
  const Node* find(std::string_view key) const;
  // The value under `key`, or a null node when absent or when this is not a map.
  const Node& operator[](std::string_view key) const;
  // `key` is present with a value other than null.
  bool has(std::string_view key) const {
    const Node* v = find(key);
    return v && !v->is_null();
  }

  // Building (the loader; defaults added in code). append: a sequence's next element.
  void append(Node item);
  // A map's value under `key`, replaced when present, else added at the end.
  void set(std::string key, Node value);

 private:
  friend class DocumentLoader;  // core/src/document.cpp builds nodes in place
  std::string text_;
  std::vector<Node> items_;
  std::vector<Entry> entries_;
  int line_ = 0;
  Kind kind_ = Kind::null;
  bool quoted_ = false;
};

struct Node::Entry {
  std::string key;
  Node value;
};

const std::vector<Node::Entry>& Node::entries() const { return entries_; }
std::size_t Node::size() const { return kind_ == Kind::map ? entries_.size() : items_.size(); }

// Aliases may copy what an anchor names; a document is refused beyond this many values in total
// (the largest real input, a safetensors header of a few thousand tensors, has under 100,000).
constexpr std::size_t kMaxDocumentNodes = 2'000'000;
// Deeper nesting is refused (real inputs nest fewer than 10 levels).
constexpr std::size_t kMaxDocumentDepth = 512;

// The first and only document of a YAML or JSON text (a second document is refused). Syntax
// errors, binary data, an empty document, duplicate keys and too many values become an InputError
// naming `label` and the line.
Node load_document_text(const std::string& text, const std::string& label);
// The same for a file (regular files only, size capped).
Node load_document(const std::string& path);
// The whole file as text; InputError naming the file when it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace ridgeline
