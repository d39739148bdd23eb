#!/usr/bin/python3
"""Where the CPU time of `uniformaly fit` and `uniformaly predict` goes, by pipeline stage.

    /usr/bin/python3 tools/bench/profile_e2e.py [--uniformaly ./uniformaly] [--threads 1] [--train 40] [--test 40]

Writes a synthetic category (`uniformaly synth`) and a random-weight ViT-S/16 in DINO's format
(tools/reference_pipeline.py random-checkpoint) to a scratch folder, then samples the CPU of
`uniformaly fit` (identity bank) and `uniformaly predict` on it with `perf record -e cpu-clock
--call-graph dwarf` and sorts every sample into a stage by its call stack: the bridge entry point
it runs under (ufm_linear*, ufm_attention, ufm_layer_norm, ufm_image_decode, the kNN's ufm_addmm /
ufm_min_dim / ufm_update_smallest, ...), the kernel inside it (GEMM, softmax, GELU), or the .NET
runtime (JIT compiler, GC). Printed per command: process CPU milliseconds per image by stage,
startup (process start, checkpoint load) included.

One thread by default: CPU samples of a single-threaded run are not inflated by OpenMP threads
spinning at barriers when other jobs share the cores, so the profile holds on a busy machine.
--uniformaly points at another checkout's launcher to profile it the same way (e.g. a main build
before a change). perf needs no hardware counters (cpu-clock is a software event). Samples in
oneDNN's JIT-generated GEMM kernels cannot be unwound to their caller and are counted as GEMM
kernels of either the linear layers or the attention.
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


def gemm(frames):
    return "libopenblas" in frames or "dnnl" in frames or "[unknown] (/tmp/perf-" in frames


def below(stack, entry):
    """The frames under (called by) the first frame naming `entry`."""
    return stack.split(entry)[0]


def attention(stack):
    part = below(stack, "ufm_attention")
    if "softmax" in part:
        return "attention: softmax"
    return "attention: q k^T and p v GEMMs" if gemm(part) else "attention: copies and scale"


def linear(stack):
    part = below(stack, "ufm_linear")
    if gemm(part):
        return "linear layers: GEMMs"
    return "GELU" if "gelu" in part else "linear layers: bias and residual adds"


# The first rule whose key appears in the call stack decides (bridge entry points first).
RULES = [
    ("ufm_attention", attention),
    ("ufm_linear", linear),
    # Entry points of the op-by-op ViT (before the fused ops; --uniformaly of an older checkout).
    ("ufm_matmul", lambda s: "attention: q k^T and p v GEMMs" if gemm(below(s, "ufm_matmul")) else "attention: copies and scale"),
    ("ufm_softmax", lambda s: "attention: softmax"),
    ("ufm_gelu", lambda s: "GELU"),
    ("ufm_mul_scalar", lambda s: "attention: copies and scale"),
    ("ufm_add (", lambda s: "linear layers: bias and residual adds"),
    ("ufm_layer_norm", lambda s: "LayerNorm"),
    ("ufm_conv2d", lambda s: "patch embedding (conv)"),
    ("ufm_image_decode", lambda s: "image decoding (PNG)"),
    ("ufm_addmm", lambda s: "kNN search"),
    ("ufm_mm", lambda s: "kNN search"),
    ("ufm_min_dim", lambda s: "kNN search"),
    ("ufm_update_smallest", lambda s: "kNN search"),
    ("ufm_stack", lambda s: "layer mean (stack + mean)"),
    ("ufm_mean", lambda s: "layer mean (stack + mean)"),
    ("ufm_interpolate", lambda s: "anomaly maps"),
    ("ufm_from_host", lambda s: "checkpoint and tensor loading"),
    ("CheckpointReader", lambda s: "checkpoint and tensor loading"),
    ("SafeTensors", lambda s: "checkpoint and tensor loading"),
    ("PilResampler", lambda s: "preprocessing (resize, crop, normalize)"),
    ("ImagePreprocessor", lambda s: "preprocessing (resize, crop, normalize)"),
    ("AnomalyMapGenerator", lambda s: "anomaly maps"),
    ("GaussianBlur", lambda s: "anomaly maps"),
    ("Uniformaly.Research.Metrics", lambda s: "metrics"),
    ("libsleef", lambda s: "exp / erf (softmax, GELU)"),
    ("libclrjit", lambda s: ".NET JIT compiler"),
    ("ld-linux", lambda s: "process start (dynamic loading)"),
    ("_dl_", lambda s: "process start (dynamic loading)"),
    ("libcoreclr", lambda s: ".NET runtime (GC, type loading)"),
    ("libhostpolicy", lambda s: "process start (dynamic loading)"),
]


def classify(frames):
    stack = "\n".join(frames)
    for key, rule in RULES:
        if key in stack:
            return rule(stack)
    leaf = frames[0] if frames else ""
    if "[unknown] (/tmp/perf-" in leaf:
        return "GEMM kernels (oneDNN JIT code, caller not unwound)"
    if "libtorch_cpu" in stack:
        return "other ATen kernels (adds, copies, caller not unwound)"
    if "kallsyms" in leaf:
        return "kernel (page faults, scheduling)"
    return "other"


def samples(script_text):
    """(command, stack frames leaf first) per sample of `perf script -F comm,ip,sym,dso`."""
    current = None
    for line in script_text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(("\t", " ")):
            if current:
                yield current
            current = (line.strip(), [])
        elif current:
            current[1].append(line.strip())
    if current:
        yield current


def profile(command, work, name, threads):
    data = work / f"{name}.perf"
    env = dict(os.environ, DOTNET_PerfMapEnabled="1", DOTNET_EnableWriteXorExecute="0")
    done = subprocess.run(["perf", "record", "-q", "-F", "1000", "-e", "cpu-clock", "--call-graph", "dwarf,32768",
                           "-o", str(data), "--", *command, "--threads", str(threads)],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed under perf:\n{done.stdout}{done.stderr}")
    script = subprocess.run(["perf", "script", "-i", str(data), "-F", "comm,ip,sym,dso"],
                            capture_output=True, text=True, check=True).stdout
    return collections.Counter(classify(frames) for _, frames in samples(script))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uniformaly", type=Path, default=REPO / "uniformaly", help="the CLI launcher to profile")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--train", type=int, default=40)
    parser.add_argument("--test", type=int, default=40, help="test images (40 %% normal, the rest three defect types)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (printed)")
    args = parser.parse_args()
    if shutil.which("perf") is None:
        sys.exit("perf is not installed (apt-get install linux-perf)")
    work = Path(tempfile.mkdtemp(prefix="uniformaly-profile-"))
    try:
        good = max(1, args.test * 2 // 5)
        data = work / "data"
        subprocess.run([str(args.uniformaly), "synth", "--out", str(data), "--categories", "synth_texture", "--train",
                        str(args.train), "--test-good", str(good), "--per-defect", str(max(1, (args.test - good) // 3))],
                       check=True, capture_output=True)
        checkpoint = work / "dino_deitsmall16_pretrain.pth"
        subprocess.run([sys.executable, str(REPO / "tools" / "reference_pipeline.py"), "random-checkpoint",
                        "--out", str(checkpoint)], check=True)
        category = data / "synth_texture"
        tests = sorted(str(p) for p in (category / "test").rglob("*.png"))
        runs = {
            "fit": ([str(args.uniformaly), "fit", "--images", str(category / "train" / "good"), "--checkpoint",
                     str(checkpoint), "--sampler", "identity", "--out", str(work / "model")], args.train),
            "predict": ([str(args.uniformaly), "predict", "--model", str(work / "model"), "--images", *tests,
                         "--out", str(work / "scores.csv")], len(tests)),
        }
        for name, (command, images) in runs.items():
            counts = profile(command, work, name, args.threads)
            total = sum(counts.values())
            print(f"uniformaly {name}, {images} images, {args.threads} thread(s): {total} ms of CPU "
                  f"({total / images:.1f} ms per image)")
            for stage, n in counts.most_common():
                print(f"  {n / images:7.1f} ms/image  {100 * n / total:5.1f} %  {stage}")
    finally:
        if args.keep:
            print(f"scratch folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
