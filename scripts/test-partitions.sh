#!/usr/bin/env bash
# npm run test:partitions: the partition suite (test/partitions/) on network namespaces of its own.
# It needs root, network namespaces, nftables, tc, PostgreSQL 15's server binaries and Java (Kafka);
# without them it says so and exits 0 with "skipped" on its last line. Whatever happens (a failure,
# Ctrl-C), everything it made is removed on the way out.
#   PARTITIONS_PROFILE=full (npm run test:partitions) or short (npm test); see support/partition-config.ts.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PG_BIN="${PARTITIONS_PG_BIN:-/usr/lib/postgresql/15/bin}"
PREFIX="${PARTITIONS_NETNS_PREFIX:-tparts}"

missing() {
  [ "$(id -u)" = 0 ] || { echo "root"; return; }
  for tool in ip nft tc java runuser; do command -v "$tool" >/dev/null || { echo "$tool"; return; }; done
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries in $PG_BIN"; return; }
  [ -d .cache/kafka/libs ] || { echo "the Kafka jars (npm run kafka:jars)"; return; }
  ip netns add "$PREFIX-probe" 2>/dev/null || { echo "network namespaces"; return; }
  ip netns del "$PREFIX-probe"
}

why="$(missing)"
if [ -n "$why" ]; then
  echo "partitions: skipped (this machine lacks $why)"
  exit 0
fi

teardown() { npx tsx test/partitions/support/teardown.ts; }
# In the background, so that a signal reaches the trap at once (bash runs traps only between
# commands); every process the suite starts lives in one of its namespaces, which teardown empties.
npm run -s jest -- --runInBand --forceExit --selectProjects partitions "$@" &
suite=$!
trap 'kill -TERM "$suite" 2>/dev/null; wait "$suite"; teardown; exit 130' INT TERM
wait "$suite"
status=$?
teardown || status=1
exit "$status"
