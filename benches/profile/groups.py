#!/usr/bin/env python3
"""Groups a perf profile's self time as issue 29 groups it.

usage: perf report -i perf.data --no-children --sort dso,sym --stdio -g none --percent-limit 0 \
         | benches/profile/groups.py [CPU_US_PER_REQUEST]

Prints each group's share of the samples and, given the process's CPU per request (from
/proc/PID/stat over the same run), its microseconds per request. Run the host with
STOREFRONT_PERF_MAP=1 so the components' functions have names even when compiled in
process (perf-PID.map); code loaded from the compile cache is named from its .cwasm file.
"""
import re
import sys

GROUPS = [
    ("guest logic (components' own code, their malloc and memcpy)",
     lambda d, s: (d.startswith("perf-") or d.endswith(".cwasm")) and not re.search(r"trampoline|array_to_wasm|wasm_to_array", s)
     or d == "[unknown]" or s.startswith("0x")),
    ("SQLite and the host's database layer (incl. WAL writes, fsync)",
     # SQLite's static C functions are camelCase names in the host (or floor) binary: pcache1Fetch.
     lambda d, s: (d == "storefront" or d.startswith("floor-")) and re.match(r"^[a-z]+[A-Z0-9_]\w*(\.\w+)*$", s)
     or re.search(r"sqlite3|rusqlite|storefront::database|storefront::host::sqlite|"
                  r"copy_folio_from_iter|mark_buffer_dirty|iowrite16|block_commit_write|yy_reduce|pwrite|fsync|fdatasync|ext4|jbd2|"
                  r"blk_|nvme|virtblk|virtio_queue|filemap|iomap|__block", s)),
    ("canonical ABI and wasi-http glue (wasmtime component calls, WASI, wasi-http, trampolines)",
     lambda d, s: re.search(r"trampoline|array_to_wasm|wasm_to_array|wasmtime_wasi_http|wasmtime_wasi|"
                            r"component::func|typed|lower|lift|Lower|Lift|canonical|ResourceTable|"
                            r"wasmtime::runtime::component|storefront::host::", s)),
    ("malloc (host)", lambda d, s: re.search(r"\bmi_|_mi_|malloc|\bfree\b|cfree|realloc|calloc|_int_|mimalloc|unlink_chunk|alloc_shim", s)),
    ("instantiation and slot reset",
     lambda d, s: re.search(r"pagemap|instantiat|InstancePre|pooling|Pooling|memory_pool|reset|mprotect|"
                            r"madvise|tlb|page_fault|handle_mm_fault|do_anonymous|clear_page|"
                            r"zap_|unmap|mmap|vm_area|StoreOpaque::new|Store<|Store::new|"
                            r"instance_slots|allocate_", s)),
    ("wasmtime runtime, other (host calls, fibers, stores)",
     lambda d, s: re.search(r"wasmtime|cranelift|fiber|wasmtime_setjmp|wasmtime_longjmp", s)),
    ("HTTP server, tokio, loopback TCP and scheduling",
     lambda d, s: re.search(r"hyper|tokio|\bhttp::|http_body|h1::|mio::|bytes::|futures|tcp_|sock|"
                            r"ep_poll|epoll|syscall|SYSCALL|ip_|netif|loopback|skb|schedule|futex|"
                            r"switch_to|wake|pick_next|enqueue|dequeue|__x64_sys|do_sys|\bsys_|"
                            r"storefront::server|storefront::app|update_curr|select_task|ttwu|"
                            r"psi_|finish_task|rcu|irq|softirq|native_sched|entry_|exit_to_user|"
                            r"__fget|fput|copy_user|_copy_to|_copy_from|__check_object", s)),
    ("memcpy / memset (host)", lambda d, s: re.search(r"memcpy|memmove|memset|__memcmp|memcmp", s)),
    ("other host code", lambda d, s: re.search(r"storefront|serde|core::|alloc::|std::", s)),
    ("kernel, other", lambda d, s: d == "[kernel.kallsyms]"),
    ("other", lambda d, s: True),
]

LINE = re.compile(r"^\s*([0-9.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)$")


def main():
    cpu = float(sys.argv[1]) if len(sys.argv) > 1 else None
    shares = {name: 0.0 for name, _ in GROUPS}
    top = {name: [] for name, _ in GROUPS}
    for line in sys.stdin:
        m = LINE.match(line)
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2), m.group(3).strip()
        for name, test in GROUPS:
            if test(dso, sym):
                shares[name] += pct
                top[name].append((pct, sym[:70]))
                break
    total = sum(shares.values()) or 1.0
    print("| group | share | µs per request | largest symbols |")
    print("| --- | --- | --- | --- |")
    for name, _ in GROUPS:
        share = shares[name] * 100.0 / total
        if share < 0.05:
            continue
        us = f"{cpu * share / 100.0:.0f}" if cpu else ""
        biggest = "; ".join(f"{s} {p:.1f}%" for p, s in sorted(top[name], reverse=True)[:3])
        print(f"| {name} | {share:.1f}% | {us} | {biggest.replace('|', '/')} |")


if __name__ == "__main__":
    main()
