#!/usr/bin/python3
"""End-to-end throughput against the authors' release (YoojLee/Uniformaly), on the CPU.

    /usr/bin/python3 tools/bench/release_e2e.py /path/to/YoojLee-Uniformaly [--rounds 3] [--threads 2] [--wait-idle]
        [--uniformaly /other/checkout/uniformaly] [--uniformaly-args --backbone-precision bf16]

Takes a checkout of the release (its code is run, never copied) and compares fit and predict
images/second of the release and of `uniformaly run` on the same generated data and checkpoint:

  data        `uniformaly synth`: one category (synth_texture), 40 training and 40 test images
              (16 normal, 8 per defect type), 256 px;
  checkpoint  a random-weight ViT-S/16 in DINO's official format (a plain torch.save state dict,
              tools/reference_pipeline.py random-checkpoint), which the release loads from its own
              cache path backbones/weights/dino_deitsmall16_pretrain.pth (`-b dino_vit_small_16`);
  setting     layers 3-10 (the release's 0-based `-le 2 .. 9`), BPM binary, n = 7, lambda = 0.1,
              top k-ratio 0.05, n_nn = 1, identity sampler, resize 256, crop 224; the same thread
              count for torch, faiss and Uniformaly; the release at batch size 1, which its BPM
              normalisation needs (it divides by the batch's maximum), and data loading in the main
              process (--release-workers); Uniformaly at its default batch size.

The release runs with /usr/bin/python3 (Debian's torch 1.13, torchvision, faiss, sklearn, scipy)
in a scratch folder, through its own run.py builders (build_model, build_sampler, build_dataset),
timing `Uniformaly.fit` and `Uniformaly.predict`. It needs a few stand-ins that this script writes
into the scratch folder at run time: empty wandb, timm, munkres and seaborn modules (imported, never
used on this path), a pass-through tqdm, `torch.Tensor.cuda` as a no-op (its fit calls
`image.cuda()`) and `torch.cuda.current_device()` returning 0 (FaissNN asks for it even when faiss
runs on the CPU). Uniformaly's figures are the fit and score images/second that `uniformaly run`
writes to metrics.json (embedding the training images and building the bank; embedding, scoring
and mapping the test images; metrics excluded on both sides).

The runs alternate (round 1: release first, round 2: Uniformaly first, ...). Printed: every run with
the load average before it, the medians and ranges of fit and predict images/second, the ratios
of the medians, and the largest relative difference of the per-image scores.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
CATEGORY = "synth_texture"
BACKBONE = "dino_vit_small_16"
CHECKPOINT_NAME = "dino_deitsmall16_pretrain.pth"  # the file the release's loader looks for
LAYERS_0_BASED = [str(layer) for layer in range(2, 10)]

STUBS = {
    "wandb.py": """
        config = {}
        def init(*args, **kwargs): return None
        def log(*args, **kwargs): return None
        def sweep(*args, **kwargs): raise RuntimeError("wandb stand-in: sweeps are not benchmarked")
        def agent(*args, **kwargs): raise RuntimeError("wandb stand-in: sweeps are not benchmarked")
        class Table:
            def __init__(self, *args, **kwargs): pass
        """,
    "timm.py": """
        def create_model(*args, **kwargs): raise RuntimeError("timm stand-in: only DINO backbones are benchmarked")
        """,
    "munkres.py": """
        class Munkres:
            def compute(self, *args, **kwargs): raise RuntimeError("munkres stand-in: clustering is not benchmarked")
        """,
    "seaborn.py": "",
    "tqdm.py": """
        class tqdm:
            def __init__(self, iterable=None, *args, **kwargs): self.iterable = iterable
            def __iter__(self): return iter(self.iterable)
            def __len__(self): return len(self.iterable)
            def __enter__(self): return self
            def __exit__(self, *exc): return False
            def update(self, *args, **kwargs): pass
            def set_description(self, *args, **kwargs): pass
            def close(self): pass
        """,
}


def release_worker(args):
    """Runs inside the scratch folder with the stubs and the release on sys.path; prints one JSON line."""
    import numpy as np
    import torch

    torch.Tensor.cuda = lambda self, *a, **k: self
    torch.cuda.current_device = lambda: 0
    torch.set_num_threads(args.threads)
    import run  # the release's run.py (its builders; its main is behind __name__ == "__main__")
    import uniformaly.utils

    _, get_uniformaly = run.build_model(
        BACKBONE, LAYERS_0_BASED, "layer", True, 7, 0.1, 1, False, args.threads, 0.05, 0.0, 0.0, False)
    _, get_sampler = run.build_sampler("identity", 0.1)
    _, get_dataloaders = run.build_dataset(
        "mvtec", args.data_root, [CATEGORY], 1.0, 1, args.release_workers, 256, 224, False, -1, False)
    loaders = get_dataloaders(0)[0]
    uniformaly.utils.fix_seeds(0)
    device = torch.device("cpu")
    model = get_uniformaly((3, 224, 224), get_sampler(device), device)[0]
    check_weights(model.backbone, os.path.join("backbones", "weights", CHECKPOINT_NAME))
    start = time.perf_counter()
    model.fit(loaders["training"])
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    scores, _, _, _ = model.predict(loaders["testing"])
    predict_seconds = time.perf_counter() - start
    paths = [os.path.relpath(item[2], args.data_root) for item in loaders["testing"].dataset.data_to_iterate]
    print(json.dumps({
        "fit_images_per_second": len(loaders["training"].dataset) / fit_seconds,
        "predict_images_per_second": len(paths) / predict_seconds,
        "bank_size": int(model.anomaly_scorer.detection_features.shape[0]),
        "scores": {p: float(np.asarray(s)) for p, s in zip(paths, scores)}}))


def check_weights(backbone, checkpoint):
    """The release loads with strict=False, which would leave missing weights random: every tensor
    of the backbone must equal the checkpoint's."""
    import torch

    state = torch.load(checkpoint, map_location="cpu")
    own = backbone.state_dict()
    if set(own) != set(state) or any(not torch.equal(own[k], state[k]) for k in own):
        sys.exit(f"the release did not load every weight of {checkpoint}: missing {sorted(set(own) - set(state))}, "
                 f"unexpected {sorted(set(state) - set(own))}")


