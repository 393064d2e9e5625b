#!/bin/sh
# Renders a `ridgeline buy --html` report in headless Chromium and checks that the page has its
# table and charts and that the browser logged no console error. Exit 77 (skipped) when Chromium
# is not installed (`make test` installs it when it can).
set -u
RL="$1"
OUT="${2:-/tmp/ridgeline-report-test}"
BROWSER=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$BROWSER" ]; then echo "chromium is not installed: skipping the browser check"; exit 77; fi
mkdir -p "$OUT"
"$RL" buy --model qwen2.5-7b --quant q4_k_m --prompt 2048 --gen 512 --min-decode 20 --budget 1500 \
  --html "$OUT/report.html" > /dev/null
code=$?
[ $code -le 1 ] || { echo "buy failed with exit $code"; exit 1; }
if grep -q -E '<script|https?://[^"]*\.(js|css)|<link ' "$OUT/report.html"; then echo "report is not self-contained"; exit 1; fi
"$BROWSER" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --dump-dom "file://$OUT/report.html" \
  > "$OUT/dom.html" 2> "$OUT/console.log"
"$BROWSER" --headless --no-sandbox --disable-gpu --window-size=1200,2400 --screenshot="$OUT/report.png" \
  "file://$OUT/report.html" > /dev/null 2>&1
for id in 'id="summary"' 'id="workload"' 'id="requirements"' 'id="cut"' 'id="configurations"' 'id="decode-0"' 'id="ttft-0"' \
    'id="memory-0"' '<polyline' '<circle'; do
  grep -q "$id" "$OUT/dom.html" || { echo "rendered page lacks $id"; exit 1; }
done
# The header states the workload as predicted: the prompt given, the generation, the quantization.
grep -q '<td>2048</td><td>512</td><td>2560</td>' "$OUT/dom.html" || { echo "header lacks the workload (2048 + 512)"; exit 1; }
# The inverse question's report renders too.
"$RL" fit --hardware m4-max-40c --memory 64 --model qwen3-8b,llama-3.3-70b-instruct --html "$OUT/fit.html" > /dev/null ||
  { echo "fit --html failed"; exit 1; }
"$BROWSER" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --dump-dom "file://$OUT/fit.html" \
  > "$OUT/fit-dom.html" 2>> "$OUT/console.log"
for id in 'id="fit"' 'id="fit-decode"' 'to make it fit'; do
  grep -q "$id" "$OUT/fit-dom.html" || { echo "rendered fit page lacks $id"; exit 1; }
done
if grep -i -E 'CONSOLE|Uncaught|SyntaxError' "$OUT/console.log"; then echo "console errors (above)"; exit 1; fi
[ -s "$OUT/report.png" ] || { echo "no screenshot"; exit 1; }
echo "report rendered: $(wc -c < "$OUT/dom.html") bytes of DOM, screenshot $OUT/report.png, no console errors"
