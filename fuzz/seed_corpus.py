#!/usr/bin/env python3
"""Seeds the fuzz corpus: each project input file, prefixed with the byte that selects its parser."""
import pathlib, sys

out = pathlib.Path(sys.argv[1])
root = pathlib.Path(__file__).resolve().parent.parent
seeds = {
    0: list(root.glob("hardware_profiles/m*-max-40c.yaml")) + list(root.glob("tests/bad_inputs/hw_*.yaml")),
    1: list(root.glob("model/catalog/gemma-4-*.yaml")) + list(root.glob("model/catalog/deepseek-v3.yaml")) + list(root.glob("tests/bad_inputs/model_*.yaml")),
    2: list(root.glob("runtime/profiles/*.yaml")) + list(root.glob("tests/bad_inputs/runtime_*.yaml")),
    3: list(root.glob("tests/bad_inputs/hf_*.json")),
    4: list(root.glob("tests/bad_inputs/*.gguf")),
    5: list(root.glob("tests/fixtures/bench/*")) + list(root.glob("tests/bad_inputs/measurements_*.csv")) + list(root.glob("tests/bad_inputs/llama_bench_*")) + list(root.glob("examples/*.csv")),
    6: list(root.glob("calibrate/calibrations/*.yaml")) + list(root.glob("tests/bad_inputs/calibration_*.yaml")),
    7: [],
    0xF0: list(root.glob("tests/bad_inputs/folder_*/*.safetensors")),
    0xF1: list(root.glob("tests/bad_inputs/folder_*/config.json")) + list(root.glob("tests/bad_inputs/hf_*.json")),
    0xF2: list(root.glob("tests/bad_inputs/*.gguf")) + list(root.glob("tests/fixtures/models/*.gguf")),
    0xF3: list(root.glob("tests/bad_inputs/report_*.json")),
}
n = 0
for selector, files in seeds.items():
    for f in files:
        (out / f"{selector}-{f.name}").write_bytes(bytes([selector]) + f.read_bytes())
        n += 1
# Crashers found earlier, kept as regression inputs (they carry their selector byte already).
for f in (root / "tests/bad_inputs/fuzz_crashers").glob("*"):
    (out / f"crasher-{f.name}").write_bytes(f.read_bytes())
    n += 1
(out / "7-map").write_bytes(b"\x07model:Llama 3 8B=llama-3-8b")
print(f"seeded {n + 1} inputs into {out}")
