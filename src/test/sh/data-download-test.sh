#!/usr/bin/env bash
# Exercises data-download.sh in temporary folders: mirror install, idempotency, corrupted and incomplete mirrors,
# the tarball path (with a tiny fake tarball over file://) and switching sources. Exits non-zero on the first failure.
#
#   src/test/sh/data-download-test.sh            # mirror: $CIFAR10_MIRROR, else ../shared/cifar10-subset
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
SCRIPT="$ROOT/data-download.sh"
MIRROR="$(cd "${CIFAR10_MIRROR:-$ROOT/../shared/cifar10-subset}" && pwd)"
BATCHES=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# Runs the script with only the given CIFAR10_* assignments (not the caller's, e.g. CIFAR10_MIRROR);
# output in $WORK/out, exit status in $STATUS.
run_script() {
    STATUS=0
    env -u CIFAR10_MIRROR -u CIFAR10_DIR -u CIFAR10_URL -u CIFAR10_MD5 -u CIFAR10_SIZE "$@" "$SCRIPT" > "$WORK/out" 2>&1 || STATUS=$?
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

echo "all data-download.sh tests passed"
