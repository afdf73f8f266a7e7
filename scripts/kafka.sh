#!/usr/bin/env bash
# Runs a real Apache Kafka in KRaft mode from the jars that kafka/pom.xml pins, without Docker: one
# node (broker + controller in one process), or with KAFKA_NODES=3 a cluster of three such nodes on
# this machine (three processes, one controller quorum), as production runs it.
#
#   scripts/kafka.sh check          exit 0 if Java (and, until the jars are fetched, Maven) is here; else say what to install
#   scripts/kafka.sh jars           resolve the jars from Maven Central into .cache/kafka/libs (once)
#   scripts/kafka.sh start          format storage if new, start every node not running, wait until they serve clients
#   scripts/kafka.sh stop           stop every node (SIGTERM, then wait for a clean shutdown)
#   scripts/kafka.sh status         exit 0 if every node is running
#   scripts/kafka.sh brokers        print the bootstrap list for KAFKA_BROKERS (127.0.0.1:9092,...)
#   scripts/kafka.sh kill NODE      kill -9 one node (1..KAFKA_NODES), as a crash would; `start` brings it back
#   scripts/kafka.sh start-cluster  start, stop-cluster: stop, with KAFKA_NODES=3 unless it is set
#
# Settings (environment): KAFKA_NODES (1), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_DATA_DIR (.cache/kafka/data; .cache/kafka/cluster with several nodes),
# KAFKA_HEAP_OPTS (-Xms256m -Xmx512m; -Xms128m -Xmx256m a node with several nodes).
# Node n (1-based) listens on KAFKA_PORT + 2(n-1) for clients and KAFKA_CONTROLLER_PORT + 2(n-1) for
# the quorum: 9092/9093, 9094/9095, 9096/9097 by default.
# Tests run their own brokers on other ports and other data dirs, so they never touch these.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIBS="$ROOT/.cache/kafka/libs"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/kafka/pom.xml")"
case "${1:-}" in start-cluster | stop-cluster) KAFKA_NODES="${KAFKA_NODES:-3}" ;; esac
NODES="${KAFKA_NODES:-1}"
[[ "$NODES" =~ ^[1-9][0-9]*$ ]] || { echo "KAFKA_NODES must be a node count (1, or 3 for a cluster), not '$NODES'" >&2; exit 2; }
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
if [ "$NODES" -eq 1 ]; then
  DATA_DIR="${KAFKA_DATA_DIR:-$ROOT/.cache/kafka/data}"
  HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
else
  DATA_DIR="${KAFKA_DATA_DIR:-$ROOT/.cache/kafka/cluster}"
  HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx256m}"
fi
START_TIMEOUT_SECONDS="${KAFKA_START_TIMEOUT_SECONDS:-$((NODES == 1 ? 90 : 180))}"
# Internal topics (consumer offsets, transactions) replicated like the apps' topics: 3 copies, 2 in sync.
REPLICAS=$((NODES < 3 ? NODES : 3))
MIN_INSYNC=$((REPLICAS > 1 ? REPLICAS - 1 : 1))

log() { printf '[kafka] %s\n' "$*" >&2; }

