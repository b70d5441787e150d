#!/usr/bin/env bash
# The device run of the cuDNN engine (issue: train on NVIDIA GPUs). Runs on a GPU node without Java or network,
# from the payload bench/gpu/prepare.sh built (.gpu/parts/payload.tar.xz.part*, SHA256SUMS), in well under 10 min:
#   1. unpack the jlink-ed JRE, the jars and the data; find libcudart.so.13, libcublas(Lt).so.13, libcudnn*.so.9
#      (CUDA toolkit or pip's nvidia-* wheels) and put their directories on LD_LIBRARY_PATH
#   2. probe: the GPU, driver, CUDA runtime, cuDNN and cuBLAS versions (model.CudaLibraries); stop if unusable
#   3. gradient: cuDNN's gradient at the theta prepare.sh saved vs oneDNN's (CPU) there: each block within 1e-4
#      relative in FP32, S within 1e-5, the same argmax count, and a repeated evaluation bit-identical; TF32 reported
#   4. quickstart: configs/quickstart.yaml trained with train.engine=cudnn, its metrics.csv against the CPU run's
#      (losses, |theta-theta_0|^2, path length within 5e-3 relative, accuracies within 0.01: compare_metrics.py)
#   5. epochs: Myrtle-5 C=128, n in {500, 2500}, FP32 and TF32: the Java cuDNN engine and bench/gpu_epoch.py
#      (PyTorch, same shapes) in ROUNDS interleaved rounds (default 3), one JSON row per measurement
#   6. the paper's setting: configs/fig1-paper-cpu.yaml (C=128, n=500, gradient flow to T=40) on the GPU, NTK off,
#      for at most PAPER_SECONDS (default 240; it resumes from its checkpoints if run again); its run directory
# Everything lands in $OUT (default ./gpu-out): summary.txt, epochs.jsonl, quickstart-gpu.tar.gz, paper-run.tar.gz,
# run-java.log.
#
#   bench/gpu/run-java.sh stage   (calls 1..k-1) keep this call's carried part(s) in $STAGE for the next call
#   bench/gpu/run-java.sh [run]   (last call) gather the parts from $STAGE and .gpu/parts, check, unpack, run
# Environment: STAGE (default /root/gpu-stage), WORK (default /tmp/speedlimits-gpu), ROUNDS, PAPER_SECONDS,
# BUDGET (seconds for the whole run, default 540: a device command may run 600), CUDA_LIB_DIRS (extra library
# directories, colon-separated). Every step's timeout is cut to what is left of BUDGET, so the run ends in time and
# what it measured reaches $OUT.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STAGE=${STAGE:-/root/gpu-stage}
WORK=${WORK:-/tmp/speedlimits-gpu}
OUT=${OUT:-$root/gpu-out}
ROUNDS=${ROUNDS:-3}
PAPER_SECONDS=${PAPER_SECONDS:-240}
BUDGET=${BUDGET:-540}
mkdir -p "$OUT" "$STAGE"
summary=$OUT/summary.txt
log=$OUT/run-java.log

say() { echo "$*" | tee -a "$summary"; }
die() { say "run-java.sh: $*"; exit 1; }

parts_in() { ls "$1"/payload.tar.xz.part* 2>/dev/null; }
# seconds a step may take: at most $1, and no more than what is left of BUDGET minus $2 (kept for later steps)
limit() { local left=$(( BUDGET - ($(date +%s) - start) - ${2:-0} )); [ "$left" -lt "$1" ] && echo $(( left > 5 ? left : 5 )) || echo "$1"; }

if [ "${1:-run}" = stage ]; then
    [ -n "$(parts_in "$root/.gpu/parts")" ] || die "no .gpu/parts/payload.tar.xz.part* in this call (carry .gpu/parts)"
    cp "$root"/.gpu/parts/payload.tar.xz.part* "$root/.gpu/parts/SHA256SUMS" "$STAGE/"
    echo "staged in $STAGE: $(cd "$STAGE" && ls payload.tar.xz.part* | paste -sd' ')"
    exit 0
fi

: > "$summary"
start=$(date +%s)
# 1. gather, check, unpack
for f in $(parts_in "$root/.gpu/parts"); do cp "$f" "$STAGE/"; done
[ -f "$root/.gpu/parts/SHA256SUMS" ] && cp "$root/.gpu/parts/SHA256SUMS" "$STAGE/"
(cd "$STAGE" && sha256sum -c SHA256SUMS) >> "$log" 2>&1 || die "payload parts missing or corrupt in $STAGE (see SHA256SUMS; stage the earlier parts first)"
rm -rf "$WORK" && mkdir -p "$WORK"
cat "$STAGE"/payload.tar.xz.part* | xz -dc | tar -xf - -C "$WORK" || die "unpacking failed"
P=$WORK/payload
java=$P/jre/bin/java
cp_gpu="$P/app/speedlimits.jar:$P/app/natives-nd4j:$P/app/lib/*"
say "unpacked in $(( $(date +%s) - start )) s: $(du -sm "$P" | cut -f1) MiB"

