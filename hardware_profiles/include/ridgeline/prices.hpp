#pragma once
// The price catalog: a dated fact table kept apart from the chip profiles. One row per machine
// configuration one can order (machine x chip variant x RAM, with the cheapest storage that allows
// that RAM); each price carries its source, the date it was read and whether the machine is still
// sold new. The default table is hardware_profiles/prices/us.yaml; a user file of the same format
// replaces or adds rows by id.
#include <optional>
#include <string>
#include <vector>

#include "ridgeline/hardware.hpp"

namespace ridgeline {

struct UsedPrice {
  double usd = 0;
  std::string source, read;  // where the typical refurbished/used price comes from, and when
};

struct PriceRow {
  std::string id;        // configuration id: "mac-studio-2025-m4-max-40c-64gb"
  std::string machine;   // "Mac Studio (2025)"
  std::string hardware;  // hardware profile id (chip and GPU-core variant)
  Bytes memory;          // RAM as sold: Apple's "64GB" is 64 GiB of chips
  std::string storage;   // the cheapest storage that allows this RAM, as sold ("512 GB"); "" = none included
  double price_usd = 0;  // US price, new
  std::string source, url, read;  // who states the price, where, and the date it was read (YYYY-MM-DD)
  std::string unverified;  // why the figure is not confirmed by a stored source; "" = confirmed
  bool on_sale = true;
  std::string left_store;  // date the configuration left the store (discontinued rows)
  std::optional<UsedPrice> used;
  std::string origin;  // the file the row came from, for messages
};

// Parses a price file strictly: every bad value is an InputError naming the file, row and key.
// Hardware ids and RAM sizes are checked against `hardware`.
// A price file whose rows name catalog profiles (only the profiles named are parsed).
std::vector<PriceRow> parse_price_file(const std::string& path);
std::vector<PriceRow> parse_price_text(const std::string& text, const std::string& label,
                                       const std::vector<HardwareSpec>& hardware);
// The built-in table, parsed once.
const std::vector<PriceRow>& price_catalog();
// Rows of `extra` replace the rows of `base` with the same id; the others are added.
std::vector<PriceRow> merge_prices(std::vector<PriceRow> base, const std::vector<PriceRow>& extra);
// Sets one row's new price ("--price ID=USD"); InputError with a suggestion for an unknown id.
void override_price(std::vector<PriceRow>& rows, const std::string& id, double usd, const std::string& origin);

}  // namespace ridgeline
