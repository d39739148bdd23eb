#!/usr/bin/env bash
# Copies one figure of each kind from the demo's output (`make demo` writes out/demo) into
# docs/images/ for the README, and draws the benchmark charts of docs/benchmarks.md from the
# measurements in docs/benchmarks/*.json. Run by `make figures`; only PNGs are kept in docs/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
demo=out/demo
images=docs/images
[ -d "$demo/table1" ] && [ -d "$demo/table9" ] && [ -d "$demo/table7" ] || {
  echo "error: $demo lacks the demo's tables 1, 9 and 7; run 'make demo' first" >&2
  exit 1
}
mkdir -p "$images"
copy() { # SOURCE NAME: the demo's figure SOURCE as docs/images/NAME.png
  [ -f "$1" ] || { echo "error: $1 not found; run 'make demo' first" >&2; exit 1; }
  cp "$1" "$images/$2.png"
  echo "$images/$2.png <- $1"
}
copy "$demo/table9/table9_image_auroc.png" sweep
copy "$demo/table1/cells/mvtec/run/curves/synth_object_roc.png" roc
copy "$demo/table1/cells/mvtec/run/curves/synth_object_pr.png" precision_recall
copy "$demo/table1/cells/mvtec/run/gallery/synth_object/gallery.png" gallery
copy "$demo/table7/cells/mvtec/run/synth_object_clusters.png" clusters
# fit -> predict with decisions on the demo's synthetic object category: one heatmap of predict's output.
decisions=out/demo/decisions
backbone=$([ -f weights/dino_deitsmall16_pretrain.pth ] && echo dino_vits16 || echo random_vits16)
data=out/demo/data/mvtec/synth_object
./uniformaly fit --images "$data/train/good" --validation "$data/test" --backbone "$backbone" --out "$decisions/model" > /dev/null
./uniformaly predict --model "$decisions/model" --images "$data"/test/* --out "$decisions/scores.csv" \
  --heatmaps "$decisions/heatmaps" --masks "$decisions/masks" > /dev/null
copy "$decisions/heatmaps/hole/000.png.heatmap.png" predict_heatmap
charts=$(mktemp -d)
trap 'rm -rf "$charts"' EXIT
./uniformaly bench plot --json docs/benchmarks/*.json --out "$charts" > /dev/null
for chart in "$charts"/*.png; do
  cp "$chart" "$images/bench_$(basename "$chart")"
  echo "$images/bench_$(basename "$chart") <- uniformaly bench plot --json docs/benchmarks/*.json"
done
