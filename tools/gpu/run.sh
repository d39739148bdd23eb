#!/usr/bin/env bash
# Runs ON the GPU machine, from a copy of this repository (no .NET, no internet needed there):
# builds native/ against that machine's PyTorch, unpacks the app that tools/gpu/package.sh made,
# runs `uniformaly info`, `bench knn` (float32 and certified bf16), `bench vit`, `bench e2e` and
# tools/gpu/torch_reference.py (PyTorch's own kNN formulations and the matmul peak) over the
# issue's sizes, and writes ONE report: $OUT/report.md (tables) and $OUT/report.json (raw).
#
#   tools/gpu/run.sh                              # on the device, everything, CUDA
#   tools/gpu/run.sh --device cpu --quick --python /usr/bin/python3 --out /tmp/report   # a CPU dry run
#
# Options:
#   --device cuda|cpu   where the benchmarks run (default cuda)
#   --quick             small sizes and 2 repeats: checks the flow in about a minute of compute
#   --budget S          seconds for the whole run (default 540, inside the device tool's 10 minutes);
#                       every step is killed when the budget runs out and the report is still written
#   --steps LIST        comma list of native,info,knn,torch,vit,e2e,bdn (default: all but bdn)
#   --bdn-filter GLOB   BenchmarkDotNet filter for the bdn step (default '*VitForward*')
#   --python PY         a python3 with PyTorch (default python3; its torch provides libtorch)
#   --tarball PATH      the app (default out/gpu/uniformaly-linux-x64.tar.xz)
#   --work DIR          build and scratch folder (default out/gpu/work; a second call on a still-warm
#                       machine reuses the native build)
#   --out DIR           report folder (default $OUT, else out/gpu/report)
#   --threads N         CPU threads for libtorch (default: all cores)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo="$(pwd)"

device=cuda quick=0 budget=540 steps="native,info,knn,torch,vit,e2e" bdn_filter='*VitForward*'
python=python3 tarball=out/gpu/uniformaly-linux-x64.tar.xz work=out/gpu/work out="${OUT:-out/gpu/report}" threads=""
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --budget) budget="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --bdn-filter) bdn_filter="$2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    --tarball) tarball="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$device" in cpu|cuda|cuda:[0-9]*) ;; *) echo "run.sh: --device must be cpu or cuda[:N], got $device" >&2; exit 2 ;; esac

start=$(date +%s)
mkdir -p "$work" "$out"
work="$(cd "$work" && pwd)" out="$(cd "$out" && pwd)"
steps_dir="$work/steps"
rm -rf "$steps_dir" && mkdir -p "$steps_dir"
log="$out/run.log"
: > "$log"
say() { echo "[$(( $(date +%s) - start ))s] $*" | tee -a "$log"; }
wants() { [[ ",$steps," == *",$1,"* ]]; }
# The last 25 seconds are kept for writing the report.
remaining() { echo $(( budget - 25 - ($(date +%s) - start) )); }

# run_step NAME CAP COMMAND...: runs the command with a time limit of min(CAP, what is left of the
# budget), keeping its stdout, stderr, exit code and wall time under $steps_dir for report.py.
run_step() {
  local name="$1" cap="$2"; shift 2
  local left; left=$(remaining)
  local limit=$(( cap < left ? cap : left ))
  printf '%q ' "$@" > "$steps_dir/$name.cmd"
  if [ "$limit" -le 0 ]; then
    echo "budget" > "$steps_dir/$name.skipped"
    say "skip $name: the budget is spent"
    return 1
  fi
  say "run  $name (limit ${limit}s)"
  local t0; t0=$(date +%s%N)
  timeout --kill-after=10 "$limit" "$@" > "$steps_dir/$name.out" 2> "$steps_dir/$name.err"
  local rc=$?
  echo "$rc" > "$steps_dir/$name.rc"
  echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$steps_dir/$name.ms"
  [ "$rc" = 0 ] || say "     $name failed (exit $rc$([ "$rc" = 124 ] && echo ': time limit')): $(tail -c 300 "$steps_dir/$name.err" | tr '\n' ' ')"
  return "$rc"
}

