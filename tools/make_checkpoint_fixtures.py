#!/usr/bin/python3
"""Writes the checkpoint-reading fixtures of tests/Uniformaly.Tests/fixtures/checkpoints/.

Run with Debian's Python (torch 1.13):  /usr/bin/python3 tools/make_checkpoint_fixtures.py

Every file is a few KB. expected.json records, for each readable fixture, the raw key of every
tensor with its dtype, shape, strides and row-major element values (float32/16/bf16 values as
the exact doubles they widen to), so the C# tests compare elements exactly.
"""
import argparse
import collections
import json
import os
import struct
import tempfile
import zipfile
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent.parent / "tests" / "Uniformaly.Tests" / "fixtures" / "checkpoints"
# The malicious pickle would create the file this variable names if its payload were ever executed
# (the tests point it at a file in each test's own folder; unset, the command fails and creates nothing).
SENTINEL_VARIABLE = "UNIFORMALY_SENTINEL"

DTYPE_NAMES = {
    torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.float64: "float64", torch.int64: "int64", torch.int32: "int32",
    torch.uint8: "uint8", torch.bool: "bool",
}


def describe(t):
    """dtype, shape, strides and exact row-major values of one tensor."""
    values = t.contiguous().flatten()
    if t.dtype in (torch.float16, torch.bfloat16):
        values = values.float()
    if t.dtype == torch.bool:
        values = values.to(torch.int64)
    return {
        "dtype": DTYPE_NAMES[t.dtype],
        "shape": list(t.shape),
        "strides": list(t.stride()),
        "values": values.tolist(),
    }


def flatten_tensors(obj, prefix=""):
    """Every tensor in a nested dict, keyed by its path of dict keys joined with '/'."""
    out = {}
    for k, v in obj.items():
        if isinstance(v, torch.Tensor):
            out[prefix + k] = describe(v.detach())
        elif isinstance(v, dict):
            out.update(flatten_tensors(v, prefix + k + "/"))
    return out


def vit_like_state_dict(g):
    """A miniature DINO ViT state dict (embed dim 4, one block, patch 2, 3 patches + cls)."""
    d = 4
    names = {
        "cls_token": (1, 1, d), "pos_embed": (1, 4, d),
        "patch_embed.proj.weight": (d, 3, 2, 2), "patch_embed.proj.bias": (d,),
        "blocks.0.norm1.weight": (d,), "blocks.0.attn.qkv.weight": (3 * d, d),
        "norm.weight": (d,), "norm.bias": (d,),
    }
    return collections.OrderedDict((k, torch.randn(*s, generator=g)) for k, s in names.items())


def save_torch(name, obj, expected, legacy=False, protocol=2):
    torch.save(obj, OUT / name, _use_new_zipfile_serialization=not legacy, pickle_protocol=protocol)
    expected[name] = flatten_tensors(obj)


