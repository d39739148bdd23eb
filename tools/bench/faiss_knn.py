#!/usr/bin/python3
"""faiss IndexFlatL2 side of the kNN microbenchmark (compare with `uniformaly bench knn`).

    /usr/bin/python3 tools/bench/faiss_knn.py --bank 65536 --queries 784 --dim 768 --nn 1 --threads 2 --repeats 5

Random float32 bank and queries (standard normal), one untimed warm-up search, then `repeats`
timed searches of the whole query batch; prints one JSON object with the median seconds per
batch and gflops = 2*Q*M*D / seconds / 1e9 (the GEMM work that dominates an exact search).
"""
import argparse
import json
import statistics
import time

import faiss
import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bank", type=int, default=65536)
    parser.add_argument("--queries", type=int, default=784)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--nn", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()

    faiss.omp_set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    bank = rng.standard_normal((args.bank, args.dim), dtype=np.float32)
    queries = rng.standard_normal((args.queries, args.dim), dtype=np.float32)
    index = faiss.IndexFlatL2(args.dim)
    index.add(bank)
    for _ in range(args.warmup):
        index.search(queries, args.nn)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        index.search(queries, args.nn)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    print(json.dumps({
        "implementation": f"faiss {faiss.__version__} IndexFlatL2",
        "device": "cpu",
        "bank": args.bank, "queries": args.queries, "dim": args.dim, "nn": args.nn,
        "threads": args.threads, "repeats": args.repeats,
        "seconds_per_batch": seconds,
        "gflops": 2.0 * args.queries * args.bank * args.dim / seconds / 1e9,
    }))


if __name__ == "__main__":
    main()
