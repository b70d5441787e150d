#!/usr/bin/env bash
# Builds, on a CPU machine with the project's JDK and Maven cache, everything bench/gpu/run-java.sh needs on a GPU
# node that has no Java and no network: a jlink-ed JRE, the jars of the GPU path, the CIFAR-10 files, the CPU halves
# of the comparisons (oneDNN's gradient at a fixed theta; the quickstart's metrics from a CPU run), and the scripts.
# All of it goes into one tar.xz, cut into parts of at most PART_MIB (default 60) MiB under .gpu/ (git-ignored), with
# a SHA256SUMS; the sizes are printed (measured: 90 MiB, 2 parts of <= 48 MiB at 14 MiB of tracked files). A device call carries at most 64 MiB, so a payload of k parts takes k calls:
# the first k-1 only stage their part (run-java.sh stage), the last one runs (run-java.sh run); docs/backends.md.
#
#   bench/gpu/prepare.sh               build the jar (mvn -o package), then the payload
#   SKIP_BUILD=1 bench/gpu/prepare.sh  reuse target/
#   SKIP_CPU_RUN=1 ...                 reuse .gpu/cpu/ (the CPU quickstart run takes minutes)
#   QUICKSTART_SET="train.time=0.5"    extra --set for both quickstart runs (CPU here, GPU there; default none)
#
# The jar set is target/lib minus what the GPU path never loads: oneDNN's and OpenCL's natives (the CPU engine),
# the figure libraries (runs there set output.figure=false), fastutil (unused at run time; checked by the smoke run
# below), and of the CUDA bindings' JNI jar only cudart, cublas and cudnn. ND4J's CPU backend (nd4j-native, 90 MB
# jar, 365 MB libnd4jcpu.so) stays: theta, the gradient and the integrator are INDArrays (docs/backends.md, "Slim
# runtime", has the measurements and the refactor that would remove it).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
JDK=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
# a device call carries the checkout (tracked files, ~12 MiB) plus the carried part: 64 MiB in all
tracked_mib=$(git ls-files -z | du --files0-from=- -cm 2>/dev/null | tail -1 | cut -f1)
PART_MIB=${PART_MIB:-$((62 - ${tracked_mib:-12}))}
XZ_LEVEL=${XZ_LEVEL:-3} # libnd4jcpu.so 329 MB -> 42 MB at -1 (80 s on a loaded 2-core machine); -3 packs ~20% tighter
out=$root/.gpu
modules_base=java.base,java.logging,java.management,java.xml,jdk.unsupported

die() { echo "prepare.sh: $*" >&2; exit 1; }
[ -x "$JDK/bin/jlink" ] || die "no jlink in JDK=$JDK"
[ -d data/cifar-10-batches-bin ] || die "data/cifar-10-batches-bin missing (ln -s <project>/data data, or ./data-download.sh)"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    mvn -B -o -q package -DskipTests
fi
jar=$(ls target/speedlimits-*.jar | grep -v -- '-sources\|-tests\|-javadoc' | head -1)
[ -f "$jar" ] || die "no target/speedlimits-*.jar"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
p=$stage/payload
mkdir -p "$p/app/lib" "$p/data" "$p/check"

