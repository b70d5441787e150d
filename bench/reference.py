#!/usr/bin/python3
"""Independent reference for bench/run.sh: the workloads of WorkloadBenchmark.java in PyTorch / NumPy.

Usage: reference.py <workload> args...   (same workloads and arguments as the Java side)
  myrtle5 C n epochs [chunk]   Myrtle-5 (as model/ModelFactory.java builds it) full-batch GD epochs, float32
  fcn width depth n epochs     fully connected ReLU network, same GD
  eigh n reps                  numpy.linalg.eigh of a random symmetric n x n float64 matrix
  gemm size reps               torch.mm of float32 square matrices (GFLOP/s)
  ntk-gram C n                 float64 trace-kernel Gram of Myrtle-5 on n Gaussian inputs (torch.func)
Prints one line: RESULT <workload> key=value ... median_s=<s> times=<s,...>

One GD epoch, as GradientDescentTrainer does it: for each chunk of the n images, forward, L = 1/(2n) sum |f-y|^2,
backward (gradients summed over chunks); then the loss, training accuracy, |grad L|^2 and |theta - theta_0|^2;
then theta <- theta - lr * grad L. Threads: torch.set_num_threads(OMP_NUM_THREADS, default 2).
Extension point: add a function named like the Java workload to WORKLOADS (e.g. the NTK Gram matrix, "ntk-gram").
"""
import os
import sys
import time

import numpy as np
import torch

THREADS = int(os.environ.get("OMP_NUM_THREADS", "2"))
torch.set_num_threads(THREADS)
DATA = os.environ.get("CIFAR10_DIR", "data/cifar-10-batches-bin")


def cifar(n):
    """First n training images of the binary batches, /255 and per-channel standardised; one-hot targets."""
    raw = []
    for b in range(1, 6):
        path = os.path.join(DATA, f"data_batch_{b}.bin")
        if sum(len(r) for r in raw) >= n or not os.path.exists(path):
            break
        raw.append(np.fromfile(path, dtype=np.uint8).reshape(-1, 3073))
    rec = np.concatenate(raw)[:n]
    if len(rec) < n:
        sys.exit(f"reference.py: only {len(rec)} images in {DATA}, asked for {n}")
    x = rec[:, 1:].reshape(n, 3, 32, 32).astype(np.float32) / 255
    x = (x - x.mean(axis=(0, 2, 3), keepdims=True)) / x.std(axis=(0, 2, 3), keepdims=True)
    y = np.eye(10, dtype=np.float32)[rec[:, 0]]
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y)


def myrtle5(c):
    """ModelFactory.addMyrtle for depth 5: stages (2, 1, 1) of conv3x3 SAME (no bias) + ReLU, avgpool 2 after the
    first two stages and three times after the last (8 -> 1), flatten, dense(10) without bias."""
    nn = torch.nn
    conv = lambda i: [nn.Conv2d(i, c, 3, padding=1, bias=False), nn.ReLU()]
    pool = nn.AvgPool2d(2, 2)
    return nn.Sequential(*conv(3), *conv(c), pool, *conv(c), pool, *conv(c), pool, pool, pool,
                         nn.Flatten(), nn.Linear(c, 10, bias=False))


def fcn(width, depth):
    nn = torch.nn
    layers, fan_in = [nn.Flatten()], 3072
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width, bias=False), nn.ReLU()]
        fan_in = width
    return nn.Sequential(*layers, nn.Linear(fan_in, 10, bias=False))