skip_step() {  # NAME REASON
  echo "$2" > "$steps_dir/$1.skipped"
  say "skip $1: $2"
}

# ---- sizes -------------------------------------------------------------------------------------
if [ "$quick" = 1 ]; then
  banks="2048,8192" dims="384" queries="196,784" repeats=2
  vits="vit_small:16" vit_batches="1 2" e2e_args=(--train 4 --test 8 --size 64 --resize 64 --imagesize 64 --batch-size 4)
  peak_n=1024 knn_cap=60 vit_cap=60 e2e_cap=120 torch_cap=90
else
  banks="16384,65536,262144,1048576" dims="384,768" queries="784,6272" repeats=5
  vits="vit_small:16 vit_base:16 vit_base:8" vit_batches="1 32" e2e_args=(--train 100 --test 100 --size 256)
  peak_n=8192 knn_cap=90 vit_cap=90 e2e_cap=240 torch_cap=240
fi
[ "$device" = cpu ] && peak_n=$(( peak_n < 2048 ? peak_n : 2048 ))  # an 8192^3 float32 product is minutes on a few cores
# bench vit's square sgemm: the size of the matmul peak on a GPU, 2048 on a CPU (seconds per product otherwise).
vit_square=2048; [ "$device" != cpu ] && vit_square=8192
thread_args=(); [ -n "$threads" ] && thread_args=(--threads "$threads")

say "run.sh: device $device, quick $quick, budget ${budget}s, steps $steps, python $python, repo $repo"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores)"
  command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/gpu: /'
  echo "checkout: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'not a git checkout')"
  [ -f "$tarball" ] && tar -xJOf "$tarball" app/BUILD_INFO 2>/dev/null | sed 's/^/app /'
} > "$steps_dir/machine.txt" 2>&1

# ---- native/ against this machine's PyTorch -----------------------------------------------------
native_lib="$work/native-build/libuniformaly_native.so"
torch_lib="$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null)"
if wants native; then
  # A CUDA libtorch's CMake config looks for the CUDA toolkit; images often keep nvcc off PATH.
  if ! command -v nvcc > /dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then export PATH="/usr/local/cuda/bin:$PATH"; fi
  prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>> "$log")"
  generator=(); command -v ninja > /dev/null && generator=(-G Ninja)
  # A build folder from another generator cannot be reused.
  if [ -f "$work/native-build/CMakeCache.txt" ] && ! grep -q "CMAKE_GENERATOR:INTERNAL=${generator[1]:-Unix Makefiles}" "$work/native-build/CMakeCache.txt"; then
    rm -rf "$work/native-build"
  fi
  run_step native_configure 240 cmake -S "$repo/native" -B "$work/native-build" "${generator[@]}" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
    && run_step native_build 360 cmake --build "$work/native-build" -j "$(nproc)"
  # With --as-needed (Ubuntu's default) a bridge that calls no torch_cuda symbol may drop the
  # library, and then libtorch registers no CUDA backend: say so before every cuda step fails.
  if [ "$device" != cpu ] && [ -f "$native_lib" ] && command -v readelf > /dev/null \
     && ! grep -q "torch_cuda" <<< "$(readelf -d "$native_lib")"; then
    say "warning: $native_lib does not link libtorch_cuda; \`uniformaly info\` will tell whether CUDA is available"
  fi
fi

# ---- the app -----------------------------------------------------------------------------------
app="$work/app/uniformaly"
if [ -f "$tarball" ]; then
  rm -rf "$work/app" && tar -C "$work" -xJf "$tarball"
else
  say "no app tarball at $tarball: run tools/gpu/package.sh where .NET is installed and carry it"
