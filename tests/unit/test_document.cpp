// The document loader (core/src/document.cpp): libyaml's events -> Node, with the checks the
// readers rely on: null only when written plain, keys in file order, duplicate keys with their
// line, aliases resolved but capped, one document, JSON that libyaml alone would refuse.
#include <gtest/gtest.h>

#include <string>

#include "helpers.hpp"
#include "ridgeline/document.hpp"
#include "ridgeline/strict_reader.hpp"

using namespace ridgeline;
using ridgeline::test::error_of;

namespace {
Node load(const std::string& text) { return load_document_text(text, "f.yaml"); }
std::string load_error(const std::string& text) {
  return error_of([&] { load(text); });
}
}  // namespace

TEST(Document, NullOnlyWhenPlainQuotedNullIsText) {
  const Node d = load("a: ~\nb: null\nc:\nd: \"null\"\ne: ''\nf: NULL\ng: nulls\n");
  for (const char* key : {"a", "b", "c", "f"}) {
    EXPECT_TRUE(d[key].is_null()) << key;
    EXPECT_FALSE(d.has(key)) << key;
  }
  EXPECT_TRUE(d["d"].is_scalar());
  EXPECT_EQ(d["d"].text(), "null");
  EXPECT_TRUE(d["d"].quoted());
  EXPECT_TRUE(d["e"].is_scalar());
  EXPECT_EQ(d["e"].text(), "");
  EXPECT_TRUE(d.has("e"));
  EXPECT_FALSE(d["g"].quoted());
  EXPECT_EQ(d["g"].text(), "nulls");
  EXPECT_EQ(d.find("absent"), nullptr);
  EXPECT_TRUE(d["absent"].is_null());
}

TEST(Document, KeysInFileOrderAndLinesWhereValuesStart) {
  const Node d = load("zeta: 1\nalpha:\n  - 2\n  - \"three\"\nmid: {x: 4}\n");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.entries()[0].key, "zeta");
  EXPECT_EQ(d.entries()[1].key, "alpha");
  EXPECT_EQ(d.entries()[2].key, "mid");
  EXPECT_EQ(d["zeta"].line(), 1);
  EXPECT_EQ(d["alpha"].line(), 3);  // a block sequence starts at its first "-"
  EXPECT_EQ(d["alpha"][1].line(), 4);
  EXPECT_EQ(d["alpha"][1].text(), "three");
  EXPECT_EQ(d["mid"].line(), 5);
}

TEST(Document, NestedFlowInsideBlock) {
  const Node d = load("a:\n  b: [1, {c: [2, 3]}, \"d\"]\n  e: {f: g, h: [[]]}\n");
  EXPECT_EQ(d["a"]["b"].size(), 3u);
  EXPECT_EQ(d["a"]["b"][1]["c"][1].text(), "3");
  EXPECT_TRUE(d["a"]["b"][2].quoted());
  EXPECT_EQ(d["a"]["e"]["f"].text(), "g");
  EXPECT_TRUE(d["a"]["e"]["h"][0].is_sequence());
  EXPECT_EQ(d["a"]["e"]["h"][0].size(), 0u);
}

TEST(Document, DuplicateKeyNamedWithItsLine) {
  EXPECT_EQ(load_error("a: 1\nb:\n  c: 1\n  c: 2\n"), "f.yaml: key 'c' appears twice (line 4)");
  EXPECT_EQ(load_error("{\"a\": 1, \"a\": 2}"), "f.yaml: key 'a' appears twice (line 1)");
  // A map past the searched size keeps a set of its keys: 40 keys, then the 8th again on line 41.
  std::string big;
  for (int i = 0; i < 40; ++i) big += "k" + std::to_string(i) + ": 1\n";
  EXPECT_EQ(load_error(big + "k7: 2\n"), "f.yaml: key 'k7' appears twice (line 41)");
  EXPECT_EQ(load(big).size(), 40u);
}

TEST(Document, AliasesCopyTheirAnchor) {
  const Node d = load("base: &b {x: 1, y: [2, 3]}\ncopy: *b\nname: &n text\nagain: *n\n");
  EXPECT_EQ(d["copy"]["x"].text(), "1");
  EXPECT_EQ(d["copy"]["y"][1].text(), "3");
  EXPECT_EQ(d["again"].text(), "text");
  EXPECT_EQ(load_error("a: *nope\n"), "f.yaml: line 1: alias '*nope' names no anchor completed before it");
  // An anchor is complete only at its end: a list holding itself is refused, not expanded forever.
  EXPECT_EQ(load_error("a: &x [1, *x]\n"), "f.yaml: line 1: alias '*x' names no anchor completed before it");
}

