#!/bin/bash
# usage: benches/wrk/measure.sh CHECKOUT_DIR LABEL [SECONDS]: the four wrk figures of one build (that
# checkout's target/release/storefront and components), each on a freshly migrated database
# (ROWS="get api pages writer" picks rows; UP_ARGS and WRITER_ARGS are extra flags for `storefront up`
# and the standalone `storefront writer`)
# with stock raised; CPU is the process's utime+stime per request. Needs wrk, curl, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$1; LABEL=$2; SECS=${3:-8}
BIN=$DIR/target/release/storefront
cd $DIR
T=$(mktemp -d)
# production processes refuse to start without the shop's public origin
export SPIN_VARIABLE_SHOP_URL=${SPIN_VARIABLE_SHOP_URL:-https://shop.example}
# a migrated database with plenty of stock
SPIN_VARIABLE_WRITER_TOKEN=test-writer-token-0123456789 $BIN writer --data-dir $T --listen 127.0.0.1:3930 > $T/log0 2>&1 &
for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:3930/health && break; sleep 0.1; done
pkill -TERM -f "writer --data-dir $T"; sleep 1.5
python3 -c "import sqlite3; c=sqlite3.connect('$T/sqlite_db.db'); c.execute('UPDATE variants SET stock=100000000'); c.commit()"
rm -f $T/storefront.lock
mkdir $T/a $T/b; cp $T/sqlite_db.db $T/a/; cp $T/sqlite_db.db $T/b/
tck=$(getconf CLK_TCK)
ROWS=${ROWS:-get api pages writer}
want() { [[ " $ROWS " == *" $1 "* ]]; }
run() { # name pid wrkargs...
  local name=$1 pid=$2; shift 2
  local a=$(awk '{print $14+$15}' /proc/$pid/stat)
  local out=$(wrk "$@")
  local b=$(awk '{print $14+$15}' /proc/$pid/stat)
  local n=$(echo "$out" | grep "requests in" | awk '{print $1}')
  local bad=$(echo "$out" | grep "Non-2xx" | awk '{print $NF}')
  echo "$LABEL $name: $(echo "$out" | grep Requests/sec | awk '{print $2}')/s p50=$(echo "$out" | grep ' 50%' | awk '{print $2}') p99=$(echo "$out" | grep ' 99%' | awk '{print $2}') cpu/req=$(python3 -c "print(round(($b-$a)/$tck/$n*1000,3))")ms non2xx=${bad:-0}"
}
# all in one: pages + writer
SPIN_VARIABLE_CLIENT_IP_HEADER=x-forwarded-for $BIN up --no-build --data-dir $T/a --listen 127.0.0.1:3931 $UP_ARGS > $T/log1 2>&1 &
for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:3931/ && break; sleep 0.1; done
PID=$(pgrep -f "up --no-build --data-dir $T/a")
want get && run "GET /" $PID -t2 -c32 -d${SECS}s --latency http://127.0.0.1:3931/
want api && run "GET /api/products" $PID -t2 -c32 -d${SECS}s --latency http://127.0.0.1:3931/api/products
want pages && run "POST /api/orders (pages)" $PID -t2 -c32 -d${SECS}s --latency -s $HERE/api_order.lua http://127.0.0.1:3931
kill -TERM $PID; sleep 1
# writer alone
SPIN_VARIABLE_WRITER_TOKEN=test-writer-token-0123456789 $BIN writer --data-dir $T/b --listen 127.0.0.1:3932 $WRITER_ARGS > $T/log2 2>&1 &
for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:3932/health && break; sleep 0.1; done
PID=$(pgrep -f "writer --data-dir $T/b")
want writer && run "POST /orders (writer direct)" $PID -t2 -c32 -d${SECS}s --latency -s $HERE/order.lua http://127.0.0.1:3932
kill -TERM $PID; sleep 1
rm -rf $T
