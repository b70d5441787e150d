#!/usr/bin/env bash
# End-to-end test of `sweep submit` against a real SLURM: starts a throw-away single-node cluster on localhost (munged
# + slurmctld + slurmd, no systemd, everything under one temp directory), submits a 2 x 2 sweep as a job array, requeues
# a running task with `scontrol requeue`, waits for every task, and checks that
#   - every run directory is complete (status.json "done"),
#   - the requeued task resumed from a checkpoint (run.log) and restarted in SLURM,
#   - its metrics.csv, triplets.csv and final theta are byte-identical to an uninterrupted `train` of the same config,
#   - a second `sweep submit` finds nothing left to do.
# Installs slurm-wlm and munge with apt-get when missing (needs root). Run from anywhere:
#   src/test/slurm/slurm-test.sh        (KEEP_SLURM_TEST=1 keeps the temp directory for inspection)
# Needs the CIFAR-10 data in data/ (./data-download.sh) and Maven; takes about 2 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PROJECT=$PWD

say() { echo "slurm-test: $*"; }
fail() {
    echo "slurm-test: FAIL: $*" >&2
    exit 1
}

# --- packages ---------------------------------------------------------------------------------------------------
missing=()
for tool in sbatch scontrol squeue sinfo slurmctld slurmd munged munge; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing slurm-wlm and munge (missing: ${missing[*]})"
    [ "$(id -u)" -eq 0 ] || fail "slurm-wlm/munge are not installed and this is not root: apt-get install slurm-wlm munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || fail "apt-get update failed"
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null || fail "apt-get install slurm-wlm munge failed"
fi
[ -f data/cifar-10-batches-bin/data_batch_1.bin ] || fail "CIFAR-10 not installed: run ./data-download.sh first"
say "$(slurmctld -V), $(munged --version 2>&1 | head -1)"

