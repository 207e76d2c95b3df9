#!/usr/bin/env bash
# Installs what test/lab and bench/lab need, when it is missing: avahi-daemon,
# avahi-utils and dbus (a private bus per lab daemon), troglobit mdnsd and
# mquery, tshark (dumpcap, text2pcap, mergecap), iproute2, unshare, and
# dnsmasq (a real unicast DNS server for the stub resolver), gcc/make
# for `make qjs` (QuickJS and the hush_udp module, built for device runs),
# and python3 (node-gyp builds the native addon; a lab peer) and ethtool
# (checksum offload off on lab veths) for test/lab/native.test.ts.
# The lab runs these daemons only inside network namespaces, so installing
# must not start them on the host: no maintainer script may start a service
# (policy-rc.d answers 101), the boot-time units the packages enable are
# disabled again, and any avahi-daemon or mdnsd that the install itself left
# running in the host namespace is stopped. Idempotent; quiet unless it fails.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

need=()
have avahi-daemon || need+=(avahi-daemon)
have avahi-browse && have avahi-resolve || need+=(avahi-utils)
have dbus-daemon || need+=(dbus)
have mdnsd && have mquery || need+=(mdnsd)
have tshark && have dumpcap && have text2pcap && have mergecap || need+=(tshark)
have ip || need+=(iproute2)
have dnsmasq || need+=(dnsmasq-base)
have unshare && have setpriv || need+=(util-linux)
have python3 || need+=(python3)
have ethtool || need+=(ethtool)
have gcc && have make || need+=(gcc make libc6-dev)
((${#need[@]})) || exit 0

if [ "$(id -u)" != 0 ]; then
  echo "lab-deps: need root to install: ${need[*]}" >&2
  exit 1
fi

# Daemons already running in the host namespace before we install belong to someone else.
host_net=$(readlink /proc/self/ns/net)
host_daemons() {
  local pid
  for pid in $(pgrep -x avahi-daemon; pgrep -x mdnsd); do
    [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$host_net" ] && echo "$pid"
  done
  return 0
}
before=" $(host_daemons | tr '\n' ' ') "

# invoke-rc.d and deb-systemd-invoke ask policy-rc.d; 101 = "action forbidden".
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=1
fi
cleanup() { [ -z "$own_policy" ] || rm -f "$policy"; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
log=$(mktemp)
# No recommends: avahi-daemon's would add libnss-mdns, which edits the host's nsswitch.conf.
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "lab-deps: apt-get install ${need[*]} failed" >&2
  exit 1
fi
rm -f "$log"

# The packages just installed enable their units for the next boot; the lab never wants them on the host.
units=()
case " ${need[*]} " in *" avahi-daemon "*) units+=(avahi-daemon.service avahi-daemon.socket) ;; esac
case " ${need[*]} " in *" mdnsd "*) units+=(mdnsd.service) ;; esac
for unit in "${units[@]}"; do
  if [ -d /run/systemd/system ]; then systemctl disable --now "$unit" >/dev/null 2>&1 || true
  else systemctl --root=/ disable "$unit" >/dev/null 2>&1 || true; fi
done

for pid in $(host_daemons); do
  case "$before" in *" $pid "*) ;; *) kill "$pid" 2>/dev/null || true ;; esac
done
