#pragma once
// Numbers as the reports write them: 6 significant digits, the text of printf's "%.6g".

namespace ridgeline {

// Writes v into out (at least 32 chars) and returns the end. Exactly printf's "%.6g" digits.
char* write_g6(double v, char* out);

}  // namespace ridgeline