def prepare(work, args):
    """Data, checkpoint, stubs and the release's scratch folder; returns (data root, checkpoint)."""
    data = work / "data"
    run_cli(args, ["synth", "--out", str(data), "--categories", CATEGORY, "--train", "40", "--test-good", "16",
             "--per-defect", "8"])
    scratch = work / "release"
    weights = scratch / "backbones" / "weights"
    weights.mkdir(parents=True)
    checkpoint = weights / CHECKPOINT_NAME
    subprocess.run([sys.executable, str(REPO / "tools" / "reference_pipeline.py"), "random-checkpoint",
                    "--out", str(checkpoint)], check=True)
    stubs = work / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        (stubs / name).write_text(textwrap.dedent(body))
    return data, checkpoint


def run_cli(args, arguments):
    """Runs the uniformaly CLI quietly; its output is shown only when it fails."""
    done = subprocess.run([str(args.uniformaly), *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"uniformaly {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")


def run_release(work, data, args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(work / "stubs"), str(args.release)]))
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), str(args.release), "--release-worker",
         "--data-root", str(data), "--threads", str(args.threads), "--release-workers", str(args.release_workers)],
        cwd=work / "release", env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the release failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_uniformaly(work, data, checkpoint, args, index):
    out = work / f"uniformaly_{index}"
    run_cli(args, ["run", "--dataset", "folder", "--data-root", str(data), "--categories", CATEGORY,
             "--checkpoint", str(checkpoint), "--sampler", "identity", "--threads", str(args.threads),
             "--out", str(out), *args.uniformaly_args])
    metrics = json.loads((out / "metrics.json").read_text())["categories"][CATEGORY]
    scores = {}
    for line in (out / "scores.csv").read_text().splitlines()[1:]:
        fields = line.split(",")
        scores[fields[1]] = float(fields[-1])
    return {"fit_images_per_second": metrics["fit_images_per_second"],
            "predict_images_per_second": metrics["score_images_per_second"],
            "bank_size": metrics["bank_size"], "scores": scores}


def idle_fraction(seconds):
    """The fraction of all cores' time idle over the next `seconds` (from /proc/stat)."""
    def times():
        fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total
    idle0, total0 = times()
    time.sleep(seconds)
    idle1, total1 = times()
    return (idle1 - idle0) / max(1, total1 - total0)


