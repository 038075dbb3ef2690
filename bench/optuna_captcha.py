"""Optuna 3.1's TPE driving `ocrforge train ctc` over the space of bench/captcha-search-space.yaml.

One study, one worker, no pruner: each trial runs `ocrforge train ctc ... --json` in a process with the same seed and
thread count as `ocrforge tune run --seed S --threads 1` gives its trials, and its value is the validation sequence
accuracy of the kept epoch (what ocrforge's CTC objective returns). TPESampler(multivariate=True,
constant_liar=True, n_startup_trials=10, n_ei_candidates=24, seed=S). Prints one JSON document: the trials' values
and parameters in order (and WORKDIR/trials.jsonl, a line per trial as it ends). Usage: optuna_captcha.py CLI DATA TRIALS EPOCHS SEED WORKDIR
"""
import json
import os
import subprocess
import sys
import time
import warnings

import optuna


def main():
    cli, data, trials, epochs, seed, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
        int(sys.argv[5]), sys.argv[6]
    os.makedirs(work, exist_ok=True)
    warnings.filterwarnings("ignore")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rows = []

    def objective(trial):
        params = {
            "set.rnn_hidden": trial.suggest_int("set.rnn_hidden", 32, 256, log=True),
            "set.dropout": trial.suggest_float("set.dropout", 0.0, 0.5),
            "optimizer": trial.suggest_categorical("optimizer", ["adam", "adamw", "rmsprop"]),
            "lr": trial.suggest_float("lr", 3.0e-4, 1.0e-2, log=True),
            "batch_size": trial.suggest_int("batch_size", 8, 32, step=8),
            "schedule": trial.suggest_categorical("schedule", ["onecycle", "cosine", "none"]),
        }
        model = os.path.join(work, f"trial-{trial.number}.ocrf")
        command = [cli, "train", "ctc", "--data", data, "--epochs", str(epochs), "--seed", str(seed), "--threads",
                   "1", "--set", f"rnn_hidden={params['set.rnn_hidden']}", "--set", f"dropout={params['set.dropout']}",
                   "--optimizer", params["optimizer"], "--lr", repr(params["lr"]), "--batch-size",
                   str(params["batch_size"]), "--schedule", params["schedule"], "--out", model, "--json"]
        start = time.time()
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed")
        value = json.loads(done.stdout)["validation"]["sequence_accuracy"]
        rows.append({"number": trial.number, "value": value, "params": params, "seconds": time.time() - start})
        # One line per finished trial as it ends, so that a stopped run can still be summarised.
        with open(os.path.join(work, "trials.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(rows[-1]) + "\n")
        return value

    sampler = optuna.samplers.TPESampler(multivariate=True, constant_liar=True, n_startup_trials=10,
                                         n_ei_candidates=24, seed=seed)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=trials, catch=(RuntimeError,))
    json.dump({"method": "optuna-tpe", "seed": seed, "trials": rows}, sys.stdout)


if __name__ == "__main__":
    main()
