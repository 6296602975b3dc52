#!/usr/bin/env bash
# One benchmark figure as docs/benchmarks.md records it: a fresh single-node server (new data directory,
# embedded PostgreSQL and Redis), a warm-up run of the scenario at half the rate, then the measured run.
#
#   scripts/bench.sh SCENARIO [--key=value ...]        e.g. scripts/bench.sh storm-ring --callees=6000 --rate=400
#
# Needs target/convene.jar and target/convene-bench.jar (mvn -B -q package -DskipTests).
# BENCH_PORT (18090), BENCH_HEAP (1g), BENCH_SERVER_ENV ("NAME=value ..." for the server) and
# BENCH_WARMUP_SECONDS (10) adjust it; BENCH_JFR=file records a flight recording
# of the server. The server's log is left in /tmp/convene-bench-server.log.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=${1:?usage: scripts/bench.sh SCENARIO [--key=value ...]}
shift
port=${BENCH_PORT:-18090}
data=$(mktemp -d /tmp/convene-bench.XXXXXX)
log="$data/server.log"
warmup=${BENCH_WARMUP_SECONDS:-10}

rate=""
args=()
for a in "$@"; do
  case "$a" in
    --rate=*) rate=${a#--rate=} ;;
    *) args+=("$a") ;;
  esac
done

jfr=()
if [[ -n "${BENCH_JFR:-}" ]]; then
  jfr=("-XX:FlightRecorderOptions=stackdepth=512" "-XX:StartFlightRecording=filename=${BENCH_JFR},settings=profile,dumponexit=true")
fi

# All load comes from one address: the per-address rate limits are off; the generator's watchers share no
# meeting with whom they watch: presence is visible to everyone (BENCH_SERVER_ENV may set either back).
# shellcheck disable=SC2086
env CONVENE_DATA_DIR="$data" CONVENE_HTTP_PORT="$port" CONVENE_HTTP_HOST=127.0.0.1 CONVENE_LIMITS_ENABLED=false \
  CONVENE_PRESENCE_VISIBILITY=everyone \
  ${BENCH_SERVER_ENV:-} \
  java -Xmx"${BENCH_HEAP:-1g}" "${jfr[@]}" -jar target/convene.jar >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; cp "$log" /tmp/convene-bench-server.log; rm -rf "$data"' EXIT

for _ in $(seq 1 240); do
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "bench: the server did not get ready" >&2; exit 1; }

# The generator compiles with C1 only: a fresh JVM otherwise spends half its CPU in the C2 compiler, taken
# from the cores it shares with the server under test.
bench=(java -XX:TieredStopAtLevel=1 -jar target/convene-bench.jar)
url="--urls=http://127.0.0.1:$port"
secret="--dev-secret=$(cat "$data/dev-jwt-secret")"
if [[ -n "$rate" ]]; then
  half=$(( rate / 2 > 0 ? rate / 2 : 1 ))
  echo "== warm-up: $scenario at $half/s for ${warmup} s"
  warm=("${args[@]}")
  case "$scenario" in
    storm-ring) warm=("--callees=$(( half * warmup ))") ;;
    storm-presence) warm=("--users=$(( half * warmup ))") ;;
  esac
  "${bench[@]}" "$scenario" "$url" "$secret" "--rate=$half" "--duration=$warmup" "--warmup=0" "${warm[@]}" >/dev/null
  args+=("--rate=$rate")
fi
echo "== $scenario $*"
TIMEFORMAT='== generator: %U s user + %S s system CPU in %R s'
time "${bench[@]}" "$scenario" "$url" "$secret" "${args[@]}"
# PostgreSQL's CPU: its postmaster's own, what it reaped from backends that exited, and its live children
pg_cpu() {
  local pm
  pm=$(pgrep -f -- "-D $data/postgres" | head -1 || true)
  if [[ -z "$pm" ]]; then echo 0; return; fi
  # shellcheck disable=SC2046
  cat "/proc/$pm/stat" $(pgrep -P "$pm" | sed 's|.*|/proc/&/stat|') 2>/dev/null \
    | awk -v hz="$(getconf CLK_TCK)" '{s += $14 + $15 + $16 + $17} END {printf "%d", s / hz}'
}
echo "== CPU seconds so far: server $(ps -o cputimes= -p $server), PostgreSQL $(pg_cpu), Redis $(ps -eo comm=,cputimes= | awk '$1 ~ /redis/ {s += $2} END {print s + 0}')"
echo "== server CPU seconds by thread: $(ps -L -o comm=,cputimes= -p $server | sed -E 's/[-#]?[0-9]+ +/ /' | awk '{s[$1] += $2} END {for (k in s) if (s[k] > 0) printf "%s %d, ", k, s[k]}')"
curl -fs "http://127.0.0.1:$port/metrics" | grep -E "^convene_(presence_untold_total|outbox_dead|outbox_retried_total|sockets_closed_by_server_total|(ring|presence|event)_delivery_seconds_(count|sum|max))[ {]|^vertx_http_server_response_time_seconds_(count|sum|max)" || true
# Redis commands the run cost (embedded Redis only): calls per command
redis_port=$(grep -oE 'redis://127\.0\.0\.1:[0-9]+ \(embedded\)' "$log" | head -1 | sed -E 's/.*:([0-9]+) .*/\1/' || true)
if [[ -n "$redis_port" ]]; then
  exec 3<>"/dev/tcp/127.0.0.1/$redis_port"
  printf 'INFO commandstats\r\nQUIT\r\n' >&3
  echo "== Redis calls: $(tr -d '\r' <&3 | grep -oE '^cmdstat_[a-z|]+:calls=[0-9]+' | sed -E 's/cmdstat_//; s/:calls=/ /' | sort -k2 -nr | tr '\n' ',' | sed 's/,/, /g')"
  exec 3>&-
fi
