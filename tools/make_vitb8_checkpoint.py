#!/usr/bin/python3
"""Writes a random-weight ViT-B/8 state dict with DINO's key names (about 343 MB) for measuring
the checkpoint reader's memory. Never commit its output.

    /usr/bin/python3 tools/make_vitb8_checkpoint.py /tmp/vitb8_random.pth [--legacy]
"""
import argparse
import collections

import torch


def vit_b8_state_dict(depth=12, dim=768, patch=8, image=224, mlp_ratio=4):
    g = torch.Generator().manual_seed(0)
    shapes = collections.OrderedDict()
    shapes["cls_token"] = (1, 1, dim)
    shapes["pos_embed"] = (1, (image // patch) ** 2 + 1, dim)
    shapes["patch_embed.proj.weight"] = (dim, 3, patch, patch)
    shapes["patch_embed.proj.bias"] = (dim,)
    for i in range(depth):
        b = f"blocks.{i}."
        shapes[b + "norm1.weight"] = shapes[b + "norm1.bias"] = (dim,)
        shapes[b + "attn.qkv.weight"], shapes[b + "attn.qkv.bias"] = (3 * dim, dim), (3 * dim,)
        shapes[b + "attn.proj.weight"], shapes[b + "attn.proj.bias"] = (dim, dim), (dim,)
        shapes[b + "norm2.weight"] = shapes[b + "norm2.bias"] = (dim,)
        shapes[b + "mlp.fc1.weight"], shapes[b + "mlp.fc1.bias"] = (mlp_ratio * dim, dim), (mlp_ratio * dim,)
        shapes[b + "mlp.fc2.weight"], shapes[b + "mlp.fc2.bias"] = (dim, mlp_ratio * dim), (dim,)
    shapes["norm.weight"] = shapes["norm.bias"] = (dim,)
    return collections.OrderedDict((k, torch.randn(*s, generator=g)) for k, s in shapes.items())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--legacy", action="store_true")
    args = parser.parse_args()
    state = vit_b8_state_dict()
    torch.save(state, args.out, _use_new_zipfile_serialization=not args.legacy)
    print(f"{args.out}: {len(state)} tensors, {sum(t.numel() for t in state.values()):,} parameters")
