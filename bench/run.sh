#!/usr/bin/env bash
# Runs the client comparison benchmarks and reports them.
#
#   bench/run.sh                      # every benchmark, -count 6
#   COUNT=10 bench/run.sh             # more samples
#   ROUNDS=3 COUNT=2 bench/run.sh     # 6 samples, taken in 3 rounds over
#                                     # the whole set (spreads a noisy
#                                     # moment over every benchmark)
#   BENCH='Ours$|HandWritten$|ServerReplay' bench/run.sh
#   CPU=1 bench/run.sh                # GOMAXPROCS=1 for every benchmark
#                                     # (client and server on one thread;
#                                     # default: every core, $(nproc))
#
# Prints the machine and its load, the raw results (also kept in
# bench/results/, which git ignores), benchstat's summaries, then a table of
# medians (ns/op, B/op, allocs/op side by side, the server's share and the
# client's own) and the ratios of our client to the hand-written one.
# The machine should be quiet: every benchmark shares its cores with the
# in-process server, and anything else running shows up in the numbers.
set -euo pipefail
cd "$(dirname "$0")"

COUNT=${COUNT:-6}
ROUNDS=${ROUNDS:-1}
BENCH=${BENCH:-.}
BENCHTIME=${BENCHTIME:-1s}
CPU=${CPU:-$(nproc)}
# benchstat has no releases; this pseudo-version builds with Go 1.26.
BENCHSTAT=${BENCHSTAT:-golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da}
# Measure this module as its go.mod and go.sum pin it, whatever go.work says.
export GOWORK=off

mkdir -p results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
raw=results/bench-$stamp.txt

{
  echo "# $(go version)"
  echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') x $(nproc)"
  echo "# start: $(date -u +%FT%TZ), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# $ROUNDS round(s) of: go test -run '^\$' -bench '$BENCH' -benchmem -count $COUNT -benchtime $BENCHTIME -cpu $CPU"
} | tee "$raw"

# One test binary for every round.
go test -c -o results/bench.test .
for ((round = 1; round <= ROUNDS; round++)); do
  ./results/bench.test -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count "$COUNT" \
    -test.benchtime "$BENCHTIME" -test.cpu "$CPU" -test.timeout 60m | tee -a "$raw"
done
echo "# end: $(date -u +%FT%TZ), load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$raw"
cp "$raw" results/latest.txt

echo
echo "== benchstat: every benchmark"
go run "$BENCHSTAT" "$raw"
echo
echo "== benchstat: the sequential clients against the hand-written one"
go run "$BENCHSTAT" -filter '.name:(HandWritten OR Ours OR OursRPC OR AliyunSDK OR Darabonba)' \
  -col '.name@(HandWritten Ours OursRPC AliyunSDK Darabonba)' "$raw"
echo
echo "== medians side by side, client-only allocations, ratios"
go run ./cmd/benchreport "$raw"
echo
echo "raw results: bench/$raw"
