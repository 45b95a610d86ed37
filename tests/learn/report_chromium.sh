#!/usr/bin/env bash
# `tsr runs report` opened in headless Chromium (Debian's chromium; skipped, exit 77, without
# it): two fits give one chart per metric (loss, lr, train_loss, valid_loss, accuracy) with
# one <path> per run in each, the page renders (a screenshot is taken), and it asks for
# nothing from the network (no http(s) URL but the SVG namespace).
#   report_chromium.sh TSR
set -uo pipefail
tsr=$1
here=$(cd "$(dirname "$0")" && pwd)
browser=$(command -v chromium || command -v chromium-browser) || { echo "report: chromium is not installed (skipped)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "report: $1"; exit 1; }
cp "$here/fits.tsr" "$dir/" && cd "$dir" || exit 1  # outside any repository: git.json holds no diff
FITS_NAME=curve FITS_RATES=0.05,0.005 FITS_EPOCHS=3 "$tsr" run fits.tsr > out.txt 2>&1 || fail "the script failed: $(cat out.txt)"
"$tsr" runs report -o report.html > report.txt 2>&1 || fail "tsr runs report failed: $(cat report.txt)"
grep -q '^wrote report.html: 2 runs' report.txt || fail "report said: $(cat report.txt)"
urls=$(grep -o 'https\?://[^"]*' report.html | grep -v '^http://www.w3.org/2000/svg$')
[ -z "$urls" ] || fail "the page refers to the network: $urls"
flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --user-data-dir="$dir/profile")
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$dir/report.html" > dom.html 2> chromium.err ||
  fail "chromium --dump-dom failed: $(tail -5 chromium.err)"
grep -q '</html>' dom.html || fail "chromium gave no page"
charts=$(grep -c '<svg class="chart"' dom.html)
[ "$charts" = 5 ] || fail "$charts charts (expected 5: loss, lr, train_loss, valid_loss, accuracy)"
for m in loss lr train_loss valid_loss accuracy; do
  n=$(awk -v m="$m" '/<svg class="chart"/ { on = index($0, "data-metric=\"" m "\"") > 0 } on && /<path / { n++ } END { print n + 0 }' dom.html)
  [ "$n" = 2 ] || fail "the $m chart has $n paths (expected one per run: 2)"
  for run in curve-1 curve-2; do
    grep -q "<title>$run: $m</title>" dom.html || fail "no curve of $run for $m"
  done
done
timeout 120 "$browser" "${flags[@]}" --window-size=1280,2000 --screenshot="$dir/shot.png" "file://$dir/report.html" \
  > /dev/null 2>> chromium.err || fail "chromium --screenshot failed: $(tail -5 chromium.err)"
[ "$(stat -c %s "$dir/shot.png")" -gt 20000 ] || fail "the screenshot is (nearly) empty"
grep -q 'Uncaught\|Failed to load' chromium.err && fail "chromium reported errors: $(grep 'Uncaught\|Failed to load' chromium.err)"
echo "report: 5 charts with a path per run, rendered by $(basename "$browser")"
