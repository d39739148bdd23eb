#!/usr/bin/python3
"""Writes the Vision Transformer / patch feature / BPM fixtures of tests/Uniformaly.Tests/fixtures/vit/.

Run with Debian's Python (torch 1.13):  /usr/bin/python3 tools/make_vit_fixtures.py

The reference ViT below follows DINO's vision_transformer.py (SPEC section 2): PatchEmbed conv,
CLS token, pos_embed interpolated bicubically with DINO's +0.1 offset (and DINO's condition for
skipping it), pre-norm blocks with LayerNorm eps 1e-6, qkv with bias, scale (D/heads)^-0.5,
exact GELU. Patch features (section 4) and Back Patch Masking (section 5) are computed here from
its outputs, independently of the C# code.

Files (about 3.5 MB in all):
  vit_a_d128_p16_fp16.safetensors  model A: D=128, 2 heads, depth 4, patch 16, pos grid 4x4 (64 px),
                                   float16 (its weights are float16 values, so every dtype is exact)
  vit_b_d64_p8.pth                 model B: D=64, 1 head, depth 2, patch 8, pos grid 4x4 (32 px),
                                   float32, torch.save zip format, plain DINO state dict
  vit_b_d64_p8_legacy.pth          the same, legacy torch.save format
  vit_b_d64_p8_ibot.pth            the same, iBOT-style: {'state_dict': {'module.backbone.<key>',
                                   'module.head.*'}, 'epoch': ...}
  vit_b_d64_p8.safetensors         the same, safetensors float32
  reference_a.safetensors          model A on four inputs (keys '<case>/<what>', see CASES_A)
  reference_b.safetensors          model B on two inputs
  bpm_reference.safetensors        BPM on synthetic peaked attention maps
  features_image.png               an 80x64 RGB image for `uniformaly features`
  mistakes_a.safetensors           model A's blocks and attentions on the g7, rect and quirk inputs
                                   when the model makes a plausible mistake (see MISTAKES), and the
                                   low-variance variant of model A with the right and the wrong
                                   LayerNorm eps (see LOW_VARIANCE_SCALE), for
                                   tests/Uniformaly.Tests/Models/ToleranceTests.cs
  features_reference.safetensors   what `uniformaly features --image features_image.png --checkpoint
                                   vit_a_d128_p16_fp16.safetensors --layers 2-4 --kernel 3
                                   --resize 64 --imagesize 64` must write (torchvision Resize,
                                   CenterCrop, ToTensor, Normalize; the image already has the
                                   resized size, so only the crop and normalization act)
"""
import copy
import sys
from collections import OrderedDict
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms

OUT = Path(__file__).resolve().parent.parent / "tests" / "Uniformaly.Tests" / "fixtures" / "vit"

# name -> (batch, height, width). sq64: the checkpoint's own grid (no interpolation); g7: 7x7;
# rect: 6x4 (non-square); quirk: 4x4 grid from a 64x72 input, which DINO still interpolates
# (4x4 -> 4x4 with scale 4.1/4) because its skip condition also asks for a square input.
CASES_A = {"sq64": (2, 64, 64), "g7": (1, 112, 112), "rect": (1, 96, 64), "quirk": (1, 64, 72)}
CASES_B = {"sq32": (1, 32, 32), "rect": (2, 48, 40)}
KERNELS = (1, 3, 7)
THRESHOLD = 0.1


# Plausible implementation mistakes, each a change to a copy of the reference model. The tests
# show that the ViT tolerance separates each from rounding.
MISTAKES = {
    "tanh_gelu": lambda m: [setattr(b.mlp, "gelu", "tanh") for b in m.blocks],
    "no_pos_offset": lambda m: setattr(m, "pos_offset", 0.0),
}
MISTAKE_CASES = ("g7", "rect", "quirk")

# LayerNorm(c x; eps) = LayerNorm(x; eps / c^2): with every weight that writes to the residual
# stream scaled by c = 2^-8 (exact in float), the LayerNorm inputs have variance ~1e-5 instead
# of ~1 and eps acts like 0.066 instead of 1e-6: an eps of 1e-5 instead of 1e-6 then changes the
# outputs at first order, where on model A itself it stays within float32 rounding.
LOW_VARIANCE_SCALE = 2.0 ** -8
RESIDUAL_STREAM = ("patch_embed.proj.weight", "patch_embed.proj.bias", "cls_token", "pos_embed",
                   "attn.proj.weight", "attn.proj.bias", "mlp.fc2.weight", "mlp.fc2.bias")
LOW_VARIANCE_CASES = ("g7", "rect")

