#!/usr/bin/env bash
# day-of-use.sh: a day of use of hoga as its owner sees it on a phone, with
# no account and no Telegram: the fake Bot API (faketelegram) and a
# live-mode fake KIS (fakebroker) on loopback, hoga in between. It asks for
# prices (by code and by name), buys at market and at a limit with the
# [확인] button, lets the limit order fill, adds a rule, then cuts Telegram
# off for OUTAGE seconds (default 300) while a rule buys and the strategy
# pauses, sends commands into the outage, brings Telegram back and asks
# again. It writes what the owner's private chat and the alert group show,
# wrapped at a phone's width (telegramtest.Phone), to OUT/phone-*.txt.
#
#   scripts/day-of-use.sh [ko|en]        (OUT=/tmp/hoga-day-ko by default)
#   OUTAGE=60 PORT=18200 scripts/day-of-use.sh en
#
# It was written for issue 19's trial; read the two files as the owner would.
set -euo pipefail
LANG_=${1:-ko}
OUT=${OUT:-/tmp/hoga-day-$LANG_}
PORT=${PORT:-18100}
OUTAGE=${OUTAGE:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$OUT"; mkdir -p "$OUT/bin"
(cd "$root" && go build -o "$OUT/bin/" ./cmd/hoga ./cmd/fakebroker ./bot/telegramtest/cmd/faketelegram)
cd "$OUT"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
bin/fakebroker -broker kis -mode live -walk 0 -addr 127.0.0.1:$PORT >fb.out 2>fb.err & pids+=($!)
bin/faketelegram -addr 127.0.0.1:$((PORT+1)) -token 7000000001:TRIAL >ft.out 2>ft.err & pids+=($!)
for _ in $(seq 50); do grep -q HOGA_KIS_ACCOUNT fb.out 2>/dev/null && break; sleep 0.1; done
setting() { sed -n "s/^export $1=//p" fb.out; }
HOGA_LANG=$LANG_ HOGA_BROKER=kis HOGA_MODE=live HOGA_KIS_BASE_URL=http://127.0.0.1:$PORT \
HOGA_KIS_APP_KEY=$(setting HOGA_KIS_APP_KEY) HOGA_KIS_APP_SECRET=$(setting HOGA_KIS_APP_SECRET) \
HOGA_KIS_ACCOUNT=$(setting HOGA_KIS_ACCOUNT) HOGA_MARKET_HOURS=always \
HOGA_TELEGRAM_TOKEN=7000000001:TRIAL HOGA_TELEGRAM_API_URL=http://127.0.0.1:$((PORT+1)) \
HOGA_TELEGRAM_ALLOWED_USERS=111 HOGA_TELEGRAM_ALERT_CHAT=-1001234 HOGA_DATA_DIR=$OUT/data \
  bin/hoga </dev/null >hoga.out 2>hoga.err & pids+=($!)
sleep 3
T=http://127.0.0.1:$((PORT+1))/_fake B=http://127.0.0.1:$PORT/_fake
say() { curl -fsS -X POST "$T/send?user=111" --data-binary "$1" >/dev/null; sleep "${2:-1.5}"; }
press() { curl -fsS -X POST "$T/press?user=111" --url-query "button=$1" >/dev/null; sleep "${2:-1.5}"; }
price() { curl -fsS -X POST "$B/price?code=005930&price=$1" >/dev/null; }
if [ "$LANG_" = en ]; then ok=Confirm; else ok=확인; fi
say /start; say "/price 005930"; say "/price 삼성전자"; say /balance
say "/buy 005930 10"; press "$ok" 3
say "/buy 005930 5 65000"; press "$ok" 2; price 64900; sleep 4
say "/rule add 005930 buy<64000 sell>66000 qty=1 cooldown=1m" 2
say /orders; say /status
echo "telegram down at $(date -u +%T)"
curl -fsS -X POST "$T/fault?kind=down" >/dev/null
price 63900; sleep 20                       # the rule buys while nobody can be told
say "/price 005930" 1; say "/buy 005930 1" 1; say /orders 1   # sent into the outage
sleep $((OUTAGE * 6 / 10)); price 66100      # the strategy has paused: no sell yet
rest=$((OUTAGE - 20 - OUTAGE * 6 / 10)); if [ "$rest" -gt 0 ]; then sleep "$rest"; fi
curl -fsS -X POST "$T/fault?kind=up" >/dev/null
echo "telegram up at $(date -u +%T)"
sleep 40
say /status; say /balance; say "/orders open"
curl -fsS "$T/phone?chat=111" >phone-private.txt
curl -fsS "$T/phone?chat=-1001234" >phone-group.txt
echo "wrote $OUT/phone-private.txt and $OUT/phone-group.txt"