def train_epochs(model, n, epochs, chunk, info):
    x, y = cifar(n)
    params = [p for p in model.parameters()]
    theta0 = [p.detach().clone() for p in params]
    lr, stamps = 1e-4, []
    for epoch in range(epochs + 1):  # the first gradient pass is the warm-up, as on the Java side
        for p in params:
            p.grad = None
        squared_error, correct = 0.0, 0
        for start in range(0, n, chunk):
            xb, yb = x[start:start + chunk], y[start:start + chunk]
            f = model(xb)
            diff = f - yb
            loss = diff.pow(2).sum() / (2 * n)
            loss.backward()  # accumulates into .grad: the sum over chunks is the full-batch gradient
            with torch.no_grad():
                squared_error += diff.double().pow(2).sum().item()
                correct += (f.argmax(1) == yb.argmax(1)).sum().item()
        with torch.no_grad():
            train_loss = squared_error / (2 * n)
            grad_norm2 = sum(p.grad.double().pow(2).sum().item() for p in params)
            dist2 = sum((p.double() - q.double()).pow(2).sum().item() for p, q in zip(params, theta0))
        stamps.append(time.perf_counter())  # where the Java side's epoch callback fires
        if epoch < epochs:
            with torch.no_grad():
                for p in params:
                    p.add_(p.grad, alpha=-lr)
    info.update(width=info.get("width"), n=n, chunk=chunk, params=sum(p.numel() for p in params), threads=THREADS,
                loss=f"{train_loss:.6f}")
    return [stamps[i + 1] - stamps[i] for i in range(epochs)]


def w_myrtle5(a, info):
    info["width"] = a[0]
    chunk = int(a[3]) if len(a) > 3 else 1000
    return train_epochs(myrtle5(int(a[0])), int(a[1]), int(a[2]), chunk, info)


def w_fcn(a, info):
    info["width"] = a[0]
    return train_epochs(fcn(int(a[0]), int(a[1])), int(a[2]), int(a[3]), 1000, info)


def w_eigh(a, info):
    n, reps = int(a[0]), int(a[1])
    rng = np.random.default_rng(1)
    m = rng.standard_normal((n, n))
    m = np.tril(m) + np.tril(m, -1).T
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        w, v = np.linalg.eigh(m)
        times.append(time.perf_counter() - t0)
    residual = np.abs(m @ v[:, -1] - w[-1] * v[:, -1]).max()
    assert residual < 1e-8 * abs(w[-1]), residual
    info.update(n=n, lambda_max=f"{w[-1]:.6f}")
    return times


def w_gemm(a, info):
    size, reps = int(a[0]), int(a[1])
    A, B = torch.rand(size, size), torch.rand(size, size)
    C = torch.empty(size, size)
    torch.mm(A, B, out=C)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        torch.mm(A, B, out=C)
        times.append(time.perf_counter() - t0)
    info.update(size=size, gflops=f"{2 * size ** 3 / np.median(times) * 1e-9:.2f}")
    return times


def w_ntk_gram(a, info):
    """The float64 trace-kernel Gram of Myrtle-5 (width C) on n Gaussian inputs, as bench/ntk_reference.py computes
    it (torch.func jacrev + vmap, chunks of 50); timed once after a warm-up, like WorkloadBenchmark's ntk-gram."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from ntk_reference import Myrtle5, trace_kernel
    width, n = int(a[0]), int(a[1])
    torch.manual_seed(0)
    model = Myrtle5(width).double()
    x = torch.randn(n, 3, 32, 32, dtype=torch.float64)
    trace_kernel(model, x[:4], 50)
    t0 = time.perf_counter()
    gram = trace_kernel(model, x, 50)
    info.update(width=width, n=n)
    assert torch.isfinite(gram).all() and gram.shape == (n, n)
    return [time.perf_counter() - t0]


WORKLOADS = {"myrtle5": w_myrtle5, "fcn": w_fcn, "eigh": w_eigh, "gemm": w_gemm, "ntk-gram": w_ntk_gram}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in WORKLOADS:
        sys.exit(f"usage: reference.py <{'|'.join(WORKLOADS)}> args...")
    info = {}
    times = WORKLOADS[sys.argv[1]](sys.argv[2:], info)
    fields = " ".join(f"{k}={v}" for k, v in info.items())
    print(f"RESULT {sys.argv[1]} {fields} median_s={np.median(times):.6f} times="
          + ",".join(f"{t:.6f}" for t in times))