# The reference ViT (DINO semantics, SPEC section 2) is tools/reference_pipeline.py's.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_pipeline import VisionTransformer  # noqa: E402
from make_checkpoint_fixtures import write_safetensors  # noqa: E402


# ---- patch features and BPM (SPEC sections 4, 5) --------------------------------------------

def patch_features(outputs, layers):
    """Mean over 1-based layers of the block outputs without the CLS token: [B, N, D]."""
    return torch.stack([outputs[l - 1][:, 1:] for l in layers]).mean(dim=0)


def cls_attention(attention):
    """[B, heads, N+1, N+1] -> head mean of the CLS query row over patch keys: [B, N]."""
    return attention[:, :, 0, 1:].mean(dim=1)


def bpm(attention, h, w, kernel, threshold):
    """Smoothed attention normalized by each image's own maximum, and the strict mask."""
    grid = attention.reshape(-1, 1, h, w)
    smoothed = F.avg_pool2d(grid, kernel, stride=1, padding=kernel // 2, count_include_pad=True)
    smoothed = smoothed / smoothed.amax(dim=(-2, -1), keepdim=True)
    smoothed = smoothed.reshape(attention.shape)
    return smoothed, (smoothed > threshold).float()


# ---- weights ----------------------------------------------------------------------------------

def randomize(model, g):
    """Random weights large enough that attention is peaked and every block changes its input.
    Rounded to float16 so that float16/float32 checkpoints of the model hold the same values."""
    scales = {"cls_token": 0.5, "pos_embed": 0.5, "patch_embed.proj.weight": 0.05, "attn.qkv.weight": 0.15,
              "attn.proj.weight": 0.08, "mlp.fc1.weight": 0.1, "mlp.fc2.weight": 0.05}
    with torch.no_grad():
        for name, p in model.named_parameters():
            is_norm = any(part.startswith("norm") for part in name.split(".")[:-1])
            scale = 0.1 if is_norm or name.endswith("bias") else next(v for k, v in scales.items() if name.endswith(k))
            value = torch.randn(p.shape, generator=g) * scale
            if is_norm and name.endswith("weight"):
                value += 1
            p.copy_(value.half().float())


def state_dict(model):
    return OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())


# ---- files ------------------------------------------------------------------------------------

def reference(model, cases, g, feature_layers, attention_layers):
    out = OrderedDict()
    patch = model.patch
    for case, (b, height, width) in cases.items():
        x = torch.randn(b, 3, height, width, generator=g)
        outputs, attentions, pos = model.run(x)
        h, w = height // patch, width // patch
        out[f"{case}/input"] = x
        out[f"{case}/pos_embed"] = pos
        for l, (o, a) in enumerate(zip(outputs, attentions), start=1):
            out[f"{case}/block{l}"] = o
            out[f"{case}/attn{l}"] = a
        for layers in feature_layers:
            out[f"{case}/patch_features_{','.join(map(str, layers))}"] = patch_features(outputs, layers)
        for a in attention_layers:
            cls = cls_attention(attentions[a - 1])
            out[f"{case}/cls_attention{a}"] = cls
            for n in KERNELS:
                smoothed, mask = bpm(cls, h, w, n, THRESHOLD)
                out[f"{case}/attn{a}_n{n}_smoothed"] = smoothed
                out[f"{case}/attn{a}_n{n}_mask"] = mask
    return out


def blocks_and_attentions(model, x, prefix):
    outputs, attentions, _ = model.run(x)
    out = OrderedDict()
    for l, (o, a) in enumerate(zip(outputs, attentions), start=1):
        out[f"{prefix}/block{l}"] = o
        out[f"{prefix}/attn{l}"] = a
    return out


def relative_error(a, b):
    return ((a - b).abs().max() / b.abs().max()).item()


def mistakes(model, ref):
    """Model A's outputs under each mistake, and the low-variance model with eps 1e-6 and 1e-5.
    Prints the largest relative error each mistake causes per case (the figure the tolerance must stay below)."""
    out = OrderedDict()
    for name, make in MISTAKES.items():
        wrong = copy.deepcopy(model)
        make(wrong)
        for case in MISTAKE_CASES:
            out.update(blocks_and_attentions(wrong, ref[f"{case}/input"], f"{name}/{case}"))
            print(f"{name} {case}: max relative error {max(relative_error(out[k], ref[k[len(name) + 1:]]) for k in out if k.startswith(f'{name}/{case}/')):.2e}")
    low = copy.deepcopy(model)
    with torch.no_grad():
        for key, p in low.named_parameters():
            if key.endswith(RESIDUAL_STREAM):
                p.mul_(LOW_VARIANCE_SCALE)
    for eps in (1e-6, 1e-5):
        for m in low.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.eps = eps
        for case in LOW_VARIANCE_CASES:
            out.update(blocks_and_attentions(low, ref[f"{case}/input"], f"low_variance_eps{eps:.0e}/{case}"))
    for case in LOW_VARIANCE_CASES:
        keys = [k for k in out if k.startswith(f"low_variance_eps1e-06/{case}/")]
        worst = max(relative_error(out[k.replace("eps1e-06", "eps1e-05")], out[k]) for k in keys)
        print(f"low-variance eps 1e-5 {case}: max relative error {worst:.2e}")
    return out


