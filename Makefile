# The two commands of the README: `make demo` and `make test`. Each installs what is missing,
# builds native/ (Release) and the .NET solution, then runs.
NATIVE_LIB := native/build/libuniformaly_native.so
CONFIG ?= Release
# For a CUDA libtorch: make native TORCH_PREFIX=$(python3 -c "import torch; print(torch.utils.cmake_prefix_path)")
TORCH_PREFIX ?=
CMAKE_ARGS := -DCMAKE_BUILD_TYPE=Release $(if $(TORCH_PREFIX),-DCMAKE_PREFIX_PATH=$(TORCH_PREFIX))
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
MAKEFLAGS += --no-print-directory

.PHONY: deps native build test demo figures clean bench

deps:
	@scripts/install-deps.sh

native: deps
	@cmake -S native -B native/build $(CMAKE_ARGS) > /dev/null
	@cmake --build native/build -j $$(nproc)

build: native
	@dotnet build Uniformaly.sln -c $(CONFIG) --nologo -v quiet -clp:ErrorsOnly

test: build
	@dotnet test tests/Uniformaly.Tests/Uniformaly.Tests.csproj -c $(CONFIG) --no-build --nologo

# The demo reproduces Table 1 (one-class detection), Table 9 (the kernel-size sweep) and Table 7
# (anomaly clustering) on a generated MVTec-layout dataset, with DINO ViT-S/16 when its official
# weights are in weights/, else the same architecture with random weights (and says so). Tables 9
# and 7 read the backbone's features from the cache Table 1 filled. Every kind of figure lands in
# out/demo: curves and heatmap galleries (table1), sweep plots (table9), scatter plots (table7).
DEMO_BACKBONE = $(if $(wildcard weights/dino_deitsmall16_pretrain.pth),dino_vits16,random_vits16)
DEMO_ARGS = --data-root out/demo/data --categories synth_object,synth_texture --backbone $(DEMO_BACKBONE) \
	--out out/demo --cache-dir out/demo/cache

demo: build
	@./uniformaly info
	@[ -d out/demo/data/mvtec ] || ./uniformaly synth --out out/demo/data/mvtec
	@./uniformaly reproduce table1 $(DEMO_ARGS)
	@./uniformaly reproduce table9 $(DEMO_ARGS)
	@./uniformaly reproduce table7 $(DEMO_ARGS)

# The README's pictures (docs/images/): one figure of each kind from the demo's output, and the
# benchmark charts of docs/benchmarks.md from the measurements in docs/benchmarks/*.json.
figures: build
	@[ -d out/demo/table7 ] || $(MAKE) demo
	@scripts/readme-figures.sh

bench: build
	@dotnet run --project Uniformaly.Benchmarks -c Release --no-build -- $(ARGS)

clean:
	rm -rf native/build */bin */obj tests/*/bin tests/*/obj
