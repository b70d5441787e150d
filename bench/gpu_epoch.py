"""Measured GPU cost of one full-batch gradient-descent epoch of Myrtle-5 (PyTorch reference, not this project).

Used for the paper-scale cost table in README (Cluster jobs): the project's CUDA backend (nd4j-cuda-11.6) has no
Hopper kernels, so on an H100/H200 this PyTorch number is the measured stand-in for "one modern GPU", and the
A100 row stays an estimate. Same architecture as org.speedlimits.model.ModelFactory (Myrtle-5: conv3x3 'same'
+ ReLU x2, avgpool 2, conv, avgpool 2, conv, avgpool 2 x3, dense C->10, no bias), MSE loss 1/(2n) sum ||f-y||^2,
full batch, theta -= lr * grad. float32 with TF32 off (the project trains in true float32) and, for comparison, on.

usage: python3 bench/gpu_epoch.py OUT.json [--quick] [--cases=500x128,2500x128] [--reps=R] [--no-channels-last]
(--cases etc.: the subset bench/gpu/run-java.sh interleaves with the Java cuDNN engine's timings)
"""
import json
import sys
import time

import torch
import torch.nn as nn


def myrtle5(width: int) -> nn.Sequential:
    c = width
    return nn.Sequential(
        nn.Conv2d(3, c, 3, padding=1, bias=False), nn.ReLU(),
        nn.Conv2d(c, c, 3, padding=1, bias=False), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(c, c, 3, padding=1, bias=False), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(c, c, 3, padding=1, bias=False), nn.ReLU(), nn.AvgPool2d(2), nn.AvgPool2d(2), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(c, 10, bias=False))


def flops_per_epoch(n: int, c: int) -> float:
    return 3.0 * n * (24192 * c * c + 55316 * c)


def time_epochs(n: int, c: int, tf32: bool, channels_last: bool, reps: int) -> dict:
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = True
    dev = torch.device("cuda")
    torch.manual_seed(0)
    model = myrtle5(c).to(dev)
    x = torch.randn(n, 3, 32, 32, device=dev)
    y = torch.nn.functional.one_hot(torch.randint(0, 10, (n,), device=dev), 10).float()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    params = list(model.parameters())
    lr = 1e-3

    def epoch():
        for p in params:
            p.grad = None
        loss = 0.5 * ((model(x) - y) ** 2).sum() / n
        loss.backward()
        with torch.no_grad():
            torch._foreach_add_(params, [p.grad for p in params], alpha=-lr)
        return loss

    for _ in range(5):
        epoch()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(10):
            epoch()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) / 10)
    times.sort()
    median = times[len(times) // 2]
    return {"n": n, "width": c, "tf32": tf32, "channels_last": channels_last, "epoch_s_median": median,
            "epoch_s_min": times[0], "epoch_s_max": times[-1], "reps": reps,
            "tflops": flops_per_epoch(n, c) / median / 1e12,
            "peak_mem_gib": torch.cuda.max_memory_allocated() / 2**30}


def main():
    out = sys.argv[1]
    quick = "--quick" in sys.argv
    options = dict(a[2:].split("=", 1) for a in sys.argv[2:] if a.startswith("--") and "=" in a)
    reps = int(options.get("reps", 3 if quick else 7))
    rows = []
    cases = [(500, 16), (500, 32), (500, 64), (500, 128), (1250, 128), (2500, 128), (5000, 128)]
    if "cases" in options:
        cases = [tuple(int(v) for v in case.split("x")) for case in options["cases"].split(",")]
    layouts = (False,) if "--no-channels-last" in sys.argv else (False, True)
    for n, c in cases:
        for tf32 in (False, True):
            for cl in layouts:
                rows.append(time_epochs(n, c, tf32, cl, reps))
                rows[-1]["impl"] = "pytorch"
                print(json.dumps(rows[-1]), flush=True)
    info = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda,
            "cudnn": torch.backends.cudnn.version(), "rows": rows}
    with open(out, "w") as f:
        json.dump(info, f, indent=1)


if __name__ == "__main__":
    main()
