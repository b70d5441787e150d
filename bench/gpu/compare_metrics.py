"""Compares two metrics.csv files of the same config row by row (matched on epoch): a GPU run against a CPU run.

usage: python3 compare_metrics.py CPU.csv GPU.csv [REL_TOL] [ACC_TOL]

Losses, |theta - theta_0|^2, the path length and |grad|^2 must agree to REL_TOL relative (default 5e-3) and the
accuracies to ACC_TOL absolute (default 0.01). Why not float32 rounding: both runs integrate gradient flow with the
adaptive RKC method at the config's rtol (quickstart: 1e-3), and two float32 engines whose gradients differ in the
last bits take different accepted steps, so the trajectories agree to the integrator's tolerance. The gradient at a
fixed theta is compared to float32 rounding separately (GpuCheck gradient). Exit 0 when all rows agree, 1 otherwise.
"""
import csv
import sys

RELATIVE = ["train_loss", "test_loss", "dist2_init", "path_length", "grad_norm2"]
ABSOLUTE = ["train_acc", "test_acc"]


def rows(path):
    with open(path, newline="") as f:
        return {int(r["epoch"]): r for r in csv.DictReader(f)}


def main():
    cpu, gpu = rows(sys.argv[1]), rows(sys.argv[2])
    rel_tol = float(sys.argv[3]) if len(sys.argv) > 3 else 5e-3
    acc_tol = float(sys.argv[4]) if len(sys.argv) > 4 else 0.01
    common = sorted(set(cpu) & set(gpu))
    worst = {c: 0.0 for c in RELATIVE + ABSOLUTE}
    bad = []
    for e in common:
        for c in RELATIVE + ABSOLUTE:
            a, b = cpu[e].get(c, ""), gpu[e].get(c, "")
            if a == "" or b == "":
                continue
            a, b = float(a), float(b)
            d = abs(a - b) / max(abs(a), 1e-30) if c in RELATIVE else abs(a - b)
            worst[c] = max(worst[c], d)
            if d > (rel_tol if c in RELATIVE else acc_tol):
                bad.append((e, c, a, b, d))
    print(f"rows: cpu {len(cpu)}, gpu {len(gpu)}, compared {len(common)}")
    for c, w in worst.items():
        print(f"  worst {'relative' if c in RELATIVE else 'absolute'} difference {c}: {w:.3g}")
    last = common[-1] if common else None
    if last is not None:
        print(f"  last row epoch {last}: grad_evals cpu {cpu[last].get('grad_evals')} gpu {gpu[last].get('grad_evals')}")
    for e, c, a, b, d in bad[:20]:
        print(f"  OUT OF TOLERANCE epoch {e} {c}: cpu {a:.9g} gpu {b:.9g} ({d:.3g})")
    ok = bool(common) and not bad and set(cpu) == set(gpu)
    print("quickstart GPU vs CPU: " + ("PASS" if ok else "FAIL") + f" (relative {rel_tol}, accuracy {acc_tol})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
