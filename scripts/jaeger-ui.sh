#!/usr/bin/env bash
# Builds the Jaeger UI from a checkout of its source (github.com/jaegertracing/jaeger-ui) and
# prints the spoor command that serves it (docs/jaeger-ui.md). Fetches nothing but npm packages:
# the Node.js the checkout asks for (package "node-linux-<arch>", cached), a newer npm when the one
# on PATH is too old, and the checkout's own dependencies (`npm ci`). Running it again reuses all
# of that and rebuilds only when a source file changed.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/jaeger-ui.sh [options] JAEGER_UI_SOURCE_DIR [-- SPOOR_FLAGS...]

Builds the Jaeger UI in JAEGER_UI_SOURCE_DIR (a checkout or an unpacked release of
jaeger-ui, e.g. `git archive v2.19.0 | tar -x -C DIR`) into
JAEGER_UI_SOURCE_DIR/packages/jaeger-ui/build, writes a UI configuration that shows the
Monitor, Service Dependencies (deep dependency graph) and Trace Quality menus, and
prints the spoor command serving both.

Options:
  --cache-dir=DIR   where Node.js (and npm, when needed) are installed
                    (default: $XDG_CACHE_HOME/spoor/jaeger-ui, else ~/.cache/spoor/jaeger-ui)
  --ui-config=FILE  serve this UI configuration instead of writing one into the cache dir
  --force           run `npm ci` and the build even when they look up to date
  --serve           start spoor with the build once it is ready (flags after -- are passed on,
                    e.g. -- --span-storage.type=memory)
  -h, --help        this text

Environment:
  SPOOR_BIN         the spoor binary (default: build/src/spoor of this repository)
EOF
}

fail() {
  echo "jaeger-ui: $*" >&2
  exit 1
}
log() { echo "jaeger-ui: $*" >&2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
cache_dir=${XDG_CACHE_HOME:-$HOME/.cache}/spoor/jaeger-ui
ui_config=
force=false
serve=false
source_dir=
spoor_flags=()
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --cache-dir=*) cache_dir=${1#*=} ;;
    --ui-config=*) ui_config=${1#*=} ;;
    --force) force=true ;;
    --serve) serve=true ;;
    --) shift; spoor_flags=("$@"); break ;;
    -*) echo "jaeger-ui: unknown option $1" >&2; usage >&2; exit 2 ;;
    *)
      [[ -z $source_dir ]] || { echo "jaeger-ui: one source directory, got '$source_dir' and '$1'" >&2; exit 2; }
      source_dir=$1
      ;;
  esac
  shift
done
[[ -n $source_dir ]] || { usage >&2; exit 2; }

absolute() { (cd "$1" && pwd); }
[[ -d $source_dir ]] || fail "no directory $source_dir"
source_dir=$(absolute "$source_dir")
ui_dir=$source_dir/packages/jaeger-ui
[[ -f $source_dir/package.json && -f $source_dir/package-lock.json && -f $ui_dir/package.json ]] ||
  fail "$source_dir is not a jaeger-ui checkout (expected package.json, package-lock.json and packages/jaeger-ui/package.json)"
mkdir -p "$cache_dir"
cache_dir=$(absolute "$cache_dir")
if [[ -n $ui_config ]]; then
  [[ -f $ui_config ]] || fail "no UI configuration file $ui_config"
  ui_config=$(cd "$(dirname "$ui_config")" && pwd)/$(basename "$ui_config")
fi

# The first version in an "engines" entry of a package.json (">=24.6.0" -> 24.6.0).
engine_version() {
  sed -n '/"engines"/,/}/p' "$1" | grep -o "\"$2\" *: *\"[^\"]*\"" | grep -o '[0-9][0-9.]*' | head -n 1 || true
}
# version_at_least A B: A >= B (dotted versions).
version_at_least() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }
json_field() { grep -o "\"$2\" *: *\"[^\"]*\"" "$1" | head -n 1 | sed 's/.*: *"\(.*\)"/\1/'; }

ui_version=$(json_field "$ui_dir/package.json" version)
need_node=$(engine_version "$source_dir/package.json" node)
need_npm=$(engine_version "$source_dir/package.json" npm)
need_node=${need_node:-24}
log "Jaeger UI $ui_version in $source_dir (needs Node.js >= $need_node${need_npm:+, npm >= $need_npm})"

# --- Node.js: the one on PATH when new enough, else node-linux-<arch> from the npm registry.
node_version_of() { "$1" --version 2>/dev/null | sed 's/^v//'; }
node_bin=
if command -v node >/dev/null && version_at_least "$(node_version_of node)" "$need_node"; then
  node_bin=$(command -v node)
