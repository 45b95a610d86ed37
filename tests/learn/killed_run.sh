#!/usr/bin/env bash
# A run killed with SIGKILL in the middle of a fit keeps every metrics line it logged (each is
# one write(), nothing waits in a buffer), and `tsr runs` lists it as crashed (its status says
# running, but its process is gone). A run that ends in an error is crashed too, with the
# error in status.json (a custom loop's finish!(run; status = "crashed"), or a Learner's fit
# ended by an error); finished runs are listed as finished.
#   killed_run.sh TSR
set -uo pipefail
tsr=$1
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2> /dev/null; rm -rf "$dir"' EXIT
fail() { echo "killed run: $1"; exit 1; }
cat > "$dir/endless.tsr" <<'TSR'
using NN
using Learn
x = randn(Float32, 64, 3)
y = tensor([x[i, 1] > 0 ? 1 : 2 for i in 1:64])
learn = Learner(DataLoaders((x, y), (x, y); batchsize = 8), Chain(Dense(3 => 2)); name = "endless")
fit!(learn, 100000)
TSR
cat > "$dir/failing.tsr" <<'TSR'
using Learn
run = track("failing")
log!(run, (loss = 1.0,))
try
    error("the loss went NaN")
catch e
    finish!(run; status = "crashed", exception = e)
end
# A fit that a callback's error ends: TrackRun marks its run crashed, with the error.
using NN
struct Explode end
Learn.after_loss(::Explode, learn) = learn.train_iter == 3 && error("exploded at batch 3")
x = randn(Float32, 32, 3)
y = tensor([x[i, 1] > 0 ? 1 : 2 for i in 1:32])
learn = Learner(DataLoaders((x, y), (x, y); batchsize = 8), Chain(Dense(3 => 2)); cbs = (Explode(),),
                name = "exploding", progress = false, table = false)
try
    fit!(learn, 2)
catch e
    println("fit! threw: ", e)
end
done = track("done")
log!(done, (loss = 0.5,))
finish!(done)
TSR
cd "$dir" || exit 1
"$tsr" run endless.tsr > endless.out 2>&1 &
pid=$!
metrics=runs/endless-1/metrics.jsonl
for _ in $(seq 1 600); do
  [ -f "$metrics" ] && [ "$(wc -l < "$metrics")" -ge 200 ] && break
  sleep 0.1
done
[ -f "$metrics" ] && [ "$(wc -l < "$metrics")" -ge 200 ] || fail "the run did not log 200 lines in a minute"
kill -9 "$pid"
wait "$pid" 2> /dev/null
pid=
lines=$(wc -l < "$metrics")
# Every line is whole: it ends with } and a newline; and the steps count up without a gap.
bad=$(grep -vc '^{"step":[0-9]*,"timestamp":[0-9.]*,.*}$' "$metrics")
[ "$bad" = 0 ] || fail "$bad of the $lines lines are broken"
[ "$(tail -c 1 "$metrics" | od -An -c | tr -d ' ')" = '\n' ] || fail "the last line is cut short"
grep -q '"status": "running"' runs/endless-1/status.json || fail "status.json was changed by a process that was killed?"
"$tsr" run failing.tsr > failing.out 2>&1 || fail "failing.tsr failed: $(cat failing.out)"
"$tsr" runs > list.txt 2>&1 || fail "tsr runs failed: $(cat list.txt)"
grep -q "^endless-1 .* crashed .* $lines " list.txt || { cat list.txt; fail "tsr runs does not list endless-1 as crashed with $lines lines"; }
grep -q "^failing-1 .* crashed " list.txt || { cat list.txt; fail "failing-1 is not listed as crashed"; }
grep -q '"error": "the loss went NaN"' runs/failing-1/status.json || fail "failing-1's status.json lacks the error"
grep -q "^exploding-1 .* crashed .* 2 " list.txt || { cat list.txt; fail "exploding-1 is not listed as crashed after 2 batches"; }
grep -q '"error": "exploded at batch 3"' runs/exploding-1/status.json || fail "exploding-1's status.json lacks the error"
grep -q "^done-1 .* finished .* loss=0.5" list.txt || { cat list.txt; fail "done-1 is not listed as finished with loss=0.5"; }
echo "killed run: $lines whole lines kept, listed as crashed"
