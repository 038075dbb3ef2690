"""Optuna 3.1's TPE on the functions of `ocrforge bench tune-quality` (bench/tpe-quality.sh).

TPESampler(multivariate=True, constant_liar=True, n_startup_trials=10, n_ei_candidates=24, seed=s), Optuna's default
gamma min(ceil(0.1 n), 25) and weights; in-memory storage, one worker (study.optimize with n_jobs=1). Prints the
same JSON as `ocrforge bench tune-quality --json`: the best value per seed, median and quartiles (numpy's linear
interpolation). With WORKERS > 1 it simulates that many workers as `bench tune-quality --workers` does, through
ask/tell: trial n is asked while the previous WORKERS - 1 are still running (asked, not told), and the oldest is told
just after; LIAR=0 switches the constant liar off. Usage: optuna_quality.py FUNCTIONS(comma-separated) SEEDS TRIALS
[FIRST_SEED=0] [WORKERS=1] [LIAR=1]
"""
import json
import math
import sys
import warnings

import numpy as np
import optuna


def branin(x1, x2):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(x):
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))) for i in range(4))


VARIANTS = {"a": (-2.5, 1.0, 1.0), "b": (2.5, 1.0, 0.5), "c": (0.0, 1.0, 0.0), "d": (0.0, 2.0, 0.2)}

# Parameters are suggested in the order of the space files (bench/*.yaml).
FUNCTIONS = {
    "branin": (0.397887357729739,
               lambda t: branin(t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15))),
    "hartmann6": (-3.32236801141551,
                  lambda t: hartmann6([t.suggest_float(f"x{i}", 0, 1) for i in range(1, 7)])),
    "branin-mixed": (0.397887357729739, lambda t: mixed(t)),
}


def mixed(t):
    shift, scale, offset = VARIANTS[t.suggest_categorical("variant", ["a", "b", "c", "d"])]
    x1, x2, n = t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15), t.suggest_int("n", 0, 10)
    return scale * branin(x1 - shift, x2) + offset + 0.1 * (n - 7) ** 2


def main():
    names, seeds, trials = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3])
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    workers = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    liar = (sys.argv[6] != "0") if len(sys.argv) > 6 else True
    warnings.filterwarnings("ignore")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    results = []
    for name in names:
        minimum, objective = FUNCTIONS[name]
        best = []
        for seed in range(first, first + seeds):
            sampler = optuna.samplers.TPESampler(multivariate=True, constant_liar=liar, n_startup_trials=10,
                                                 n_ei_candidates=24, seed=seed)
            study = optuna.create_study(direction="minimize", sampler=sampler)
            if workers == 1:
                study.optimize(objective, n_trials=trials, n_jobs=1)
            else:
                running = []
                for _ in range(trials):
                    trial = study.ask()
                    running.append((trial, objective(trial)))
                    if len(running) == workers:
                        study.tell(*running.pop(0))
                for trial, value in running:
                    study.tell(trial, value)
            best.append(study.best_value)
        q1, median, q3 = np.quantile(best, [0.25, 0.5, 0.75])
        label = f"optuna-{optuna.__version__}-tpe" + ("" if liar else "-no-liar")
        results.append({"function": name, "sampler": label, "trials": trials, "workers": workers,
                        "minimum": minimum, "median": median, "q1": q1, "q3": q3,
                        "seeds": list(range(first, first + seeds)), "best": best})
        print(f"{name} optuna: median best {median:.4f}", file=sys.stderr)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
