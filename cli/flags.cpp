// Library errors name the field at fault ("prompt", "model", "set.bandwidth"); the command line
// says the flag that sets it. This is the one place that knows which flag sets which field.
#include <map>

#include "commands.hpp"

namespace ridgeline::cli {

std::string flag_message(const InputError& e) {
  const auto* f = dynamic_cast<const FieldError*>(&e);
  if (!f) return e.what();
  static const std::map<std::string, std::string> flags = {
      {"model", "--model"},     {"hardware", "--hardware"}, {"runtime", "--runtime"}, {"quant", "--quant"},
      {"calibration", "--calibration"}, {"prompt", "--prompt"}, {"gen", "--gen"},  {"cached", "--cached"},
      {"batch", "--batch"},     {"chunk", "--chunk"},       {"set", "--set"},         {"map", "--map"}};
  const std::string& field = f->field();
  // A context beyond the model's maximum is lifted by a flag of its own.
  if (field == "context") return "context " + f->detail() + "; pass --allow-beyond-max to predict anyway";
  // "set.<key>": one override of --set key=value.
  if (field.starts_with("set.")) return "--set " + field.substr(4) + ": " + f->detail();
  if (auto it = flags.find(field); it != flags.end()) return it->second + ": " + f->detail();
  return e.what();
}

std::string resolution_reason(const Resolution& r) {
  std::string reason;
  for (const auto& p : r.problems) {
    reason += (reason.empty() ? "" : "; ") + p.why;
    if (!p.unstated.empty()) reason += " (use --map " + p.unstated + "=ID)";
  }
  return reason;
}

}  // namespace ridgeline::cli