def wait_until_idle(limit_seconds=900):
    """Waits until the CPUs were at least 95 % idle for 5 s (at most `limit_seconds`); returns
    whether they were."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        if idle_fraction(5) >= 0.95:
            return True
    return False


def summary(runs, key):
    values = [r[key] for r in runs]
    return statistics.median(values), min(values), max(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("release", type=Path, help="checkout of YoojLee/Uniformaly")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side, alternating")
    parser.add_argument("--threads", type=int, default=2, help="threads for torch, faiss and Uniformaly")
    parser.add_argument("--release-workers", type=int, default=0, help="the release's DataLoader worker processes")
    parser.add_argument("--uniformaly", type=Path, default=REPO / "uniformaly",
                        help="the CLI launcher to compare (default: this checkout's; another checkout's for a before/after)")
    parser.add_argument("--uniformaly-args", nargs=argparse.REMAINDER, default=[],
                        help="extra options for `uniformaly run` (last on the line)")
    parser.add_argument("--wait-idle", action="store_true",
                        help="start each run only after 5 s of >= 95 %% idle CPU (waits up to 15 min; says when it gave up)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (printed)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--release-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.release_worker:
        return release_worker(args)
    if not (args.release / "run.py").is_file() or not (args.release / "uniformaly" / "uniformaly.py").is_file():
        sys.exit(f"{args.release} is not a checkout of YoojLee/Uniformaly (no run.py and uniformaly/uniformaly.py)")
    if args.rounds < 1 or args.threads < 1:
        sys.exit("--rounds and --threads must be at least 1")
    args.release = args.release.resolve()
    work = Path(tempfile.mkdtemp(prefix="uniformaly-release-e2e-"))
    try:
        data, checkpoint = prepare(work, args)
        runs = {"release": [], "uniformaly": []}
        for index in range(args.rounds):
            order = ["release", "uniformaly"] if index % 2 == 0 else ["uniformaly", "release"]
            for side in order:
                if args.wait_idle and not wait_until_idle():
                    print("the CPUs were not idle within 15 minutes: running anyway", flush=True)
                load = os.getloadavg()[0]
                result = run_release(work, data, args) if side == "release" else run_uniformaly(work, data, checkpoint, args, index)
                result["load"] = load
                runs[side].append(result)
                if not args.json:
                    print(f"round {index + 1} {side:10s} load {load:4.1f}: fit {result['fit_images_per_second']:6.2f} images/s, "
                          f"predict {result['predict_images_per_second']:6.2f} images/s, bank {result['bank_size']}", flush=True)
        report(runs, args)
    finally:
        if args.keep:
            print(f"scratch folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def report(runs, args):
    reference = runs["release"][0]["scores"]
    differences = []
    for run in runs["uniformaly"] + runs["release"]:
        if set(run["scores"]) != set(reference):
            sys.exit("the two sides scored different images")
        differences += [abs(run["scores"][p] - s) / abs(s) for p, s in reference.items()]
    result = {"threads": args.threads, "rounds": args.rounds, "uniformaly_args": args.uniformaly_args,
              "max_relative_score_difference": max(differences)}
    for key in ("fit_images_per_second", "predict_images_per_second"):
        for side in ("release", "uniformaly"):
            median, low, high = summary(runs[side], key)
            result[f"{side}_{key}"] = {"median": median, "min": low, "max": high}
        result[f"{key.split('_')[0]}_ratio"] = (result[f"uniformaly_{key}"]["median"]
                                                / result[f"release_{key}"]["median"])
    result["loads"] = {side: [r["load"] for r in runs[side]] for side in runs}
    if args.json:
        print(json.dumps(result))
        return
    print(f"\n{args.rounds} alternating runs per side, {args.threads} threads; medians (ranges):")
    for key, name in (("fit_images_per_second", "fit"), ("predict_images_per_second", "predict")):
        r, u = result[f"release_{key}"], result[f"uniformaly_{key}"]
        print(f"  {name:8s} release {r['median']:6.2f} ({r['min']:.2f}-{r['max']:.2f}) images/s, "
              f"Uniformaly {u['median']:6.2f} ({u['min']:.2f}-{u['max']:.2f}) images/s: "
              f"{result[name + '_ratio']:.2f}x")
    print(f"  per-image scores agree within {result['max_relative_score_difference']:.2e} (relative, largest)")


if __name__ == "__main__":
    sys.exit(main())
