#!/usr/bin/env python3
"""Assembles tools/gpu/run.sh's step files into report.json (everything, raw) and report.md (tables).

    python3 tools/gpu/report.py --steps out/gpu/work/steps --device cuda --quick 0 --out $OUT

Each step NAME left NAME.cmd (the command), NAME.out / NAME.err (its output), NAME.rc (exit code)
and NAME.ms (wall milliseconds), or NAME.skipped (why it did not run). Only the standard library
is used, so any python3 will do.
"""
import argparse
import glob
import json
import os
import re


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def load_steps(folder):
    steps = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.cmd"))):
        name = os.path.basename(path)[:-4]
        base = os.path.join(folder, name)
        step = {"name": name, "command": read(path, "").strip()}
        skipped = read(base + ".skipped")
        if skipped is not None:
            step["status"] = "skipped: " + skipped.strip()
        else:
            rc = int(read(base + ".rc", "-1").strip() or -1)
            step["exit_code"] = rc
            step["seconds"] = int(read(base + ".ms", "0").strip() or 0) / 1000
            step["status"] = "ok" if rc == 0 else "time limit" if rc in (124, 137) else f"failed ({rc})"
            out = read(base + ".out", "")
            try:
                step["result"] = json.loads(out) if out.strip().startswith("{") else None
            except json.JSONDecodeError:
                step["result"] = None
            if step["result"] is None and out.strip():
                step["output"] = out[-4000:]
            if rc != 0:
                step["error"] = read(base + ".err", "")[-2000:]
        steps[name] = step
    return steps


def knn_rows(steps, torch_report):
    """One row per (bank, dim, queries): ours in float32 and bf16 next to PyTorch's formulations."""
    ours = {}
    for name, step in steps.items():
        m = re.fullmatch(r"knn_M(\d+)_D(\d+)_Q(\d+)_(float32|bf16)", name)
        if m:
            key = tuple(int(v) for v in m.groups()[:3])
            ours.setdefault(key, {})[m.group(4)] = step
    theirs = {}
    for record in (torch_report or {}).get("knn", []):
        theirs.setdefault((record["bank"], record["dim"], record["queries"]), {})[record["formulation"]] = record
    rows = []
    for key in sorted(set(ours) | set(theirs)):
        row = {"bank": key[0], "dim": key[1], "queries": key[2]}
        for precision, step in ours.get(key, {}).items():
            result = step.get("result")
            row[f"uniformaly_{precision}"] = result if result else {"status": step["status"]}
        row.update(theirs.get(key, {}))
        rows.append(row)
    return rows


def ms(record):
    if not record:
        return "-"
    if "seconds_per_batch" not in record:
        return record.get("status", "-")
    return f"{record['seconds_per_batch'] * 1e3:.2f}"


def gflops(record):
    return f"{record['gflops']:.0f}" if record and "gflops" in record else "-"


def ratio(a, b):
    """How many times faster a is than b (b's seconds / a's), or '-'."""
    if not a or not b or "seconds_per_batch" not in a or "seconds_per_batch" not in b:
        return "-"
    return f"{b['seconds_per_batch'] / a['seconds_per_batch']:.2f}x"


