#!/usr/bin/env bash
# Pruning savings (issue 13): the same captcha study — same space, TPE sampler, per-trial epoch budget and trial
# count — run with --pruner none, median and asha for several study seeds. Prints per pruner the best value of each
# seed, their median, the total training time (sum of the trials' durations) and the total epochs trained (the
# load-independent unit: a pruned trial stops after its last reported epoch), and the saving against none. The
# target: median or ASHA reaches the same best value (within one validation image, median over the seeds) in at least
# 30 % less total training time.
# Usage: bench/pruning-savings.sh [SEEDS=1,2,3] [TRIALS=12] [EPOCHS=20]  (after `dotnet build -c Release`).
# Environment: DATA (default /work/shared/data/captcha_images_v2), SPACE (default bench/pruning-space.yaml), OUT
# (studies, exports and logs; default /tmp/pruning-savings), PRUNERS (default none,median,asha), THREADS per study
# (default 1), VAL_IMAGES (validation images of one split, default 83 = 10 % of the 832 captchas), CLI (the built
# executable; a copy keeps a long run safe from rebuilds).
# SUMMARY_ONLY=1 runs nothing: it exports the studies in OUT and prints the table (e.g. after stopping a run).
# The pruners of one seed run side by side (one process each), so they share the machine's load alike; seeds run one
# after the other, and a seed whose studies already hold the budget is not run again (re-running the script resumes).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-1,2,3}
trials=${2:-12}
epochs=${3:-20}
data=${DATA:-/work/shared/data/captcha_images_v2}
space=${SPACE:-bench/pruning-space.yaml}
out=${OUT:-/tmp/pruning-savings}
pruners=${PRUNERS:-none,median,asha}
threads=${THREADS:-1}
val_images=${VAL_IMAGES:-83}
cli=${CLI:-src/OcrForge.Cli/bin/Release/net10.0/OcrForge.Cli}
mkdir -p "$out"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load $(load)"
echo "seeds $seeds, $trials trials of $epochs epochs, space $space, data $data, $threads thread(s) per study"
for seed in ${seeds//,/ }; do
    [[ ${SUMMARY_ONLY:-0} == 1 ]] && break
    start=$(date +%s)
    for pruner in ${pruners//,/ }; do
        # --study names the pruner too, so a study can never be joined by a worker with other settings.
        "$cli" tune run --space "$space" --storage "$out/$pruner-$seed.db" --study "$pruner-$seed" \
            --trials "$trials" --sampler tpe --pruner "$pruner" --seed "$seed" --objective ctc --data "$data" \
            --epochs "$epochs" --threads "$threads" >> "$out/$pruner-$seed.log" 2>&1 &
    done
    wait
    echo "seed $seed: $(( $(date +%s) - start )) s; load $(load)"
done
for seed in ${seeds//,/ }; do
    for pruner in ${pruners//,/ }; do
        [[ -f "$out/$pruner-$seed.db" ]] || continue
        "$cli" tune export --storage "$out/$pruner-$seed.db" --study "$pruner-$seed" --json \
            --out "$out/$pruner-$seed.json"
    done
done
/usr/bin/python3 - "$out" "$seeds" "$pruners" "$val_images" <<'PY'
import json, os, statistics, sys
out, seeds, pruners, val_images = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(","), int(sys.argv[4])
rows = {}
for p in pruners:
    per_seed = []
    for s in seeds:
        path = os.path.join(out, f"{p}-{s}.json")
        if not os.path.exists(path):
            continue
        trials = json.load(open(path))["trials"]
        done = [t for t in trials if t["state"] in ("complete", "pruned")]
        complete = [t["value"] for t in trials if t["state"] == "complete" and t["value"] is not None]
        per_seed.append({
            "seed": s,
            "best": max(complete) if complete else None,
            "seconds": sum(t["duration_s"] or 0 for t in done),
            # Every reported epoch was trained (with --cv 1, one value per epoch); a pruned trial stops after its last.
            "epochs": sum(len(t["intermediate"]) for t in done),
            "pruned": sum(t["state"] == "pruned" for t in trials),
            "failed": sum(t["state"] == "failed" for t in trials),
            "trials": len(done),
        })
    rows[p] = per_seed
base = rows.get("none") or []
print(f"| pruner | best value per seed ({', '.join(seeds)}) | median best | trials done (pruned) / failed |"
      " total training time | saving vs none | total epochs | saving vs none |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
def median_best(r):
    values = [x["best"] for x in r if x["best"] is not None]
    return statistics.median(values) if values else None
none_seconds = sum(x["seconds"] for x in base)
none_epochs = sum(x["epochs"] for x in base)
none_median = median_best(base)
for p, r in rows.items():
    if not r:
        continue
    seconds, epochs = sum(x["seconds"] for x in r), sum(x["epochs"] for x in r)
    med = median_best(r)
    comparable = len(r) == len(base)
    saving = lambda a, b: f"{1 - a / b:+.1%}".replace("+", "") if comparable and b else "–"
    bests = ", ".join("–" if x["best"] is None else f"{x['best']:.4f}" for x in r)
    print(f"| {p} | {bests} | {'–' if med is None else f'{med:.4f}'} "
          f"| {sum(x['trials'] for x in r)} ({sum(x['pruned'] for x in r)}) / {sum(x['failed'] for x in r)} "
          f"| {seconds:.0f} s | {saving(seconds, none_seconds) if p != 'none' else '–'} "
          f"| {epochs} | {saving(epochs, none_epochs) if p != 'none' else '–'} |")
for p, r in rows.items():
    if p == "none" or not r or none_median is None or len(r) != len(base):
        continue
    med = median_best(r)
    same = med is not None and med >= none_median - 1 / val_images - 1e-12
    epochs_saving = 1 - sum(x["epochs"] for x in r) / none_epochs
    time_saving = 1 - sum(x["seconds"] for x in r) / none_seconds
    print(f"{p}: median best {med:.4f} vs none {none_median:.4f} ({'within' if same else 'NOT within'} one validation "
          f"image = {1 / val_images:.4f}); epochs {epochs_saving:.1%} fewer, time {time_saving:.1%} less: target "
          f"(same best, >= 30 % less time) {'MET' if same and time_saving >= 0.3 else 'NOT met'}"
          f" ({'met' if same and epochs_saving >= 0.3 else 'not met'} in epochs)")
PY
