#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, ASan + UBSan, in build-fuzz/)
# and runs each for SECONDS seconds on a copy of its seed corpus. Exits
# non-zero if any target crashes, leaks, runs out of memory or times out,
# saying where the input that did it was written.
#
#   scripts/fuzz.sh SECONDS [TARGET...]    (default: every target)
#
# FUZZ_BUILD_DIR (default build-fuzz) and FUZZ_JOBS (default 2) choose the
# build directory and the build's parallelism. Reproduce a failure with
# `build-fuzz/fuzz/TARGET FILE`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

usage="usage: scripts/fuzz.sh SECONDS [TARGET...]"
seconds=${1:?$usage}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "$usage" >&2; exit 2; }
shift
all_targets=(otlp_proto_fuzz otlp_json_fuzz zipkin_json_fuzz zipkin_proto_fuzz zipkin_thrift_fuzz
  jaeger_thrift_fuzz jaeger_proto_fuzz query_params_fuzz query_filter_fuzz
  gunzip_fuzz time_format_fuzz wal_entry_fuzz span_metrics_fuzz tracer_context_fuzz)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
[[ $build_dir == /* ]] || build_dir=$root/$build_dir
jobs=${FUZZ_JOBS:-2}

# Longest input each target is given.
declare -A max_len=(
  [otlp_proto_fuzz]=65536 [otlp_json_fuzz]=65536 [zipkin_json_fuzz]=65536
  [zipkin_proto_fuzz]=65536 [zipkin_thrift_fuzz]=65536
  [jaeger_thrift_fuzz]=65536 [jaeger_proto_fuzz]=65536 [query_params_fuzz]=4096
  [query_filter_fuzz]=4096
  [gunzip_fuzz]=16384 [time_format_fuzz]=128 [wal_entry_fuzz]=16384 [span_metrics_fuzz]=4096
  [tracer_context_fuzz]=4096
)
# Jaeger's storage-integration traces, read as extra OTLP/JSON seeds where
# shared/ is present (libFuzzer only writes into the first corpus directory).
conformance_traces="$root/../shared/conformance/jaeger-storage-integration/traces"

for t in "${targets[@]}"; do
  [ -n "${max_len[$t]:-}" ] || { echo "fuzz: unknown target $t (${all_targets[*]})" >&2; exit 2; }
done

# clang, its sanitizer and libFuzzer runtimes, and llvm-symbolizer for
# readable stack traces.
missing=()
command -v clang++ >/dev/null 2>&1 || missing+=(clang)
if ! command -v clang++ >/dev/null 2>&1 ||
  [[ $(clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a) != /* ]]; then
  missing+=(libclang-rt-dev)
fi
command -v llvm-symbolizer >/dev/null 2>&1 || missing+=(llvm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "fuzz: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A configuration of its own: -O1 with assertions on (no NDEBUG). ccache is
# used when installed (see the root CMakeLists.txt).
if [ ! -f "$build_dir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DSPOOR_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" >/dev/null
fi
ninja -C "$build_dir" -j "$jobs" "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/spoor-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$build_dir/fuzz-artifacts"
logs="$build_dir/fuzz-logs"
mkdir -p "$artifacts" "$logs"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

failed=()
for t in "${targets[@]}"; do
  # New inputs go into this copy, never into fuzz/corpus.
  corpus="$work/$t"
  mkdir -p "$corpus"
  cp fuzz/corpus/"$t"/* "$corpus"/
  extra=()
  if [ "$t" = otlp_json_fuzz ] && [ -d "$conformance_traces" ]; then
    extra+=("$conformance_traces")
  fi
  options=(-max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 -rss_limit_mb=2048
    -artifact_prefix="$artifacts/$t-")
  [ -f "fuzz/$t.dict" ] && options+=(-dict="fuzz/$t.dict")
  log="$logs/$t.log"
  echo "fuzz: $t for ${seconds}s (log: $log)"
  if "$build_dir/fuzz/$t" "${options[@]}" "$corpus" "${extra[@]}" >"$log" 2>&1; then
    done_line=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -n 1 || true)
    coverage=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [^ ]+' || true)
    echo "fuzz: $t ok: ${done_line:+$done_line(s)}${coverage:+, $coverage}"
  else
    failed+=("$t")
    echo "fuzz: $t FAILED; the end of its log:"
    tail -n 60 "$log" | sed 's/^/    /'
    reproducer=$(grep -o 'Test unit written to .*' "$log" | tail -n 1 | sed 's/^Test unit written to //' || true)
    if [ -n "$reproducer" ]; then
      echo "fuzz: $t reproducer: $reproducer"
      echo "fuzz: rerun it with: $build_dir/fuzz/$t $reproducer"
    fi
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a failure"
