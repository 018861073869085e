#!/usr/bin/env bash
# install-deps.sh -- install every build, test and packaging dependency of
# trunkgate from Debian's archive.  Idempotent: quiet and quick when all is
# present.  Uses sudo when not run as root.
#
#   scripts/install-deps.sh          build + test + packaging dependencies
#   scripts/install-deps.sh --build  only what building and running needs (the demo)
#   scripts/install-deps.sh --bench  also what `make bench` compares against (Kamailio, rtpengine);
#                                    CI runs no benchmarks and does not need it
#   scripts/install-deps.sh --check  only report what is missing (exit 1 if any)
set -euo pipefail

# Build dependencies (keep in step with configure.ac and packaging/debian/control).
BUILD_PKGS=(
	build-essential autoconf automake libtool pkg-config
	libsofia-sip-ua-dev libspandsp-dev libtiff-dev libsrtp2-dev libspeexdsp-dev
	libmicrohttpd-dev libsqlite3-dev libasound2-dev libpri-dev
	libjansson-dev libcrypt-dev libsystemd-dev libsnmp-dev libpcre2-dev
	check dahdi-source libgnutls28-dev nettle-dev
)
# What the test suites drive: real peers and clients, never mocks.
TEST_PKGS=(
	curl sqlite3 jq procps iproute2 python3 chromium sip-tester
	snmpd snmptrapd snmp smitools prometheus
)
# test_openapi.sh validates answers against the OpenAPI document.
# test_sip_selftest_dns.sh: dnsmasq answers NAPTR/SRV/A in a namespace.
TEST_PKGS+=(dnsmasq-base)
TEST_PKGS+=(python3-jsonschema)
# test_sip_baresip.sh: a real SIP user agent (baresip 1.0; its core package
# has every module the test loads, without the GUI and video recommends).
TEST_PKGS+=(baresip-core)
# test_sip_srtp.sh: srtp_peer.py does RFC 3711 SRTP on python3-cryptography.
TEST_PKGS+=(python3-cryptography)
# The browser tests run on Node.js (playwright-core from npm).  Many machines
# ship their own node with npm bundled; Debian's only when there is none.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	TEST_PKGS+=(nodejs npm)
fi
# Building and checking the Debian package.
PKG_PKGS=(
	debhelper dpkg-dev fakeroot lintian
)

# Benchmarks only: rtpengine, userspace forwarding, the relay trunkgate's
# anchored media is compared with (bench/relay.sh); Kamailio, the reference
# SIP proxy (bench/sip_kamailio.sh).
BENCH_PKGS=(rtpengine-daemon kamailio)

ALL=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${PKG_PKGS[@]}")
mode=${1:-all}
if [ "$mode" = "--build" ]; then
	ALL=("${BUILD_PKGS[@]}" sip-tester)     # SIPp: the demo's Lync stand-in
elif [ "$mode" = "--bench" ]; then
	ALL+=("${BENCH_PKGS[@]}")
fi

missing=()
for p in "${ALL[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ "$mode" = "--check" ]; then
	if [ ${#missing[@]} -gt 0 ]; then
		echo "missing Debian packages: ${missing[*]}"
		exit 1
	fi
	exit 0
fi

[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=900 -q -y)
$SUDO apt-get "${apt_opts[@]}" update >/dev/null
$SUDO apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}" >/dev/null
# The tests run their own snmpd, snmptrapd and promtool by pid with their own
# configuration.  On a machine with systemd, Debian starts and enables these
# packages' services on install: undo that for the ones installed just now
# (services that were there before are left alone).
if [ -d /run/systemd/system ]; then
	for p in "${missing[@]}"; do
		case $p in
		snmpd|snmptrapd|prometheus|rtpengine-daemon)
			$SUDO systemctl disable --now "$p.service" >/dev/null 2>&1 || true ;;
		esac
	done
fi
echo "install-deps: done"
