#!/usr/bin/env bash
# A sweep submitted to a real Slurm cluster gives the bytes of a local sweep.
#
# Installs Slurm and munge from Debian's packages if they are missing, starts a one-node cluster
# on 127.0.0.1 (state, spool, logs and pids in a temporary folder; no systemd), lets
# `chancheng slurm` write the array job and its dependent merge, submits them, waits, compares
# the merged runs.csv with a local run of the same sweep, and stops the daemons it started by
# their PIDs. Usage: scripts/slurm-test.sh [path/to/chancheng] (default target/release/chancheng).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-target/release/chancheng}")

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

WORK=$(mktemp -d /tmp/chancheng-slurm.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 1
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# munge: a key of our own and a socket in the work folder.
mkdir -p "$WORK/munge"
chown munge:munge "$WORK/munge" 2>/dev/null || true
chmod 700 "$WORK/munge"
dd if=/dev/urandom bs=1 count=1024 of="$WORK/munge/munge.key" 2>/dev/null
chown munge:munge "$WORK/munge/munge.key" 2>/dev/null || true
chmod 400 "$WORK/munge/munge.key"
SOCKET="$WORK/munge/munge.socket"
runuser -u munge -- munged --key-file="$WORK/munge/munge.key" --socket="$SOCKET" \
    --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" \
    --seed-file="$WORK/munge/munged.seed" --force
for _ in $(seq 50); do [ -s "$WORK/munge/munged.pid" ] && break; sleep 0.1; done
PIDS+=("$(cat "$WORK/munge/munged.pid")")

HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/log"
cat > "$WORK/slurm.conf" <<EOF
ClusterName=chancheng-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CryptoType=crypto/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$WORK/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do
    [ -s "$WORK/slurmctld.pid" ] && [ -s "$WORK/slurmd.pid" ] && break
    sleep 0.1
done
PIDS+=("$(cat "$WORK/slurmctld.pid")" "$(cat "$WORK/slurmd.pid")")
for _ in $(seq 100); do
    sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break
    sleep 0.2
done
sinfo -h -o '%P %T %c' || true

# The sweep: the baseline over two years, 3 samples × 2 replications, in 3 array tasks.
mkdir -p "$WORK/scenarios"
cp scenarios/baseline.toml "$WORK/scenarios/"
printf 'extends = "baseline.toml"\nname = "short"\ndescription = "two years"\n[time]\nmonths = 24\n' \
    > "$WORK/scenarios/short.toml"
SWEEP=("$WORK/scenarios/short.toml" --design lhs --n 3 --replications 2 --seed 5
       --outputs gdp@2017,pendulum_index@final,max:debt_to_revenue)
"$BIN" slurm --tasks 3 --out "$WORK/cluster" -- "${SWEEP[@]}"
(cd "$WORK/cluster" && ./submit.sh)
for _ in $(seq 600); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 0.5
done
if [ ! -s "$WORK/cluster/runs.csv" ]; then
    echo "slurm test: no merged runs.csv; queue, logs:" >&2
    squeue || true
    tail -n 20 "$WORK"/cluster/slurm-logs/* "$WORK/log/"*.log >&2 || true
    exit 1
fi
RAYON_NUM_THREADS=1 "$BIN" sweep "${SWEEP[@]}" --out "$WORK/local" --quiet
if ! cmp "$WORK/cluster/runs.csv" "$WORK/local/runs.csv"; then
    echo "slurm test: the merged runs.csv differs from a local sweep" >&2
    exit 1
fi
echo "slurm test passed: 3 array tasks and a dependent merge gave the bytes of a local sweep ($(($(wc -l < "$WORK/local/runs.csv") - 1)) runs)"
