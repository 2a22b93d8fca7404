#!/bin/bash
# SIPp-against-SIPp self-test of the scenarios in ..; loopback only, ports 15071/15081/15999.
# Usage: test/live/sipp/selftest/run-selftest.sh   (exit 0 = all pairs passed)
set -u
D=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/sipp-selftest.XXXXXX)
cd "$W" || exit 2
T="-nostdin -timeout 20s -timeout_error"
UAS="-i 127.0.0.1 -p 15071 $T"
UAC="-i 127.0.0.1 -p 15081 -s 1001 127.0.0.1:15071 -m 1 $T"
fail=0
# pair NAME EXPECTED_UAS_RC EXPECTED_UAC_RC "UAS args" "UAC args" ["second UAC args"]
pair() {
  local name=$1 euas=$2 euac=$3 uas=$4 uac=$5 uac2=${6:-}
  mkdir -p "$W/$name"; cd "$W/$name"
  eval "sipp $uas" >/dev/null 2>&1 & local up=$!
  sleep 0.3
  eval "sipp $uac" >/dev/null 2>&1; local rc=$?
  if [ -n "$uac2" ]; then eval "sipp $uac2" >/dev/null 2>&1; rc=$((rc | $?)); fi
  wait $up; local urc=$?
  if [ $urc -eq $euas ] && [ $rc -eq $euac ]; then echo "PASS $name (uas=$urc uac=$rc)"
  else echo "FAIL $name (uas=$urc want $euas, uac=$rc want $euac)"; fail=1; fi
  cd "$W"
}
pair call-answer 0 0 "-sf $D/uas-answer.xml $UAS -m 1 -set RING_MS 300" \
  "-sf $D/uac-call.xml $UAC -set CALLER 0612345678 -set CALLERNAME 'Jane Doe' -set CARRIER lab -set TALK_MS 500"
pair call-uas-hangup 0 0 "-sf $D/uas-answer.xml $UAS -m 1 -set RING_MS 200 -set HANGUP_MS 300" \
  "-sf $D/uac-call.xml $UAC -set CALLER 1002 -set CARRIER none -set TALK_MS 5000"
pair cancel-ring 0 0 "-sf $D/uas-ring.xml $UAS -m 1" \
  "-sf $D/uac-cancel.xml $UAC -set CALLER 0612 -set CARRIER lab -set RING_MS 500"
pair cancel-then-answer 0 0 "-sf $D/uas-answer.xml $UAS -m 2 -set RING_MS 1500" \
  "-sf $D/uac-cancel.xml $UAC -set RING_MS 400" "-sf $D/uac-call.xml $UAC -set TALK_MS 300"
pair cancel-race-answered 0 0 "-sf $D/uas-answer.xml $UAS -m 1 -set RING_MS 0" \
  "-sf $D/uac-cancel.xml $UAC -set RING_MS 300"
pair busy-expect-fail 0 0 "-sf $D/uas-busy.xml $UAS -m 1 -set RING_MS 300" \
  "-sf $D/uac-call.xml $UAC -set EXPECT_FAIL 1"
pair busy-not-expected 0 1 "-sf $D/uas-busy.xml $UAS -m 1 -set RING_MS 300" \
  "-sf $D/uac-call.xml $UAC"
pair busy-cancelled 0 0 "-sf $D/uas-busy.xml $UAS -m 1 -set RING_MS 3000" \
  "-sf $D/uac-cancel.xml $UAC -set RING_MS 500"
pair dtmf-uac 0 0 "-sf $D/uas-answer.xml $UAS -m 1 -set RING_MS 200" \
  "-sf $D/uac-dtmf.xml $UAC -set CARRIER lab -set WAIT_MS 200 -set DIGITS '12*#' -set GAP_MS 100 -set TALK_MS 300"
pair dtmf-uas-hangup 0 0 "-sf $D/uas-dtmf.xml $UAS -m 1 -set RING_MS 200 -set WAIT_MS 200 -set DIGITS '*21003' -set GAP_MS 100 -set HANGUP_MS 300" \
  "-sf $D/uac-call.xml $UAC -set TALK_MS 10000"
pair dtmf-uas-bye-midway 0 0 "-sf $D/uas-dtmf.xml $UAS -m 1 -set RING_MS 100 -set WAIT_MS 100 -set DIGITS 123456789 -set GAP_MS 200" \
  "-sf $D/uac-call.xml $UAC -set TALK_MS 700"
pair reinvite-info-options 0 0 "-sf $D/uas-answer.xml $UAS -m 1 -set RING_MS 100" \
  "-sf $D/selftest/peer-reinvite-uac.xml $UAC"
pair blind-transfer 0 0 "-sf $D/uas-blind-transfer.xml $UAS -m 1 -set RING_MS 100 -set TALK_MS 200 -set TARGET 1003" \
  "-sf $D/selftest/peer-refer-uac.xml $UAC"
pair blind-transfer-bye-first 0 0 "-sf $D/uas-blind-transfer.xml $UAS -m 1 -set RING_MS 100 -set TALK_MS 200 -set ASTPORT 5060" \
  "-sf $D/selftest/peer-refer-uac.xml $UAC -set BYE_FIRST 1"
pair blind-transfer-failed 1 0 "-sf $D/uas-blind-transfer.xml $UAS -m 1 -set RING_MS 100 -set TALK_MS 200" \
  "-sf $D/selftest/peer-refer-uac.xml $UAC -set FRAG '503 Service Unavailable'"
pair register 0 0 "-sf $D/selftest/peer-registrar.xml $UAS -m 1" \
  "-sf $D/register.xml -i 127.0.0.1 -p 15999 127.0.0.1:15071 -m 1 $T -set USER 1003 -set CONTACT_PORT 5073"
echo "logs: $W"
exit $fail