def bpm_synthetic(g):
    """Peaked maps (softmax of 2*randn) whose masks at lambda = 0.1 and 0.5 are far from all-true."""
    out = OrderedDict()
    for name, (b, h, w) in {"g7": (3, 7, 7), "g6x4": (2, 6, 4)}.items():
        attention = (2 * torch.randn(b, h * w, generator=g)).softmax(dim=-1)
        out[f"{name}/attention"] = attention
        for n in (1, 3, 5, 7):
            for threshold in (0.1, 0.5):
                smoothed, mask = bpm(attention, h, w, n, threshold)
                out[f"{name}/n{n}_smoothed"] = smoothed
                out[f"{name}/n{n}_t{threshold}_mask"] = mask
    return out


def features_command(model, g):
    """The image and the tensors of `uniformaly features` (layers 2-4, attention layer 4, n = 3, lambda 0.1)."""
    pixels = torch.randint(0, 256, (64, 80, 3), generator=g, dtype=torch.uint8).numpy()
    image = Image.fromarray(pixels, "RGB")
    image.save(OUT / "features_image.png")
    preprocess = transforms.Compose([
        transforms.Resize(64), transforms.CenterCrop(64), transforms.ToTensor(),
        transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
    x = preprocess(Image.open(OUT / "features_image.png").convert("RGB"))
    outputs, attentions, _ = model.run(x.unsqueeze(0))
    layers = (2, 3, 4)
    cls = cls_attention(attentions[3])
    smoothed, mask = bpm(cls, 4, 4, 3, THRESHOLD)
    out = OrderedDict(input=x)
    for l in layers:
        out[f"block_{l}"] = outputs[l - 1][0]
    out["patch_features"] = patch_features(outputs, layers)[0]
    out["cls_attention"] = cls[0]
    out["bpm_smoothed"] = smoothed[0]
    out["bpm_mask"] = mask[0]
    return out


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(20230723)
    torch.set_grad_enabled(False)

    model_a = VisionTransformer(dim=128, depth=4, heads=2, patch=16, grid=4).eval()
    randomize(model_a, g)
    sd_a = state_dict(model_a)
    write_safetensors(OUT / "vit_a_d128_p16_fp16.safetensors", OrderedDict((k, v.half()) for k, v in sd_a.items()))
    ref_a = reference(model_a, CASES_A, g, feature_layers=[(2, 3, 4), (1, 3)], attention_layers=[4, 2])
    write_safetensors(OUT / "reference_a.safetensors", ref_a)

    model_b = VisionTransformer(dim=64, depth=2, heads=1, patch=8, grid=4).eval()
    randomize(model_b, g)
    sd_b = state_dict(model_b)
    torch.save(sd_b, OUT / "vit_b_d64_p8.pth")
    torch.save(sd_b, OUT / "vit_b_d64_p8_legacy.pth", _use_new_zipfile_serialization=False)
    nested = OrderedDict(("module.backbone." + k, v) for k, v in sd_b.items())
    nested["module.head.mlp.0.weight"] = torch.randn(32, 64, generator=g)
    nested["module.head.last_layer.weight_g"] = torch.ones(16, 1)
    torch.save({"state_dict": nested, "epoch": 800}, OUT / "vit_b_d64_p8_ibot.pth")
    write_safetensors(OUT / "vit_b_d64_p8.safetensors", sd_b)
    write_safetensors(OUT / "reference_b.safetensors",
                      reference(model_b, CASES_B, g, feature_layers=[(1, 2)], attention_layers=[2]))

    write_safetensors(OUT / "bpm_reference.safetensors", bpm_synthetic(g))
    write_safetensors(OUT / "features_reference.safetensors", features_command(model_a, g))
    write_safetensors(OUT / "mistakes_a.safetensors", mistakes(model_a, ref_a))
    for f in sorted(OUT.iterdir()):
        print(f"{f.name}: {f.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
