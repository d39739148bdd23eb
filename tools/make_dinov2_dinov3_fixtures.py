#!/usr/bin/python3
"""Writes tests/Uniformaly.Tests/fixtures/dinov2_dinov3/ from the OFFICIAL DINOv2 and DINOv3 code.

    env -u OPENBLAS_CORETYPE /usr/bin/python3 tools/make_dinov2_dinov3_fixtures.py \\
        --dinov2 /path/to/facebookresearch/dinov2 --dinov3 /path/to/facebookresearch/dinov3

The two arguments are local checkouts of the public repositories (the fixtures were written from
dinov2 b8931f7 and dinov3 6876159). Their hub constructors build each model (tools/official_dino.py,
with its torch 1.13 shims), so every setting is the official one; only the sizes are small. Weights
are drawn here (the official init leaves DINOv3's LayerScale at 1e-5, which would hide the blocks),
except DINOv3's rope_embed.periods and attn.qkv.bias_mask buffers, which keep the official init.

Files (about 4.5 MB in all):
  <model>.pth                 the model's state dict saved as torch.save(model.state_dict()), float32:
                              the official checkpoint layout (the release files are the same kind of
                              file with the full-size tensors)
  inputs.safetensors          the input images [1, 3, H, W] (float16 values; see INPUTS)
  <model>_reference.safetensors   for each input case: '<case>/block<l>'
                              every block's output [1, T, D] (all tokens, before the final norm);
                              '<case>/cls_attention_heads<l>' the CLS query's softmax row per head
                              [1, heads, T] as the model's attention computed it; '<case>/cls_attention<l>'
                              its head mean over the patch keys [1, N]; '<case>/patch_features'
                              the mean over every block of the official get_intermediate_layers(
                              norm=False) outputs (which drop CLS and the register/storage tokens) [1, N, D]
  pos_embed_37.safetensors    DINOv2's interpolate_pos_encoding from the real 37x37 grid (D = 8) for
                              the plain model (offset 0.1, no antialias) and the register model
                              (antialias, offset 0): '<variant>/pos_embed' [1, 1370, 8] and
                              '<variant>/<H>x<W>' [1, N+1, 8]
  layouts.json                the real models' state-dict keys and shapes in order, from the official
                              constructors at full width and depth 1 (blocks.0.* stands for every
                              block; "depth" says how many)
Models (tiny, official hub settings): see MODELS.
"""
import argparse
import json
import sys
from collections import OrderedDict
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import official_dino  # noqa: E402
from make_checkpoint_fixtures import write_safetensors  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "Uniformaly.Tests" / "fixtures" / "dinov2_dinov3"

# The input images, shared by the models (float16 values, so the file stores them exactly in half the
# bytes): "224" is 224x224 (a 16x16 grid for DINOv2's patch 14, 14x14 for DINOv3's 16); "rect14" and
# "rect16" are non-square (8x6 and 7x5 grids); "trained" is DINOv2's own 4x4 grid (pos_embed kept as is).
INPUTS = {"224": (224, 224), "rect14": (112, 84), "rect16": (112, 80), "trained": (56, 56)}
# name -> (hub constructor, size overrides, cases). DINOv2: D 64, 1 head (heads are inferred as
# D / 64), pos_embed trained at 56 px; DINOv3: D 64, 2 heads (inferred from the RoPE periods).
V2_CASES = ("224", "rect14", "trained")
V3_CASES = ("224", "rect16")
MODELS = {
    "dinov2_s": ("dinov2_vits14", dict(embed_dim=64, depth=2, num_heads=1, img_size=56), V2_CASES),
    "dinov2_s_reg": ("dinov2_vits14_reg", dict(embed_dim=64, depth=2, num_heads=1, img_size=56), V2_CASES),
    "dinov2_g": ("dinov2_vitg14", dict(embed_dim=64, depth=1, num_heads=1, img_size=56), V2_CASES),
    "dinov3_s": ("dinov3_vits16", dict(embed_dim=64, depth=2, num_heads=2), V3_CASES),
    "dinov3_splus": ("dinov3_vits16plus", dict(embed_dim=64, depth=1, num_heads=2), V3_CASES),
}
REAL = ["dinov2_vits14", "dinov2_vitb14", "dinov2_vitl14", "dinov2_vitg14",
        "dinov2_vits14_reg", "dinov2_vitb14_reg", "dinov2_vitl14_reg", "dinov2_vitg14_reg",
        "dinov3_vits16", "dinov3_vits16plus", "dinov3_vitb16", "dinov3_vitl16", "dinov3_vith16plus"]
POS_SIZES = [(224, 224), (224, 168), (518, 518), (140, 98)]

