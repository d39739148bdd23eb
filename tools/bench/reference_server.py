#!/usr/bin/python3
"""Reference side of Uniformaly's same-run benchmarks.

Uniformaly.Benchmarks starts this script with Debian's /usr/bin/python3 (python3-torch) and talks
to it over stdin/stdout, one JSON object per line, so that PyTorch and the bridge are timed by the
same BenchmarkDotNet run on the same machine with the same thread count.

  {"op": "setup", "kind": "matmul", "n": 1024, "threads": 2} -> {"ok": true}
  {"op": "setup", "kind": "knn_faiss", "bank": 65536, "queries": 784, "dim": 768, "nn": 1, "threads": 2}
  {"op": "setup", "kind": "vit_forward", "arch": "vit_base", "patch": 16, "imagesize": 224, "batch": 1, "threads": 2}
  {"op": "run", "repeats": 8}                                 -> {"ok": true}
  {"op": "quit"}

`run` executes the prepared workload `repeats` times back to back, so the pipe round trip
(tens of microseconds) is amortized over the repeats.
"""
import json
import sys

import torch


def setup_matmul(args):
    n = int(args["n"])
    a = torch.rand(n, n)
    b = torch.rand(n, n)

    def work():
        torch.mm(a, b)

    return work


def setup_knn_faiss(args):
    """faiss IndexFlatL2 over a standard-normal bank, one search of the whole query batch per run."""
    import faiss
    import numpy as np

    faiss.omp_set_num_threads(int(args["threads"]))
    rng = np.random.default_rng(0)
    bank = rng.standard_normal((int(args["bank"]), int(args["dim"])), dtype=np.float32)
    queries = rng.standard_normal((int(args["queries"]), int(args["dim"])), dtype=np.float32)
    index = faiss.IndexFlatL2(int(args["dim"]))
    index.add(bank)
    nn = int(args["nn"])

    def work():
        index.search(queries, nn)

    return work


def setup_vit_forward(args):
    """Eager forward of tools/make_vit_fixtures.py's reference ViT (random weights), every block,
    on args["device"] (default cpu; on CUDA each run waits for the GPU, as the C# side does)."""
    from vit_forward import build

    size = int(args["imagesize"])
    device = torch.device(args.get("device", "cpu"))
    model = build(args["arch"], int(args["patch"]), size).to(device)
    images = torch.randn(int(args["batch"]), 3, size, size).to(device)

    def work():
        model.run(images)
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    return work


WORKLOADS = {"matmul": setup_matmul, "knn_faiss": setup_knn_faiss, "vit_forward": setup_vit_forward}


def main():
    work = None
    with torch.inference_mode():
        for line in sys.stdin:
            request = json.loads(line)
            op = request["op"]
            if op == "quit":
                break
            if op == "setup":
                torch.set_num_threads(int(request["threads"]))
                torch.manual_seed(0)
                work = WORKLOADS[request["kind"]](request)
                work()  # warm-up: first-call allocations and kernel selection
            elif op == "run":
                for _ in range(int(request.get("repeats", 1))):
                    work()
            print(json.dumps({"ok": True}), flush=True)


if __name__ == "__main__":
    main()
