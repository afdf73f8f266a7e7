#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft, broker + controller in one process) from the
# jars that kafka/pom.xml pins, without Docker.
#
#   scripts/kafka.sh check    exit 0 if Java (and, until the jars are fetched, Maven) is here; else say what to install
#   scripts/kafka.sh jars     resolve the jars from Maven Central into .cache/kafka/libs (once)
#   scripts/kafka.sh start    format storage if new, start the broker, wait until it serves clients
#   scripts/kafka.sh stop     stop it (SIGTERM, then wait for a clean shutdown)
#   scripts/kafka.sh status   exit 0 if it is running
#
# Settings (environment): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_DATA_DIR (.cache/kafka/data), KAFKA_HEAP_OPTS (-Xms256m -Xmx512m).
# Tests run their own broker on other ports and another data dir, so they never touch this one.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIBS="$ROOT/.cache/kafka/libs"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/kafka/pom.xml")"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
DATA_DIR="${KAFKA_DATA_DIR:-$ROOT/.cache/kafka/data}"
PID_FILE="$DATA_DIR/broker.pid"
LOG_FILE="$DATA_DIR/broker.log"
START_TIMEOUT_SECONDS="${KAFKA_START_TIMEOUT_SECONDS:-90}"

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

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_config() {
  cat >"$DATA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA_DIR/logs
num.partitions=6
# Topics are created explicitly by the apps (with their partition counts), never by a typo.
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
PROPS
}

start() {
  check
  jars
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on 127.0.0.1:$PORT"
    return 0
  fi
  if port_open "$PORT" || port_open "$CONTROLLER_PORT"; then
    log "port $PORT or $CONTROLLER_PORT is taken by another process; set KAFKA_PORT/KAFKA_CONTROLLER_PORT"
    exit 1
  fi
  mkdir -p "$DATA_DIR/logs"
  write_config
  local cp="$LIBS/*"
  local java_opts=(-Dlog4j.configuration="file:$ROOT/kafka/log4j.properties" ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC -Djava.awt.headless=true)
  if [ ! -f "$DATA_DIR/logs/meta.properties" ]; then
    local cluster_id
    cluster_id="$(java -cp "$cp" "${java_opts[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    java -cp "$cp" "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$DATA_DIR/server.properties" --ignore-formatted >>"$LOG_FILE" 2>&1
    log "formatted KRaft storage in $DATA_DIR/logs (cluster $cluster_id)"
  fi
  # setsid: the broker must outlive the shell (and the npm process) that started it.
  setsid nohup java -cp "$cp" "${java_opts[@]}" kafka.Kafka "$DATA_DIR/server.properties" >>"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local pid=$!
  local waited=0
  until port_open "$PORT" && grep -q "Kafka Server started" "$LOG_FILE"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker exited during start-up; last lines of $LOG_FILE:"
      tail -n 30 "$LOG_FILE" >&2
      exit 1
    fi
    if [ "$waited" -ge "$((START_TIMEOUT_SECONDS * 5))" ]; then
      log "broker did not become ready in ${START_TIMEOUT_SECONDS}s; see $LOG_FILE"
      exit 1
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  log "Apache Kafka $KAFKA_VERSION ready on 127.0.0.1:$PORT (pid $pid, data $DATA_DIR)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; log "stopped (pid $pid)"; return 0; }
    sleep 0.1
  done
  log "broker did not stop in 30s; killing pid $pid"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

case "${1:-}" in
  check) check ;;
  jars) jars ;;
  start) start ;;
  stop) stop ;;
  status) running_pid >/dev/null ;;
  *) echo "usage: $0 check|jars|start|stop|status" >&2; exit 2 ;;
esac
