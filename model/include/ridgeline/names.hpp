#pragma once
// Names as users and benchmark sources write them -> catalog ids. One reader per kind of name
// (model and quantization here; hardware in hardware.hpp, runtime in runtime.hpp), all built on
// the same token rules and hand-written scanners (no regex), so a name costs microseconds.
#include <string>
#include <string_view>
#include <vector>

namespace ridgeline {

// What a name resolved to. `id` is empty when the name was refused; `refusal` then says why in one
// line, with the candidates of the same size when there are any.
struct NameMatch {
  std::string id;
  std::string quant;               // quantization the name implies ("gemma-3-4b-it-Q4_K_M"), or ""
  std::vector<std::string> notes;  // assumptions made (Ollama default tag, bare chip tier, ...)
  std::string refusal;
};

std::string lower_ascii(std::string_view s);
// Lower-case words of a name split at spaces, '-', '_' and '/'; text in parentheses dropped.
std::vector<std::string> name_words(std::string_view s);

// "Q4_K_M", "Q4_K - Medium", "GGUF Q4_K_M", "UD-Q6_K", "MLX 4-bit", "MLX q5 g32", "4bit", "bf16",
// "mostly Q4_0", "MLX MXFP4 experts / Q8" -> a quantization id.
NameMatch match_quant_name(std::string_view text);

// A model name as a hub, a file or Ollama writes it ("Qwen/Qwen3-8B", "mlx-community/Qwen3-8B-4bit",
// "gemma-4-E4B-it-Q4_K_M", "qwen3:8b-q4_K_M", "llama3.1", "deepseek-r1:70b") -> a catalog id, with
// the quantization the name carries. Never a model of another size: no match is a refusal.
NameMatch match_model_name(std::string_view text);
// The same as Ollama reads it: a bare library family ("deepseek-r1") is its latest tag
// (deepseek-r1:8b), even where the catalog has a model of that name (DeepSeek-R1, 671B).
NameMatch match_ollama_model_name(std::string_view text);

}  // namespace ridgeline
