#!/usr/bin/env bash
# Runs ON the GPU machine after tools/gpu/run.sh has built the bridge and unpacked the app: the same
# `uniformaly run` (synthetic category, random ViT-S/16, identity bank, binary BPM) on the CPU and on
# CUDA, then the largest relative difference of the per-image scores and the image AUROCs of both,
# and the certified bf16 kNN on CUDA against CUDA float32. Prints one JSON object per check.
#
#   tools/gpu/cuda_parity.sh [--work out/gpu/work] [--python python3] [--devices "cpu cuda"]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
work=out/gpu/work python=python3 devices="cpu cuda"
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work="$2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    --devices) devices="$2"; shift 2 ;;
    *) echo "cuda_parity.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
work="$(cd "$work" && pwd)"
app="$work/app/uniformaly"
export UNIFORMALY_NATIVE_LIB="$work/native-build/libuniformaly_native.so"
torch_lib="$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
export LD_LIBRARY_PATH="$torch_lib:${LD_LIBRARY_PATH:-}"
data="$work/parity-data"
rm -rf "$data" "$work/parity-cpu" "$work/parity-cuda"
"$app" synth --out "$data" --categories synth_object --train 16 --test-good 8 --per-defect 4 > /dev/null || exit 1
for device in $devices; do
  "$app" run --data-root "$data" --categories synth_object --backbone random_vits16 --sampler identity \
    --device "$device" --out "$work/parity-$device" > "$work/parity-$device.log" 2>&1 \
    || { echo "{\"check\": \"run $device\", \"status\": \"failed\"}"; tail -5 "$work/parity-$device.log" >&2; exit 1; }
done
set -- $devices
"$python" - "$work/parity-$1" "$work/parity-$2" "$1" "$2" <<'PY'
import csv, json, sys
def scores(folder):
    with open(f"{folder}/scores.csv") as f:
        return {row["image"]: float(row["score"]) for row in csv.DictReader(f)}
def auroc(folder):
    with open(f"{folder}/metrics.json") as f:
        return json.load(f)
cpu, cuda = scores(sys.argv[1]), scores(sys.argv[2])
assert cpu.keys() == cuda.keys(), "the two runs scored different images"
worst = max(abs(cuda[k] - cpu[k]) / max(abs(cpu[k]), 1e-30) for k in cpu)
print(json.dumps({"check": f"run on {sys.argv[3]} vs {sys.argv[4]}", "images": len(cpu), "largest_relative_score_difference": worst,
                  sys.argv[3]: auroc(sys.argv[1]), sys.argv[4]: auroc(sys.argv[2])}))
PY
for size in "262144 384 6272" "65536 768 784"; do
  set -- $size
  "$app" bench knn --bank "$1" --dim "$2" --queries "$3" --knn-precision bf16 --device "${devices##* }" --repeats 3 --json
done
