#pragma once
// Where the built-in data is found at run time (core/src/data_dir.cpp).
#include <string>

namespace ridgeline {

// RIDGELINE_DATA if set, else <prefix>/share/ridgeline beside an installed binary, else the source
// tree the binary was built from. Holds model/catalog, hardware_profiles, runtime/profiles and
// calibrate/calibrations.
std::string data_dir();

}  // namespace ridgeline
