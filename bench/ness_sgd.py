#!/usr/bin/python3
"""NumPy reference for NessBenchmark (src/test/java/org/speedlimits/bench/NessBenchmark.java): minibatch SGD with
replacement (paper 003, Eq. A1) on the regression network of Eq. (30),

    f(x; theta) = theta5 tanh(theta1 x + theta3) + theta6 tanh(theta2 x + theta4) + theta7,
    l_i = (M / 2 eps^2) (y_i - f(x_i))^2,  R = lambda |theta|^2,
    theta <- theta - eta [ (1/m) sum_{i in B} grad l_i + 2 lambda theta ],  B: m distinct indices, fresh each step.

One step at a time (each depends on the last), vectorised over the batch: the two hidden units are the rows of a
2 x m array. The batches are drawn ahead in chunks, m distinct indices per step as the m smallest of M uniform keys
(np.argpartition), which is uniform over m-subsets like the Java partial Fisher-Yates, and cheaper than a
rng.choice(replace=False) per step.

Usage:
  ness_sgd.py time DATA STEPS T1..T7   time STEPS steps from theta = T1..T7 (after a 500-step warm-up)
  ness_sgd.py check DATA T1..T7        print the minibatch gradient on examples 0..9 (for the Java side to compare)
DATA: text file, one "x y" pair per line (written by NessBenchmark), so both sides train on identical data.
Prints one line: RESULT ness-wr-sgd side=numpy steps=<n> seconds=<s> steps_per_s=<r>   (or GRADIENT g1 .. g7)
"""
import sys
import time

import numpy as np

M_BATCH, EPS, LAMBDA, ETA = 10, 0.1, 10.0, 1e-7


def load(path):
    xy = np.loadtxt(path)
    return np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])


def batch_gradient(t, xb, yb, c):
    """(1/m) sum_B grad l_i (without the regulariser), for batch arrays xb, yb."""
    w = t[0:2, None] * xb + t[2:4, None]          # 2 x m pre-activations
    a = np.tanh(w)
    r = t[4:6] @ a + t[6] - yb                    # f - y, length m
    s = (t[4:6, None] * (1 - a * a)) * r          # d l / d (pre-activation) / c
    g = np.empty(7)
    g[0:2] = s @ xb
    g[2:4] = s.sum(axis=1)
    g[4:6] = a @ r
    g[6] = r.sum()
    return (c / len(xb)) * g


def run(t, x, y, steps, rng):
    m_all = len(x)
    c = m_all / EPS ** 2
    chunk = 4096
    for start in range(0, steps, chunk):
        k = min(chunk, steps - start)
        batches = np.argpartition(rng.random((k, m_all)), M_BATCH, axis=1)[:, :M_BATCH]
        for b in batches:
            g = batch_gradient(t, x[b], y[b], c)
            t -= ETA * (g + 2 * LAMBDA * t)
    return t


def main(argv):
    if len(argv) < 2 or argv[0] not in ("time", "check"):
        sys.exit(__doc__)
    x, y = load(argv[1])
    if argv[0] == "check":
        t = np.array([float(v) for v in argv[2:9]])
        b = np.arange(M_BATCH)
        print("GRADIENT " + " ".join(repr(float(v)) for v in batch_gradient(t, x[b], y[b], len(x) / EPS ** 2)))
        return
    steps = int(argv[2])
    t = np.array([float(v) for v in argv[3:10]])
    rng = np.random.default_rng(12345)
    run(t, x, y, 500, rng)                        # warm-up
    t0 = time.perf_counter()
    run(t, x, y, steps, rng)
    dt = time.perf_counter() - t0
    if not np.all(np.isfinite(t)):
        sys.exit("ness_sgd.py: theta diverged")
    print(f"RESULT ness-wr-sgd side=numpy steps={steps} seconds={dt:.6f} steps_per_s={steps / dt:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