# --- cluster in a temp directory ------------------------------------------------------------------------------------
TMP=$(mktemp -d /tmp/slurm-test.XXXXXX)
chmod 700 "$TMP"
mkdir -p "$TMP"/{munge,state,spool,log}
JOB=""
cleanup() {
    rc=$?
    set +e
    if [ -n "$JOB" ]; then scancel "$JOB" >/dev/null 2>&1; fi
    for pidfile in "$TMP/slurmd.pid" "$TMP/slurmctld.pid" "$TMP/munge/munged.pid"; do
        if [ -s "$pidfile" ]; then
            pid=$(cat "$pidfile")
            kill "$pid" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null
        fi
    done
    if [ $rc -ne 0 ]; then
        echo "slurm-test: --- slurmctld.log (tail) ---" >&2; tail -20 "$TMP/log/slurmctld.log" >&2 2>/dev/null
        echo "slurm-test: --- slurmd.log (tail) ---" >&2; tail -20 "$TMP/log/slurmd.log" >&2 2>/dev/null
        for f in "$TMP"/sweep/slurm/logs/*.out; do
            [ -f "$f" ] && { echo "slurm-test: --- $f (tail) ---" >&2; tail -15 "$f" >&2; }
        done
    fi
    if [ "${KEEP_SLURM_TEST:-0}" = 1 ]; then
        say "kept $TMP"
    else
        rm -rf "$TMP"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { # first port from $1 on that nothing listens on
    local p=$1
    while (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}

SOCKET=$TMP/munge/munge.socket
dd if=/dev/urandom of="$TMP/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$TMP/munge/munge.key"
# --force: munged refuses root-owned, world-reachable paths (/tmp) without it
munged --force --key-file="$TMP/munge/munge.key" --socket="$SOCKET" --pid-file="$TMP/munge/munged.pid" \
    --log-file="$TMP/munge/munged.log" --seed-file="$TMP/munge/munged.seed" \
    || fail "munged did not start: $(tail -5 "$TMP/munge/munged.log" 2>/dev/null)"
munge -n --socket="$SOCKET" | unmunge --socket="$SOCKET" >/dev/null || fail "munge round trip failed"

CPUS=$(nproc)
AVAILABLE_MB=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
REAL_MB=$((AVAILABLE_MB / 2)) # below free memory, so slurmd does not drain the node
CTLD_PORT=$(free_port 26817)
SLURMD_PORT=$(free_port $((CTLD_PORT + 1)))
export SLURM_CONF=$TMP/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=speedlimits-test
SlurmctldHost=localhost
SlurmctldAddr=127.0.0.1
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET,cred_expire=10
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/log/slurmctld.log
SlurmdLogFile=$TMP/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=1,sched_min_interval=100000
KillWait=30
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$REAL_MB State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -i || fail "slurmctld did not start: $(tail -5 "$TMP/log/slurmctld.log" 2>/dev/null)"
slurmd -N localhost || fail "slurmd did not start: $(tail -5 "$TMP/log/slurmd.log" 2>/dev/null)"
for _ in $(seq 60); do
    state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 1
done
[ "$state" = idle ] || fail "node not idle after 60 s (state '$state')"
say "cluster up: $CPUS CPUs, RealMemory=${REAL_MB} MB, ports $CTLD_PORT/$SLURMD_PORT, SLURM_CONF=$SLURM_CONF"

# --- build once; the job runs plain `java -cp` -------------------------------------------------------------------
mvn -B -q compile dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt \
    || fail "maven build failed"
CP=$PROJECT/target/classes:$(cat target/classpath.txt)
read -r -a JVM_FLAGS <<<"$(cat .mvn/jvm.config)"
speedlimits() { java "${JVM_FLAGS[@]}" -cp "$CP" org.speedlimits.cli.Main "$@"; }

# the test's own 2 x 2 sweep (seed x n), long enough (a few seconds per task) to be requeued while it runs
EXP=$TMP/slurm-smoke.yaml
cat >"$EXP" <<EOF
sweep: slurm-smoke
base: $PROJECT/configs/quickstart.yaml
folder: $TMP/sweep
set:
  data.n_test: 100
  model.width: 4
  train.epochs: 200
  train.lr: 0.0005
  train.eval_every: 10
  train.chunk_size: 64
  checkpoint.every: 10
  output.figure: false
grid:
  seed: [0, 1]
  data.n_train: [48, 64]
resources:
  time: "00:10:00"
  mem: 1G
  cpus_per_task: 1
  gpus: 1            # dropped with --no-gres: this cluster has no GPUs
  signal_seconds: 30
EOF

out=$(speedlimits sweep submit "$EXP" --no-gres) || fail "sweep submit failed: $out"
say "$out"
JOB=$(sed -n 's/.* as job \([0-9]*\):.*/\1/p' <<<"$out")
[ -n "$JOB" ] || fail "no job id in: $out"
grep -q -- '--array=0-3' "$TMP/sweep/slurm/array.sbatch" || fail "array.sbatch lacks --array=0-3"
! grep -q -- '--gres' "$TMP/sweep/slurm/array.sbatch" || fail "--no-gres left a --gres line"
# the job runs a copy of the code frozen at submit time in the sweep folder, not target/classes
grep -q "^classpath=.*$TMP/sweep/code/" "$TMP/sweep/slurm/array.sbatch" || fail "array.sbatch does not run the frozen copy"
! grep -q "$PROJECT/target/classes" "$TMP/sweep/slurm/array.sbatch" || fail "array.sbatch runs target/classes"

RUN0=$(speedlimits sweep plan "$EXP" | awk -F'\t' '$1 == "0" {print $3}')
[ -n "$RUN0" ] || fail "no run directory for task 0 in sweep plan"
say "waiting for task 0 to be mid-run ($RUN0)"
epoch=0
for _ in $(seq 240); do
    if [ -f "$RUN0/status.json" ]; then
        epoch=$(sed -n 's/.*"epoch" : \([0-9]*\).*/\1/p' "$RUN0/status.json")
        grep -q '"done"' "$RUN0/status.json" && fail "task 0 finished before it could be requeued (make it longer)"
        [ "${epoch:-0}" -ge 60 ] && break
    fi
    sleep 0.5
done
[ "${epoch:-0}" -ge 60 ] || fail "task 0 did not reach epoch 60 within 120 s ($(squeue -h -j "$JOB" 2>&1 | head -4))"
say "task 0 at epoch $epoch: scontrol requeue ${JOB}_0"
scontrol requeue "${JOB}_0" || fail "scontrol requeue ${JOB}_0 failed"

say "waiting for all tasks"
for _ in $(seq 300); do
    [ -z "$(squeue -h -j "$JOB" 2>/dev/null)" ] && break
    sleep 1
done
[ -z "$(squeue -h -j "$JOB" 2>/dev/null)" ] || fail "job $JOB still queued after 300 s: $(squeue -j "$JOB")"

status=$(speedlimits sweep status "$EXP")
echo "$status"
grep -q '4 tasks, 4 done' <<<"$status" || fail "not every run directory is complete"
grep -q 'resuming from the checkpoint of epoch' "$RUN0/run.log" || fail "task 0 did not resume from a checkpoint"
restarts=$(scontrol show job "${JOB}_0" | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
[ "${restarts:-0}" -ge 1 ] || fail "SLURM reports no restart of task 0 (Restarts=${restarts:-?})"
say "task 0 was requeued $restarts time(s) and resumed"

# an uninterrupted run of the same resolved config, with the same thread count as the job
OMP_NUM_THREADS=1 speedlimits train --config "$RUN0/config.yaml" --set "output.root=$TMP/reference" >"$TMP/reference.log" 2>&1 \
    || fail "reference run failed: $(tail -5 "$TMP/reference.log")"
REF=$(find "$TMP/reference" -name metrics.csv -printf '%h\n' | head -1)
[ "$(basename "$REF")" = "$(basename "$RUN0")" ] || fail "reference run id $(basename "$REF") != $(basename "$RUN0")"
for f in metrics.csv triplets.csv checkpoints/epoch_200.npy; do
    cmp -s "$RUN0/$f" "$REF/$f" || fail "$f of the requeued run differs from an uninterrupted run"
done
say "requeued run is byte-identical to an uninterrupted one (metrics.csv, triplets.csv, final theta)"

again=$(speedlimits sweep submit "$EXP" --no-gres)
grep -q 'nothing to submit' <<<"$again" || fail "second submit was not a no-op: $again"
say "PASS"
