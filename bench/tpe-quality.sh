#!/usr/bin/env bash
# Search quality, cheap and many (issue 13): for each benchmark function (Branin, Hartmann-6, Branin with a
# categorical and an int), SEEDS studies × TRIALS trials of ocrforge's TPE, ocrforge's random search and Optuna 3.1's
# TPE (Debian's python3-optuna; multivariate, constant liar, 10 start-up trials, 24 EI candidates in both). One worker
# per study, in memory. Prints a Markdown table of the median best value (and IQR) per method and function.
# Usage: bench/tpe-quality.sh [SEEDS=20] [TRIALS=100] [FUNCTIONS=branin,hartmann6,branin-mixed] [WORKERS=1]  (after
# `dotnet build -c Release`); the raw per-seed values go to $OUT (default /tmp/tpe-quality). With WORKERS > 1 every
# study simulates that many concurrent workers (a trial is sampled while the previous WORKERS - 1 still run), and
# both TPEs also run with the constant liar off, to show what it buys.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-20}
trials=${2:-100}
functions=${3:-branin,hartmann6,branin-mixed}
workers=${4:-1}
samplers=tpe,random
[ "$workers" -gt 1 ] && samplers=tpe,tpe-no-liar,random
out=${OUT:-/tmp/tpe-quality}
mkdir -p "$out"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
start=$(date +%s)
dotnet src/OcrForge.Cli/bin/Release/net10.0/OcrForge.Cli.dll bench tune-quality --function "$functions" \
    --sampler "$samplers" --seeds "$seeds" --seed 0 --trials "$trials" --workers "$workers" --json > "$out/ocrforge.json"
mid=$(date +%s)
/usr/bin/python3 bench/optuna_quality.py "$functions" "$seeds" "$trials" 0 "$workers" > "$out/optuna.json"
if [ "$workers" -gt 1 ]; then
    /usr/bin/python3 bench/optuna_quality.py "$functions" "$seeds" "$trials" 0 "$workers" 0 > "$out/optuna-no-liar.json"
else
    echo '[]' > "$out/optuna-no-liar.json"
fi
end=$(date +%s)
echo "ocrforge (tpe + random): $((mid - start)) s; optuna (tpe): $((end - mid)) s" >&2
/usr/bin/python3 - "$out/ocrforge.json" "$out/optuna.json" "$out/optuna-no-liar.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1])) + json.load(open(sys.argv[2])) + json.load(open(sys.argv[3]))
by = {}
for r in rows:
    by.setdefault(r["function"], []).append(r)
first = rows[0]
print(f"| function (minimum) | method | median best of {len(first['seeds'])} seeds × {first['trials']} trials, "
      f"{first.get('workers', 1)} worker(s) | IQR |")
print("| --- | --- | --- | --- |")
for function, rs in by.items():
    for r in rs:
        print(f"| {function} ({r['minimum']:.5g}) | {r['sampler']} | {r['median']:.4f} | {r['q1']:.4f} – {r['q3']:.4f} |")
for function, rs in by.items():
    med = {r["sampler"]: r["median"] for r in rs}
    optuna = next(v for k, v in med.items() if k.startswith("optuna") and not k.endswith("no-liar"))
    print(f"{function}: ocrforge tpe {'≤' if med['tpe'] <= optuna else '>'} optuna tpe, "
          f"{'<' if med['tpe'] < med['random'] else '≥'} random", file=sys.stderr)
PY