have_jars() { [ -f "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]; }

java_major() {
  local version
  version="$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -n 1)"
  version="${version#1.}" # 1.8 is Java 8
  echo "${version%%.*}"
}

install_hint() {
  if command -v apt-get >/dev/null; then echo "sudo apt-get install $1"
  elif command -v dnf >/dev/null; then echo "sudo dnf install $2"
  elif command -v brew >/dev/null; then echo "brew install $3"
  else echo "$4"
  fi
}

# What the broker needs from this machine, said up front rather than as a failure half-way.
check() {
  local missing=() debian=() fedora=() mac=() other=() major=""
  command -v java >/dev/null && major="$(java_major)"
  if ! command -v java >/dev/null; then
    missing+=("Java 17 or newer (no java on PATH)")
  elif [ -z "$major" ] || [ "$major" -lt 17 ]; then
    missing+=("Java 17 or newer (java on PATH is $(java -version 2>&1 | head -n 1))")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    debian+=(openjdk-17-jre-headless); fedora+=(java-17-openjdk-headless); mac+=(openjdk@17)
    other+=("a Java 17 runtime (https://adoptium.net)")
  fi
  if ! have_jars && ! command -v mvn >/dev/null; then
    missing+=("Maven (no mvn on PATH; it fetches the pinned Kafka jars once)")
    debian+=(maven); fedora+=(maven); mac+=(maven); other+=("Apache Maven (https://maven.apache.org)")
  fi
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "the Kafka broker needs what this machine lacks:"
  for item in "${missing[@]}"; do log "  - $item"; done
  log "install it with: $(install_hint "${debian[*]}" "${fedora[*]}" "${mac[*]}" "${other[*]}")"
  exit 1
}

jars() {
  have_jars && return 0
  check
  log "resolving Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS"
  rm -rf "$LIBS"
  mvn -q -B -Dstyle.color=never -f "$ROOT/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS"
  [ -f "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] || { log "jar resolution did not produce kafka_2.13-$KAFKA_VERSION.jar"; exit 1; }
}

node_port() { echo $((PORT + 2 * ($1 - 1))); }
node_controller_port() { echo $((CONTROLLER_PORT + 2 * ($1 - 1))); }
# One node keeps the layout it always had; several get a folder each.
node_dir() { if [ "$NODES" -eq 1 ]; then echo "$DATA_DIR"; else echo "$DATA_DIR/node-$1"; fi; }

running_pid() {
  local pid_file pid
  pid_file="$(node_dir "$1")/broker.pid"
  [ -f "$pid_file" ] || return 1
  pid="$(cat "$pid_file")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

voters() {
  local node list=()
  for node in $(seq 1 "$NODES"); do list+=("$node@127.0.0.1:$(node_controller_port "$node")"); done
  (IFS=,; echo "${list[*]}")
}

brokers() {
  local node list=()
  for node in $(seq 1 "$NODES"); do list+=("127.0.0.1:$(node_port "$node")"); done
  (IFS=,; echo "${list[*]}")
}

write_config() {
  local node=$1 dir port controller_port
  dir="$(node_dir "$node")"
  port="$(node_port "$node")"
  controller_port="$(node_controller_port "$node")"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$node
controller.quorum.voters=$(voters)
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/logs
num.partitions=6
# Topics are created explicitly by the apps (with their partition counts and replication), never by a typo.
auto.create.topics.enable=false
offsets.topic.replication.factor=$REPLICAS
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=$REPLICAS
transaction.state.log.min.isr=$MIN_INSYNC
group.initial.rebalance.delay.ms=0
log.retention.hours=168
# Compaction's key map (credit.balance.updated) is allocated on the heap when the broker starts:
# 128 MB by default, which a 256 MB cluster node restarted after a crash could not find (OOM).
log.cleaner.dedupe.buffer.size=33554432
PROPS
}

java_opts() {
  # shellcheck disable=SC2206 # HEAP_OPTS is a list of JVM flags
  JAVA_OPTS=(-Dlog4j.configuration="file:$ROOT/kafka/log4j.properties" $HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true)
}

# Every node of a cluster must be formatted with the same cluster id: it is made once, kept beside them.
cluster_id() {
  local id_file="$DATA_DIR/cluster.id"
  if [ ! -s "$id_file" ]; then
    java -cp "$LIBS/*" "${JAVA_OPTS[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$id_file"
  fi
  cat "$id_file"
}

formatted() { [ -f "$(node_dir "$1")/logs/meta.properties" ]; }

format() {
  local node=$1 id=$2 dir
  dir="$(node_dir "$node")"
  java -cp "$LIBS/*" "${JAVA_OPTS[@]}" kafka.tools.StorageTool format -t "$id" \
    -c "$dir/server.properties" --ignore-formatted >>"$dir/broker.log" 2>&1
  log "formatted KRaft storage in $dir/logs (cluster $id)"
}

# Starts one node in the background; does not wait.
launch() {
  local node=$1 dir
  dir="$(node_dir "$node")"
  # setsid: the broker must outlive the shell (and the npm process) that started it.
  setsid nohup java -cp "$LIBS/*" "${JAVA_OPTS[@]}" kafka.Kafka "$dir/server.properties" \
    >>"$dir/broker.log" 2>&1 </dev/null &
  echo $! >"$dir/broker.pid"
}

# Until the node serves clients. Only what this start logged counts: after a restart the log still
# holds the previous run's "started" line. A node of a cluster starts once a majority of its
# controller quorum is up, which is why every node is launched before any is waited for.
wait_ready() {
  local node=$1 log_from=$2 dir pid waited=0
  dir="$(node_dir "$node")"
  pid="$(cat "$dir/broker.pid")"
  until port_open "$(node_port "$node")" &&
    tail -c +"$((log_from + 1))" "$dir/broker.log" | grep -q "Kafka Server started"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "node $node exited during start-up; last lines of $dir/broker.log:"
      tail -n 30 "$dir/broker.log" >&2
      exit 1
    fi
    if [ "$waited" -ge "$((START_TIMEOUT_SECONDS * 5))" ]; then
      log "node $node did not become ready in ${START_TIMEOUT_SECONDS}s; see $dir/broker.log"
      exit 1
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  log "node $node ready on 127.0.0.1:$(node_port "$node") (pid $pid, data $dir)"
}

start() {
  check
  jars
  java_opts
  local node pid launched=() log_from=()
  mkdir -p "$DATA_DIR"
  for node in $(seq 1 "$NODES"); do
    if pid="$(running_pid "$node")"; then
      log "node $node already running (pid $pid) on 127.0.0.1:$(node_port "$node")"
    elif port_open "$(node_port "$node")" || port_open "$(node_controller_port "$node")"; then
      log "port $(node_port "$node") or $(node_controller_port "$node") is taken by another process; set KAFKA_PORT/KAFKA_CONTROLLER_PORT"
      exit 1
    fi
  done
  for node in $(seq 1 "$NODES"); do
    running_pid "$node" >/dev/null && continue
    mkdir -p "$(node_dir "$node")/logs"
    write_config "$node"
    launched+=("$node")
    log_from+=("$(stat -c %s "$(node_dir "$node")/broker.log" 2>/dev/null || echo 0)")
  done
  # New storage is formatted side by side: each format is a JVM of its own, seconds each.
  local i id="" formats=()
  for node in "${launched[@]}"; do
    formatted "$node" && continue
    [ -n "$id" ] || id="$(cluster_id)"
    format "$node" "$id" &
    formats+=($!)
  done
  for i in "${formats[@]}"; do wait "$i" || { log "formatting storage failed; see $DATA_DIR"; exit 1; }; done
  for node in "${launched[@]}"; do launch "$node"; done
  for i in "${!launched[@]}"; do wait_ready "${launched[$i]}" "${log_from[$i]}"; done
  [ "${#launched[@]}" -gt 0 ] && log "Apache Kafka $KAFKA_VERSION ready: $(brokers) ($NODES node(s), data $DATA_DIR)"
  return 0
}

# SIGTERM to every node at once (a clean shutdown each), then wait; a node still there after 30 s
# (a cluster node can wait for a controller quorum that is leaving with it) is killed.
stop() {
  local node pid pids=()
  for node in $(seq 1 "$NODES"); do
    if pid="$(running_pid "$node")"; then
      kill -TERM "$pid"
      pids+=("$node:$pid")
    fi
    [ -d "$(node_dir "$node")" ] && rm -f "$(node_dir "$node")/broker.pid"
  done
  [ "${#pids[@]}" -eq 0 ] && { log "not running"; return 0; }
  local entry remaining
  for _ in $(seq 1 300); do
    remaining=0
    for entry in "${pids[@]}"; do kill -0 "${entry#*:}" 2>/dev/null && remaining=1; done
    [ "$remaining" -eq 0 ] && break
    sleep 0.1
  done
  for entry in "${pids[@]}"; do
    if kill -0 "${entry#*:}" 2>/dev/null; then
      log "node ${entry%%:*} did not stop in 30s; killing pid ${entry#*:}"
      kill -KILL "${entry#*:}" 2>/dev/null || true
    else
      log "node ${entry%%:*} stopped (pid ${entry#*:})"
    fi
  done
}

kill_node() {
  local node=${1:-} pid
  if ! [[ "$node" =~ ^[0-9]+$ ]] || [ "$node" -lt 1 ] || [ "$node" -gt "$NODES" ]; then
    echo "usage: $0 kill NODE (1..$NODES; set KAFKA_NODES)" >&2
    exit 2
  fi
  pid="$(running_pid "$node")" || { log "node $node not running"; return 0; }
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$(node_dir "$node")/broker.pid"
  log "node $node killed (pid $pid)"
}

status() {
  local node
  for node in $(seq 1 "$NODES"); do running_pid "$node" >/dev/null || return 1; done
}

case "${1:-}" in
  check) check ;;
  jars) jars ;;
  start | start-cluster) start ;;
  stop | stop-cluster) stop ;;
  status) status ;;
  brokers) brokers ;;
  kill) kill_node "${2:-}" ;;
  *) echo "usage: $0 check|jars|start|stop|status|brokers|kill NODE|start-cluster|stop-cluster" >&2; exit 2 ;;
esac
