#!/usr/bin/env python3
"""Splits a call-graph profile of the host by where a request's time goes, callers included.

usage: perf script -i perf.data | benches/profile/buckets.py [CPU_US_PER_REQUEST]

Needs a host built with frame pointers, so that perf's call chains run from the kernel
through the host into the components' compiled code (Cranelift keeps frame pointers):

    RUSTFLAGS="-C force-frame-pointers=yes" CFLAGS=-fno-omit-frame-pointer \\
        cargo build --release --target-dir target-fp
    STOREFRONT_PERF_MAP=1 target-fp/release/storefront up ...   # under load
    perf record -F 999 -g -p PID -- sleep 8

Each sample goes to the first bucket whose pattern matches any frame of its stack (so a
SQL statement the writer runs counts as the writer's, a COMMIT on the group-commit thread
as the group commit's). `groups.py` groups self time by kind instead (guest, SQLite,
canonical ABI...); the two views answer different questions (docs/performance-profile.md).
"""
import collections
import re
import sys

BUCKETS = [
    ("outbox dispatcher (emails: claim, render, report)", r"outbox"),
    ("writer component, with its host calls (SQL)", r"_ZN6writer"),
    ("pages component, with its host calls (less the writer's)", r"_ZN5pages"),
    ("instance teardown (slot reset)",
     r"deallocate_module|drop_in_place<storefront::app::runtime::Instance>|drop_in_place<wasmtime::runtime::store"),
    ("instantiation", r"instantiate|Instantiator"),
    ("group commit (COMMIT, fsync, WAL, checkpoints)", r"storefront::database::batch|database::checkpoints|sqlite3"),
    ("HTTP server (hyper, TCP)", r"hyper|storefront::server"),
    ("guest entry and host calls outside component code", r"wasmtime|wasi"),
    ("tokio, scheduling", r"tokio|schedule|futex"),
]


def stacks(text):
    for block in text.split("\n\n"):
        lines = block.strip().split("\n")
        if len(lines) < 2:
            continue
        frames = [re.sub(r"^\s*[0-9a-f]+\s+", "", line).rsplit(" (", 1)[0] for line in lines[1:]]
        yield "\n".join(re.sub(r"wasm\[\d+\]::function\[\d+\]::", "", f) for f in frames)


def main():
    us = float(sys.argv[1]) if len(sys.argv) > 1 else None
    counts = collections.Counter()
    total = 0
    for stack in stacks(sys.stdin.read()):
        total += 1
        for name, pattern in BUCKETS:
            if re.search(pattern, stack):
                counts[name] += 1
                break
        else:
            counts["other (kernel, idle wake-ups)"] += 1
    print("| bucket | share |" + (" µs per request |" if us else ""))
    print("| --- | --- |" + (" --- |" if us else ""))
    for name, n in counts.most_common():
        share = n / max(total, 1)
        print(f"| {name} | {100 * share:.1f}% |" + (f" {us * share:.0f} |" if us else ""))


if __name__ == "__main__":
    main()
