#!/usr/bin/python3
"""Reference side of Uniformaly's same-run benchmarks.

Uniformaly.Benchmarks starts this script with Debian's /usr/bin/python3 (python3-torch) and talks
to it over stdin/stdout, one JSON object per line, so that PyTorch and the bridge are timed by the
same BenchmarkDotNet run on the same machine with the same thread count.

  {"op": "setup", "kind": "matmul", "n": 1024, "threads": 2} -> {"ok": true}
  {"op": "setup", "kind": "knn", "bank": 65536, "queries": 784, "dim": 768, "nn": 1, "device": "cpu", "threads": 2}
  {"op": "setup", "kind": "vit_forward", "arch": "vit_base", "patch": 16, "imagesize": 224, "batch": 1, "threads": 2}
  {"op": "setup", "kind": "decode", "source": DIR, "out": DIR2, "resize": 256, "crop": 224, "threads": 1}
  {"op": "run", "repeats": 8}                                 -> {"ok": true}
  {"op": "quit"}

`run` executes the prepared workload `repeats` times back to back, so the pipe round trip
(tens of microseconds) is amortized over the repeats. A workload with several variants (`knn`:
faiss, cdist, mm) runs the one named by the request's "variant".
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


def setup_decode(args):
    """Every *.png under args["source"] saved again by PIL as PNG and as JPEG (quality 90, 4:2:0) into
    args["out"], so that both sides decode the same files; the variants "png" and "jpeg" read each
    file of their format as the reference pipeline does: Image.open().convert("RGB"), Resize, CenterCrop."""
    import pathlib
    from PIL import Image
    from torchvision import transforms

    out = pathlib.Path(args["out"])
    out.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(sorted(pathlib.Path(args["source"]).rglob("*.png"))):
        image = Image.open(path).convert("RGB")
        image.save(out / f"{i:04d}.png")
        image.save(out / f"{i:04d}.jpg", quality=90)
    transform = transforms.Compose([transforms.Resize(int(args["resize"])), transforms.CenterCrop(int(args["crop"]))])

    def reader(files):
        def work():
            for f in files:
                transform(Image.open(f).convert("RGB"))

        return work

    return {"png": reader(sorted(out.glob("*.png"))), "jpeg": reader(sorted(out.glob("*.jpg")))}


# Bank rows per step of the PyTorch kNN formulations, so that the [Q, chunk] block stays bounded
# (a whole 1M-row bank would need Q x 4 MB) and the comparison with the chunked search is fair.
KNN_CHUNK_ROWS = 16384


def setup_knn(args):
    """One standard-normal bank and query batch, searched three ways for the nn nearest rows:
    faiss IndexFlatL2 (CPU), torch.cdist + min/topk and mm + min/topk (|b|^2 - 2 q.b + |q|^2), the
    last two on args["device"] in chunks of KNN_CHUNK_ROWS bank rows with a running selection."""
    import faiss
    import numpy as np

    faiss.omp_set_num_threads(int(args["threads"]))
    rng = np.random.default_rng(0)
    bank = rng.standard_normal((int(args["bank"]), int(args["dim"])), dtype=np.float32)
    queries = rng.standard_normal((int(args["queries"]), int(args["dim"])), dtype=np.float32)
    nn = int(args["nn"])
    index = faiss.IndexFlatL2(int(args["dim"]))
    index.add(bank)
    device = torch.device(args.get("device", "cpu"))
    bank_t = torch.from_numpy(bank).to(device)
    queries_t = torch.from_numpy(queries).to(device)
    norms = (bank_t * bank_t).sum(1)

    def running(distances_of):
        best = None
        for start in range(0, bank_t.shape[0], KNN_CHUNK_ROWS):
            distances = distances_of(start, bank_t[start:start + KNN_CHUNK_ROWS])
            values, rows = distances.min(1, keepdim=True) if nn == 1 else distances.topk(nn, 1, largest=False)
            rows = rows + start
            if best is not None:
                values, picked = torch.cat([best[0], values], 1).topk(nn, 1, largest=False)
                rows = torch.cat([best[1], rows], 1).gather(1, picked)
            best = (values, rows)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return best

    def cdist():
        running(lambda start, chunk: torch.cdist(queries_t, chunk))

    def mm():
        query_norms = (queries_t * queries_t).sum(1, keepdim=True)
        running(lambda start, chunk: torch.addmm(norms[start:start + chunk.shape[0]], queries_t, chunk.t(), alpha=-2) + query_norms)

    return {"faiss": lambda: index.search(queries, nn), "cdist": cdist, "mm": mm}


WORKLOADS = {"matmul": setup_matmul, "knn": setup_knn, "vit_forward": setup_vit_forward, "decode": setup_decode}


def main():
    variants = {}
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
                variants = work if isinstance(work, dict) else {"default": work}
                for variant in variants.values():
                    variant()  # warm-up: first-call allocations and kernel selection
            elif op == "run":
                variant = variants[request.get("variant", "default")]
                for _ in range(int(request.get("repeats", 1))):
                    variant()
            print(json.dumps({"ok": True}), flush=True)


if __name__ == "__main__":
    main()
