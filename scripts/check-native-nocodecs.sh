#!/usr/bin/env bash
# `make native-nocodecs-check`: builds native/ with -DUFM_WITH_CODECS=OFF in a temporary folder (what
# a GPU machine without libpng/libjpeg/libtiff headers gets), points the built CLI at it through
# $UNIFORMALY_NATIVE_LIB, and checks that `info` says so, that reading and writing a PNG fail
# with the stand-in's message naming the file, exit code 1 and no crash, and that `bench e2e` still
# runs (its synthetic category falls back to BMP). Compiles native/ a second time (about a minute
# on 2 cores), so `make test` does not run it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "native-nocodecs-check: FAILED: $*" >&2; exit 1; }

cmake -S native -B "$work/build" -DCMAKE_BUILD_TYPE=Release ${TORCH_PREFIX:+-DCMAKE_PREFIX_PATH=$TORCH_PREFIX} \
  -DUFM_WITH_CODECS=OFF > "$work/cmake.log" || { cat "$work/cmake.log"; fail "cmake configure"; }
grep -q "image codecs: OFF" "$work/cmake.log" || fail "cmake did not report the codecs off"
cmake --build "$work/build" -j "$(nproc)" > "$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail "build"; }
lib="$work/build/libuniformaly_native.so"
exports="$(nm -D --defined-only "$lib")"
for symbol in ufm_image_decode ufm_image_free ufm_png_encode ufm_image_codecs_available; do
  grep -q " $symbol\$" <<< "$exports" || fail "$symbol is not exported"
done
# Direct dependencies only: Debian's libtorch itself pulls libpng and friends in through OpenCV.
if grep -Eq "libpng|libjpeg|libtiff" <<< "$(readelf -d "$lib" | grep NEEDED)"; then fail "the codec-less build still links an image library"; fi
export UNIFORMALY_NATIVE_LIB="$lib"

./uniformaly info > "$work/info.txt"
grep -q "native bridge:   $lib" "$work/info.txt" || fail "info does not name \$UNIFORMALY_NATIVE_LIB: $(cat "$work/info.txt")"
grep -q "image codecs:    BMP only" "$work/info.txt" || fail "info does not report the missing codecs: $(cat "$work/info.txt")"

expect_image_error() {  # $1 = a pattern (grep -E) for the file the message must name; the command follows
  local file="$1"; shift
  local code=0
  "$@" > "$work/out.txt" 2> "$work/err.txt" || code=$?
  [ "$code" = 1 ] || fail "$* exited with $code, expected 1: $(cat "$work/err.txt")"
  grep -q "this build has no PNG/JPEG/TIFF codecs" "$work/err.txt" || fail "no codec message from $*: $(cat "$work/err.txt")"
  grep -Eq "$file: " "$work/err.txt" || fail "the message does not name $file: $(cat "$work/err.txt")"
}
# Writing: a synthetic training image, PNG asked for.
expect_image_error "$work/synth/synth_texture/train/good/[0-9]+\.png" \
  ./uniformaly synth --out "$work/synth" --categories synth_texture --train 1 --test-good 1 --per-defect 1 --size 32 --format png
# Reading: a training image of the parity fixture (decoded in parallel: any of them may fail first).
parity=tests/Uniformaly.Tests/fixtures/parity
expect_image_error "$parity/data/tile/train/good/[0-9]+\.png" \
  ./uniformaly fit --images "$parity/data/tile/train/good" --out "$work/model" --checkpoint "$parity/vit_tiny_p16_d128_fp16.pth" \
  --layers 1-3 --kernel 3 --resize 128 --imagesize 112
# The pipeline end to end on generated data: BMP needs no native codec.
./uniformaly bench e2e --train 3 --test 5 --size 64 --json --checkpoint "$parity/vit_tiny_p16_d128_fp16.pth" \
  --layers 1-3 --resize 64 --imagesize 64 --kernel 3 > "$work/e2e.json" 2> "$work/err.txt" || fail "bench e2e: $(cat "$work/err.txt")"
grep -q '"predict_images_per_second"' "$work/e2e.json" || fail "bench e2e printed no throughput: $(cat "$work/e2e.json")"
echo "native-nocodecs-check: OK (stand-in codecs build; info, PNG write and PNG read fail as expected, naming the file; bench e2e runs on BMP)"
