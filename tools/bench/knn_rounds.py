#!/usr/bin/python3
"""Alternating rounds of the certified-kNN comparison (issue 16 item 3), for a quiet machine.

    /usr/bin/python3 tools/bench/knn_rounds.py --rounds 3 --threads 2

Each round runs, one after another: faiss IndexFlatL2 (tools/bench/faiss_knn.py), the float32
search, the certified bfloat16 search, and the certified search on its device-generic path (the
design before the fused kernels), all through `./uniformaly bench knn` on the same shape with the
same thread count. Prints the load average before each command and, per round, one Markdown row:
seconds per batch, the certified search's stage split (ranking = bfloat16 GEMM and candidate
selection; the rest = measurement, proof, fallback), total / ranking, and the throughput ratios
against faiss. Run from the repository root after `make build`.
"""
import argparse
import json
import os
import subprocess


def run(command):
    load = os.getloadavg()[0]
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    return result, load


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bank", type=int, default=65536)
    parser.add_argument("--queries", type=int, default=784)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--nn", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    shape = ["--bank", str(args.bank), "--queries", str(args.queries), "--dim", str(args.dim), "--nn", str(args.nn),
             "--threads", str(args.threads), "--repeats", str(args.repeats)]
    faiss = ["/usr/bin/python3", "tools/bench/faiss_knn.py", *shape]
    ours = ["./uniformaly", "bench", "knn", "--device", "cpu", "--json", *shape]
    print("| round | load | faiss | float32 | certified bf16 | ranking | measurement + proof + fallback | total / ranking "
          "| bf16 / faiss | generic path (before) | generic / faiss |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for round_number in range(1, args.rounds + 1):
        f, load_f = run(faiss)
        exact, load_e = run(ours)
        cert, load_c = run(ours + ["--knn-precision", "bf16"])
        generic, load_g = run(ours + ["--knn-precision", "bf16", "--generic-path"])
        rest = cert["measurement_seconds"] + cert["proof_seconds"] + cert["fallback_seconds"]
        loads = "/".join(f"{x:.1f}" for x in (load_f, load_e, load_c, load_g))
        print(f"| {round_number} | {loads} | {f['seconds_per_batch']:.3f} s | {exact['seconds_per_batch']:.3f} s "
              f"| {cert['seconds_per_batch']:.3f} s | {cert['ranking_seconds']:.3f} s | {rest * 1e3:.1f} ms "
              f"| {cert['seconds_per_batch'] / cert['ranking_seconds']:.3f}x | {f['seconds_per_batch'] / cert['seconds_per_batch']:.2f}x "
              f"| {generic['seconds_per_batch']:.3f} s (ranking {generic['ranking_seconds']:.3f} s) "
              f"| {f['seconds_per_batch'] / generic['seconds_per_batch']:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
