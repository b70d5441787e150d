#!/usr/bin/python3
"""Reference timings for NtkBenchmark: the empirical NTK of Myrtle-5 by torch.func (jacrev + vmap; functorch on torch 1.13) and a dense
eigendecomposition by numpy.linalg.eigh, float64, on the inputs and parameters the Java benchmark wrote.

Usage: /usr/bin/python3 bench/ntk_reference.py --x x.npy --theta theta.npy --width 16 --out ref_gram.npy --eig 2000,5000
Prints one JSON line with the timings (seconds). Threads: torch.set_num_threads(--threads); numpy's BLAS threads
come from OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, which the Java benchmark sets to the same number.
"""
import argparse
import json
import time

import numpy as np
import torch
try:  # torch >= 2.0
    from torch.func import functional_call, jacrev, vmap
except ImportError:  # Debian's torch 1.13: the same transforms live in functorch
    from functorch import jacrev, vmap
    from torch.nn.utils.stateless import functional_call


class Myrtle5(torch.nn.Module):
    """Same layers as ModelFactory's Myrtle-5: conv3x3(C) ReLU x2, avgpool2, conv ReLU, avgpool2, conv ReLU,
    avgpool2 x3, flatten, dense(10); SAME padding, no biases."""

    def __init__(self, width):
        super().__init__()
        c = width
        self.c0 = torch.nn.Conv2d(3, c, 3, padding=1, bias=False)
        self.c1 = torch.nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.c2 = torch.nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.c3 = torch.nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.out = torch.nn.Linear(c, 10, bias=False)

    def forward(self, x):
        relu, pool = torch.relu, lambda t: torch.nn.functional.avg_pool2d(t, 2)
        x = pool(relu(self.c1(relu(self.c0(x)))))
        x = pool(relu(self.c2(x)))
        x = pool(pool(pool(relu(self.c3(x)))))
        return self.out(x.flatten(1))


def load_theta(model, theta):
    """DL4J's flattened order: layer by layer; conv W [out, in, kh, kw] in C order; dense W [in, out] in F order,
    i.e. the C-order bytes of torch's Linear weight [out, in]."""
    at = 0
    with torch.no_grad():
        for p in [model.c0.weight, model.c1.weight, model.c2.weight, model.c3.weight, model.out.weight]:
            n = p.numel()
            p.copy_(torch.from_numpy(theta[at:at + n].reshape(p.shape)))
            at += n
    assert at == theta.size, (at, theta.size)


def trace_kernel(model, x, chunk):
    params = {k: v.detach() for k, v in model.named_parameters()}

    def f(p, xi):
        return functional_call(model, p, (xi.unsqueeze(0),)).squeeze(0)

    jac_fn = vmap(jacrev(f), (None, 0))
    rows = []
    for s in range(0, x.shape[0], chunk):
        jac = jac_fn(params, x[s:s + chunk])
        rows.append(torch.cat([j.reshape(j.shape[0], 10, -1) for j in jac.values()], dim=2))
    j = torch.cat(rows).reshape(x.shape[0], -1)
    return (j @ j.T) / 10


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--x", required=True)
    a.add_argument("--theta", required=True)
    a.add_argument("--width", type=int, required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--eig", default="")
    a.add_argument("--threads", type=int, default=2)
    a.add_argument("--chunk", type=int, default=50)
    args = a.parse_args()
    torch.set_num_threads(args.threads)
    x = torch.from_numpy(np.load(args.x))
    model = Myrtle5(args.width).double()
    load_theta(model, np.load(args.theta).astype(np.float64))
    trace_kernel(model, x[:4], args.chunk)  # warm-up
    t0 = time.perf_counter()
    gram = trace_kernel(model, x, args.chunk)
    result = {"gram_seconds": time.perf_counter() - t0, "eig_seconds": {}}
    np.save(args.out, gram.numpy())
    rng = np.random.default_rng(0)
    for n in [int(s) for s in args.eig.split(",") if s]:
        g = rng.standard_normal((n, n))
        sym = g + g.T
        t0 = time.perf_counter()
        w, v = np.linalg.eigh(sym)
        result["eig_seconds"][str(n)] = time.perf_counter() - t0
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