# 1. jars of the GPU path
for j in target/lib/*.jar; do
    b=$(basename "$j")
    case $b in
        dnnl-*-linux-x86_64.jar | opencl-*-linux-x86_64.jar | fastutil-*.jar | xchart-*.jar | pdfbox-*.jar \
            | fontbox-*.jar | graphics2d-*.jar | VectorGraphics2D-*.jar | animated-gif-lib-*.jar | freemarker-*.jar)
            continue ;;
        nd4j-native-[0-9]*-linux-x86_64*.jar) # unpacked, libnd4jcpu.so stripped (365 -> 329 MB): xz packs it to 42 MB,
            # the jar's deflate to 88 MB. A directory on the class path serves JavaCPP as well as the jar.
            mkdir -p "$p/app/natives-nd4j"
            (cd "$p/app/natives-nd4j" && unzip -q "$root/$j" && find . -name 'libnd4jcpu.so' -exec strip --strip-unneeded {} \;)
            continue ;;
        cuda-*-linux-x86_64.jar) # only the three JNI libraries the engine loads (5 MB -> 2 MB)
            (mkdir -p "$stage/cuda" && cd "$stage/cuda" && unzip -q "$root/$j" 'META-INF/*' \
                'org/bytedeco/cuda/linux-x86_64/libjnicudart.so' 'org/bytedeco/cuda/linux-x86_64/libjnicublas.so' \
                'org/bytedeco/cuda/linux-x86_64/libjnicudnn.so' && zip -q -r -9 "$p/app/lib/$b" .)
            continue ;;
    esac
    cp "$j" "$p/app/lib/"
done
cp "$jar" "$p/app/speedlimits.jar"
# jars re-stored without compression (same entries, signatures intact): xz then compresses their classes and
# natives across files, instead of passing deflated bytes through
for j in "$p"/app/lib/*.jar; do
    rm -rf "$stage/jar" && mkdir -p "$stage/jar"
    (cd "$stage/jar" && unzip -q "$j" && rm -f "$j" && zip -q -r -0 -X "$j" .)
done
cp -r configs "$p/app/configs"

# 2. the JRE: the modules jdeps finds in the jars that travel, plus the ones loaded reflectively
modules=$("$JDK/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps -q \
    --class-path "$p/app/lib/*" "$p/app/speedlimits.jar" 2>/dev/null || true)
modules=$(echo "$modules_base,${modules}" | tr ',' '\n' | grep -v '^$' | sort -u | paste -sd, -)
echo "jlink modules: $modules"
"$JDK/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=0 \
    --output "$p/jre"

# 3. data and scripts
cp data/cifar-10-batches-bin/{data_batch_1.bin,data_batch_2.bin,data_batch_3.bin,test_batch.bin,batches.meta.txt} \
    "$p/data/" 2>/dev/null || cp data/cifar-10-batches-bin/* "$p/data/"
cp bench/gpu/run-java.sh bench/gpu_epoch.py bench/gpu/compare_metrics.py "$p/"

# 4. the CPU halves: oneDNN's gradient at a fixed theta; the quickstart's metrics on the CPU (oneDNN engine)
cpu_cp="$p/app/speedlimits.jar:$(ls target/lib/*.jar | paste -sd:)"
"$p/jre/bin/java" -cp "$cpu_cp" org.speedlimits.run.GpuCheck dump "$p/check" 16 64 2>&1 | grep -v '^Warning: Versions' | tail -1
mkdir -p "$out/cpu"
if [ "${SKIP_CPU_RUN:-0}" != 1 ] || [ ! -f "$out/cpu/metrics.csv" ]; then
    rm -rf "$stage/cpu-run"
    "$p/jre/bin/java" -cp "$cpu_cp" org.speedlimits.cli.Main train --config configs/quickstart.yaml \
        --set "train.engine=onednn output.figure=false output.root=$stage/cpu-run output.run_id=cpu ${QUICKSTART_SET:-}" \
        > "$stage/cpu-run.log" 2>&1 || { tail -20 "$stage/cpu-run.log"; die "CPU quickstart run failed"; }
    cp "$stage"/cpu-run/quickstart/cpu/{metrics.csv,env.json,config.yaml} "$out/cpu/"
fi
cp -r "$out/cpu" "$p/check/quickstart-cpu"
echo "${QUICKSTART_SET:-}" > "$p/check/quickstart-set.txt"

# 5. smoke test of the slim payload here: its JRE and jars start, and the cuDNN engine fails with the clear message
slim_cp="$p/app/speedlimits.jar:$p/app/natives-nd4j:$p/app/lib/*"
smoke=$("$p/jre/bin/java" -cp "$slim_cp" org.speedlimits.model.CudaLibraries 2>&1 || true)
echo "slim payload on this machine: $(echo "$smoke" | tail -1)"
smoke=$("$p/jre/bin/java" -Dorg.bytedeco.javacpp.cachedir="$stage/javacpp-cache" -cp "$slim_cp" \
    org.speedlimits.run.GpuCheck gradient "$p/check" 2>&1 || true)
echo "$smoke" | grep -q 'ND4J backend CPU' || { echo "$smoke" | tail -20; die "the slim payload does not start ND4J"; }
echo "$smoke" | grep -q 'cuDNN engine cannot run here' || { echo "$smoke" | tail -20; die "no clear cuDNN failure"; }
echo "slim payload: ND4J starts from natives-nd4j/, the gradient check stops at: $(echo "$smoke" | grep -o 'cuDNN engine cannot run here.*' | head -1)"

# 6. pack and cut
rm -rf "$out/parts"
mkdir -p "$out/parts"
(cd "$stage" && tar -cf - payload | xz -T0 "-$XZ_LEVEL" > "$stage/payload.tar.xz")
(cd "$out/parts" && split -b "${PART_MIB}M" -d -a 1 "$stage/payload.tar.xz" payload.tar.xz.part && sha256sum payload.tar.xz.part* > SHA256SUMS)
du -sm "$p/jre" "$p/app/lib" "$p/app/natives-nd4j" "$p/data" | sed 's/^/unpacked MiB: /'
echo "payload.tar.xz: $(du -m "$stage/payload.tar.xz" | cut -f1) MiB in $(ls "$out/parts" | grep -c part) part(s) of <= ${PART_MIB} MiB:"
ls -l "$out/parts"
