#!/usr/bin/env bash
# Installs CIFAR-10 (binary version) into data/cifar-10-batches-bin/.
#
#   ./data-download.sh                                       # official tarball from the CIFAR-10 home page
#   CIFAR10_MIRROR=../shared/cifar10-subset ./data-download.sh   # copy from a local mirror (checks its SHA256SUMS)
#
# Installs only data_batch_1..5.bin, test_batch.bin and batches.meta.txt, plus a SHA256SUMS of what it installed.
# Idempotent: when the installed files match their SHA256SUMS nothing is fetched again. On a checksum mismatch or a
# missing file it exits non-zero naming the file, and leaves no partial file behind (everything is staged in a
# temporary folder and moved into place only after verification).
# Other variables: CIFAR10_DIR (target folder); CIFAR10_URL, CIFAR10_MD5, CIFAR10_SIZE (tarball source and its
# expected checksum/size; the defaults are the official ones and should only be changed for testing).
set -euo pipefail

TARGET="${CIFAR10_DIR:-data/cifar-10-batches-bin}"
URL="${CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz}"
MD5="${CIFAR10_MD5:-c32a1d4ab5d03f1284b67883e8d87530}"
SIZE="${CIFAR10_SIZE:-170052171}"
BATCHES=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin)
META=batches.meta.txt
FILES=("${BATCHES[@]}" "$META")

die() { echo "data-download.sh: error: $*" >&2; exit 1; }

# True when every file is installed and matches the SHA256SUMS written at install time (and, for a mirror, the
# mirror's own SHA256SUMS, so switching between mirror and full data set re-installs).
installed_ok() {
  [[ -f "$TARGET/SHA256SUMS" ]] || return 1
  for f in "${FILES[@]}"; do
    grep -q " \*\?$f\$" "$TARGET/SHA256SUMS" || return 1
  done
  if [[ -n "${CIFAR10_MIRROR:-}" ]]; then
    for f in "${BATCHES[@]}"; do
      [[ "$(grep " \*\?$f\$" "$CIFAR10_MIRROR/SHA256SUMS" | cut -d' ' -f1)" == "$(grep " \*\?$f\$" "$TARGET/SHA256SUMS" | cut -d' ' -f1)" ]] || return 1
    done
  fi
  (cd "$TARGET" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1)
}

if installed_ok; then
  echo "CIFAR-10 already installed and verified in $TARGET"
  exit 0
fi

mkdir -p "$TARGET"
STAGE="$(mktemp -d "$TARGET/.staging.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

if [[ -n "${CIFAR10_MIRROR:-}" ]]; then
  [[ -d "$CIFAR10_MIRROR" ]] || die "mirror directory $CIFAR10_MIRROR not found"
  [[ -f "$CIFAR10_MIRROR/SHA256SUMS" ]] || die "mirror $CIFAR10_MIRROR has no SHA256SUMS file"
  for f in "${FILES[@]}"; do
    [[ -f "$CIFAR10_MIRROR/$f" ]] || die "mirror file $CIFAR10_MIRROR/$f is missing"
    expected="$(grep " \*\?$f\$" "$CIFAR10_MIRROR/SHA256SUMS" | cut -d' ' -f1 || true)"
    # every batch must be listed; the class-name file is checked by content when the mirror lists no checksum
    [[ -n "$expected" || "$f" == "$META" ]] || die "$CIFAR10_MIRROR/SHA256SUMS has no checksum for $f"
    cp "$CIFAR10_MIRROR/$f" "$STAGE/$f"
    actual="$(sha256sum "$STAGE/$f" | cut -d' ' -f1)"
    [[ -z "$expected" || "$actual" == "$expected" ]] || die "checksum mismatch for $CIFAR10_MIRROR/$f: expected sha256 $expected, got $actual"
  done
  [[ "$(grep -c . "$STAGE/$META")" == 10 ]] || die "$CIFAR10_MIRROR/$META should list 10 class names, one per line"
  echo "copied CIFAR-10 from mirror $CIFAR10_MIRROR"
else
  command -v curl >/dev/null || die "curl is needed to download $URL"
  tarball="$STAGE/cifar-10-binary.tar.gz"
  echo "downloading $URL ($SIZE bytes)"
  curl -fL --retry 3 -o "$tarball" "$URL" || die "download of $URL failed"
  actual_size="$(stat -c %s "$tarball")"
  [[ "$actual_size" == "$SIZE" ]] || die "cifar-10-binary.tar.gz has $actual_size bytes, expected $SIZE"
  actual_md5="$(md5sum "$tarball" | cut -d' ' -f1)"
  [[ "$actual_md5" == "$MD5" ]] || die "checksum mismatch for cifar-10-binary.tar.gz: expected MD5 $MD5, got $actual_md5"
  members=()
  for f in "${FILES[@]}"; do members+=("cifar-10-batches-bin/$f"); done
  tar -xzf "$tarball" -C "$STAGE" "${members[@]}" || die "cifar-10-binary.tar.gz lacks one of: ${FILES[*]}"
  for f in "${FILES[@]}"; do
    [[ -f "$STAGE/cifar-10-batches-bin/$f" ]] || die "cifar-10-binary.tar.gz lacks $f"
    mv "$STAGE/cifar-10-batches-bin/$f" "$STAGE/$f"
  done
  echo "downloaded and verified cifar-10-binary.tar.gz"
fi

(cd "$STAGE" && sha256sum "${FILES[@]}" > SHA256SUMS)
# verified: move into place (same file system, so each rename is atomic); the checksum list goes last
rm -f "$TARGET/SHA256SUMS"
for f in "${FILES[@]}"; do
  mv -f "$STAGE/$f" "$TARGET/$f"
done
mv -f "$STAGE/SHA256SUMS" "$TARGET/SHA256SUMS"
echo "CIFAR-10 installed in $TARGET"