else
  case $(uname -m) in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "no Node.js package for $(uname -m); install Node.js >= $need_node and put it first on PATH" ;;
  esac
  package=node-linux-$arch
  node_bin=$cache_dir/node/node_modules/$package/bin/node
  if [[ ! -x $node_bin ]] || ! version_at_least "$(node_version_of "$node_bin")" "$need_node"; then
    command -v npm >/dev/null || fail "npm is needed to install Node.js (Debian: apt-get install npm)"
    log "installing $package@${need_node%%.*} into $cache_dir/node"
    mkdir -p "$cache_dir/node"
    npm install --prefix "$cache_dir/node" --no-audit --no-fund --no-save "$package@${need_node%%.*}" >&2
  fi
  [[ -x $node_bin ]] || fail "$package did not install $node_bin"
  version_at_least "$(node_version_of "$node_bin")" "$need_node" ||
    fail "$package installed Node.js $(node_version_of "$node_bin"), older than $need_node"
fi
node_dir=$(dirname "$node_bin")
export PATH=$node_dir:$PATH
log "Node.js $(node_version_of "$node_bin") at $node_bin"

# --- npm: the one on PATH when new enough, else npm from the registry, run by that Node.js.
npm_cmd=()
if command -v npm >/dev/null && { [[ -z $need_npm ]] || version_at_least "$(npm --version)" "$need_npm"; }; then
  npm_cmd=(npm)
else
  npm_cli=$cache_dir/npm/node_modules/npm/bin/npm-cli.js
  if [[ ! -f $npm_cli ]] || ! version_at_least "$(node "$npm_cli" --version)" "${need_npm:-0}"; then
    command -v npm >/dev/null || fail "npm is needed to install npm >= $need_npm (Debian: apt-get install npm)"
    log "installing npm@${need_npm%%.*} into $cache_dir/npm"
    mkdir -p "$cache_dir/npm"
    npm install --prefix "$cache_dir/npm" --no-audit --no-fund --no-save "npm@${need_npm%%.*}" >&2
  fi
  npm_cmd=(node "$npm_cli")
fi
log "npm $("${npm_cmd[@]}" --version)"

# --- Dependencies: npm ci when node_modules is missing or older than the lockfile.
installed=$source_dir/node_modules/.package-lock.json
if $force || [[ ! -f $installed || $source_dir/package-lock.json -nt $installed ]]; then
  log "npm ci in $source_dir"
  (cd "$source_dir" && "${npm_cmd[@]}" ci --no-audit --no-fund >&2)
else
  log "dependencies are installed (--force reinstalls them)"
fi

# --- Build: when there is none, or a source file is newer than it.
build_dir=$ui_dir/build
index=$build_dir/index.html
changed() {
  [[ ! -f $index ]] && return 0
  [[ -n $(find "$source_dir/package-lock.json" "$ui_dir" "$source_dir/packages/plexus" \
    \( -path "$build_dir" -o -name node_modules \) -prune -o -type f -newer "$index" -print -quit) ]]
}
if $force || changed; then
  log "npm run build in $source_dir"
  (cd "$source_dir" && "${npm_cmd[@]}" run build >&2)
else
  log "the build is up to date (--force rebuilds it)"
fi
[[ -f $index ]] || fail "the build wrote no $index"
for marker in 'const JAEGER_CONFIG = DEFAULT_CONFIG;' 'const JAEGER_STORAGE_CAPABILITIES = DEFAULT_STORAGE_CAPABILITIES;'; do
  grep -qF "$marker" "$index" ||
    log "warning: $index lacks '$marker': spoor cannot write its configuration into this build"
done

# --- UI configuration: the hidden pages' menus. qualityMetrics replaces the UI's default object
# as a whole, so its label and endpoint have to be given with it.
if [[ -z $ui_config ]]; then
  ui_config=$cache_dir/ui-config.json
  cat >"$ui_config" <<'EOF'
{
  "dependencies": {"menuEnabled": true},
  "deepDependencies": {"menuEnabled": true},
  "qualityMetrics": {"menuEnabled": true, "menuLabel": "Trace Quality", "apiEndpoint": "/api/quality-metrics"},
  "monitor": {"menuEnabled": true}
}
EOF
fi

spoor_bin=${SPOOR_BIN:-$repo/build/src/spoor}
command=("$spoor_bin" "--query.static-files=$build_dir" "--query.ui-config=$ui_config" ${spoor_flags[@]+"${spoor_flags[@]}"})
if $serve; then
  [[ -x $spoor_bin ]] || fail "no spoor binary at $spoor_bin (make build, or set SPOOR_BIN)"
  log "starting: ${command[*]}"
  exec "${command[@]}"
fi
log "built Jaeger UI $ui_version into $build_dir; serve it with:"
printf '%q ' "${command[@]}"
echo
