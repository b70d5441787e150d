#!/usr/bin/env bash
# Browser test of the live view (docs/serve.md, "Tested in a real browser"): starts a small real gradient-flow training
# run in the background and `serve` on its root, then drives Debian's headless Chromium with playwright-core
# (live-view.mjs): the run appears, its loss curve grows while it trains, the page ends with exactly metrics.csv's
# rows, path traversal is refused; screenshot and logs in target/browser/.
#
# Needs: the packaged jar (mvn -B -q -DskipTests package; this script builds nothing), data/ (the CIFAR-10 subset),
# node + npm, and chromium (apt-get install -y chromium; or CHROMIUM=/path/to/chrome). npm packages are installed from
# src/test/browser/package-lock.json into target/browser/node/ (never into the source tree).
# KEEP_BROWSER_TEST=1 keeps the temp root; TIMEOUT_S (default 420) bounds the wait for the run. ~2-4 minutes on 2 cores. The training starts only once the page has loaded.
set -euo pipefail
cd "$(dirname "$0")/../../.."
project=$PWD
out=$project/target/browser
mkdir -p "$out"
rm -f "$out"/live-view.png "$out"/live-view-failure.png "$out"/results.txt

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] && [ -x "$chromium" ] || { echo "browser-test: no chromium (apt-get install -y chromium, or set CHROMIUM)" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "browser-test: node and npm are needed" >&2; exit 1; }

node_dir=$out/node
mkdir -p "$node_dir"
cp src/test/browser/package.json src/test/browser/package-lock.json src/test/browser/live-view.mjs "$node_dir"/
if ! (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >"$out/npm.log" 2>&1); then
    cat "$out/npm.log" >&2
    exit 1
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "${KEEP_BROWSER_TEST:-}" ]; then
        echo "browser-test: kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

root=$tmp/outputs
mkdir -p "$root"
# things outside the root, reachable only through symlinks inside it: the server must refuse them all
echo "outside-the-root" >"$tmp/outside.txt"
mkdir -p "$tmp/outside-run"
printf 'epoch,time\n0,0.0\n' >"$tmp/outside-run/metrics.csv"
echo "experiment: outside" >"$tmp/outside-run/config.yaml"
ln -s "$tmp" "$root/escape"
ln -s "$tmp/outside.txt" "$root/outside-link.txt"
ln -s "$tmp/outside-run" "$root/escape-run"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bin/speedlimits serve --root "$root" --port "$port" >"$out/serve.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/api/runs"; then
        break
    fi
    sleep 0.5
done
curl -sf -o /dev/null "http://127.0.0.1:$port/api/runs" || { echo "browser-test: serve did not start" >&2; cat "$out/serve.log" >&2; exit 1; }

status=0
rm -f "$out/page-ready"
BASE_URL="http://127.0.0.1:$port/" ROOT="$root" OUT="$out" CHROMIUM="$chromium" OUTSIDE_TEXT="outside-the-root" \
    node "$node_dir/live-view.mjs" &
node_pid=$!
pids+=($node_pid)
# the training starts once the page has loaded (live-view.mjs writes page-ready): on fast cores the run takes ~10 s,
# less than a cold Chromium start, and the page must see it running
for _ in $(seq 1 240); do
    [ -f "$out/page-ready" ] || ! kill -0 "$node_pid" 2>/dev/null && break
    sleep 0.5
done
# a small real flow run: Myrtle-5 C = 8 on 300 images to T = 1 (100 ran in ~5 s on idle fast cores, and the page
# listed it at epoch 90 of 100, too late to see its curve grow), an anchor at t = 0.5 (warm start), lambda_max and the
# NTK spectrum at t = 0
bin/speedlimits train -c quickstart.yaml --set "output.root=$root data.n_train=300 data.n_test=100 model.width=8 \
train.time=1.0 hooks.anchor_times=[0.5] ntk.epochs=[0]" >"$out/train.log" 2>&1 &
pids+=($!)
wait "$node_pid" || status=$?
if [ "$status" -ne 0 ]; then
    echo "browser-test: FAILED; serve log:" >&2
    tail -20 "$out/serve.log" >&2
    echo "train log:" >&2
    tail -20 "$out/train.log" >&2
    exit "$status"
fi
echo "browser-test: passed; screenshot $out/live-view.png"
