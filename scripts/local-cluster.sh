#!/usr/bin/env bash
# A complete scale-out deployment of Spoor on one machine (docs/deployment.md):
# ZooKeeper and a ClickHouse cluster "spoor" of 2 shards x 2 replicas, a NATS
# server with JetStream, collectors publishing to it, ingesters writing from
# it to ClickHouse, and a query node serving the UI. For trying the roles out
# and testing them together; every server runs as a plain process under the
# state directory, none as a system service.
#
#   scripts/local-cluster.sh up       start everything; refuses when it already runs
#   scripts/local-cluster.sh status   what runs, its ports and its health
#   scripts/local-cluster.sh down     stop everything, delete the ClickHouse and NATS data
#
# Environment:
#   LOCAL_CLUSTER_DIR            state: pids, logs, data (default build/local-cluster)
#   SPOOR_BIN                    spoor binary (default build/src/spoor; `make build` when missing)
#   LOCAL_CLUSTER_COLLECTORS     collectors (default 2; collector N uses the standard ports + 10000*(N-1))
#   LOCAL_CLUSTER_INGESTERS      ingesters (default 2; admin ports 14270, 24270, ...)
#   LOCAL_CLUSTER_NATS_PORT      NATS client port (default 4222)
#   LOCAL_CLUSTER_NATS_MONITOR_PORT  NATS monitoring port (default 8222)
#   LOCAL_CLUSTER_COLLECTOR_FLAGS, LOCAL_CLUSTER_INGESTER_FLAGS, LOCAL_CLUSTER_QUERY_FLAGS
#                                more flags for every process of that role (split on spaces)
#   LOCAL_CLUSTER_READY_TIMEOUT  seconds a spoor process has to answer its health check (default 60)
#   LOCAL_CLUSTER_STOP_TIMEOUT   seconds a spoor process has to exit after SIGTERM (default 30)
#   LOCAL_CLUSTER_DRAIN_TIMEOUT  seconds `down` waits for the ingesters to empty the stream (default 30)
set -euo pipefail

caller_dir=$PWD
cd "$(dirname "$0")/.."
root=$PWD

usage="usage: scripts/local-cluster.sh up|down|status"
command=${1:-}
[[ $command == up || $command == down || $command == status ]] || { echo "$usage" >&2; exit 2; }

