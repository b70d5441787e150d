#!/usr/bin/env bash
# Installs CIFAR-10 (binary version) into data/cifar-10-batches-bin/.
#
#   ./data-download.sh                                          # official tarball from the CIFAR-10 home page
#   CIFAR10_MIRROR=../shared/cifar10-subset ./data-download.sh  # copy from a local mirror, checked against its SHA256SUMS
#
# Installs only data_batch_1..5.bin, test_batch.bin and batches.meta.txt, plus SHA256SUMS (what was installed) and
# SOURCE (where it came from). Idempotent: when SOURCE names the requested source and every file matches SHA256SUMS,
# nothing is fetched again; a different source (mirror <-> full data set) is installed over the old one.
# On a checksum mismatch or a missing file it exits non-zero naming the file and leaves no partial file behind:
# everything is staged in a temporary folder inside the target, verified, and only then moved into place.
#
# Environment:
#   CIFAR10_MIRROR  local folder to copy from instead of downloading (must hold a SHA256SUMS)
#   CIFAR10_DIR     target folder (default: data/cifar-10-batches-bin next to this script)
#   CIFAR10_URL, CIFAR10_MD5, CIFAR10_SIZE
#                   tarball location, MD5 and size in bytes. FOR TESTING ONLY (e.g. a file:// URL to a fake
#                   tarball); the defaults are the official values.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET="${CIFAR10_DIR:-$SCRIPT_DIR/data/cifar-10-batches-bin}"
MIRROR="${CIFAR10_MIRROR:-}"
URL="${CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz}"
MD5="${CIFAR10_MD5:-c32a1d4ab5d03f1284b67883e8d87530}"
SIZE="${CIFAR10_SIZE:-170052171}"

BATCHES=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin)
META=batches.meta.txt
ARCHIVE_DIR=cifar-10-batches-bin # folder inside the tarball