TEST(Document, AliasExpansionIsCapped) {
  // Billion laughs: a0 is a list of 10 scalars (11 values); each a(k) lists 10 aliases of a(k-1),
  // so it holds 10 * values(a(k-1)) + 1. Values in the document: the root map, one key per line,
  // and each line's list.
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  size_t values = 1 + 1 + 11, list = 11;
  int line = 1;
  auto ten_aliases = [](int of) {
    const std::string alias = "*a" + std::to_string(of);
    std::string l = "[" + alias;
    for (int i = 1; i < 10; ++i) l += ", " + alias;
    return l + "]\n";
  };
  while (values + 1 + (10 * list + 1) <= kMaxDocumentNodes) {  // the next line: its key and its list
    const std::string k = std::to_string(line);
    text += "a" + k + ": &a" + k + " " + ten_aliases(line - 1);
    list = 10 * list + 1;
    values += 1 + list;
    ++line;
  }
  // One more such line (line `line + 1`) goes past the cap.
  EXPECT_EQ(load_error(text + "boom: " + ten_aliases(line - 1)),
            "f.yaml: line " + std::to_string(line + 1) + ": more than " + std::to_string(kMaxDocumentNodes) +
                " values (aliases repeating too much?)");
  EXPECT_EQ(load(text).size(), static_cast<size_t>(line));
}

TEST(Document, OneDocumentNestingAndKeysBounded) {
  EXPECT_EQ(load_error("a: 1\n---\nb: 2\n"),
            "f.yaml: line 2: a second document starts here; a file holds one YAML or JSON document");
  EXPECT_EQ(load("---\na: 1\n...\n")["a"].text(), "1");  // markers around one document are fine
  const size_t deep = kMaxDocumentDepth + 1;
  EXPECT_EQ(load_error(std::string(deep, '[') + std::string(deep, ']')),
            "f.yaml: line 1: nested deeper than " + std::to_string(kMaxDocumentDepth) + " levels");
  EXPECT_EQ(load(std::string(kMaxDocumentDepth, '[') + std::string(kMaxDocumentDepth, ']')).size(), 1u);
  EXPECT_EQ(load_error("a: 1\n[x, y]: 2\n"), "f.yaml: line 2: a key that is a list; keys are plain text");
}

TEST(Document, TagsAreIgnoredButATaggedValueIsNeverNull) {
  const Node d = load("a: !!str 5\nb: !custom x\nc: !!str\n");
  EXPECT_EQ(d["a"].text(), "5");
  EXPECT_EQ(d["b"].text(), "x");
  EXPECT_TRUE(d["c"].is_scalar());
  EXPECT_EQ(d["c"].text(), "");
}

TEST(Document, EmptyAndBinaryTexts) {
  for (const char* text : {"", "# a comment only\n", "~\n", "---\n", "  \n\n"})
    EXPECT_EQ(load_error(text), "f.yaml: the file is empty") << text;
  EXPECT_EQ(load_error(std::string("a: 1\n\0", 6)), "f.yaml: binary data, not a YAML or JSON text");
}

TEST(Document, SyntaxErrorsNameTheLine) {
  EXPECT_EQ(load_error("a: 1\nb: 2\nc: d: e\n"),
            "f.yaml: line 3: not valid YAML/JSON: mapping values are not allowed in this context");
  // libyaml marks the end of a text past its last line break; the line named is the last one.
  EXPECT_EQ(load_error("{\"a\": 1"), "f.yaml: line 1: not valid YAML/JSON: did not find expected ',' or '}'");
  EXPECT_EQ(load_error("{\n\"a\": 1,\n\"b\": [1, 2\n"),
            "f.yaml: line 4: not valid YAML/JSON: did not find expected ',' or ']'");
  // A reader error (bad UTF-8) reports a byte offset; the line is counted from it.
  EXPECT_EQ(load_error("a: 1\nb: \xff\n"), "f.yaml: line 2: not valid YAML/JSON: invalid leading UTF-8 octet");
}

// JSON (RFC 8259) that libyaml refuses when given as is: each is rewritten on the same lines.
TEST(Document, JsonWithTabsOutsideTheBrackets) {
  const std::string json = "\t{\n\t\"a\": {\n\t\t\"b\": [1,\t2]\n\t}\n}\n\t\n";
  EXPECT_EQ(load(json)["a"]["b"][1].text(), "2");
  // Lines still count: the duplicate is on line 3.
  EXPECT_EQ(load_error("\t{\n\t\"a\": 1,\n\t\"a\": 2\n}\n\t"), "f.yaml: key 'a' appears twice (line 3)");
}

