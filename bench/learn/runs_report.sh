#!/usr/bin/env bash
# How long `tsr runs report` takes for 100 runs of 10k steps (issue 14's target: under 2 s):
# the runs are made by Learn's track/log! (a loss and a learning rate per step, and a
# validation loss every 1000 steps), then the report is written and timed.
#   bench/learn/runs_report.sh [TSR]   (default build/dsl/tsr)
set -euo pipefail
tsr=$(realpath "${1:-build/dsl/tsr}")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/make_runs.tsr" <<'TSR'
using Learn
for r in 1:100
    run = track("bench"; config = (lr = 1e-3 * r, seed = r), log_output = false)
    for step in 1:10_000
        log!(run, (loss = 2.0 * exp(-step / (1000.0 + 20 * r)) + 0.01 * sin(step), lr = 1e-3 * r))
        step % 1000 == 0 && log!(run, (valid_loss = 2.0 * exp(-step / 2000.0),); step = step)
    end
    finish!(run)
end
TSR
(cd "$dir" && "$tsr" run make_runs.tsr)
echo "runs: $(ls "$dir/runs" | wc -l), metrics: $(cat "$dir"/runs/*/metrics.jsonl | wc -l) lines, $(du -sh "$dir/runs" | cut -f1)"
start=$(date +%s.%N)
"$tsr" runs --dir "$dir/runs" report -o "$dir/report.html"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v size="$(stat -c %s "$dir/report.html")" \
  'BEGIN { printf "tsr runs report, 100 runs of 10k steps: %.2f s wall (process included), %.1f MB of HTML\n", e - s, size / 1e6 }'
