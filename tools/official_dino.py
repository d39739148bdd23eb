"""Builds DINOv2 and DINOv3 Vision Transformers with the official code, on Debian's torch 1.13.

Used by tools/make_dinov2_dinov3_fixtures.py and tools/bench/vit_forward.py. The official code is
imported from a local checkout of facebookresearch/dinov2 or facebookresearch/dinov3 (its path is an
argument; nothing of it is copied here). It is written for torch 2, so before importing it
install_shims() adds, at run time and only where torch lacks them:
  - torch.nn.functional.scaled_dot_product_attention: softmax(q k^T * scale) v, written out. It is
    always replaced (also on torch 2) so that record_attention() can keep every softmax the model computes;
  - torch._dynamo (DINOv3's block.py sets two config values; fp8_linear.py calls reset_code_caches);
  - torch.compiler.allow_in_graph (DINOv3's fp8_linear.py decorates a function with it).

build(checkout, hub_name, **overrides) calls the hub's own constructor (dinov2_vits14_reg,
dinov3_vits16plus, ...) with pretrained=False, so every setting the hub chooses for that model
(LayerScale, registers, pos_embed interpolation offset and antialias, LayerNorm eps, RoPE, storage
tokens, masked qkv bias, FFN) is the official one; overrides replace only the sizes (embed_dim,
depth, num_heads) that the hub function fixes, for small test models.
"""
import contextlib
import os
import sys
import types

import torch
import torch.nn.functional as F

_RECORDING = None


def _attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    assert attn_mask is None and not is_causal and dropout_p == 0.0, "only inference attention is shimmed"
    s = q.shape[-1] ** -0.5 if scale is None else scale
    attention = (q @ k.transpose(-2, -1) * s).softmax(dim=-1)
    if _RECORDING is not None:
        _RECORDING.append(attention.detach().clone())
    return attention @ v


def install_shims():
    F.scaled_dot_product_attention = _attention
    if not hasattr(torch, "_dynamo"):
        dynamo = types.ModuleType("torch._dynamo")
        dynamo.config = types.SimpleNamespace()
        dynamo.reset_code_caches = lambda: None
        sys.modules["torch._dynamo"] = dynamo
        torch._dynamo = dynamo
    if not hasattr(torch, "compiler"):
        compiler = types.ModuleType("torch.compiler")
        compiler.allow_in_graph = lambda fn: fn
        sys.modules["torch.compiler"] = compiler
        torch.compiler = compiler


@contextlib.contextmanager
def record_attention():
    """Collects the softmax attention [B, heads, T, T] of every attention call, in call order (block order)."""
    global _RECORDING
    _RECORDING = []
    try:
        yield _RECORDING
    finally:
        _RECORDING = None


def family_of(hub_name):
    return "dinov3" if hub_name.startswith("dinov3") else "dinov2"


def build(checkout, hub_name, **overrides):
    """The hub's model `hub_name` from the checkout, random-initialized by its own code, in eval mode."""
    os.environ.setdefault("XFORMERS_DISABLED", "1")  # DINOv2: the plain PyTorch paths
    install_shims()
    if checkout not in sys.path:
        sys.path.insert(0, checkout)
    family = family_of(hub_name)
    vits = __import__(f"{family}.models.vision_transformer", fromlist=["DinoVisionTransformer"])
    backbones = __import__(f"{family}.hub.backbones", fromlist=[hub_name])
    original = vits.DinoVisionTransformer
    sizes = {k: overrides.pop(k) for k in ("embed_dim", "depth", "num_heads") if k in overrides}

    official = {}

    def sized(*args, **kwargs):
        official.update({k: kwargs[k] for k in ("embed_dim", "depth", "num_heads") if k in kwargs})
        kwargs.update(sizes)
        return original(*args, **kwargs)

    vits.DinoVisionTransformer = sized
    try:
        model = getattr(backbones, hub_name)(pretrained=False, **overrides)
    finally:
        vits.DinoVisionTransformer = original
    model.official_sizes = official  # the sizes the hub asked for, before the overrides
    return model.eval()


def prefix_tokens(model):
    """CLS plus DINOv2's registers or DINOv3's storage tokens."""
    return 1 + getattr(model, "num_register_tokens", 0) + getattr(model, "n_storage_tokens", 0)


def block_outputs(model, x):
    """Every block's output (before the final norm, all tokens) through the model's own
    _get_intermediate_layers_not_chunked, and the attentions the blocks computed."""
    with torch.no_grad(), record_attention() as attentions:
        outputs = model._get_intermediate_layers_not_chunked(x, n=list(range(len(model.blocks))))
    return outputs, list(attentions)
