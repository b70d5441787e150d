#!/usr/bin/python3
"""Samples the resident memory of a process every 0.5 s until it exits: prints 'seconds rss_kb' lines and, last,
'peak <VmHWM kb>' (the kernel's own high-water mark, which also catches peaks between samples).
Usage: rss_sampler.py PID [LIMIT_SECONDS]; with a limit > 0 the process is killed (SIGKILL) after that long."""
import os
import signal
import sys
import time

pid = sys.argv[1]
limit = float(sys.argv[2]) if len(sys.argv) > 2 else 0
start, peak = time.time(), 0
while True:
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except (FileNotFoundError, ProcessLookupError):
        break
    if fields.get("State", "").strip().startswith("Z"):
        break
    rss = int(fields["VmRSS"].split()[0])
    peak = max(peak, int(fields["VmHWM"].split()[0]))
    print(f"{time.time() - start:.1f} {rss}", flush=True)
    if limit > 0 and time.time() - start > limit:
        os.kill(int(pid), signal.SIGKILL)
    time.sleep(0.5)
print(f"peak {peak}")
