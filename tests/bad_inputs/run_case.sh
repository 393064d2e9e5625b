#!/bin/sh
# run_case.sh RIDGELINE DIR EXPECTED_EXIT EXPECTED_MESSAGE ARGS...: runs one bad-input case and
# checks the exit code, that stderr is exactly one line, and that it is the expected message.
rl="$1"; dir="$2"; want_exit="$3"; want="$4"; shift 4
args=$(printf '%s\n' "$*" | sed "s#@/#$dir/#g")
# shellcheck disable=SC2086
err=$("$rl" $args 2>&1 >/dev/null)
code=$?
err=$(printf '%s' "$err" | sed "s#$dir/#@/#g")
lines=$(printf '%s' "$err" | grep -c '')
[ "$code" = "$want_exit" ] || { echo "exit $code, expected $want_exit: $err"; exit 1; }
if [ -n "$want" ]; then
  [ "$lines" = 1 ] || { echo "stderr has $lines lines, expected one:"; printf '%s\n' "$err"; exit 1; }
  [ "$err" = "$want" ] || { printf 'got:      %s\nexpected: %s\n' "$err" "$want"; exit 1; }
fi
echo "ok"