absolute() { [[ $1 == /* ]] && echo "$1" || echo "$caller_dir/$1"; }
state=$(absolute "${LOCAL_CLUSTER_DIR:-$root/build/local-cluster}")
spoor_bin=$(absolute "${SPOOR_BIN:-$root/build/src/spoor}")
collectors=${LOCAL_CLUSTER_COLLECTORS:-2}
ingesters=${LOCAL_CLUSTER_INGESTERS:-2}
nats_port=${LOCAL_CLUSTER_NATS_PORT:-4222}
nats_monitor_port=${LOCAL_CLUSTER_NATS_MONITOR_PORT:-8222}
ready_timeout=${LOCAL_CLUSTER_READY_TIMEOUT:-60}
stop_timeout=${LOCAL_CLUSTER_STOP_TIMEOUT:-30}
drain_timeout=${LOCAL_CLUSTER_DRAIN_TIMEOUT:-30}
read -r -a collector_flags <<<"${LOCAL_CLUSTER_COLLECTOR_FLAGS:-}"
read -r -a ingester_flags <<<"${LOCAL_CLUSTER_INGESTER_FLAGS:-}"
read -r -a query_flags <<<"${LOCAL_CLUSTER_QUERY_FLAGS:-}"
for n in "$collectors" "$ingesters" "$nats_port" "$nats_monitor_port" "$ready_timeout" "$stop_timeout" \
  "$drain_timeout"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "local-cluster: expected a number, got '$n'" >&2; exit 2; }
done
# Collector and ingester N use the standard ports + 10000 * (N - 1), which
# must stay below 65536 (the largest, admin 14269/14270, allows 6).
((collectors >= 1 && collectors <= 6 && ingesters >= 1 && ingesters <= 6)) ||
  { echo "local-cluster: 1 to 6 collectors and 1 to 6 ingesters" >&2; exit 2; }

clickhouse_dir=$state/clickhouse # tests/lib/clickhouse.mjs start-cluster
nats_dir=$state/nats             # tests/lib/nats.mjs
spoor_dir=$state/spoor           # one NAME.log per process, and `processes`
processes=$spoor_dir/processes   # a line per spoor process: NAME PID ADMIN_PORT

say() { echo "local-cluster: $*"; }
fail() { echo "local-cluster: $*" >&2; exit 1; }

# True while the process runs (a zombie has ended).
alive() {
  local stat
  stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $stat != Z* ]]
}

# Pids recorded under the state directory, one per line.
recorded_pids() {
  [ -f "$processes" ] && awk '{ print $2 }' "$processes"
  local f
  for f in "$nats_dir/pids" "$clickhouse_dir/pids"; do
    [ -f "$f" ] && cat "$f"
  done
  return 0
}

any_alive() {
  local pid
  for pid in $(recorded_pids); do
    alive "$pid" && return 0
  done
  return 1
}

# The standard port BASE of collector or ingester N: BASE + 10000 * (N - 1).
port_for() { echo $(($1 + 10000 * ($2 - 1))); }

# Collector N's ports, as "name port" lines; UDP ones end in /udp.
collector_ports() {
  local i=$1
  echo "otlp-grpc $(port_for 4317 "$i")"
  echo "otlp-http $(port_for 4318 "$i")"
  echo "jaeger-http $(port_for 14268 "$i")"
  echo "jaeger-grpc $(port_for 14250 "$i")"
  echo "zipkin $(port_for 9411 "$i")"
  echo "jaeger-compact $(port_for 6831 "$i")/udp"
  echo "jaeger-binary $(port_for 6832 "$i")/udp"
  echo "sampling $(port_for 5778 "$i")"
  echo "admin $(port_for 14269 "$i")"
}

collector_port() { collector_ports "$1" | awk -v n="$2" '$1 == n { sub("/udp", "", $2); print $2 }'; }

# True when something listens on the port (TCP, or UDP with /udp).
port_in_use() {
  local port=${1%/udp}
  if [[ $1 == */udp ]]; then
    ss -Hlun "( sport = :$port )" 2>/dev/null | grep -q .
  elif command -v ss >/dev/null; then
    ss -Hltn "( sport = :$port )" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# GET http://127.0.0.1:PORT/PATH; prints the body; fails unless 200.
http_get() { curl -fsS -m 2 "http://127.0.0.1:$1$2" 2>/dev/null; }

# Sum of the samples of a metric in Prometheus text on stdin.
metric_sum() {
  awk -v n="$1" 'index($1, n "{") == 1 || $1 == n { s += $NF } END { printf "%.0f", s }'
}

# Starts one spoor process in the background, records it and waits until
# GET /admin answers 200. NAME ADMIN_PORT ARGS...
start_spoor() {
  local name=$1 admin=$2
  shift 2
  local log=$spoor_dir/$name.log
  echo "# $(date -u +%FT%TZ) $spoor_bin $*" >"$log"
  # A session of its own: a Ctrl-C in the terminal later does not reach it.
  setsid "$spoor_bin" "$@" </dev/null >>"$log" 2>&1 &
  local pid=$!
  echo "$name $pid $admin" >>"$processes"
  local deadline=$((SECONDS + ready_timeout))
  while :; do
    if ! alive "$pid"; then
      local status=0
      wait "$pid" || status=$?
      not_ready "$name" "$log" "exited with status $status before it was ready"
    fi
    http_get "$admin" / >/dev/null && break
    ((SECONDS < deadline)) ||
      not_ready "$name" "$log" "not ready after ${ready_timeout} s (GET http://127.0.0.1:$admin/ never answered 200)"
    sleep 0.2
  done
  say "$name ready (pid $pid, admin :$admin)"
}

not_ready() {
  local name=$1 log=$2 why=$3
  {
    echo "local-cluster: $name $why"
    echo "command: $(head -n 1 "$log" | cut -d' ' -f3-)"
    echo "last lines of $log:"
    tail -n +2 "$log" | tail -n 30 | sed 's/^/  /'
  } >&2
  exit 1
}

# SIGTERM to every process of a role (collector, ingester, query), then
# waits for each; SIGKILL after the stop timeout.
stop_role() {
  local role=$1 name pid admin
  local -a pids=()
  [ -f "$processes" ] || return 0
  while read -r name pid admin; do
    [[ $name == "$role"* ]] || continue
    if alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$name:$pid")
    fi
  done <"$processes"
  local entry deadline=$((SECONDS + stop_timeout))
  for entry in "${pids[@]}"; do
    name=${entry%%:*} pid=${entry##*:}
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if alive "$pid"; then
      echo "local-cluster: $name (pid $pid) still runs ${stop_timeout} s after SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    else
      say "$name stopped"
    fi
  done
}

# Messages left in the NATS streams, or nothing when NATS does not answer.
stream_messages() {
  [ -f "$nats_dir/nats.json" ] || return 0
  node --input-type=module -e "
    import { readFileSync } from 'node:fs';
    import { streamStates } from '$root/tests/lib/nats.mjs';
    const { monitorPort } = JSON.parse(readFileSync('$nats_dir/nats.json', 'utf8'));
    const streams = await streamStates(monitorPort);
    console.log(streams.reduce((n, s) => n + s.messages, 0));
  " 2>/dev/null || true
}

# Waits while ingesters run and the stream still holds messages.
drain() {
  local left deadline=$((SECONDS + drain_timeout)) said=""
  while :; do
    left=$(stream_messages)
    [[ -z $left || $left == 0 ]] && return 0
    local running=0 name pid admin
    while read -r name pid admin; do
      [[ $name == ingester* ]] && alive "$pid" && running=1
    done <"$processes"
    if ((running == 0 || SECONDS >= deadline)); then
      echo "local-cluster: $left messages were still in the stream; they are deleted with it" >&2
      return 0
    fi
    [ -n "$said" ] ||
      say "waiting up to ${drain_timeout} s for the ingesters to store the $left messages left in the stream"
    said=1
    sleep 0.5
  done
}

do_down() {
  local was_up=""
  any_alive && was_up=1
  # The query node first, then the collectors, so that nothing new enters
  # the stream; the ingesters store what is left in it, then stop.
  if [ -f "$processes" ]; then
    stop_role query
    stop_role collector
    drain
    stop_role ingester
    rm -f "$processes"
  fi
  if [ -d "$nats_dir" ]; then
    node tests/lib/nats.mjs stop "$nats_dir" >/dev/null
    say "NATS stopped"
  fi
  if [ -d "$clickhouse_dir" ]; then
    node tests/lib/clickhouse.mjs stop "$clickhouse_dir" >/dev/null
    say "ClickHouse and ZooKeeper stopped"
  fi
  rm -f "$state/cluster.env"
  [ -n "$was_up" ] || say "nothing was running in $state"
  return 0
}

# The EXIT trap while `up` starts things: a failure stops them again.
up_failed() {
  local rc=$?
  ((rc == 0)) && return 0
  echo "local-cluster: up failed; stopping what was started (logs stay in $spoor_dir)" >&2
  do_down >/dev/null 2>&1 || true
}

do_up() {
  if any_alive; then
    fail "already up in $state (scripts/local-cluster.sh status shows it); run scripts/local-cluster.sh down first"
  fi
  if [ -f "$processes" ] || [ -d "$nats_dir" ] || [ -d "$clickhouse_dir" ]; then
    say "clearing what an earlier run left in $state (none of it runs)"
    do_down >/dev/null
  fi
  command -v node >/dev/null || fail "node is missing (make setup installs it)"
  command -v curl >/dev/null || fail "curl is missing (make setup installs it)"

  # Every fixed port must be free before anything starts.
  local i busy=() entry name port
  for ((i = 1; i <= collectors; i++)); do
    while read -r name port; do
      port_in_use "$port" && busy+=("$port (collector-$i $name)")
    done < <(collector_ports "$i")
  done
  for ((i = 1; i <= ingesters; i++)); do
    port=$(port_for 14270 "$i")
    port_in_use "$port" && busy+=("$port (ingester-$i admin)")
  done
  port_in_use 16686 && busy+=("16686 (query)")
  port_in_use 16687 && busy+=("16687 (query admin)")
  port_in_use "$nats_port" && busy+=("$nats_port (NATS)")
  port_in_use "$nats_monitor_port" && busy+=("$nats_monitor_port (NATS monitoring)")
  if ((${#busy[@]} > 0)); then
    echo "local-cluster: ports in use (is a spoor all-in-one from 'make run' running?):" >&2
    printf '  %s\n' "${busy[@]}" >&2
    exit 1
  fi

  if [ ! -x "$spoor_bin" ]; then
    [ -z "${SPOOR_BIN:-}" ] || fail "SPOOR_BIN=$spoor_bin is not an executable file"
    say "$spoor_bin is missing: make build"
    make build
    [ -x "$spoor_bin" ] || fail "make build did not produce $spoor_bin"
  fi

  mkdir -p "$spoor_dir"
  rm -f "$spoor_dir"/*.log
  # Whatever fails from here on, or Ctrl-C, stops what was started.
  trap up_failed EXIT
  trap 'exit 130' INT TERM

  say "starting ZooKeeper and ClickHouse (2 shards x 2 replicas, cluster \"spoor\")"
  node tests/lib/clickhouse.mjs start-cluster "$clickhouse_dir" >/dev/null
  local servers
  servers=$(cat "$clickhouse_dir/servers")
  say "ClickHouse ready: $servers"

  local nats_url
  if ! nats_url=$(node tests/lib/nats.mjs start "$nats_dir" --port="$nats_port" \
    --monitor-port="$nats_monitor_port" 2>"$spoor_dir/nats-start.log"); then
    cat "$spoor_dir/nats-start.log" >&2
    fail "NATS did not start"
  fi
  say "NATS ready: $nats_url (monitoring http://127.0.0.1:$nats_monitor_port)"
  printf 'NATS_URL=%s\nCLICKHOUSE_SERVERS=%s\n' "$nats_url" "$servers" >"$state/cluster.env"

  for ((i = 1; i <= collectors; i++)); do
    local p=()
    for name in otlp-grpc otlp-http jaeger-http jaeger-grpc zipkin jaeger-compact jaeger-binary sampling admin; do
      p+=("$(collector_port "$i" "$name")")
    done
    start_spoor "collector-$i" "${p[8]}" collector --buffer.type=nats --nats.url="$nats_url" \
      --collector.otlp.grpc.host-port=":${p[0]}" --collector.otlp.http.host-port=":${p[1]}" \
      --collector.http-server.host-port=":${p[2]}" --collector.grpc-server.host-port=":${p[3]}" \
      --collector.zipkin.host-port=":${p[4]}" --processor.jaeger-compact.server-host-port=":${p[5]}" \
      --processor.jaeger-binary.server-host-port=":${p[6]}" --http-server.host-port=":${p[7]}" \
      --admin.http.host-port=":${p[8]}" ${collector_flags[@]+"${collector_flags[@]}"}
  done
  for ((i = 1; i <= ingesters; i++)); do
    port=$(port_for 14270 "$i")
    start_spoor "ingester-$i" "$port" ingester --nats.url="$nats_url" --span-storage.type=clickhouse \
      --clickhouse.servers="$servers" --clickhouse.cluster=spoor --admin.http.host-port=":$port" \
      ${ingester_flags[@]+"${ingester_flags[@]}"}
  done
  start_spoor query 16687 query --span-storage.type=clickhouse --clickhouse.servers="$servers" \
    --clickhouse.cluster=spoor --query.http-server.host-port=:16686 --admin.http.host-port=:16687 \
    ${query_flags[@]+"${query_flags[@]}"}

  trap - EXIT INT TERM
  echo
  echo "Spoor local cluster is up (state in $state)"
  echo "  web UI and query API  http://127.0.0.1:16686"
  for ((i = 1; i <= collectors; i++)); do
    echo "  collector-$i           $(collector_summary "$i")"
  done
  local admins=""
  for ((i = 1; i <= ingesters; i++)); do admins+=" :$(port_for 14270 "$i")"; done
  echo "  ingesters             admin$admins"
  echo "  NATS                  $nats_url, monitoring http://127.0.0.1:$nats_monitor_port"
  echo "  ClickHouse (HTTP)     $servers"
  [ -f "$root/ui/dist/index.html" ] ||
    echo "  (the web UI is not built: make ui, then restart the query node or the cluster)"
  echo "Send spans to any collector, e.g. OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318;"
  echo "scripts/local-cluster.sh status shows health and counts, scripts/local-cluster.sh down stops it all."
}

collector_summary() {
  collector_ports "$1" | awk '
    { sub("/udp", "", $2); p[$1] = $2 }
    END {
      printf "OTLP gRPC :%s, OTLP HTTP :%s, Jaeger HTTP :%s, Jaeger gRPC :%s, Zipkin :%s, ",
        p["otlp-grpc"], p["otlp-http"], p["jaeger-http"], p["jaeger-grpc"], p["zipkin"]
      printf "Jaeger UDP :%s/:%s, sampling :%s, admin :%s",
        p["jaeger-compact"], p["jaeger-binary"], p["sampling"], p["admin"]
    }'
}

do_status() {
  local ok=1
  if [ ! -f "$processes" ] && [ ! -d "$nats_dir" ] && [ ! -d "$clickhouse_dir" ]; then
    say "not up (nothing runs from $state)"
    exit 1
  fi
  echo "state: $state"

  echo "ClickHouse cluster \"spoor\":"
  if [ -f "$clickhouse_dir/cluster.json" ]; then
    local zk_pid
    zk_pid=$(head -n 1 "$clickhouse_dir/pids")
    local zk_port
    zk_port=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).zookeeper)" \
      "$clickhouse_dir/cluster.json")
    if alive "$zk_pid" && (exec 3<>"/dev/tcp/127.0.0.1/$zk_port") 2>/dev/null; then
      printf '  %-18s pid %-8s 127.0.0.1:%-6s up\n' zookeeper "$zk_pid" "$zk_port"
    else
      printf '  %-18s pid %-8s 127.0.0.1:%-6s DOWN\n' zookeeper "$zk_pid" "$zk_port"
      ok=0
    fi
    local shard replica http pid answer
    while read -r shard replica http pid; do
      answer=$(curl -fsS -m 2 --data-binary 'SELECT 1' "http://127.0.0.1:$http/" 2>/dev/null || true)
      if alive "$pid" && [ "$answer" = 1 ]; then
        printf '  %-18s pid %-8s 127.0.0.1:%-6s up (SELECT 1)\n' "shard $shard replica $replica" "$pid" "$http"
      else
        printf '  %-18s pid %-8s 127.0.0.1:%-6s DOWN\n' "shard $shard replica $replica" "$pid" "$http"
        ok=0
      fi
    done < <(node -e "
      for (const n of JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).nodes)
        console.log(n.shard, n.replica, n.ports.http, n.pid);" "$clickhouse_dir/cluster.json")
  else
    echo "  not started"
    ok=0
  fi

  echo "NATS:"
  if [ -f "$nats_dir/nats.json" ]; then
    local nats_pid url monitor
    nats_pid=$(cat "$nats_dir/pids")
    url=$(cat "$nats_dir/url")
    monitor=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).monitorPort)" \
      "$nats_dir/nats.json")
    if alive "$nats_pid" && http_get "$monitor" '/healthz?js-enabled-only=true' >/dev/null; then
      echo "  pid $nats_pid, $url, monitoring http://127.0.0.1:$monitor: up, JetStream enabled"
      node tests/lib/nats.mjs streams "$nats_dir" 2>&1 | sed 's/^/  /'
    else
      echo "  pid $nats_pid, $url: DOWN"
      ok=0
    fi
  else
    echo "  not started"
    ok=0
  fi

  echo "Spoor:"
  if [ -f "$processes" ]; then
    printf '  %-13s %-8s %-6s %-20s %s\n' NAME PID ADMIN HEALTH COUNTS
    local name pid admin health counts metrics
    while read -r name pid admin; do
      health=DOWN counts=""
      if alive "$pid"; then
        # 200 "Server available" once ready, 503 "Server not available" before and while stopping.
        health=$(curl -sS -m 2 "http://127.0.0.1:$admin/" 2>/dev/null |
          sed -n 's/.*"status":"\([^"]*\)".*/\1/p' || true)
        [ -n "$health" ] || health="no answer"
        if metrics=$(http_get "$admin" /metrics); then
          case $name in
            collector*)
              counts="accepted $(metric_sum spoor_spans_accepted_total <<<"$metrics")"
              counts+=", refused $(metric_sum spoor_spans_refused_total <<<"$metrics")"
              ;;
            ingester*)
              counts="stored $(metric_sum spoor_spans_stored_total <<<"$metrics")"
              counts+=", dropped $(metric_sum spoor_spans_dropped_total <<<"$metrics")"
              ;;
            *) counts="/metrics: $(grep -cv '^#' <<<"$metrics" || true) samples" ;;
          esac
        else
          counts="/metrics did not answer"
        fi
      fi
      [ "$health" = "Server available" ] || ok=0
      printf '  %-13s %-8s :%-5s %-20s %s\n' "$name" "$pid" "$admin" "$health" "$counts"
    done <"$processes"
    echo "  web UI and query API: http://127.0.0.1:16686"
    local i
    for ((i = 1; i <= collectors; i++)); do
      grep -q "^collector-$i " "$processes" && echo "  collector-$i: $(collector_summary "$i")"
    done
  else
    echo "  not started"
    ok=0
  fi
  ((ok)) || { echo "local-cluster: something is down" >&2; exit 1; }
}

case $command in
  up) do_up ;;
  down) do_down ;;
  status) do_status ;;
esac
