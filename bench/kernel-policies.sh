#!/bin/bash
# The three oneDNN policies side by side (issue 11): ATen only, recurrent layers on oneDNN, oneDNN everywhere.
# Runs alternate so that load drifts hit all three alike. Usage:
#   bench/kernel-policies.sh MODEL.ocrf [DATA] [ROUNDS]     (a captcha-crnn .ocrf, e.g. the demo's captcha.ocrf)
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: bench/kernel-policies.sh MODEL.ocrf [DATA] [ROUNDS]}
DATA=${2:-../shared/data/captcha_images_v2}
ROUNDS=${3:-3}
B="dotnet src/OcrForge.Cli/bin/Release/net10.0/OcrForge.Cli.dll"
OUT=$(mktemp -d)
grep -m1 "model name" /proc/cpuinfo; date -u
for round in $(seq "$ROUNDS"); do
  for v in off auto on; do
    OCRFORGE_ONEDNN=$v $B bench train --data "$DATA" --threads 2 --json 2>/dev/null > "$OUT/t.json"
    python3 -c "import json; d=json.load(open('$OUT/t.json')); print('train $v load $(cut -d' ' -f1 /proc/loadavg):', {k: round(x, 1) for k, x in d.items() if 'per_second' in k})"
  done
done
for round in $(seq "$ROUNDS"); do
  for v in off auto on; do
    OCRFORGE_ONEDNN=$v $B bench --model "$MODEL" --engine torch --data "$DATA" --batch 1,64 --threads 2 --json \
      2>/dev/null > "$OUT/e.json"
    python3 -c "import json; d=json.load(open('$OUT/e.json')); print('engine $v (batch, p50 ms, images/s):', [(r['batch'], round(r['p50_ms'], 2), round(r['images_per_second'], 1)) for r in d['results']])"
  done
done
for round in $(seq "$ROUNDS"); do
  $B doctor --json | python3 -c "import json, sys; n = json.load(sys.stdin)['numerics']; print('self-check:', n['one_dnn_use'], round(n['self_check']['milliseconds']), 'ms')"
done
rm -rf "$OUT"
