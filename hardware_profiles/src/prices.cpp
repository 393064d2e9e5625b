#include "ridgeline/prices.hpp"

#include <algorithm>
#include <functional>
#include <cctype>

#include "ridgeline/catalog.hpp"
#include "ridgeline/dates.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {

// YYYY-MM-DD with a real month and day: a date read from a page, not a guess at one.
std::string date(MapReader& r, const std::string& key) { return date_text(r.date(key)); }

std::string url(MapReader& r, const std::string& key) {
  const std::string u = r.str(key);
  if (!(u.starts_with("https://") || u.starts_with("http://")) || u.find(' ') != std::string::npos)
    throw InputError("{}: '{}' is not a web address (expected https://...)", r.where(key), u);
  return u;
}

// The profile a row names, or an error naming the row's key with a did-you-mean.
using HardwareLookup = std::function<const HardwareSpec&(const std::string& id, const std::string& where)>;

PriceRow parse_row(MapReader& m, const HardwareLookup& lookup) {
  PriceRow p;
  p.id = m.str("id");
  for (char c : p.id)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
      throw InputError("{}: '{}' is not a configuration id (expected lower-case letters, digits, '-' and '.')",
                       m.where("id"), p.id);
  p.machine = m.str("machine");
  p.hardware = m.str("hardware");
  const HardwareSpec* hw = &lookup(p.hardware, m.where("hardware"));
  p.memory = parse_bytes(m.str("memory"), m.where("memory"));
  const auto& sizes = hw->memory_sizes.value;
  if (std::find(sizes.begin(), sizes.end(), p.memory) == sizes.end()) {
    std::string list;
    for (auto b : sizes) list += (list.empty() ? "" : ", ") + format_gib(b);
    throw InputError("{}: {} is not a size {} is sold with (expected one of {})", m.where("memory"), format_gib(p.memory),
                     p.hardware, list);
  }
  if (auto storage = m.opt_str("storage")) {
    parse_bytes(*storage, m.where("storage"));  // checked, kept as sold
    p.storage = *storage;
  }
  p.price_usd = m.number("price_usd", 1, 1e7);
  p.source = m.str("source");
  p.url = url(m, "url");
  p.read = date(m, "read");
  p.on_sale = m.one_of("status", {"on-sale", "discontinued"}, "a status") == "on-sale";
  if (!p.on_sale) p.left_store = date(m, "left_store");
  else if (m.has("left_store")) throw InputError("{}: an on-sale row has no date it left the store", m.where("left_store"));
  p.unverified = m.opt_str("unverified").value_or("");
  if (auto u = m.opt_map("used")) {
    UsedPrice used;
    used.usd = u->number("usd", 1, 1e7);
    used.source = u->str("source");
    used.read = date(*u, "read");
    u->finish();
    p.used = used;
  }
  m.finish();
  return p;
}


std::vector<PriceRow> parse_rows(const std::string& text, const std::string& label, const HardwareLookup& lookup) {
  const Node doc = load_document_text(text, label);
  MapReader root(doc, label);
  std::vector<PriceRow> rows;
  root.each_map("prices", [&](MapReader& m) {
    PriceRow p = parse_row(m, lookup);
    p.origin = label;
    if (std::any_of(rows.begin(), rows.end(), [&](const PriceRow& r) { return r.id == p.id; }))
      throw InputError("{}: '{}' appears twice", m.where("id"), p.id);
    rows.push_back(std::move(p));
  }, MapReader::List::non_empty);
  root.finish();
  return rows;
}

// Only the profiles the rows name are parsed (each once, by the catalog), not all of them: a
// price file names about half the chips, and parsing every profile was a third of `buy`.
const HardwareSpec& from_catalog(const std::string& id, const std::string& where) {
  const HardwareHeader& h = find_or_suggest(hardware_headers(), id, &HardwareHeader::id, where + ": '{}' is not a hardware profile");
  return *catalog_hardware(h.id);  // a header is a profile file, so it parses (or throws naming it)
}

}  // namespace

std::vector<PriceRow> parse_price_text(const std::string& text, const std::string& label,
                                       const std::vector<HardwareSpec>& hardware) {
  return parse_rows(text, label, [&](const std::string& id, const std::string& where) -> const HardwareSpec& {
    return find_or_suggest(hardware, id, &HardwareSpec::id, where + ": '{}' is not a hardware profile");
  });
}

std::vector<PriceRow> parse_price_file(const std::string& path) {
  return parse_rows(read_text_file(path), path, from_catalog);
}

const std::vector<PriceRow>& price_catalog() {
  static const std::vector<PriceRow> rows = parse_price_file(data_dir() + "/hardware_profiles/prices/us.yaml");
  return rows;
}

std::vector<PriceRow> merge_prices(std::vector<PriceRow> base, const std::vector<PriceRow>& extra) {
  for (const auto& e : extra) {
    auto it = std::find_if(base.begin(), base.end(), [&](const PriceRow& r) { return r.id == e.id; });
    if (it != base.end()) *it = e;
    else base.push_back(e);
  }
  return base;
}

void override_price(std::vector<PriceRow>& rows, const std::string& id, double usd, const std::string& origin) {
  PriceRow& r = find_or_suggest(rows, id, &PriceRow::id, "price: '{}' is not a configuration id in the price table",
                                "; `ridgeline list hardware --prices` shows them");
  r.price_usd = usd;
  r.source = origin;
  r.url = "";
  r.read = "";
  r.origin = origin;
}

}  // namespace ridgeline
