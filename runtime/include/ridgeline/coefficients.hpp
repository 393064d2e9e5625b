#pragma once
// Every runtime coefficient declared once: its name, where it lives, the range a profile,
// calibration or --set may give it, the range the fit searches, its unit and its meaning.
// The runtime parser, --set, the fitter and the calibration reader/writer all read this table.
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ridgeline {

struct RuntimeSpec;
struct RuntimeCoefficients;

struct CoefficientInfo {
  const char* name;
  double RuntimeCoefficients::*member;                         // scalar coefficients
  std::map<std::string, double> RuntimeCoefficients::*family;  // keyed ones ("quant_compute_factor.k")
  double min, max;        // accepted in a profile, a calibration file or --set
  double fit_lo, fit_hi;  // physical range the fit searches
  const char* unit;
  const char* meaning;
  // Its value on datasheet roofs (validate's share of the roofline bound): 1 for an efficiency, 0
  // for an overhead; NaN for a structural or memory coefficient, which the roofline keeps. A keyed
  // family's is also what a key without a value reads (NaN: 1, a factor).
  double roofline = std::numeric_limits<double>::quiet_NaN();
};

const std::vector<CoefficientInfo>& coefficient_table();
// A wrapper's own cost (the `wrapper_` coefficients): 0 in an engine, read under a profile's
// `wrapper:` block, the only ones a wrapper's calibration fits.
bool is_wrapper_coefficient(const CoefficientInfo& c);
// "bandwidth_efficiency" or "quant_compute_factor.k": the declaration, or nullptr.
const CoefficientInfo* find_coefficient(std::string_view name);
// The value behind a (possibly keyed) name in this runtime; keyed entries are created at their
// family's datasheet-roof value (a factor 1, an unpacking cost 0).
double* coefficient_slot(RuntimeSpec& rt, std::string_view name);
std::vector<std::string> coefficient_names();

}  // namespace ridgeline