def patch_pickle(src, dst, old, new):
    """Copies a torch zip, replacing bytes of its data.pkl (to make inconsistent files)."""
    with zipfile.ZipFile(OUT / src) as zin, zipfile.ZipFile(OUT / dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("/data.pkl"):
                assert data.count(old) == 1, (src, old)
                data = data.replace(old, new)
            zout.writestr(info.filename, data)


def drop_member(src, dst, suffix):
    """Copies a torch zip without the member whose name ends with suffix."""
    with zipfile.ZipFile(OUT / src) as zin, zipfile.ZipFile(OUT / dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            if not info.filename.endswith(suffix):
                zout.writestr(info.filename, zin.read(info))


def basic_dict(g):
    return {
        "weight": torch.randn(3, 4, generator=g),
        "bias": torch.randn(4, generator=g),
        "steps": torch.arange(5, dtype=torch.int64) * 1000000007,
        "scalar": torch.tensor(2.5),
    }


def dtype_dict(g):
    base = torch.randn(2, 3, generator=g) * 10
    return {
        "f32": base.clone(),
        "f16": base.to(torch.float16),
        "bf16": base.to(torch.bfloat16),
        "f64": base.to(torch.float64),
        "i64": torch.tensor([-(2 ** 40), -1, 0, 1, 2 ** 40, 7]),
        "i32": torch.tensor([-5, 0, 5, 2 ** 30], dtype=torch.int32),
        "u8": torch.tensor([0, 1, 254, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
    }


def view_dict(g):
    """Views over shared storages: transposes, offsets, slices with steps, one storage many tensors."""
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) + 0.25
    other = torch.randn(3, 5, generator=g)
    half = torch.randn(4, 4, generator=g).to(torch.float16)
    return {
        "base": base,
        "transposed": base.t(),
        "rows_1_3": base[1:3],
        "every_other_column": base[:, 1::2],
        "element": base[2, 3],
        "other_t": other.t(),
        "other_tail": other.flatten()[7:],
        "half_t": half.t(),
        "half_block": half[1:3, 2:],
    }


def write_safetensors(path, tensors, metadata=None):
    """A hand-written safetensors writer (the format's spec), independent of the C# one."""
    codes = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
             torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        raw = t.contiguous().view(torch.uint8).numpy().tobytes() if t.dim() > 0 else \
            t.reshape(1).contiguous().view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": codes[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class Evil:
    """Pickles as a call of os.system (posix.system): the classic pickle exploit."""

    def __reduce__(self):
        return (os.system, (f'touch "${{{SENTINEL_VARIABLE}:?}}"',))


class Builtin:
    """Pickles as a call of builtins.eval."""

    def __reduce__(self):
        return (eval, ("1+1",))


def save_pre_v2_rebuild(name, obj, expected):
    """A legacy file whose tensors use torch._utils._rebuild_tensor (as PyTorch < 0.4 wrote)."""
    original = torch.Tensor.__reduce_ex__

    def old_reduce(self, proto):
        return (torch._utils._rebuild_tensor, (self.storage(), self.storage_offset(), tuple(self.size()), self.stride()))

    torch.Tensor.__reduce_ex__ = old_reduce
    try:
        torch.save(obj, OUT / name, _use_new_zipfile_serialization=False)
    finally:
        torch.Tensor.__reduce_ex__ = original
    expected[name] = flatten_tensors(obj)


def truncate(src, dst, keep):
    data = (OUT / src).read_bytes()
    (OUT / dst).write_bytes(data[:keep])


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(20230723)
    expected = {}

    save_torch("zip_basic.pth", basic_dict(g), expected)
    save_torch("legacy_basic.pth", basic_dict(g), expected, legacy=True)
    save_torch("zip_dtypes.pth", dtype_dict(g), expected)
    save_torch("legacy_dtypes.pth", dtype_dict(g), expected, legacy=True)
    save_torch("zip_views.pth", view_dict(g), expected)
    save_torch("legacy_views.pth", view_dict(g), expected, legacy=True)
    save_torch("zip_protocol4.pth", dtype_dict(g), expected, protocol=4)
    save_torch("legacy_protocol4.pth", view_dict(g), expected, legacy=True, protocol=4)
    save_pre_v2_rebuild("legacy_rebuild_tensor.pth", view_dict(g), expected)
    save_torch("dino_plain.pth", vit_like_state_dict(g), expected)
    save_torch("ordered_dict.pth", vit_like_state_dict(g), expected)

    vit = vit_like_state_dict(g)
    ibot = {
        "state_dict": collections.OrderedDict(
            [("module.backbone." + k, v) for k, v in vit.items()]
            + [("module.head.mlp.0.weight", torch.randn(2, 4, generator=g)),
               ("module.head.last_layer.weight_g", torch.randn(2, 1, generator=g))]),
        "epoch": 3,
        "args": argparse.Namespace(arch="vit_base", patch_size=8, lr=0.0005, use_fp16=True,
                                   drop_path_rate=0.1, global_crops_scale=(0.4, 1.0),
                                   output_dir="/out", pred_ratio=[0.0, 0.3], momentum=None),
    }
    save_torch("ibot_nested.pth", ibot, expected)
    save_torch("ibot_nested_legacy.pth", ibot, expected, legacy=True)

    teacher = {
        "student": collections.OrderedDict(("module.backbone." + k, v.clone() + 1) for k, v in vit.items()),
        "teacher": collections.OrderedDict(("backbone." + k, v) for k, v in vit.items()),
        "epoch": 100,
    }
    save_torch("dino_full.pth", teacher, expected)
    save_torch("mae_model.pth", {"model": collections.OrderedDict(vit), "epoch": 1}, expected)

    params = {
        "linear.weight": torch.nn.Parameter(torch.randn(2, 3, generator=g)),
        "linear.bias": torch.nn.Parameter(torch.randn(2, generator=g), requires_grad=False),
    }
    save_torch("parameters.pth", params, expected)
    save_torch("parameters_legacy.pth", params, expected, legacy=True)

    collide = {"module.x": torch.zeros(1), "x": torch.ones(1)}
    save_torch("colliding_prefixes.pth", collide, expected)

    st = dtype_dict(g)
    st["matrix"] = torch.randn(3, 2, generator=g)
    write_safetensors(OUT / "hand_written.safetensors", st, {"format": "pt", "source": "fixture"})
    expected["hand_written.safetensors"] = flatten_tensors(st)

    torch.save({"x": torch.zeros(2), "payload": Evil()}, OUT / "malicious_system.pth")
    torch.save({"payload": Evil()}, OUT / "malicious_system_legacy.pth", _use_new_zipfile_serialization=False)
    torch.save({"payload": Builtin()}, OUT / "malicious_eval.pth")
    torch.save(torch.nn.Linear(2, 2), OUT / "whole_module.pth")

    torch.save({"w": torch.arange(6.0)}, OUT / "six.pth")
    patch_pickle("six.pth", "out_of_bounds.pth", b"K\x06\x85", b"K\x07\x85")
    torch.save({"w": torch.arange(6.0)[:2]}, OUT / "six_view.pth")
    patch_pickle("six_view.pth", "wrong_numel.pth", b"K\x06t", b"K\x05t")
    (OUT / "six_view.pth").unlink()
    drop_member("six.pth", "missing_storage.pth", "/data/0")
    (OUT / "six.pth").unlink()

    truncate("zip_basic.pth", "truncated_zip.pth", (OUT / "zip_basic.pth").stat().st_size // 2)
    truncate("legacy_basic.pth", "truncated_legacy.pth", (OUT / "legacy_basic.pth").stat().st_size - 20)
    truncate("hand_written.safetensors", "truncated.safetensors", (OUT / "hand_written.safetensors").stat().st_size - 3)
    (OUT / "garbage.bin").write_bytes(bytes(torch.randint(0, 256, (300,), generator=g, dtype=torch.uint8).tolist()))
    (OUT / "empty.pth").write_bytes(b"")

    # What torch.save(model.state_dict()) writes, as the official DINO files are: an OrderedDict
    # carrying a `_metadata` attribute (module versions), which pickles as a BUILD of the dict.
    module = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=torch.Generator().manual_seed(p.numel())))
    save_torch("module_state_dict.pth", module.state_dict(), expected)
    save_torch("module_state_dict_legacy.pth", module.state_dict(), expected, legacy=True)

    with open(OUT / "expected.json", "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    assert not os.path.exists(os.environ[SENTINEL_VARIABLE]), "the fixture writer must never run the payload"


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        os.environ[SENTINEL_VARIABLE] = os.path.join(folder, "sentinel")
        main()
