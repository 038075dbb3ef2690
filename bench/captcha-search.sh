#!/usr/bin/env bash
# Search quality on a real objective (issue 13): the captcha space (bench/captcha-search-space.yaml) searched by
# ocrforge's TPE, ocrforge's random search and Optuna 3.1's TPE driving `ocrforge train ctc` (bench/optuna_captcha.py),
# TRIALS trials of EPOCHS epochs each, one thread, no pruner, for each study seed; the three studies of one seed run
# side by side. Prints per method the best validation sequence accuracy per seed, the median, and the best after 5,
# 10, … trials. Usage: bench/captcha-search.sh [SEEDS=1,2] [TRIALS=20] [EPOCHS=16]  (after `dotnet build -c Release`;
# DATA= the captchas, default ../shared/data/captcha_images_v2; CLI= a copy of the binary, so that rebuilding does not
# change it under the run; OUT= default /tmp/captcha-search). Re-running resumes ocrforge's studies in OUT.
# SUMMARY_ONLY=1 runs nothing: it exports the studies in OUT and prints the table from the trials finished so far
# (Optuna's from OUT/optuna-SEED/trials.jsonl when its run was stopped before writing optuna-SEED.json).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-1,2}
trials=${2:-20}
epochs=${3:-16}
out=${OUT:-/tmp/captcha-search}
data=${DATA:-$(realpath ../shared/data/captcha_images_v2)}
cli=${CLI:-$(realpath src/OcrForge.Cli/bin/Release/net10.0/OcrForge.Cli)}
space=$(realpath bench/captcha-search-space.yaml)
mkdir -p "$out"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for seed in ${seeds//,/ }; do
    [[ ${SUMMARY_ONLY:-0} == 1 ]] && break
    for sampler in tpe random; do
        "$cli" tune run --space "$space" --objective ctc --data "$data" --storage "$out/studies.db" \
            --study "$sampler-$seed" --sampler "$sampler" --pruner none --seed "$seed" --trials "$trials" \
            --epochs "$epochs" --threads 1 --json > "$out/$sampler-$seed.run.json" 2> "$out/$sampler-$seed.log" &
    done
    [ -s "$out/optuna-$seed.json" ] || /usr/bin/python3 bench/optuna_captcha.py "$cli" "$data" "$trials" "$epochs" \
        "$seed" "$out/optuna-$seed" > "$out/optuna-$seed.json" 2> "$out/optuna-$seed.log" &
    wait
    for sampler in tpe random; do
        "$cli" tune export --storage "$out/studies.db" --study "$sampler-$seed" --json > "$out/$sampler-$seed.json"
    done
done
if [[ ${SUMMARY_ONLY:-0} == 1 ]]; then
    for seed in ${seeds//,/ }; do
        for sampler in tpe random; do
            "$cli" tune export --storage "$out/studies.db" --study "$sampler-$seed" --json > "$out/$sampler-$seed.json"
        done
    done
fi
/usr/bin/python3 - "$out" "$seeds" <<'PY'
import json, os, statistics, sys
out, seeds = sys.argv[1], sys.argv[2].split(",")
def values(method, seed):
    if method == "optuna":
        done = f"{out}/optuna-{seed}.json"
        if os.path.exists(done) and os.path.getsize(done) > 0:
            trials = json.load(open(done))["trials"]
        else:
            progress = f"{out}/optuna-{seed}/trials.jsonl"
            trials = [json.loads(l) for l in open(progress)] if os.path.exists(progress) else []
        return [t["value"] for t in sorted(trials, key=lambda t: t["number"])]
    d = json.load(open(f"{out}/{method}-{seed}.json"))
    return [t["value"] if t["state"] == "complete" else None for t in sorted(d["trials"], key=lambda t: t["number"])]
def best_after(vs, n):
    if len(vs) < n:
        return None  # the run has not reached n trials yet
    done = [v for v in vs[:n] if v is not None]
    return max(done) if done else None
print(f"| method | best per seed ({', '.join(seeds)}) | median | median best after 5 / 10 / 15 / 20 trials | trials |")
print("| --- | --- | --- | --- | --- |")
for method in ("tpe", "random", "optuna"):
    runs = [values(method, s) for s in seeds]
    best = [best_after(v, len(v)) for v in runs]
    counts = [len(v) for v in runs]
    after = []
    for n in (5, 10, 15, 20):
        b = [x for x in (best_after(v, n) for v in runs) if x is not None]
        after.append(f"{statistics.median(b):.3f}" if b else "–")
    fmt = lambda x: "–" if x is None else f"{x:.3f}"
    med = [b for b in best if b is not None]
    print(f"| {method} | {', '.join(fmt(b) for b in best)} | {fmt(statistics.median(med) if med else None)} | "
          f"{' / '.join(after)} | {', '.join(map(str, counts))} |")
PY
