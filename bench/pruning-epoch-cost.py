#!/usr/bin/env python3
"""Quiet-machine cost of one training epoch for every trial of exported studies (issue 13, pruning savings).

A study's trial durations depend on what else ran beside it, so bench/pruning-replay.cs can price every trained
epoch at a cost measured afterwards, one configuration at a time: `ocrforge bench train` with the trial's model
settings (`set.*`) and batch size, one thread, the whole-epoch images/s of OcrForge's pipeline. The optimizer,
learning rate and dropout do not change the cost of an epoch and are left out; equal settings are measured once.
Usage: bench/pruning-epoch-cost.py CLI DATA EXPORT.json... > cost.json   (then pruning-replay.cs --epoch-cost cost.json)
Prints {"study/number": seconds per epoch}; the training images of an epoch are 90 % of DATA (validation 10 %).
"""
import json, os, subprocess, sys

cli, data, exports = sys.argv[1], sys.argv[2], sys.argv[3:]
images = sum(1 for f in os.listdir(data) if f.lower().endswith(".png"))
cache, cost = {}, {}
for path in exports:
    study = json.load(open(path))
    for trial in study["trials"]:
        if trial["state"] != "complete":
            continue
        params = trial["params"]
        sets = tuple(sorted((k[4:], params[k]) for k in params if k.startswith("set.") and k != "set.dropout"))
        batch = int(params.get("batch_size", 16))
        key = (sets, batch)
        if key not in cache:
            cmd = [cli, "bench", "train", "--data", data, "--batch-size", str(batch), "--threads", "1", "--json"]
            for name, value in sets:
                cmd += ["--set", f"{name}={value}"]
            result = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            cache[key] = 0.9 * images / result["pipeline_epoch_images_per_second"]
            print(f"{dict(sets)} batch {batch}: {cache[key]:.1f} s per epoch", file=sys.stderr)
        cost[f"{study['study']}/{trial['number']}"] = cache[key]
json.dump(cost, sys.stdout, indent=1)
print()
