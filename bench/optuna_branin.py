"""Optuna 3.1 on the same synthetic objective as `ocrforge tune run --objective synthetic` (bench/tune-bench.sh).

Branin(x1, x2) over 8 fake epochs reporting f + (5 + f/2)(1/e - 1/8); multivariate TPE with constant liar, no
pruning; WORKERS processes share one RDB storage and each runs TRIALS / WORKERS trials.
"""
import math
import multiprocessing
import sys
import time
import warnings

import optuna

EPOCHS = 8


def branin(x1, x2):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def objective(trial):
    f = branin(trial.suggest_float("x1", -5, 10), trial.suggest_float("x2", 0, 15))
    for epoch in range(1, EPOCHS + 1):
        trial.report(f + (5 + f / 2) * (1 / epoch - 1 / EPOCHS), epoch)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return f


def work(storage, study, trials, seed):
    warnings.filterwarnings("ignore")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(multivariate=True, constant_liar=True, seed=seed)
    s = optuna.load_study(study_name=study, storage=storage, sampler=sampler, pruner=optuna.pruners.NopPruner())
    s.optimize(objective, n_trials=trials)


def main():
    storage, trials, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name="branin", storage=storage, direction="minimize")
    start = time.time()
    procs = [multiprocessing.Process(target=work, args=(storage, "branin", trials // workers, i)) for i in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    elapsed = time.time() - start
    done = [t for t in study.get_trials(deepcopy=False) if t.state.is_finished()]
    print(f"optuna {optuna.__version__}: {len(done)} trials in {elapsed:.1f} s = {len(done) / elapsed:.1f} trials/s, "
          f"best {study.best_value:.4f}")


if __name__ == "__main__":
    main()
