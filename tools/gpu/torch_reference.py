#!/usr/bin/env python3
"""PyTorch's own formulations of the exact kNN search, and the device's measured matmul peak.

The reference side of tools/gpu/run.sh (compare with `uniformaly bench knn`): the same sizes,
the same standard-normal data, n_nn = 1, timed the same way (warm-up, then the median of
`repeats` searches of the whole query batch, synchronized on CUDA).

  python3 tools/gpu/torch_reference.py --device cuda --banks 16384,65536 --dims 384,768 \\
      --queries 784,6272 --json out.json

Formulations (each a search of Q queries over an M x D bank; GFLOP/s = 2*Q*M*D / seconds):
  cdist_min    torch.cdist(queries, bank chunk).min(1), float32
  mm_min       |b|^2 - 2 q.b (addmm) then min(1), + |q|^2; float32 with TF32 off
  mm_min_tf32  the same with TF32 matmuls allowed (CUDA only; not exact)
  mm_min_fp16  the same in float16 (not exact), the bank converted once
  mm_min_bf16  the same in bfloat16 (not exact), the bank converted once
The bank is scanned in chunks so that one [Q, chunk] block stays under --block-mib (a 1M-row
bank against 6,272 queries would otherwise need a 25 GB distance matrix). For the low-precision
formulations `argmin_agreement` is the fraction of queries whose nearest row equals mm_min's.

The peak: one N x N x N product per dtype (float32, TF32 on CUDA, bfloat16, float16 on CUDA),
median of `repeats`, as TFLOP/s = 2*N^3 / seconds / 1e12.

Writes one JSON object {"device", "torch", "knn": [...], "matmul_peak": [...], "skipped": [...]}
to --json (temporary file renamed) and a one-line summary per measurement to stdout. Stops
starting new measurements once --budget seconds have passed, listing the rest under "skipped",
so a time-limited run still leaves a complete file.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch


def parse_list(text):
    return [int(v) for v in text.split(",") if v]


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_seconds(work, device, warmup, repeats):
    for _ in range(warmup):
        work()
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def chunk_rows(queries, bank_rows, block_mib):
    """Bank rows per chunk so that one float32 [queries, chunk] block stays under block_mib."""
    return max(1, min(bank_rows, (block_mib << 20) // (4 * queries)))


def search_cdist(queries, bank, chunk):
    best = None
    for start in range(0, bank.shape[0], chunk):
        d = torch.cdist(queries, bank[start:start + chunk]).min(1)
        values, indices = d.values, d.indices + start
        best = (values, indices) if best is None else merge(best, (values, indices))
    return best[0].square(), best[1]


def search_mm(queries, bank, bank_sq, chunk):
    """Squared distances |q|^2 + |b|^2 - 2 q.b; the minimum per query over the chunks."""
    best = None
    for start in range(0, bank.shape[0], chunk):
        block = torch.addmm(bank_sq[start:start + chunk].unsqueeze(0), queries, bank[start:start + chunk].t(), alpha=-2)
        d = block.min(1)
        values, indices = d.values, d.indices + start
        best = (values, indices) if best is None else merge(best, (values, indices))
    q_sq = queries.float().square().sum(1)
    return best[0].float() + q_sq, best[1]


def merge(a, b):
    take_b = b[0] < a[0]
    return torch.where(take_b, b[0], a[0]), torch.where(take_b, b[1], a[1])


def knn_cases(args):
    for bank in parse_list(args.banks):
        for dim in parse_list(args.dims):
            for queries in parse_list(args.queries):
                yield bank, dim, queries


def run_knn(args, device, deadline, report):
    cuda = device.type == "cuda"
    formulations = ["mm_min", "cdist_min"] + (["mm_min_tf32"] if cuda else []) + ["mm_min_fp16", "mm_min_bf16"]
    if not cuda:
        formulations.remove("mm_min_fp16")  # CPU half-precision GEMMs are emulated: minutes per search
    for bank_rows, dim, query_rows in knn_cases(args):
        if time.monotonic() > deadline:
            report["skipped"].append({"what": "knn", "bank": bank_rows, "dim": dim, "queries": query_rows})
            continue
        generator = torch.Generator(device=device).manual_seed(0)
        bank = torch.randn(bank_rows, dim, device=device, generator=generator)
        queries = torch.randn(query_rows, dim, device=device, generator=generator)
        chunk = chunk_rows(query_rows, bank_rows, args.block_mib)
        exact_indices = None
        for name in formulations:
            if time.monotonic() > deadline:
                report["skipped"].append({"what": name, "bank": bank_rows, "dim": dim, "queries": query_rows})
                continue
            dtype = {"mm_min_fp16": torch.float16, "mm_min_bf16": torch.bfloat16}.get(name, torch.float32)
            b = bank.to(dtype)
            q = queries.to(dtype)
            b_sq = b.float().square().sum(1).to(dtype)
            torch.backends.cuda.matmul.allow_tf32 = name == "mm_min_tf32"
            if name == "cdist_min":
                work = lambda: search_cdist(q, b, chunk)
            else:
                work = lambda: search_mm(q, b, b_sq, chunk)
            seconds = median_seconds(work, device, args.warmup, args.repeats)
            _, indices = work()
            record = {"formulation": name, "bank": bank_rows, "dim": dim, "queries": query_rows, "nn": 1,
                      "chunk_rows": chunk, "seconds_per_batch": seconds,
                      "gflops": 2.0 * query_rows * bank_rows * dim / seconds / 1e9}
            if name == "mm_min":
                exact_indices = indices
            elif exact_indices is not None:
                record["argmin_agreement"] = (indices == exact_indices).float().mean().item()
            report["knn"].append(record)
            print(f"knn {name:12s} M={bank_rows:8d} D={dim:4d} Q={query_rows:5d}: {seconds * 1e3:9.2f} ms "
                  f"{record['gflops']:9.1f} GFLOP/s", flush=True)
            del b, q, b_sq
        del bank, queries
        torch.backends.cuda.matmul.allow_tf32 = False
        if cuda:
            torch.cuda.empty_cache()


def run_peak(args, device, deadline, report):
    cuda = device.type == "cuda"
    n = args.peak_n
    kinds = [("float32", torch.float32, False)]
    if cuda:
        kinds += [("tf32", torch.float32, True), ("float16", torch.float16, False)]
    kinds += [("bfloat16", torch.bfloat16, False)]
    for name, dtype, tf32 in kinds:
        if time.monotonic() > deadline:
            report["skipped"].append({"what": "matmul_peak", "dtype": name})
            continue
        generator = torch.Generator(device=device).manual_seed(0)
        a = torch.randn(n, n, device=device, generator=generator).to(dtype)
        b = torch.randn(n, n, device=device, generator=generator).to(dtype)
        torch.backends.cuda.matmul.allow_tf32 = tf32
        seconds = median_seconds(lambda: torch.mm(a, b), device, args.warmup, args.repeats)
        torch.backends.cuda.matmul.allow_tf32 = False
        record = {"dtype": name, "n": n, "seconds": seconds, "tflops": 2.0 * n ** 3 / seconds / 1e12}
        report["matmul_peak"].append(record)
        print(f"matmul peak {name:8s} N={n}: {record['tflops']:.2f} TFLOP/s", flush=True)
        del a, b


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--banks", default="16384,65536,262144,1048576")
    parser.add_argument("--dims", default="384,768")
    parser.add_argument("--queries", default="784,6272")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--block-mib", type=int, default=1024, help="largest [Q, chunk] float32 block")
    parser.add_argument("--peak-n", type=int, default=8192, help="side of the square matmul for the peak")
    parser.add_argument("--threads", type=int, default=None, help="CPU intra-op threads (default: torch's)")
    parser.add_argument("--budget", type=float, default=1e9, help="seconds after which no new measurement starts")
    parser.add_argument("--no-knn", action="store_true")
    parser.add_argument("--no-peak", action="store_true")
    parser.add_argument("--json", required=True, help="report file")
    args = parser.parse_args()

    deadline = time.monotonic() + args.budget
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("torch_reference.py: --device cuda but torch.cuda.is_available() is False")
    if args.threads:
        torch.set_num_threads(args.threads)
    report = {"device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
              "torch": torch.__version__, "threads": torch.get_num_threads(), "knn": [], "matmul_peak": [], "skipped": []}
    try:
        with torch.inference_mode():
            if not args.no_peak:
                run_peak(args, device, deadline, report)
            if not args.no_knn:
                run_knn(args, device, deadline, report)
    finally:
        # Whatever was measured is kept, also when a later case fails (out of memory, say).
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(report, f, indent=1)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
