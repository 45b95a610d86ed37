#!/usr/bin/env bash
# Run tracking's files (stdlib/Learn/tracking.tsr): a Learner's fit! inside a git repository
# with an uncommitted change writes runs/NAME-N with config.json (hyperparameters, model
# summary, seed, device, threads, versions), metrics.jsonl (a line per batch and per epoch),
# git.json (commit, branch, the diff), log.txt (what was printed) and status.json (finished);
# a second fit gets NAME-2; track/log!/finish! outside a Learner; and a script outside any
# repository gets a git.json that says so.
#   tracking_files.sh TSR
set -uo pipefail
tsr=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "tracking files: $1"; [ -f "$dir/out.txt" ] && { echo "--- output:"; cat "$dir/out.txt"; }; exit 1; }
mkdir -p "$dir/repo" "$dir/norepo"
cat > "$dir/repo/fit.tsr" <<'TSR'
using NN
using Learn
using Random
Random.seed!(42)
x = randn(Float32, 40, 3)
y = tensor([x[i, 1] > 0 ? 1 : 2 for i in 1:40])
dls = DataLoaders((x[1:32, :], y[1:32]), (x[33:40, :], y[33:40]); batchsize = 8)
learn = Learner(dls, Chain(Dense(3 => 4, relu), Dense(4 => 2)); lr = 0.05, metrics = (accuracy,),
                name = "probe", config = (note = "first",))
fit!(learn, 2)
println("printed after the fit")
fit_one_cycle!(learn, 1, 0.01)
run = track("custom"; config = (lr = 3f-3, layers = [3, 4, 2]))
for step in 1:5
    log!(run, (loss = 1.0 / step, tag = "s"))
end
finish!(run)
TSR
cp "$dir/repo/fit.tsr" "$dir/norepo/fit.tsr"
( cd "$dir/repo" && git init -q && git -c user.email=t@t -c user.name=t add fit.tsr &&
  git -c user.email=t@t -c user.name=t commit -qm first && echo "# an uncommitted line" >> fit.tsr ) || fail "git setup"
( cd "$dir/repo" && "$tsr" run fit.tsr > "$dir/out.txt" 2>&1 ) || fail "the script failed"
run="$dir/repo/runs/probe-1"
for f in config.json metrics.jsonl git.json log.txt status.json; do [ -s "$run/$f" ] || fail "no $f in $run"; done
[ -d "$dir/repo/runs/probe-2" ] || fail "the second fit did not get probe-2"
[ -d "$dir/repo/runs/custom-1" ] || fail "track(\"custom\") did not get custom-1"
for key in '"lr": 0.05' '"n_epoch": 2' '"opt": "Adam(0.05)"' '"note": "first"' '"model_summary": "Name' \
           'Total params: 26' '"seed": 42' '"device": "cpu"' '"threads": ' '"tessera_version": ' '"llvm_version": "' \
           '"script": "fit.tsr"'; do
  grep -qF "$key" "$run/config.json" || fail "config.json lacks $key"
done
# 4 batches per epoch, 2 epochs: 8 batch lines (loss, lr) and 2 epoch lines.
batches=$(grep -c '"loss":' "$run/metrics.jsonl")
epochs=$(grep -c '"valid_loss":' "$run/metrics.jsonl")
[ "$batches" = 8 ] && [ "$epochs" = 2 ] || fail "metrics.jsonl has $batches batch lines and $epochs epoch lines (expected 8 and 2)"
grep -q '^{"step":8,"timestamp":[0-9.]*,"epoch":2,"train_loss":[0-9.e-]*,"valid_loss":[0-9.e-]*,"accuracy":[0-9.e-]*,"time":[0-9.e-]*}$' \
  "$run/metrics.jsonl" || fail "the epoch 2 line is not as expected: $(tail -1 "$run/metrics.jsonl")"
if command -v python3 > /dev/null; then
  python3 -c 'import json,sys; [json.load(open(f)) for f in sys.argv[2:]]; [json.loads(l) for l in open(sys.argv[1])]' \
    "$run/metrics.jsonl" "$run"/*.json \
    || fail "a file is not valid JSON"
fi
grep -q '"status": "finished"' "$run/status.json" || fail "status.json does not say finished"
grep -q '"commit": "[0-9a-f]\{40\}"' "$run/git.json" || fail "git.json has no commit"
grep -q '"branch": "' "$run/git.json" || fail "git.json has no branch"
grep -qF '+# an uncommitted line' "$run/git.json" || fail "git.json lacks the uncommitted diff"
grep -q '^epoch 1/2 4/4' "$run/log.txt" || fail "log.txt lacks the progress line"
grep -q '^epoch *train_loss *valid_loss *accuracy *time$' "$run/log.txt" || fail "log.txt lacks the table"
grep -q 'printed after the fit' "$run/log.txt" && fail "log.txt has what was printed after the run finished"
grep -q 'printed after the fit' "$dir/repo/runs/probe-2/log.txt" && fail "the next run's log has what was printed before it"
[ "$(wc -l < "$dir/repo/runs/custom-1/metrics.jsonl")" = 5 ] || fail "custom-1 does not have 5 lines"
grep -q '"step":5,"timestamp":[0-9.]*,"loss":0.2,"tag":"s"}' "$dir/repo/runs/custom-1/metrics.jsonl" || fail "custom-1's last line"
grep -q '"lr": 0.003,' "$dir/repo/runs/custom-1/config.json" || fail "custom-1's config lacks lr = 3f-3 as 0.003"
( cd "$dir/norepo" && "$tsr" run fit.tsr > "$dir/out.txt" 2>&1 ) || fail "the script failed outside a repository"
grep -q '"note": "the script.s folder is not in a git repository' "$dir/norepo/runs/probe-1/git.json" \
  || fail "git.json outside a repository does not say so"
echo "tracking files: config, metrics, git, log and status written as specified"