def markdown(report):
    lines = ["# Uniformaly GPU run", ""]
    lines += [f"- {line}" for line in report["machine"].splitlines() if line.strip()]
    lines += [f"- device: {report['device']}{' (quick sizes)' if report['quick'] else ''}", ""]
    info = report["steps"].get("info", {}).get("output")
    if info:
        lines += ["## uniformaly info", "", "```", info.strip(), "```", ""]

    peak = (report.get("torch_reference") or {}).get("matmul_peak", [])
    fp32_peak = next((p["tflops"] for p in peak if p["dtype"] == "float32"), None)
    lines += ["## kNN: exact search (n_nn = 1), median ms per query batch and GFLOP/s (2*Q*M*D/s)", "",
              "PyTorch's formulations run in the same job (tools/gpu/torch_reference.py); `best exact` is the faster of "
              "its float32 `mm_min` and `cdist_min`; the fp16/bf16/TF32 ones are not exact (`agree` = fraction of queries "
              "whose nearest row matches float32).", "",
              "| M | D | Q | ours fp32 ms | GFLOP/s | % fp32 peak | ours bf16 (exact) ms (queries searched again; differing from our fp32 search beyond float32 resolution) | bf16 speed-up | torch mm_min ms | cdist_min ms | ours vs best exact | tf32 ms | fp16 ms | bf16 ms (agree) |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in report["knn"]:
        ours32, ours16 = row.get("uniformaly_float32"), row.get("uniformaly_bf16")
        exact = [r for r in (row.get("mm_min"), row.get("cdist_min")) if r]
        best = min(exact, key=lambda r: r["seconds_per_batch"]) if exact else None
        share = f"{ours32['gflops'] / (fp32_peak * 1e3) * 100:.0f} %" if fp32_peak and ours32 and "gflops" in ours32 else "-"
        bf16 = row.get("mm_min_bf16")
        bf16_text = f"{ms(bf16)} ({bf16['argmin_agreement']:.4f})" if bf16 and "argmin_agreement" in bf16 else ms(bf16)
        # The certified search reports how many queries per batch its proof sent back to float32.
        # and how many queries' neighbours differ from its own float32 search's (must be 0).
        again = ours16.get("searched_again_per_batch") if ours16 else None
        differ = ours16.get("queries_differing_from_float32") if ours16 else None
        ties = (ours16.get("float32_ties") or 0) if ours16 else 0
        agreement = (f", {differ} differ" if differ is not None else "") + (f", {ties} float32 ties" if ties else "")
        ours16_text = ms(ours16) + (f" ({again:g} again{agreement})" if again is not None else "")
        lines.append(f"| {row['bank']} | {row['dim']} | {row['queries']} | {ms(ours32)} | {gflops(ours32)} | {share} | "
                     f"{ours16_text} | {ratio(ours16, ours32)} | {ms(row.get('mm_min'))} | {ms(row.get('cdist_min'))} | "
                     f"{ratio(ours32, best)} | {ms(row.get('mm_min_tf32'))} | {ms(row.get('mm_min_fp16'))} | {bf16_text} |")
    lines.append("")

    if peak:
        lines += ["## Matmul peak (one N x N x N torch.mm, median)", "", "| dtype | N | TFLOP/s |", "|---|---|---|"]
        lines += [f"| {p['dtype']} | {p['n']} | {p['tflops']:.1f} |" for p in peak]
        lines.append("")

    vit = [s for n, s in sorted(report["steps"].items()) if n.startswith("vit_")]
    if vit:
        lines += ["## ViT forward (random weights, every block, 224 px)", "",
                  "`bench vit` times sgemm (C = A B^T) in the same process on the model's linear shapes and a square; "
                  "the fraction is the forward's GEMM rate over the best of those.", "",
                  "| model | batch | ms / image | images/s | forward GFLOP/s | same-run sgemm GFLOP/s (model shapes / square) | fraction | status |",
                  "|---|---|---|---|---|---|---|---|"]
        for step in vit:
            r = step.get("result")
            m = re.fullmatch(r"vit_(vit_\w+?)_p(\d+)_b(\d+)", step["name"])
            model = f"{m.group(1)}/{m.group(2)}" if m else step["name"]
            batch = m.group(3) if m else "-"
            if r:
                sgemm = f"{max(r['sgemm_model_shapes_gflops'].values()):.0f} / {max(r['sgemm_square_gflops'].values()):.0f}"
                lines.append(f"| {model} | {batch} | {r['seconds_per_image'] * 1e3:.2f} | {1 / r['seconds_per_image']:.1f} | "
                             f"{r['forward_gflops']:.0f} | {sgemm} | {100 * r['fraction_of_best_sgemm']:.0f} % | ok |")
            else:
                lines.append(f"| {model} | {batch} | - | - | - | - | - | {step['status']} |")
        lines.append("")

    e2e = report["steps"].get("e2e")
    if e2e:
        lines += ["## End to end (`uniformaly bench e2e`: synthetic category, random ViT-S/16, coreset 0.1)", ""]
        r = e2e.get("result")
        if r:
            lines += ["| backbone | train | test | bank | fit images/s | predict images/s | peak memory MiB |", "|---|---|---|---|---|---|---|",
                      f"| {r['backbone']} | {r['train_images']} | {r['test_images']} | {r['bank_size']} | "
                      f"{r['fit_images_per_second']:.1f} | {r['predict_images_per_second']:.1f} | {r['peak_memory_megabytes']:.0f} |"]
        else:
            lines.append(f"not measured: {e2e['status']}")
        lines.append("")

    lines += ["## Steps", "", "| step | status | seconds |", "|---|---|---|"]
    for name, step in sorted(report["steps"].items()):
        lines.append(f"| {name} | {step['status']} | {step.get('seconds', '-')} |")
    failures = [s for s in report["steps"].values() if s.get("error")]
    for step in failures:
        lines += ["", f"### {step['name']}: {step['status']}", "", "```", step["command"], step["error"].strip()[-1500:], "```"]
    skipped = (report.get("torch_reference") or {}).get("skipped", [])
    if skipped:
        lines += ["", f"torch_reference.py ran out of budget before {len(skipped)} measurement(s): "
                  + ", ".join(json.dumps(s) for s in skipped[:20])]
    return "\n".join(lines) + "\n"


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", required=True)
    parser.add_argument("--device", required=True)
    parser.add_argument("--quick", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    steps = load_steps(args.steps)
    torch_report = None
    text = read(os.path.join(args.steps, "torch_reference.json"))
    if text:
        torch_report = json.loads(text)
    report = {"device": args.device, "quick": bool(args.quick), "machine": read(os.path.join(args.steps, "machine.txt"), ""),
              "steps": steps, "torch_reference": torch_report, "knn": knn_rows(steps, torch_report)}
    write_atomic(os.path.join(args.out, "report.json"), json.dumps(report, indent=1))
    write_atomic(os.path.join(args.out, "report.md"), markdown(report))


if __name__ == "__main__":
    main()
