#!/usr/bin/python3
"""PyTorch side of the ViT forward benchmark (compare with Uniformaly.Benchmarks' VitForwardBenchmark).

    /usr/bin/python3 tools/bench/vit_forward.py --arch vit_base --patch 16 --threads 2 --repeats 5

Builds the reference ViT of tools/make_vit_fixtures.py (DINO semantics) with random weights,
runs it eagerly under torch.inference_mode on a batch of random 224x224 images with the given
intra-op threads, one untimed warm-up, then `repeats` timed full forwards (every block, as the
features of layers 3-10 plus BPM need blocks up to 10 of 12 and DINO's forward runs all 12).
Prints one JSON object: {"implementation", "device", "arch", "patch", "image_size", "threads", "batch",
"seconds_per_image"} (median), the fields `uniformaly bench vit --json` prints, so that
`uniformaly bench plot` charts both.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from make_vit_fixtures import VisionTransformer  # noqa: E402  (the reference ViT)

ARCHS = {"vit_small": (384, 12, 6), "vit_base": (768, 12, 12), "vit_large": (1024, 24, 16)}


def build(arch, patch, image_size=224):
    """Random-weight model in eval mode (normal std 0.02, LayerNorms at identity)."""
    dim, depth, heads = ARCHS[arch]
    model = VisionTransformer(dim=dim, depth=depth, heads=heads, patch=patch, grid=image_size // patch).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" not in name:
                p.normal_(0, 0.02)
    return model


def seconds_per_image(arch, patch, threads, repeats, batch=1, image_size=224, warmup=1):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(arch, patch, image_size)
    images = torch.randn(batch, 3, image_size, image_size)
    with torch.inference_mode():
        for _ in range(warmup):
            model.run(images)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.run(images)
            times.append(time.perf_counter() - start)
    return statistics.median(times) / batch


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=sorted(ARCHS), default="vit_base")
    parser.add_argument("--patch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--imagesize", type=int, default=224)
    args = parser.parse_args()
    seconds = seconds_per_image(args.arch, args.patch, args.threads, args.repeats, args.batch, args.imagesize)
    print(json.dumps({"implementation": f"PyTorch {torch.__version__} eager", "device": "cpu", "arch": args.arch,
                      "patch": args.patch, "image_size": args.imagesize, "threads": args.threads, "batch": args.batch,
                      "seconds_per_image": seconds}))


if __name__ == "__main__":
    main()
