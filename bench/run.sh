#!/usr/bin/env bash
# Benchmarks against an independent PyTorch/NumPy reference (bench/reference.py), measured interleaved in one
# invocation, and bench/results.md regenerated from them. Not part of the unit tests.
#
#   bench/run.sh [stage ...]      stages: compare hooks leak memory memory-ntk report flow (default: all but flow, in this
#                                 order; flow, ~1.5 h, splices its own section into results.md)
#
# Environment: BENCH_REPS (interleaved repetitions, default 5), BENCH_THREADS (threads on both sides, default 2),
# BENCH_QUICK=1 (small sizes, 1 repetition: a smoke test of the harness, not for results.md), BENCH_WORKLOADS
# (';'-separated workload lines replacing the default list), BENCH_MEMORY_SECONDS (stop the C = 128 memory run after
# this long; its peak is reached within the first chunk), BENCH_NTK_SECONDS (the same for the memory-ntk stage,
# default 600), BENCH_HOOK_WIDTH / BENCH_HOOK_EPOCHS, BENCH_LEAK_N /
# BENCH_LEAK_WIDTH / BENCH_LEAK_EPOCHS (default 1000), BENCH_APPEND=1 (add to the previous comparison instead of starting over).
# The project's JVMs run with the glibc malloc settings that sweep tasks and SLURM jobs get (engine.NativeAllocator);
# GLIBC_TUNABLES= (empty) measures glibc's defaults instead. The reference runs with the environment as it is.
# Raw results go to target/bench/*.txt (one RESULT line per measurement); `bench/run.sh report` only rebuilds
# bench/results.md from them. BENCH_QUICK=1 writes to target/bench-quick/ (its report to results.md there).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${BENCH_REPS:-5}
THREADS=${BENCH_THREADS:-2}
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS
PY=/usr/bin/python3
OUT=target/bench
REPORT=bench/results.md
[ "${BENCH_QUICK:-0}" = 1 ] && OUT=target/bench-quick && REPORT=$OUT/results.md # never mixes with real results
mkdir -p "$OUT"
STAGES=("$@")
[ ${#STAGES[@]} -eq 0 ] && STAGES=(compare hooks leak memory memory-ntk report)

log() { echo "bench: $*" >&2; }

ensure_reference() {
  if ! $PY -c 'import torch, numpy' 2>/dev/null; then
    log "installing the reference (Debian python3-torch, python3-numpy)"
    apt-get install -y python3-torch python3-numpy >"$OUT/apt.log" 2>&1 \
      || { log "apt-get install python3-torch python3-numpy failed, see $OUT/apt.log (run as root?)"; exit 2; }
  fi
  # Debian's torch and numpy link the generic libblas.so.3/liblapack.so.3, which default to the unoptimised
  # reference BLAS (single-threaded, ~7 GFLOP/s): a reference that slow would flatter the project. The reference
  # process gets Debian's OpenBLAS instead, through LD_LIBRARY_PATH only (the system's BLAS choice is left alone).
  OPENBLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread
  if [ ! -f "$OPENBLAS_DIR/libblas.so.3" ]; then
    OPENBLAS_DIR=$PWD/$OUT/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread
    if [ ! -f "$OPENBLAS_DIR/libblas.so.3" ]; then
      log "fetching Debian's libopenblas0-pthread for the reference (unpacked into $OUT/openblas, not installed)"
      (cd "$OUT" && rm -f libopenblas0-pthread_*.deb && apt-get download libopenblas0-pthread >"apt-download.log" 2>&1 \
        && dpkg -x libopenblas0-pthread_*.deb openblas) \
        || { log "apt-get download libopenblas0-pthread failed, see $OUT/apt-download.log"; exit 2; }
    fi
  fi
  REFERENCE_ENV=(env "LD_LIBRARY_PATH=$OPENBLAS_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  "${REFERENCE_ENV[@]}" $PY -c 'import numpy; numpy.show_config()' >"$OUT/numpy-config.txt" 2>&1 || true
  "${REFERENCE_ENV[@]}" $PY -c "import numpy, torch; print(open('/proc/self/maps').read())" \
    | grep -o '/[^ ]*openblas[^ ]*' | sort -u >"$OUT/reference-blas.txt" || true
}

ensure_build() {
  [ -f data/cifar-10-batches-bin/data_batch_1.bin ] \
    || { log "no CIFAR-10 data in data/cifar-10-batches-bin: run ./data-download.sh first"; exit 2; }
  mvn -q test-compile
  if [ ! -s "$OUT/classpath.txt" ] || [ pom.xml -nt "$OUT/classpath.txt" ]; then
    mvn -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt"
  fi
  CP="target/classes:target/test-classes:$(cat "$OUT/classpath.txt")"
  # same value as engine.NativeAllocator.TRAINING_TUNABLES (NativeAllocatorTest checks); a user's own value wins
  local tunables=${GLIBC_TUNABLES-glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736}
  echo "GLIBC_TUNABLES=$tunables" >"$OUT/project-env.txt"
  JAVA=(env "GLIBC_TUNABLES=$tunables" java -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=16G
        -Dorg.bytedeco.javacpp.maxphysicalbytes=20G -Djava.awt.headless=true -cp "$CP")
}

# one measurement: side (project|reference), workload args...; appends its RESULT line (tagged) to $OUT/compare.txt
measure() {
  local side=$1; shift
  local line
  if [ "$side" = project ]; then
    line=$("${JAVA[@]}" org.speedlimits.bench.WorkloadBenchmark "$@" 2>"$OUT/last-stderr.txt" | grep '^RESULT') \
      || { log "project $* failed:"; tail -20 "$OUT/last-stderr.txt" >&2; exit 1; }
  else
    line=$("${REFERENCE_ENV[@]}" $PY bench/reference.py "$@" 2>"$OUT/last-stderr.txt" | grep '^RESULT') \
      || { log "reference $* failed:"; tail -20 "$OUT/last-stderr.txt" >&2; exit 1; }
  fi
  echo "$side rep=$REP $line" | tee -a "$OUT/compare.txt" >&2
}

# workloads: identical arguments on both sides (see WorkloadBenchmark / reference.py);
# add new ones here after implementing them on both sides
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  REPS=1
  WORKLOADS=("gemm 512 3" "myrtle5 16 100 2" "fcn 512 2 100 2" "eigh 300 1" "ntk-gram 4 20")
elif [ -n "${BENCH_WORKLOADS:-}" ]; then
  IFS=';' read -r -a WORKLOADS <<<"$BENCH_WORKLOADS"
else
  WORKLOADS=("gemm 2048 5" "myrtle5 16 500 5" "myrtle5 32 500 4" "myrtle5 64 500 3" "myrtle5 128 500 2"
             "fcn 512 2 500 8" "eigh 2000 2" "eigh 5000 1" "ntk-gram 16 500")
fi

stage_compare() {
  ensure_reference
  ensure_build
  [ "${BENCH_APPEND:-0}" = 1 ] || : >"$OUT/compare.txt"
  if [ "${BENCH_APPEND:-0}" = 1 ]; then uptime >>"$OUT/load-before.txt"; else uptime >"$OUT/load-before.txt"; fi
  for ((REP = 0; REP < REPS; REP++)); do
    for w in "${WORKLOADS[@]}"; do
      # alternate which side goes first, so a drift in machine load does not favour one side
      if ((REP % 2 == 0)); then measure project $w; measure reference $w
      else measure reference $w; measure project $w; fi
    done
  done
  if [ "${BENCH_APPEND:-0}" = 1 ]; then uptime >>"$OUT/load-after.txt"; else uptime >"$OUT/load-after.txt"; fi
}

stage_hooks() {
  ensure_build
  local reps=$REPS epochs=${BENCH_HOOK_EPOCHS:-30} width=${BENCH_HOOK_WIDTH:-32}
  [ "${BENCH_QUICK:-0}" = 1 ] && epochs=2
  "${JAVA[@]}" org.speedlimits.bench.HookOverheadBenchmark "$width" "$reps" "$epochs" 2>"$OUT/last-stderr.txt" \
    | tee "$OUT/hooks.txt" >&2
}

# peak resident memory of one CLI command (name, time limit in s or 0, CLI arguments...), sampled from /proc every
# 0.5 s, plus VmHWM at the end; the arguments are also written to $OUT/<name>-settings.txt for the report
rss_command() {
  local name=$1 limit=$2; shift 2
  "${JAVA[@]}" org.speedlimits.cli.Main "$@" >"$OUT/$name-stdout.txt" 2>&1 &
  local pid=$!
  $PY bench/rss_sampler.py "$pid" "$limit" >"$OUT/$name-rss.txt"
  local rc=0
  wait "$pid" || rc=$?
  echo "exit $rc limit $limit" >>"$OUT/$name-rss.txt"
  if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 137 ] && [ "$limit" != 0 ]; }; then
    log "$name run failed:"; tail -20 "$OUT/$name-stdout.txt" >&2; exit 1
  fi
}

# a real training run (CLI train, Myrtle-5 config with these overrides)
rss_run() {
  local name=$1 settings=$2 limit=${3:-0}
  echo "$settings" >"$OUT/$name-settings.txt"
  rss_command "$name" "$limit" train --config myrtle5.yaml --overwrite \
    --set "$settings output.root=$OUT/runs experiment=$name output.figure=false"
}

stage_memory() {
  ensure_build
  local n=4660 epochs=3
  [ "${BENCH_QUICK:-0}" = 1 ] && n=200 && epochs=1
  # 4660 = all 5 x 932 images of the offline mirror (the issue's n = 5000 needs the full CIFAR-10 download)
  rss_run memory "data.n_train=$n data.n_test=0 model.width=128 train.epochs=$epochs hooks.lambda_max_every=-1 checkpoint.log_points=0 checkpoint.every=0 train.progress_seconds=5" "${BENCH_MEMORY_SECONDS:-0}"
}

# the NTK of the memory run's final checkpoint (what a run's NTK at the end computes), time-limited like it
stage_memory_ntk() {
  ensure_build
  local run
  run=$(ls -d "$OUT"/runs/memory/*/ 2>/dev/null | head -1)
  [ -n "$run" ] || { log "no memory run in $OUT/runs/memory: run the memory stage first"; exit 2; }
  echo "ntk --run $run --epoch final" >"$OUT/memory-ntk-settings.txt"
  # hours at this size on 2 cores: stopped after BENCH_NTK_SECONDS (default 600); its buffers are all allocated early
  rss_command memory-ntk "${BENCH_NTK_SECONDS:-600}" ntk --run "$run" --epoch final
}

stage_leak() {
  ensure_build
  local epochs=${BENCH_LEAK_EPOCHS:-1000}
  [ "${BENCH_QUICK:-0}" = 1 ] && epochs=50
  rss_run leak "data.n_train=${BENCH_LEAK_N:-100} data.n_test=50 model.width=${BENCH_LEAK_WIDTH:-16} train.epochs=$epochs train.eval_every=50 hooks.lambda_max_every=-1 hooks.per_layer=true hooks.anchors=[1,10,100] checkpoint.every=100"
}

# Gradient flow (RKC) against fixed-step GD on the quickstart problem, against a tight-rtol reference
# (FlowBenchmark); BENCH_FLOW_ARGS overrides its settings, e.g. "T=0.3 gd=1e-3" for a smoke test.
stage_flow() {
  ensure_build
  local args=${BENCH_FLOW_ARGS:-}
  [ "${BENCH_QUICK:-0}" = 1 ] && args="T=0.3 ref=1e-6 flows=1e-2,1e-3 gd=1e-3"
  mkdir -p "$OUT/flow"
  "${JAVA[@]}" org.speedlimits.bench.FlowBenchmark "$OUT/flow" "$args" >"$OUT/flow/run.log" 2>&1 \
    || { log "FlowBenchmark failed:"; tail -20 "$OUT/flow/run.log" >&2; exit 1; }
  $PY bench/report.py --flow "$OUT/flow/flow.md" "$REPORT"
  log "flow section of $REPORT rebuilt from $OUT/flow/flow.md"
}

stage_report() {
  $PY bench/report.py "$OUT" "$REPORT"
  log "wrote $REPORT"
}

for s in "${STAGES[@]}"; do
  case $s in
    compare|hooks|memory|memory-ntk|leak|report|flow) log "stage $s"; "stage_${s//-/_}" ;;
    *) log "unknown stage '$s' (expected compare, hooks, memory, memory-ntk, leak, report or flow)"; exit 2 ;;
  esac
done
