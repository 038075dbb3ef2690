#!/usr/bin/env bash
# Trials per second of `ocrforge tune run --objective synthetic` with SQLite and PostgreSQL storage, next to Optuna
# 3.1 (Debian's python3-optuna, python3-psycopg2) on the same objective. Starts a throw-away PostgreSQL 15 cluster
# on a free loopback port, as the tests do. Usage: bench/tune-bench.sh [TRIALS=1000] [WORKERS=4] (run as root after
# `dotnet build -c Release`).
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-1000}
workers=${2:-4}
cli=(dotnet src/OcrForge.Cli/bin/Release/net10.0/OcrForge.Cli.dll)
work=$(mktemp -d /tmp/ocrforge-bench-XXXXXX)
chown postgres:postgres "$work"
pg=/usr/lib/postgresql/15/bin
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$pg/initdb" -D "$work/data" -U bench -A trust -E UTF8 --no-sync >/dev/null
runuser -u postgres -- "$pg/pg_ctl" -D "$work/data" -l "$work/log" -w -o "-p $port -k $work -c listen_addresses=127.0.0.1" start >/dev/null
trap 'runuser -u postgres -- "$pg/pg_ctl" -D "$work/data" -m immediate stop >/dev/null; rm -rf "$work"' EXIT
for db in ocrforge optuna; do psql -q -h 127.0.0.1 -p "$port" -U bench -d postgres -c "CREATE DATABASE $db"; done

run() {  # label, command…
    local start end
    start=$(date +%s.%N)
    "${@:2}" >/dev/null
    end=$(date +%s.%N)
    /usr/bin/python3 -c "print(f'$1: $trials trials in {$end - $start:.1f} s = {$trials / ($end - $start):.1f} trials/s')"
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $workers workers"
for sampler in tpe random; do
    run "ocrforge sqlite $sampler" "${cli[@]}" tune run --space bench/branin.yaml --storage "$work/$sampler.db" --study b \
        --trials "$trials" --workers "$workers" --sampler $sampler --objective synthetic --epochs 8 --json
    run "ocrforge postgres $sampler" "${cli[@]}" tune run --space bench/branin.yaml \
        --storage "postgres://bench@127.0.0.1:$port/ocrforge" --study "b-$sampler" \
        --trials "$trials" --workers "$workers" --sampler $sampler --objective synthetic --epochs 8 --json
done
/usr/bin/python3 bench/optuna_branin.py "sqlite:///$work/optuna.db" "$trials" "$workers" | sed 's/^/sqlite: /'
/usr/bin/python3 bench/optuna_branin.py "postgresql+psycopg2://bench@127.0.0.1:$port/optuna" "$trials" "$workers" | sed 's/^/postgres: /'
