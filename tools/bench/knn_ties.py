#!/usr/bin/python3
"""Queries of `uniformaly bench knn`'s data whose two nearest bank rows float32 cannot order.

bench knn draws the bank and then the queries with libtorch's CPU generator after seeding it with 0
(then copies them to the device); this regenerates them, finds each query's two nearest rows in
float64 and lists those whose squared distances differ by less than D u (|q| + |b|)^2, the bound on
the float32 rounding of |q|^2 - 2 q.b + |b|^2. A certified-search answer that differs from the float32
search's on such a query is a tie, not an error.

    /usr/bin/python3 tools/bench/knn_ties.py --bank 262144 --dim 384 --queries 6272
"""
import argparse

import torch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", type=int, default=65536)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--queries", type=int, default=784)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    bank = torch.randn(args.bank, args.dim).double()
    queries = torch.randn(args.queries, args.dim).double()
    bank_norms = (bank * bank).sum(1)
    unit = 2.0 ** -24
    ties = []
    for start in range(0, args.queries, 512):
        q = queries[start:start + 512]
        distances = (q * q).sum(1, keepdim=True) - 2 * q @ bank.T + bank_norms
        nearest = distances.topk(2, largest=False)
        for i in range(q.shape[0]):
            (d1, d2), (r1, r2) = nearest.values[i].tolist(), nearest.indices[i].tolist()
            norm = q[i].norm().item() + max(bank[r1].norm().item(), bank[r2].norm().item())
            resolution = args.dim * unit * norm ** 2
            if d2 - d1 <= resolution:
                ties.append((start + i, r1, r2, d1, d2 - d1, resolution))
    print(f"{len(ties)} of {args.queries} queries have two nearest rows float32 cannot order")
    print("query  row1  row2  distance1  gap  resolution")
    for t in sorted(ties, key=lambda t: t[4]):
        print(f"{t[0]} {t[1]} {t[2]} {t[3]:.6f} {t[4]:.3g} {t[5]:.3g}")


if __name__ == "__main__":
    main()
