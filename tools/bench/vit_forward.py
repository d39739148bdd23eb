#!/usr/bin/python3
"""PyTorch side of the ViT forward benchmark (compare with Uniformaly.Benchmarks' VitForwardBenchmark).

    /usr/bin/python3 tools/bench/vit_forward.py --arch vit_base --patch 16 --threads 2 --repeats 5
    /usr/bin/python3 tools/bench/vit_forward.py --arch dinov2_vits14_reg --official CHECKOUT --threads 2

For vit_* the reference ViT of tools/make_vit_fixtures.py (DINO semantics) is timed. For a DINOv2 or
DINOv3 backbone name (dinov2_vits14, dinov3_vits16plus, ...) --official names a checkout of
facebookresearch/dinov2 or dinov3 and the official model is built by its hub constructor with its own
random init (tools/official_dino.py; on torch 1.13 its attention is the shim's softmax(q k^T) v, the
same arithmetic as the DINO reference's); its patch is its own and --patch is ignored.

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
import official_dino  # noqa: E402

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


def official(arch, checkout):
    """The official model and a function running every block (before the final norm), like model.run."""
    model = official_dino.build(checkout, arch)
    blocks = list(range(len(model.blocks)))
    return model, lambda images: model._get_intermediate_layers_not_chunked(images, n=blocks)


def seconds_per_image(arch, patch, threads, repeats, batch=1, image_size=224, warmup=1, checkout=None):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if arch in ARCHS:
        model = build(arch, patch, image_size)
        run = model.run
    else:
        model, run = official(arch, checkout)
        patch = model.patch_size
    images = torch.randn(batch, 3, image_size, image_size)
    with torch.inference_mode():
        for _ in range(warmup):
            run(images)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run(images)
            times.append(time.perf_counter() - start)
    return statistics.median(times) / batch, patch


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", default="vit_base", help=f"{', '.join(sorted(ARCHS))}, or a DINOv2/DINOv3 hub name with --official")
    parser.add_argument("--official", help="checkout of facebookresearch/dinov2 or dinov3, for a DINOv2/DINOv3 --arch")
    parser.add_argument("--patch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--imagesize", type=int, default=224)
    args = parser.parse_args()
    if args.arch not in ARCHS and not (args.arch.startswith("dinov") and args.official):
        parser.error(f"--arch {args.arch}: one of {', '.join(sorted(ARCHS))}, or a DINOv2/DINOv3 name with --official")
    seconds, patch = seconds_per_image(args.arch, args.patch, args.threads, args.repeats, args.batch, args.imagesize,
                                       checkout=args.official)
    print(json.dumps({"implementation": f"PyTorch {torch.__version__} eager", "device": "cpu", "arch": args.arch,
                      "patch": patch, "image_size": args.imagesize, "threads": args.threads, "batch": args.batch,
                      "seconds_per_image": seconds}))


if __name__ == "__main__":
    main()