TEST(Document, JsonSurrogatePairEscape) {
  const Node d = load(R"({"smile": "\ud83d\ude00", "escaped": "\\ud83d\\ude00", "slash": "a\/b"})");
  EXPECT_EQ(d["smile"].text(), "\xF0\x9F\x98\x80");  // U+1F600 in UTF-8
  EXPECT_EQ(d["escaped"].text(), "\\ud83d\\ude00");  // backslashes escaped: no pair to join
  EXPECT_EQ(d["slash"].text(), "a/b");
}

TEST(Document, JsonRawCharactersOutsideYamlsPrintableSet) {
  // DEL, a C1 control (U+0090) and U+FFFF may stand raw in a JSON string.
  const Node d = load("{\"del\": \"x\x7Fy\", \"c1\": \"x\xC2\x90y\", \"ffff\": \"x\xEF\xBF\xBFy\"}");
  EXPECT_EQ(d["del"].text(), "x\x7Fy");
  EXPECT_EQ(d["c1"].text(), "x\xC2\x90y");
  EXPECT_EQ(d["ffff"].text(), "x\xEF\xBF\xBFy");
}

TEST(Document, JsonLongKeyAndLineBreakBeforeColon) {
  const std::string key(2000, 'k');  // libyaml takes an implicit key of at most 1024 characters
  const Node d = load("{\"" + key + "\": 1,\n\"b\"\n: 2}");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.entries()[0].key, key);
  EXPECT_EQ(d[key].text(), "1");
  EXPECT_EQ(d["b"].text(), "2");
  EXPECT_EQ(d["b"].line(), 3);
}

TEST(Document, BuiltInCode) {
  Node m = Node::map();
  m.set("a", Node::scalar("1"));
  m.set("b", Node::scalar("2"));
  m.set("a", Node::scalar("3"));  // replaced in place
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.entries()[0].key, "a");
  EXPECT_EQ(m["a"].text(), "3");
  Node s = Node::sequence();
  s.append(Node::scalar("x"));
  EXPECT_EQ(s[0].text(), "x");
  EXPECT_THROW(s[1], std::out_of_range);
}

// A list of maps: each item read with errors naming it by index, its unasked keys refused; an
// empty list refused where it must hold one; an absent optional list is no items.
TEST(Document, EachMapNamesTheItemAndRefusesUnknownKeys) {
  const Node root = load("rows: [{a: 1}, {a: 2}]\nempty: []\nscalar: 3\nextra: [{a: 1, b: 2}]\n");
  MapReader r(root, "f.yaml");
  std::vector<double> seen;
  r.each_map("rows", [&](MapReader& item) { seen.push_back(item.number("a", 0, 10)); });
  EXPECT_EQ(seen, (std::vector<double>{1, 2}));  // every item, in order
  EXPECT_EQ(error_of([&] { r.each_map("rows", [](MapReader& item) { item.number("a", 2, 10); }); }),
            "f.yaml: rows[0]: a: 1 is out of range (expected 2 to 10)");
  EXPECT_EQ(error_of([&] { r.each_map("extra", [](MapReader& item) { item.number("a", 0, 10); }); }).rfind("f.yaml: extra[0]: ", 0), 0u);
  EXPECT_EQ(error_of([&] { r.each_map("empty", [](MapReader&) {}, MapReader::List::non_empty); }),
            "f.yaml: empty: expected a non-empty list");
  EXPECT_EQ(error_of([&] { r.each_map("scalar", [](MapReader&) {}); }), "f.yaml: scalar: expected a list of maps, got '3'");
  int calls = 0;
  r.each_map("absent", [&](MapReader&) { ++calls; }, MapReader::List::optional);
  r.each_map("empty", [&](MapReader&) { ++calls; });
  EXPECT_EQ(calls, 0);
}

// A key whose text must be one of a list: the value when it is, else one line naming the place,
// the value, every allowed text and the nearest; an absent optional key is no value.
TEST(Document, OneOfNamesTheAllowedTexts) {
  const Node root = load("rule: fixd\nmode: fixed\n");
  MapReader r(root, "f.yaml");
  EXPECT_EQ(r.one_of("mode", {"apple_wired_default", "fraction", "fixed"}, "a limit rule"), "fixed");
  EXPECT_FALSE(r.opt_one_of("absent", {"a", "b"}, "a thing").has_value());
  EXPECT_EQ(error_of([&] { r.one_of("rule", {"apple_wired_default", "fraction", "fixed"}, "a limit rule"); }),
            "f.yaml: rule: 'fixd' is not a limit rule (expected apple_wired_default, fraction or fixed) (did you mean "
            "'fixed'?)");
}