SCALES = {"cls_token": 0.5, "pos_embed": 0.5, "register_tokens": 0.5, "storage_tokens": 0.5, "mask_token": 0.5,
          "patch_embed.proj.weight": 0.05, "attn.qkv.weight": 0.15, "attn.proj.weight": 0.08,
          "mlp.fc1.weight": 0.1, "mlp.fc2.weight": 0.05, "mlp.w12.weight": 0.1, "mlp.w1.weight": 0.1,
          "mlp.w2.weight": 0.1, "mlp.w3.weight": 0.05}
KEEP = ("rope_embed.periods", "bias_mask")


def randomize(model, g):
    """Weights that make every block change its input and attention peaked; buffers kept."""
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith(KEEP):
                continue
            if name.endswith("gamma"):
                value = 1 + 0.2 * torch.randn(t.shape, generator=g)
            elif any(part.startswith("norm") for part in name.split(".")[:-1]):
                value = torch.randn(t.shape, generator=g) * 0.1 + (1 if name.endswith("weight") else 0)
            elif name.endswith("bias"):
                value = torch.randn(t.shape, generator=g) * 0.1
            else:
                value = torch.randn(t.shape, generator=g) * next(v for k, v in SCALES.items() if name.endswith(k))
            t.copy_(value)


def reference(model, cases, inputs):
    out = OrderedDict()
    prefix = official_dino.prefix_tokens(model)
    depth = len(model.blocks)
    for case in cases:
        x = inputs[case].float()
        outputs, attentions = official_dino.block_outputs(model, x)
        assert len(attentions) == depth
        for l, (o, a) in enumerate(zip(outputs, attentions), start=1):
            out[f"{case}/block{l}"] = o
            out[f"{case}/cls_attention_heads{l}"] = a[:, :, 0, :]
            out[f"{case}/cls_attention{l}"] = a[:, :, 0, prefix:].mean(dim=1)
        with torch.no_grad():
            patches = model.get_intermediate_layers(x, n=list(range(depth)), norm=False)
        out[f"{case}/patch_features"] = torch.stack(patches).mean(dim=0)
    return out


def pos_embed_fixture(dinov2, g):
    out = OrderedDict()
    for variant, hub in (("plain", "dinov2_vits14"), ("reg", "dinov2_vits14_reg")):
        model = official_dino.build(dinov2, hub, embed_dim=8, depth=1, num_heads=1)
        assert model.pos_embed.shape == (1, 37 * 37 + 1, 8)
        with torch.no_grad():
            model.pos_embed.copy_(torch.randn(model.pos_embed.shape, generator=g))
        out[f"{variant}/pos_embed"] = model.pos_embed.detach().clone()
        for height, width in POS_SIZES:
            tokens = torch.zeros(1, (height // 14) * (width // 14) + 1, 8)
            with torch.no_grad():
                # DINOv2 names the image's dims (w, h) = (H, W): its "w" is the height.
                out[f"{variant}/{height}x{width}"] = model.interpolate_pos_encoding(tokens, height, width).clone()
        print(f"pos_embed {variant}: antialias {model.interpolate_antialias}, offset {model.interpolate_offset}")
    return out


def layouts(dinov2, dinov3):
    out = OrderedDict()
    for hub in REAL:
        checkout = dinov3 if hub.startswith("dinov3") else dinov2
        model = official_dino.build(checkout, hub, depth=1)
        out[hub] = {"depth": model.official_sizes["depth"], "keys": [[k, list(v.shape)] for k, v in model.state_dict().items()]}
        del model
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dinov2", required=True, help="checkout of facebookresearch/dinov2")
    parser.add_argument("--dinov3", required=True, help="checkout of facebookresearch/dinov3")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(15)
    inputs = OrderedDict((case, torch.randn(1, 3, h, w, generator=g).half()) for case, (h, w) in INPUTS.items())
    write_safetensors(OUT / "inputs.safetensors", inputs)
    for name, (hub, sizes, cases) in MODELS.items():
        checkout = args.dinov3 if hub.startswith("dinov3") else args.dinov2
        model = official_dino.build(checkout, hub, **sizes)
        randomize(model, g)
        torch.save(model.state_dict(), OUT / f"{name}.pth")
        write_safetensors(OUT / f"{name}_reference.safetensors", reference(model, cases, inputs))
        print(f"{name}: {hub} {sizes}, prefix tokens {official_dino.prefix_tokens(model)}")
    write_safetensors(OUT / "pos_embed_37.safetensors", pos_embed_fixture(args.dinov2, g))
    real = layouts(args.dinov2, args.dinov3)
    lines = [f'"{hub}": {{"depth": {v["depth"]}, "keys": [\n' + ",\n".join(json.dumps(k) for k in v["keys"]) + "]}"
             for hub, v in real.items()]
    (OUT / "layouts.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")


if __name__ == "__main__":
    main()
