#!/usr/bin/env bash
# install-test.sh -- install the trunkgate .deb, check what it put where, run
# the installed daemon once on loopback, then purge the package and check it
# is gone.  Changes the machine it runs on (installs and purges a package,
# may add the system user "trunkgate"): run it as root in a container or CI.
#
#   bash tests/package/install-test.sh dist/trunkgate_0.1.0_amd64.deb
#
# No systemd is assumed: the daemon is started by hand, in the background of
# this script, on a fresh state folder and a free loopback port.  Prints one
# "ok N - ..." / "not ok N - ..." line a check and ends with
# "install-test: N passed, M failed"; exits non-zero on any failure.  The
# EXIT trap stops the daemon and purges the package on every path out.
set -u

PKG=trunkgate
pass=0 fail=0 n=0
work='' pid='' installed=0

ok()   { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
nok()  { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
# check DESCRIPTION COMMAND...: one TAP line from a command's exit status.
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else nok "$d"; fi; }
diag() { sed 's/^/# /' "$@"; }

cleanup() {
	trap - EXIT INT TERM
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	if [ "$installed" = 1 ] && dpkg-query -W "$PKG" >/dev/null 2>&1; then
		echo "# cleanup: purging $PKG"
		# An interrupt also hits apt/dpkg (same process group): wait
		# for their lock to go rather than leave a half-installed package.
		for _ in $(seq 30); do
			dpkg --purge "$PKG" >"$work/cleanup.log" 2>&1 && break
			sleep 1
		done
		if dpkg-query -W "$PKG" >/dev/null 2>&1; then
			echo "# cleanup: dpkg --purge $PKG failed:"
			diag "$work/cleanup.log"
		fi
	fi
	[ -n "$work" ] && rm -rf "$work"
	echo "1..$n"
	echo "install-test: $pass passed, $fail failed"
	[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
	exit $?
}
trap cleanup EXIT
trap 'nok "interrupted"; exit 1' INT TERM

deb=${1:-}
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
	echo "usage: $0 path/to/${PKG}_VERSION_ARCH.deb" >&2
	nok "a .deb file is given"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	nok "runs as root (dpkg needs it)"
	exit 1
fi
# Purging at the end would remove someone's real installation: refuse.
st=$(dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null)
if [ -n "$st" ] && [ "$st" != not-installed ]; then
	nok "$PKG is not installed yet (purge it first: dpkg --purge $PKG)"
	exit 1
fi
deb=$(realpath "$deb")
work=$(mktemp -d /tmp/install-test.XXXXXX)

# --- install --------------------------------------------------------------
# apt resolves the shared-library dependencies; it needs a path, not a name.
installed=1
if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	"$deb" >"$work/apt.log" 2>&1; then
	ok "apt-get install $(basename "$deb")"
else
	nok "apt-get install $(basename "$deb")"
	diag "$work/apt.log"
	exit 1
fi
version=$(dpkg-query -W -f='${Version}' "$PKG")
check "package $PKG $version is installed" \
	sh -c "dpkg-query -W -f='\${Status}' $PKG | grep -qx 'install ok installed'"

# --- files ----------------------------------------------------------------
check "/usr/sbin/trunkgated is executable" test -x /usr/sbin/trunkgated
check "/etc/trunkgate/trunkgate.conf exists" test -f /etc/trunkgate/trunkgate.conf
check "/etc/trunkgate/trunkgate.conf is a conffile" \
	sh -c "dpkg-query -W -f='\${Conffiles}' $PKG | grep -q ' /etc/trunkgate/trunkgate.conf '"
check "/usr/share/trunkgate/web/index.html exists" test -f /usr/share/trunkgate/web/index.html
unit=
for d in /lib/systemd/system /usr/lib/systemd/system; do
	[ -f "$d/trunkgate.service" ] && unit=$d/trunkgate.service && break
done
if [ -n "$unit" ]; then ok "systemd unit installed ($unit)"; else nok "systemd unit installed"; fi
check "man page trunkgated(8) installed" test -f /usr/share/man/man8/trunkgated.8.gz
if [ -n "$unit" ] && command -v systemd-analyze >/dev/null; then
	if systemd-analyze verify "$unit" >"$work/verify.log" 2>&1; then
		ok "systemd-analyze verify $(basename "$unit")"
	else
		nok "systemd-analyze verify $(basename "$unit")"
		diag "$work/verify.log"
	fi
fi

# --- user -----------------------------------------------------------------
check "system user trunkgate exists" getent passwd trunkgate
check "system group trunkgate exists" getent group trunkgate
home=$(getent passwd trunkgate | cut -d: -f6)
if [ "$home" = /var/lib/trunkgate ]; then ok "trunkgate's home is /var/lib/trunkgate"
else nok "trunkgate's home is /var/lib/trunkgate (is: '$home')"; fi
uid=$(id -u trunkgate 2>/dev/null || echo 0)
if [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ]; then ok "trunkgate is a system user (uid $uid)"
else nok "trunkgate is a system user (uid $uid)"; fi

# --- run the installed daemon ---------------------------------------------
got=$(/usr/sbin/trunkgated --version 2>&1)
if [ "$got" = "trunkgated $version" ]; then ok "trunkgated --version says $version"
else nok "trunkgated --version says $version (got: '$got')"; fi

state=$(mktemp -d "$work/state.XXXXXX")
# SIP on a free loopback port too, so the test never takes 0.0.0.0:5060.
/usr/sbin/trunkgated --config /etc/trunkgate/trunkgate.conf --state-dir "$state" \
	--http 127.0.0.1:0 --sip 127.0.0.1:0 >"$work/daemon.log" 2>&1 &
pid=$!
url=
for _ in $(seq 100); do                # up to 10 s
	[ -s "$state/http.url" ] && { url=$(cat "$state/http.url"); break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -n "$url" ]; then
	ok "daemon started and wrote http.url ($url)"
else
	nok "daemon started and wrote http.url"
	diag "$work/daemon.log"
	exit 1
fi
case $url in
http://127.0.0.1:*) ok "daemon listens on loopback" ;;
*) nok "daemon listens on loopback (url: $url)" ;;
esac

health=$(curl -fsS --max-time 5 "${url%/}/api/v1/health" 2>"$work/curl.err")
if [ -n "$health" ]; then ok "GET /api/v1/health answers"
else nok "GET /api/v1/health answers"; diag "$work/curl.err"; fi
if command -v jq >/dev/null; then
	hstatus=$(jq -r .status <<<"$health" 2>/dev/null)
	hversion=$(jq -r .version <<<"$health" 2>/dev/null)
else
	hstatus=$(sed -n 's/.*"status" *: *"\([^"]*\)".*/\1/p' <<<"$health")
	hversion=$(sed -n 's/.*"version" *: *"\([^"]*\)".*/\1/p' <<<"$health")
fi
if [ "$hstatus" = ok ]; then ok "health status is ok"
else nok "health status is ok (body: $health)"; fi
if [ "$hversion" = "$version" ]; then ok "health version equals package version $version"
else nok "health version equals package version $version (got: '$hversion')"; fi

kill -TERM "$pid"
for _ in $(seq 150); do                # up to 15 s
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
	nok "daemon stops within 15 s of SIGTERM"
	diag "$work/daemon.log"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
else
	wait "$pid"
	rc=$?
	if [ "$rc" -eq 0 ]; then ok "daemon exits 0 on SIGTERM"
	else nok "daemon exits 0 on SIGTERM (exit $rc)"; diag "$work/daemon.log"; fi
fi
pid=
check "http.url removed at stop" test ! -e "$state/http.url"

# --- purge ----------------------------------------------------------------
if dpkg --purge "$PKG" >"$work/purge.log" 2>&1; then
	ok "dpkg --purge $PKG"
	installed=0
else
	nok "dpkg --purge $PKG"
	diag "$work/purge.log"
fi
check "package is gone from dpkg's database" sh -c "! dpkg-query -W $PKG"
check "/usr/sbin/trunkgated is gone" test ! -e /usr/sbin/trunkgated
check "/etc/trunkgate is gone" test ! -e /etc/trunkgate
check "/var/lib/trunkgate is gone" test ! -e /var/lib/trunkgate
# Debian practice, see debian/postrm: the system user outlives the package.
check "system user trunkgate is kept" getent passwd trunkgate
