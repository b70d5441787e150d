#!/usr/bin/env bash
# Test of the launcher bin/speedlimits against the packaged jar; run after `mvn -B -q -DskipTests package` (JUnit runs
# before packaging, so this is a script CI calls afterwards). Checks:
#   - `--help`, `train --help` and `--version` run from the jar (exit 0, the expected text),
#   - a missing jar gets a clear "build it with mvn -q -DskipTests package" (exit 1),
#   - a config name typo gets exit 2 and the nearest config,
#   - a 2-epoch train with `--set` holding brackets with spaces ("ntk.epochs=[0, final]") completes: status done,
#     3 metrics rows, the NTK at epochs 0 and 2, and the training malloc settings in force.
# Needs the CIFAR-10 data in data/ (./data-download.sh); about 20 s.   src/test/launcher/launcher-test.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
L=bin/speedlimits

say() { echo "launcher-test: $*"; }
fail() {
    echo "launcher-test: FAIL: $*" >&2
    exit 1
}
TMP=$(mktemp -d /tmp/launcher-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ls target/speedlimits-*.jar >/dev/null 2>&1 && [ -d target/lib ] || fail "no packaged jar: run mvn -B -q -DskipTests package first"
[ -f data/cifar-10-batches-bin/data_batch_1.bin ] || fail "CIFAR-10 not installed: run ./data-download.sh first"

out=$("$L" --help) || fail "--help exited $?"
for word in "Usage: speedlimits" train sweep ntk analyze figures linreg; do
    grep -q -- "$word" <<<"$out" || fail "--help lacks '$word':"$'\n'"$out"
done
out=$("$L" train --help) || fail "train --help exited $?"
grep -q -- '-c, --config=FILE' <<<"$out" && grep -q -- '--set=KEY=VALUE' <<<"$out" \
    || fail "train --help lacks -c/--config or --set:"$'\n'"$out"
out=$("$L" --version) || fail "--version exited $?"
grep -q '^speedlimits [0-9]' <<<"$out" || fail "--version does not name the jar's version: $out"
say "--help, train --help, --version OK ($(head -1 <<<"$out"))"

rc=0
out=$("$L" no-such-command 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "an unknown command exited $rc, not 2: $out"

# the launcher of a project without a jar says how to build one
mkdir -p "$TMP/project/bin"
cp "$L" "$TMP/project/bin/"
rc=0
out=$("$TMP/project/bin/speedlimits" --help 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "without a jar the launcher exited $rc, not 1: $out"
grep -q 'mvn -q -DskipTests package' <<<"$out" || fail "without a jar the launcher does not say how to build it: $out"
say "missing jar: exit 1 with the build command"

rc=0
out=$("$L" train -c quikstart.yaml 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "a missing config exited $rc, not 2: $out"
grep -q "did you mean 'quickstart.yaml'" <<<"$out" || fail "no nearest-config suggestion: $out"
say "config typo: exit 2, did you mean 'quickstart.yaml'"

set_args="output.root=$TMP/out data.n_train=64 data.n_test=100 model.width=4 train.dynamics=gd train.epochs=2"
set_args+=" train.lr=0.002 train.chunk_size=64 output.figure=false ntk.epochs=[0, final] hooks.anchors=[1, 2]"
rc=0
env -u GLIBC_TUNABLES "$L" train -c quickstart.yaml --set "$set_args" >"$TMP/train.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "2-epoch train exited $rc: $(tail -20 "$TMP/train.log")"
run=$(find "$TMP/out" -name metrics.csv -printf '%h\n' | head -1)
[ -n "$run" ] || fail "no run directory under $TMP/out: $(tail -20 "$TMP/train.log")"
grep -q '"done"' "$run/status.json" || fail "status.json is not done: $(cat "$run/status.json")"
rows=$(($(wc -l <"$run/metrics.csv") - 1))
[ "$rows" -eq 3 ] || fail "metrics.csv has $rows rows, expected 3 (epochs 0..2)"
head -1 "$run/metrics.csv" | grep -q 'dist2_anchor_1' || fail "hooks.anchors=[1, 2] not applied: $(head -1 "$run/metrics.csv")"
for e in 0 2; do
    ls "$run"/ntk/epoch_"$e".* >/dev/null 2>&1 || fail "no NTK at epoch $e (ntk.epochs=[0, final]): $(ls "$run/ntk" 2>&1)"
done
grep -q 'glibc malloc tuned for training' "$TMP/train.log" || fail "the launcher did not apply the malloc settings"
say "2-epoch train with --set \"... ntk.epochs=[0, final] hooks.anchors=[1, 2]\": done, NTK at 0 and 2 ($run)"
say "PASS"