# where the CUDA 13 libraries are: pip's nvidia-* packages of the python3 on PATH, a toolkit, else anywhere
libdirs=${CUDA_LIB_DIRS:-}
pip_nvidia=$(python3 -c 'import nvidia; print(" ".join(nvidia.__path__))' 2>/dev/null || true)
for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcudnn.so.9 libcudnn_cnn.so.9 libcudnn_ops.so.9; do
    d=""
    for base in $pip_nvidia /usr/local/cuda /usr/local/cuda-13* /usr/lib/x86_64-linux-gnu /; do
        [ -d "$base" ] || continue
        d=$(find "$base" \( -path /proc -o -path /sys -o -path /dev -o -path '*/.javacpp' \) -prune -o -name "$lib" -print \
            2>/dev/null | head -1)
        [ -n "$d" ] && break
    done
    if [ -n "$d" ]; then libdirs=$libdirs:$(dirname "$d"); else say "not found on this node: $lib"; fi
done
export LD_LIBRARY_PATH=$(echo "${libdirs#:}:${LD_LIBRARY_PATH:-}" | tr ':' '\n' | awk 'NF && !seen[$0]++' | paste -sd:)
say "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee -a "$summary" || true
export GLIBC_TUNABLES=${GLIBC_TUNABLES-glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736}
jvm=(-Xmx16g -Dorg.bytedeco.javacpp.maxbytes=32G -Dorg.bytedeco.javacpp.maxphysicalbytes=48G -cp "$cp_gpu")

# 2. probe
say "== probe"
"$java" "${jvm[@]}" org.speedlimits.model.CudaLibraries 2>>"$log" | tee -a "$summary"
[ "${PIPESTATUS[0]}" = 0 ] || die "the cuDNN engine cannot run on this node (above)"

# 3. gradient at a fixed theta
say "== gradient: cuDNN vs oneDNN (CPU) at the same theta"
timeout "$(limit 120 300)" "$java" "${jvm[@]}" org.speedlimits.run.GpuCheck gradient "$P/check" 2>>"$log" | tee -a "$summary"

# 4. quickstart on the GPU vs the CPU run
say "== quickstart: GPU (cudnn) vs CPU (onednn) metrics.csv"
cd "$P/app"
timeout "$(limit 180 240)" "$java" "${jvm[@]}" org.speedlimits.cli.Main train --config configs/quickstart.yaml --set \
    "train.engine=cudnn output.figure=false data.dir=$P/data output.root=$WORK/runs output.run_id=gpu $(cat "$P/check/quickstart-set.txt")" \
    >>"$log" 2>&1
say "quickstart exit $? after $(( $(date +%s) - start )) s"
python3 "$P/compare_metrics.py" "$P/check/quickstart-cpu/metrics.csv" "$WORK/runs/quickstart/gpu/metrics.csv" | tee -a "$summary"
tar -czf "$OUT/quickstart-gpu.tar.gz" -C "$WORK/runs/quickstart" gpu 2>>"$log"

# 5. epoch times, interleaved with PyTorch
say "== epochs: Myrtle-5 C=128, n = 500, 2500; java-cudnn and pytorch interleaved, $ROUNDS rounds"
for r in $(seq 1 "$ROUNDS"); do
    timeout "$(limit 60 90)" "$java" "${jvm[@]}" org.speedlimits.run.GpuCheck epochs 128 500,2500 3 2>>"$log" \
        | sed "s/^{/{\"round\": $r, /" | tee -a "$OUT/epochs.jsonl"
    PYTHONUNBUFFERED=1 timeout "$(limit 60 90)" python3 "$P/gpu_epoch.py" "$WORK/torch-$r.json" --cases=500x128,2500x128 --reps=3 \
        --no-channels-last 2>>"$log" | sed "s/^{/{\"round\": $r, /" | tee -a "$OUT/epochs.jsonl"
done
python3 - "$OUT/epochs.jsonl" <<'EOF' | tee -a "$summary"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
for n in (500, 2500):
    for tf32 in (False, True):
        t = {impl: statistics.median([r["epoch_s_median"] for r in rows if r.get("impl") == impl and r["n"] == n
                                      and r["tf32"] == tf32] or [float("nan")]) for impl in ("java-cudnn", "pytorch")}
        print(f"n={n} C=128 {'TF32' if tf32 else 'FP32'}: java-cudnn {t['java-cudnn']*1e3:.2f} ms, pytorch "
              f"{t['pytorch']*1e3:.2f} ms per epoch, ratio {t['java-cudnn']/t['pytorch']:.2f} (target <= 1.0)")
EOF

# 6. the paper's setting
say "== paper: Myrtle-5 C=128, n=500, gradient flow to T=40 (at most $PAPER_SECONDS s)"
timeout "$(limit "$PAPER_SECONDS" 20)" "$java" "${jvm[@]}" org.speedlimits.cli.Main train --config configs/fig1-paper-cpu.yaml --set \
    "train.engine=cudnn output.figure=false ntk.epochs=[] data.dir=$P/data output.root=$WORK/runs output.run_id=paper-gpu" \
    >>"$log" 2>&1
say "paper run exit $? (124: stopped at $PAPER_SECONDS s; rerun resumes) after $(( $(date +%s) - start )) s"
tail -2 "$WORK/runs/fig1-paper-cpu/paper-gpu/metrics.csv" 2>/dev/null | tee -a "$summary"
tar -czf "$OUT/paper-run.tar.gz" -C "$WORK/runs/fig1-paper-cpu" paper-gpu 2>>"$log"
say "done in $(( $(date +%s) - start )) s"
