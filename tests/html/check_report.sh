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
for id in 'id="summary"' 'id="configurations"' 'id="decode-0"' 'id="ttft-0"' 'id="memory-0"' '<polyline' '<circle'; do
  grep -q "$id" "$OUT/dom.html" || { echo "rendered page lacks $id"; exit 1; }
done
if grep -i -E 'CONSOLE|Uncaught|SyntaxError' "$OUT/console.log"; then echo "console errors (above)"; exit 1; fi
[ -s "$OUT/report.png" ] || { echo "no screenshot"; exit 1; }
echo "report rendered: $(wc -c < "$OUT/dom.html") bytes of DOM, screenshot $OUT/report.png, no console errors"