die() { echo "data-download.sh: error: $*" >&2; exit 1; }
info() { echo "data-download.sh: $*"; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Prints "hash name" for each line of a sha256sum file (accepts both "  name" and " *name").
read_sums() {
    sed -E 's/^([0-9a-fA-F]{64}) [ *](.+)$/\1 \2/' "$1"
}

# Expected hash of one file from a sha256sum file; empty if not listed.
listed_hash() {
    read_sums "$1" | awk -v f="$2" '$2 == f { print $1; exit }'
}

# True when the target holds an intact installation from the given source.
installed_from() {
    local source_id="$1" f expected
    [[ -f "$TARGET/SOURCE" && -f "$TARGET/SHA256SUMS" ]] || return 1
    [[ "$(cat "$TARGET/SOURCE")" == "$source_id" ]] || return 1
    for f in "${BATCHES[@]}"; do
        expected="$(listed_hash "$TARGET/SHA256SUMS" "$f")"
        [[ -n "$expected" && -f "$TARGET/$f" && "$(sha256_of "$TARGET/$f")" == "$expected" ]] || return 1
    done
    # batches.meta.txt is optional for a mirror, but if it was installed it must be intact too
    expected="$(listed_hash "$TARGET/SHA256SUMS" "$META")"
    [[ -z "$expected" || ( -f "$TARGET/$META" && "$(sha256_of "$TARGET/$META")" == "$expected" ) ]]
}

# Moves the verified files of the staging folder into the target. SOURCE is removed first and written last, so an
# interrupted switch between sources is never mistaken for a complete installation.
install_staged() {
    local source_id="$1" f
    rm -f "$TARGET/SOURCE"
    for f in "${BATCHES[@]}"; do
        mv -f "$STAGING/$f" "$TARGET/$f"
    done
    if [[ -f "$STAGING/$META" ]]; then
        mv -f "$STAGING/$META" "$TARGET/$META"
    else
        rm -f "$TARGET/$META" # stale from a previous source
    fi
    mv -f "$STAGING/SHA256SUMS" "$TARGET/SHA256SUMS"
    printf '%s\n' "$source_id" > "$STAGING/SOURCE"
    mv -f "$STAGING/SOURCE" "$TARGET/SOURCE"
}

# Copies one mirror file into staging and checks it against the mirror's SHA256SUMS.
stage_from_mirror() {
    local f="$1" expected="$2"
    [[ -f "$MIRROR/$f" ]] || die "missing file: $MIRROR/$f (listed in $MIRROR/SHA256SUMS)"
    cp "$MIRROR/$f" "$STAGING/$f"
    chmod 644 "$STAGING/$f" # mirror files may be read-only
    [[ "$(sha256_of "$STAGING/$f")" == "$expected" ]] \
        || die "checksum mismatch: $MIRROR/$f does not match $MIRROR/SHA256SUMS"
}

install_from_mirror() {
    local sums="$MIRROR/SHA256SUMS" f expected source_id
    [[ -d "$MIRROR" ]] || die "mirror folder not found: $MIRROR"
    [[ -f "$sums" ]] || die "missing file: $sums (a mirror must list its checksums)"
    for f in "${BATCHES[@]}"; do
        [[ -n "$(listed_hash "$sums" "$f")" ]] || die "missing file: $f is not listed in $sums"
    done
    # identified by the content of its checksum list, so moving the mirror does not trigger a re-copy
    source_id="mirror sha256sums=$(sha256_of "$sums")"
    if installed_from "$source_id"; then
        info "CIFAR-10 mirror copy already present in $TARGET (verified against SHA256SUMS); nothing to do"
        return
    fi
    info "copying CIFAR-10 from mirror $MIRROR to $TARGET"
    # every file the mirror lists is checked, even ones not installed
    while read -r expected f; do
        [[ -z "$f" ]] && continue
        [[ "$f" == */* ]] && die "unexpected path in $sums: $f"
        stage_from_mirror "$f" "$expected"
    done < <(read_sums "$sums")
    cp "$sums" "$STAGING/SHA256SUMS"
    chmod 644 "$STAGING/SHA256SUMS"
    if [[ -z "$(listed_hash "$sums" "$META")" && -f "$MIRROR/$META" ]]; then
        # not covered by the mirror's list: copy it and record its checksum so later runs can verify it
        cp "$MIRROR/$META" "$STAGING/$META"
        chmod 644 "$STAGING/$META"
        (cd "$STAGING" && sha256sum "$META") >> "$STAGING/SHA256SUMS"
    fi
    install_staged "$source_id"
    info "installed $(wc -l < "$TARGET/SHA256SUMS") files into $TARGET"
}

install_from_url() {
    local source_id="url=$URL md5=$MD5 size=$SIZE" tarball actual_size actual_md5 f members=()
    if installed_from "$source_id"; then
        info "CIFAR-10 already present in $TARGET (verified against SHA256SUMS); nothing to do"
        return
    fi
    tarball="$STAGING/cifar-10-binary.tar.gz"
    info "downloading $URL"
    curl -fL --progress-bar --retry 3 --retry-delay 5 -o "$tarball" "$URL" || die "download failed: $URL (no internet? copy CIFAR-10 from a local mirror instead: CIFAR10_MIRROR=../shared/cifar10-subset ./data-download.sh)"
    actual_size="$(stat -c %s "$tarball")"
    [[ "$actual_size" == "$SIZE" ]] \
        || die "size mismatch: cifar-10-binary.tar.gz from $URL has $actual_size bytes, expected $SIZE"
    actual_md5="$(md5sum "$tarball" | cut -d' ' -f1)"
    [[ "$actual_md5" == "$MD5" ]] \
        || die "checksum mismatch: cifar-10-binary.tar.gz from $URL has MD5 $actual_md5, expected $MD5"
    for f in "${BATCHES[@]}" "$META"; do
        members+=("$ARCHIVE_DIR/$f")
    done
    # naming the members extracts nothing else (and nothing outside the staging folder)
    tar -xzf "$tarball" -C "$STAGING" --no-same-owner "${members[@]}" \
        || die "cannot extract ${members[*]} from cifar-10-binary.tar.gz"
    rm -f "$tarball"
    for f in "${BATCHES[@]}" "$META"; do
        [[ -f "$STAGING/$ARCHIVE_DIR/$f" ]] || die "missing file: $ARCHIVE_DIR/$f not in cifar-10-binary.tar.gz"
        mv "$STAGING/$ARCHIVE_DIR/$f" "$STAGING/$f"
        chmod 644 "$STAGING/$f"
    done
    (cd "$STAGING" && sha256sum "${BATCHES[@]}" "$META") > "$STAGING/SHA256SUMS"
    install_staged "$source_id"
    info "installed ${#BATCHES[@]} batch files and $META into $TARGET"
}

mkdir -p "$TARGET"
STAGING="$(mktemp -d "$TARGET/.staging.XXXXXX")"
trap 'rm -rf "$STAGING"' EXIT
trap 'exit 130' INT TERM # turn signals into an exit so the EXIT trap cleans up

if [[ -n "$MIRROR" ]]; then
    install_from_mirror
else
    install_from_url
fi