fi
export UNIFORMALY_NATIVE_LIB="$native_lib"
export LD_LIBRARY_PATH="${torch_lib:+$torch_lib:}${LD_LIBRARY_PATH:-}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 PYTHONUNBUFFERED=1
have_app() { [ -x "$app" ] && [ -f "$native_lib" ]; }

if wants info; then
  if have_app; then run_step info 60 "$app" info; else skip_step info "no app or no native build"; fi
fi

# ---- kNN: ours, then PyTorch's formulations on the same sizes ------------------------------------
if wants knn; then
  for m in ${banks//,/ }; do for d in ${dims//,/ }; do for q in ${queries//,/ }; do for p in float32 bf16; do
    name="knn_M${m}_D${d}_Q${q}_${p}"
    if have_app; then
      run_step "$name" "$knn_cap" "$app" bench knn --bank "$m" --dim "$d" --queries "$q" --nn 1 --device "$device" \
        --knn-precision "$p" --repeats "$repeats" --warmup 1 "${thread_args[@]}" --json
    else skip_step "$name" "no app or no native build"; fi
  done; done; done; done
fi
if wants torch; then
  run_step torch_reference "$torch_cap" "$python" tools/gpu/torch_reference.py --device "$device" --banks "$banks" \
    --dims "$dims" --queries "$queries" --repeats "$repeats" --peak-n "$peak_n" "${thread_args[@]}" \
    --budget $(( $(remaining) < torch_cap ? $(remaining) - 15 : torch_cap - 15 )) --json "$steps_dir/torch_reference.json"
fi

# ---- ViT forward -------------------------------------------------------------------------------
if wants vit; then
  for v in $vits; do for b in $vit_batches; do
    arch="${v%%:*}" patch="${v##*:}"
    name="vit_${arch}_p${patch}_b${b}"
    # B/8 at batch 32 is 32 x 785 tokens a forward: on a CPU that is minutes a call, so the CPU run keeps batch 1.
    if [ "$device" = cpu ] && [ "$patch" = 8 ] && [ "$b" -gt 1 ]; then skip_step "$name" "too slow on a CPU"; continue; fi
    if have_app; then
      run_step "$name" "$vit_cap" "$app" bench vit --arch "$arch" --patch "$patch" --batch-size "$b" --device "$device" \
        --square "$vit_square" --repeats "$repeats" --warmup 1 "${thread_args[@]}" --json
    else skip_step "$name" "no app or no native build"; fi
  done; done
fi

# ---- end to end --------------------------------------------------------------------------------
if wants e2e; then
  if have_app; then run_step e2e "$e2e_cap" "$app" bench e2e "${e2e_args[@]}" --device "$device" "${thread_args[@]}" --json
  else skip_step e2e "no app or no native build"; fi
fi

# ---- BenchmarkDotNet suites (optional: minutes each) --------------------------------------------
if wants bdn; then
  if have_app; then
    # The suites start tools/bench/reference_server.py with this interpreter for the PyTorch side.
    export UNIFORMALY_PYTHON; UNIFORMALY_PYTHON="$(command -v "$python")"
    run_step bdn "$(remaining)" "$work/app/Uniformaly.Benchmarks" --filter "$bdn_filter" --artifacts "$work/bdn"
    for f in "$work"/bdn/results/*-report-github.md; do [ -f "$f" ] && cp "$f" "$out/bdn-$(basename "$f")"; done
  else skip_step bdn "no app or no native build"; fi
fi

# ---- the report --------------------------------------------------------------------------------
say "writing the report"
"$python" tools/gpu/report.py --steps "$steps_dir" --device "$device" --quick "$quick" --out "$out" 2>> "$log" \
  || say "report.py failed; the raw step files are in $steps_dir"
# The device tool returns at most 8 files: the report, its JSON, the log and the torch JSON.
cp "$steps_dir/torch_reference.json" "$out/" 2>/dev/null
say "done in $(( $(date +%s) - start ))s: $out/report.md"
