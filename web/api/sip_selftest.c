/*
 * sip_selftest.c -- POST /api/v1/sip-trunks/{id}/self-test: can this trunk
 * reach its peers (a Lync Mediation Server pool, a PBX, an ITSP)?  For each
 * next hop, in order:
 *
 *   dns      the host's addresses (getaddrinfo; an IP literal needs none)
 *
 * A hostname without a port is found as RFC 3263 says, with sofia-sip's
 * own resolver (sresolv, the one nta uses for the calls): first
 *
 *   naptr    the host's NAPTR records, and whether one offers the hop's
 *            transport (SIP+D2U, SIP+D2T, SIPS+D2T).  Informational: the
 *            gateway names the transport in its Request-URI, so (RFC 3263
 *            4.1) it goes to SRV directly, as nta does
 *   srv      _sip._udp / _sip._tcp / _sips._tcp.HOST: targets and ports by
 *            priority and weight; none: the host itself on 5060/5061
 *   dns      the targets' A and AAAA records, in that order; the first
 *            target with an address (and its SRV port) is tested
 *
 * each with the records found ("records") and DNS errors named
 * (NXDOMAIN, SERVFAIL, REFUSED, no answer).  Then, for every hop:
 *
 *   connect  TCP connect to the first address (tcp and tls hops)
 *   tls      the TLS handshake (GnuTLS): the peer's chain verified against
 *            the trunk's tls_ca (else the system's CAs) and its name
 *            against tls_verify_name (else the host); our tls_cert/tls_key
 *            offered as the client certificate (mutual TLS)
 *   options  an OPTIONS round trip over that hop's transport; ok on 2xx
 *
 * and the Set-CsTrunkConfiguration line matching the trunk's settings
 * (trunk_lync_command).  A failed step skips that hop's later steps.
 *
 * Everything runs on the HTTP thread that took the request (MHD's pool):
 * blocking DNS, connect, handshake and OPTIONS never touch the main
 * thread's su_root loop.  The OPTIONS goes out from an ephemeral port of
 * ours, not through the SIP stack: it shows the peer answers SIP over that
 * transport, not that it trusts our listening address.  Each step is
 * bounded (connect and handshake 3 s, OPTIONS 4 s), so a trunk with the
 * API's maximum of next hops answers within a minute.  Nothing is written.
 */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#define SRES_CONTEXT_T struct dns_wait
#define SRES_ASYNC_T struct dns_wait
#include <sofia-resolv/sres.h>
#include <sofia-resolv/sres_async.h>
#include <sofia-resolv/sres_record.h>

#define LOG_MODULE "api"
#include "log.h"
#include "api.h"
#include "db.h"
#include "tg.h"
#include "trunk_profile.h"

#define STEP_MS 3000                    /* connect, handshake */
#define OPTIONS_MS 4000                 /* the OPTIONS round trip */
#define DNS_MS 3000                     /* one DNS query */

struct hop_test {
	const struct db_sip_trunk *t;
	const char *host;
	unsigned port;
	const char *transport;          /* udp, tcp, tls */
	char hop[300];                  /* "host:port;transport=x" for the answer */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int fd;
	gnutls_session_t tls;
	gnutls_certificate_credentials_t cred;
};

static bool add_check(json_t *checks, const struct hop_test *h, const char *name, bool ok,
		      unsigned long long t0, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static bool add_check(json_t *checks, const struct hop_test *h, const char *name, bool ok,
		      unsigned long long t0, const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	for (n = strlen(detail); n && detail[n - 1] == ' '; n--)
		detail[n - 1] = '\0';  /* GnuTLS's texts end in a space */
	json_array_append_new(checks, json_pack("{s:s, s:s, s:b, s:s, s:I}", "name", name,
		"hop", h->hop, "ok", ok, "detail", detail,
		"ms", (json_int_t)(tg_now_ms() - t0)));
	return ok;
}

static bool is_ip(const char *host)
{
	struct in6_addr a;

	return inet_pton(AF_INET, host, &a) == 1 || inet_pton(AF_INET6, host, &a) == 1;
}

static void addr_str(const struct sockaddr_storage *sa, char *buf, size_t len)
{
	const void *a = sa->ss_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (!inet_ntop(sa->ss_family, a, buf, (socklen_t)len))
		tg_strlcpy(buf, "?", len);
}

static bool check_dns(struct hop_test *h, json_t *checks)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL, *ai;
	unsigned long long t0 = tg_now_ms();
	char list[256] = "", a[64];
	size_t n = 0;
	int rc;

	rc = getaddrinfo(h->host, NULL, &hints, &res);
	if (rc)
		return add_check(checks, h, "dns", false, t0, "%s does not resolve: %s", h->host,
				 gai_strerror(rc));
	memcpy(&h->addr, res->ai_addr, res->ai_addrlen);
	h->addrlen = res->ai_addrlen;
	((struct sockaddr_in *)&h->addr)->sin_port = htons((uint16_t)h->port);  /* same offset in v6 */
	for (ai = res; ai && n < sizeof(list) - 70; ai = ai->ai_next) {
		struct sockaddr_storage ss;

		memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
		addr_str(&ss, a, sizeof(a));
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", a);
	}
	freeaddrinfo(res);
	if (is_ip(h->host))
		return add_check(checks, h, "dns", true, t0, "%s is an IP address: no DNS needed",
				 h->host);
	return add_check(checks, h, "dns", true, t0, "%s is %s (the first is tested)", h->host,
			 list);
}

/* ---- RFC 3263 with sofia-sip's resolver ---- */

#define DNS_MAX_TARGETS 8

/* The records of the last check added, if any. */
static void set_records(json_t *checks, json_t *records)
{
	json_t *last = json_array_get(checks, json_array_size(checks) - 1);

	if (last && json_array_size(records))
		json_object_set(last, "records", records);
	json_decref(records);
}

static const char *dns_error(int status)
{
	switch (status) {
	case SRES_NAME_ERR: return "does not exist (NXDOMAIN)";
	case SRES_TIMEOUT_ERR: return "no answer from the DNS server";
	case SRES_SERVER_ERR: return "the DNS server failed (SERVFAIL)";
	case SRES_AUTH_ERR: return "the DNS server refused the query (REFUSED)";
	case SRES_FORMAT_ERR: return "the DNS server could not parse the query (FORMERR)";
	case SRES_UNIMPL_ERR: return "the DNS server does not do this query (NOTIMP)";
	case SRES_NETWORK_ERR: return "no DNS server reachable (network or resolv.conf)";
	default: return "resolver error";
	}
}

/* One query of sresolv's asynchronous interface, driven here: its
 * sockets come through the update callback, we poll them, and call its
 * timer for retransmissions.  (sres_blocking_query() has no deadline: with
 * no DNS server answering it waited for minutes.) */
struct dns_wait {
	int fds[4];
	bool done;
	sres_record_t **answers;
};

static int dns_sockets(struct dns_wait *w, sres_socket_t fd, sres_socket_t old)
{
	for (size_t i = 0; i < 4; i++)
		if (w->fds[i] == old && old != -1)
			w->fds[i] = -1;
	for (size_t i = 0; fd != -1 && i < 4; i++)
		if (w->fds[i] == -1) {
			w->fds[i] = fd;
			break;
		}
	return 0;
}

static void dns_answered(struct dns_wait *w, sres_query_t *q, sres_record_t **answers)
{
	(void)q;
	w->done = true;
	w->answers = answers;
}

/* The records of `type` for name, sorted (SRV by priority, then weight):
 * their count with *out set (free with sres_free_answers), 0 if the name
 * has none (NODATA), or minus the error status (SRES_NAME_ERR...); no
 * answer within DNS_MS is SRES_TIMEOUT_ERR. */
static int dns_query(sres_resolver_t *res, uint16_t type, const char *name,
		     sres_record_t ***out)
{
	struct dns_wait *w = sres_resolver_get_async(res, dns_sockets);
	unsigned long long until = tg_now_ms() + DNS_MS;
	sres_record_t **ans;
	sres_query_t *q;
	int n = 0, err = 0;

	*out = NULL;
	if (!w)
		return -SRES_INTERNAL_ERR;
	w->done = false;
	w->answers = NULL;
	q = sres_query(res, dns_answered, w, type, name);
	while (q && !w->done && tg_now_ms() < until) {
		struct pollfd p[4];
		nfds_t np = 0;
		int left = (int)(until - tg_now_ms()), rc;

		for (size_t i = 0; i < 4; i++)
			if (w->fds[i] != -1)
				p[np++] = (struct pollfd){ .fd = w->fds[i], .events = POLLIN };
		rc = poll(p, np, left < 250 ? left : 250);
		if (rc <= 0) {
			sres_resolver_timer(res, -1);   /* retransmits, times out */
			continue;
		}
		for (nfds_t i = 0; i < np && !w->done; i++) {
			if (p[i].revents & POLLIN)
				sres_resolver_receive(res, p[i].fd);
			else if (p[i].revents & (POLLERR | POLLHUP))
				sres_resolver_error(res, p[i].fd);
		}
	}
	if (!w->done) {
		if (q)
			sres_query_bind(q, NULL, NULL);
		return q ? -SRES_TIMEOUT_ERR : -SRES_INTERNAL_ERR;
	}
	ans = w->answers;
	for (size_t i = 0; ans && ans[i]; i++) {
		if (ans[i]->sr_record->r_type != type)
			continue;       /* a CNAME on the way */
		if (ans[i]->sr_record->r_status)
			err = ans[i]->sr_record->r_status;
		else
			n++;
	}
	if (!n) {
		sres_free_answers(res, ans);
		return err && err != SRES_RECORD_ERR ? -err : 0;
	}
	sres_sort_answers(res, ans);
	*out = ans;
	return n;
}

/* name without the root's trailing dot (sresolv gives names fully
 * qualified: "host.example.") in buf. */
static const char *dns_name(char *buf, size_t len, const char *name)
{
	size_t n;

	tg_strlcpy(buf, name ? name : "", len);
	n = strlen(buf);
	if (n > 1 && buf[n - 1] == '.')
		buf[n - 1] = '\0';
	return buf;
}

/* Appends ", " and the formatted text to buf (bounded). */
static void catf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void catf(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 4 >= len)
		return;
	if (n)
		n += (size_t)snprintf(buf + n, len - n, ", ");
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

static bool check_naptr(struct hop_test *h, sres_resolver_t *res, const char *want_service,
			const char *srv_name, json_t *checks)
{
	unsigned long long t0 = tg_now_ms();
	json_t *recs = json_array();
	sres_record_t **ans;
	char list[300] = "", offered[256] = "", repl[256];
	int n = dns_query(res, sres_type_naptr, h->host, &ans);
	bool ok;

	if (n < 0) {
		json_decref(recs);
		return add_check(checks, h, "naptr", false, t0, "NAPTR %s: %s", h->host,
				 dns_error(-n));
	}
	for (size_t i = 0; ans && ans[i]; i++) {
		const sres_naptr_record_t *r = ans[i]->sr_naptr;

		if (r->na_record->r_type != sres_type_naptr || r->na_record->r_status)
			continue;
		dns_name(repl, sizeof(repl), r->na_replace);
		json_array_append_new(recs, json_pack("{s:i, s:i, s:s, s:s, s:s}", "order",
			r->na_order, "preference", r->na_prefer, "flags", r->na_flags ? r->na_flags : "",
			"service", r->na_services ? r->na_services : "", "replacement", repl));
		catf(list, sizeof(list), "%s -> %s", r->na_services ? r->na_services : "?", repl);
		if (!offered[0] && r->na_services && !strcasecmp(r->na_services, want_service))
			tg_strlcpy(offered, repl[0] ? repl : ".", sizeof(offered));
	}
	if (!n)
		ok = add_check(checks, h, "naptr", true, t0, "%s has no NAPTR records; SRV next "
			       "(RFC 3263 4.1)", h->host);
	else if (!offered[0])
		ok = add_check(checks, h, "naptr", true, t0, "%s: %d NAPTR records (%s), none for %s; "
			       "the gateway names the transport and looks up %s all the same",
			       h->host, n, list, want_service, srv_name);
	else
		ok = add_check(checks, h, "naptr", true, t0, "%s: %d NAPTR records (%s); %s is "
			       "offered%s%s", h->host, n, list, want_service,
			       strcasecmp(offered, srv_name) ? ", but the gateway names the "
			       "transport and looks up " : "", strcasecmp(offered, srv_name) ? srv_name : "");
	sres_free_answers(res, ans);
	set_records(checks, recs);
	return ok;
}

struct dns_target {
	char host[256];
	unsigned port;
};

/* The SRV targets in order, or the host itself on the default port. */
static size_t check_srv(struct hop_test *h, sres_resolver_t *res, const char *srv_name,
			unsigned default_port, struct dns_target *tg, json_t *checks)
{
	unsigned long long t0 = tg_now_ms();
	json_t *recs = json_array();
	sres_record_t **ans;
	char list[400] = "", target[256];
	size_t nt = 0;
	int n = dns_query(res, sres_type_srv, srv_name, &ans);

	if (n < 0 && n != -SRES_NAME_ERR) {
		json_decref(recs);
		add_check(checks, h, "srv", false, t0, "SRV %s: %s", srv_name, dns_error(-n));
		return 0;
	}
	for (size_t i = 0; n > 0 && ans[i]; i++) {
		const sres_srv_record_t *r = ans[i]->sr_srv;

		if (r->srv_record->r_type != sres_type_srv || r->srv_record->r_status)
			continue;
		dns_name(target, sizeof(target), r->srv_target);
		json_array_append_new(recs, json_pack("{s:i, s:i, s:i, s:s}", "priority",
			r->srv_priority, "weight", r->srv_weight, "port", r->srv_port,
			"target", target));
		catf(list, sizeof(list), "%s:%u (priority %u, weight %u)", target,
		     r->srv_port, r->srv_priority, r->srv_weight);
		if (nt < DNS_MAX_TARGETS && strcmp(target, ".") && target[0]) {
			tg_strlcpy(tg[nt].host, target, sizeof(tg[nt].host));
			tg[nt++].port = r->srv_port;
		}
	}
	if (n > 0)
		sres_free_answers(res, ans);
	if (n <= 0) {
		tg_strlcpy(tg[0].host, h->host, sizeof(tg[0].host));
		tg[0].port = default_port;
		add_check(checks, h, "srv", true, t0, "%s: no SRV records%s; %s itself on port %u "
			  "(RFC 3263 4.2)", srv_name, n ? " (NXDOMAIN)" : "", h->host, default_port);
		json_decref(recs);
		return 1;
	}
	if (!nt)
		add_check(checks, h, "srv", false, t0, "%s: the service is not offered (target \".\")",
			  srv_name);
	else
		add_check(checks, h, "srv", true, t0, "%s: %s", srv_name, list);
	set_records(checks, recs);
	return nt;
}

/* A and AAAA of each target in order; the first with an address is the
 * one the later checks use. */
static bool check_targets(struct hop_test *h, sres_resolver_t *res, const struct dns_target *tg,
			  size_t nt, json_t *checks)
{
	static const uint16_t types[] = { sres_type_a, sres_type_aaaa };
	unsigned long long t0 = tg_now_ms();
	json_t *recs = json_array();
	char list[500] = "", a[64];
	bool found = false;

	for (size_t i = 0; i < nt; i++) {
		json_t *addrs = json_array();
		const char *why = NULL;

		for (size_t k = 0; k < 2; k++) {
			sres_record_t **ans;
			int n = dns_query(res, types[k], tg[i].host, &ans);

			if (n < 0 && (!why || n != -SRES_NAME_ERR))
				why = dns_error(-n);
			for (size_t j = 0; n > 0 && ans[j]; j++) {
				struct sockaddr_storage ss = { 0 };
				socklen_t sl;

				if (ans[j]->sr_record->r_type != types[k] || ans[j]->sr_record->r_status)
					continue;
				if (types[k] == sres_type_a) {
					struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

					s4->sin_family = AF_INET;
					memcpy(&s4->sin_addr, &ans[j]->sr_a->a_addr, sizeof(s4->sin_addr));
					s4->sin_port = htons((uint16_t)tg[i].port);
					sl = sizeof(*s4);
				} else {
					struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

					s6->sin6_family = AF_INET6;
					memcpy(&s6->sin6_addr, &ans[j]->sr_aaaa->aaaa_addr,
					       sizeof(s6->sin6_addr));
					s6->sin6_port = htons((uint16_t)tg[i].port);
					sl = sizeof(*s6);
				}
				addr_str(&ss, a, sizeof(a));
				json_array_append_new(addrs, json_string(a));
				if (!found) {
					found = true;
					memcpy(&h->addr, &ss, sl);
					h->addrlen = sl;
					h->port = tg[i].port;
				}
			}
			if (n > 0)
				sres_free_answers(res, ans);
		}
		if (json_array_size(addrs)) {
			char joined[200] = "";

			for (size_t j = 0; j < json_array_size(addrs); j++)
				catf(joined, sizeof(joined), "%s", json_string_value(json_array_get(addrs, j)));
			catf(list, sizeof(list), "%s is %s", tg[i].host, joined);
		} else {
			catf(list, sizeof(list), "%s: %s", tg[i].host, why ? why : "no A or AAAA records");
		}
		json_array_append_new(recs, json_pack("{s:s, s:i, s:o}", "target", tg[i].host,
			"port", tg[i].port, "addresses", addrs));
		if (why && !json_array_size(addrs))
			json_object_set_new(json_array_get(recs, json_array_size(recs) - 1), "error",
					    json_string(why));
	}
	if (found) {
		addr_str(&h->addr, a, sizeof(a));
		add_check(checks, h, "dns", true, t0, "%s; %s port %u is tested", list, a, h->port);
	} else {
		add_check(checks, h, "dns", false, t0, "no target has an address: %s", list);
	}
	set_records(checks, recs);
	return found;
}

/* naptr, srv and dns for a hostname next hop without a port. */
static bool check_rfc3263(struct hop_test *h, json_t *checks)
{
	bool tls = !strcmp(h->transport, "tls"), tcp = !strcmp(h->transport, "tcp");
	const char *service = tls ? "SIPS+D2T" : tcp ? "SIP+D2T" : "SIP+D2U";
	unsigned long long t0 = tg_now_ms();
	struct dns_target tg[DNS_MAX_TARGETS];
	struct dns_wait wait = { .fds = { -1, -1, -1, -1 } };  /* outlives res */
	char srv_name[300];
	sres_resolver_t *res;
	size_t nt;
	bool ok;

	snprintf(srv_name, sizeof(srv_name), "%s.%s", tls ? "_sips._tcp" : tcp ? "_sip._tcp" :
		 "_sip._udp", h->host);
	res = sres_resolver_new(NULL);          /* /etc/resolv.conf, as nta's */
	if (!res || !sres_resolver_set_async(res, dns_sockets, &wait, 0)) {
		if (res)
			sres_resolver_unref(res);
		return add_check(checks, h, "naptr", false, t0, "no DNS resolver: %s",
				 strerror(errno));
	}
	ok = check_naptr(h, res, service, srv_name, checks);
	nt = ok ? check_srv(h, res, srv_name, tls ? 5061 : 5060, tg, checks) : 0;
	ok = nt && check_targets(h, res, tg, nt, checks);
	sres_resolver_unref(res);
	return ok;
}

/* fd ready for `events` within ms?  0, ETIMEDOUT or an errno. */
static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&p, 1, ms);
	while (n < 0 && errno == EINTR);
	return n < 0 ? errno : n == 0 ? ETIMEDOUT : 0;
}

static bool check_connect(struct hop_test *h, json_t *checks)
{
	unsigned long long t0 = tg_now_ms();
	struct timeval tv = { .tv_sec = STEP_MS / 1000 };
	int err = 0, fl;
	socklen_t el = sizeof(err);
	char a[64];

	addr_str(&h->addr, a, sizeof(a));
	h->fd = socket(h->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (h->fd < 0)
		return add_check(checks, h, "connect", false, t0, "socket: %s", strerror(errno));
	if (connect(h->fd, (struct sockaddr *)&h->addr, h->addrlen) < 0) {
		err = errno == EINPROGRESS ? wait_fd(h->fd, POLLOUT, STEP_MS) : errno;
		if (!err && getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
	}
	if (err)
		return add_check(checks, h, "connect", false, t0, "TCP connect to %s port %u: %s", a,
				 h->port, err == ETIMEDOUT ? "no answer in 3 s" : strerror(err));
	/* Blocking from here, with timeouts: the handshake and the OPTIONS. */
	fl = fcntl(h->fd, F_GETFL);
	fcntl(h->fd, F_SETFL, fl & ~O_NONBLOCK);
	setsockopt(h->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(h->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return add_check(checks, h, "connect", true, t0, "TCP connected to %s port %u", a, h->port);
}

static bool check_tls(struct hop_test *h, json_t *checks)
{
	const struct db_sip_trunk *t = h->t;
	unsigned long long t0 = tg_now_ms();
	const char *name = t->tls_verify_name[0] ? t->tls_verify_name : h->host;
	gnutls_datum_t out = { 0 };
	char detail[400];
	int rc;

	if (gnutls_certificate_allocate_credentials(&h->cred) < 0)
		return add_check(checks, h, "tls", false, t0, "out of memory");
	rc = t->tls_ca[0] ? gnutls_certificate_set_x509_trust_file(h->cred, t->tls_ca,
								    GNUTLS_X509_FMT_PEM)
			  : gnutls_certificate_set_x509_system_trust(h->cred);
	if (rc <= 0)
		return add_check(checks, h, "tls", false, t0, "no CA certificate read from %s%s%s",
				 t->tls_ca[0] ? t->tls_ca : "the system's store",
				 rc < 0 ? ": " : "", rc < 0 ? gnutls_strerror(rc) : "");
	if (t->tls_cert[0] && t->tls_key[0]) {
		rc = gnutls_certificate_set_x509_key_file(h->cred, t->tls_cert, t->tls_key,
							  GNUTLS_X509_FMT_PEM);
		if (rc < 0)
			return add_check(checks, h, "tls", false, t0,
					 "our client certificate %s / %s: %s", t->tls_cert,
					 t->tls_key, gnutls_strerror(rc));
	}
	if (gnutls_init(&h->tls, GNUTLS_CLIENT) < 0) {
		h->tls = NULL;
		return add_check(checks, h, "tls", false, t0, "out of memory");
	}
	gnutls_set_default_priority(h->tls);
	gnutls_credentials_set(h->tls, GNUTLS_CRD_CERTIFICATE, h->cred);
	if (!is_ip(name))
		gnutls_server_name_set(h->tls, GNUTLS_NAME_DNS, name, strlen(name));
	gnutls_session_set_verify_cert(h->tls, name, 0);
	gnutls_transport_set_int(h->tls, h->fd);
	gnutls_handshake_set_timeout(h->tls, STEP_MS);
	do
		rc = gnutls_handshake(h->tls);
	while (rc < 0 && !gnutls_error_is_fatal(rc));
	if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR &&
	    gnutls_certificate_verification_status_print(
		    gnutls_session_get_verify_cert_status(h->tls),
		    gnutls_certificate_type_get(h->tls), &out, 0) == 0) {
		snprintf(detail, sizeof(detail), "the peer's certificate for %s: %s", name,
			 (const char *)out.data);
		gnutls_free(out.data);
		return add_check(checks, h, "tls", false, t0, "%s", detail);
	}
	if (rc < 0)
		return add_check(checks, h, "tls", false, t0, "handshake: %s", gnutls_strerror(rc));
	return add_check(checks, h, "tls", true, t0, "%s; the peer's certificate chain is trusted "
			 "(%s) and names %s%s", gnutls_protocol_get_name(gnutls_protocol_get_version(h->tls)),
			 t->tls_ca[0] ? t->tls_ca : "system CAs", name,
			 t->tls_cert[0] ? "; our client certificate was offered" : "");
}

static ssize_t io_send(struct hop_test *h, const char *buf, size_t len)
{
	return h->tls ? gnutls_record_send(h->tls, buf, len) : send(h->fd, buf, len, MSG_NOSIGNAL);
}

/* Bytes read; 0: the peer closed; -1: an error (errno, EAGAIN: try again). */
static ssize_t io_recv(struct hop_test *h, char *buf, size_t len)
{
	ssize_t n;

	if (!h->tls)
		return recv(h->fd, buf, len, 0);
	n = gnutls_record_recv(h->tls, buf, len);
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
		errno = EAGAIN;
	else if (n < 0)
		errno = EPROTO;
	return n < 0 ? -1 : n;
}

/* host as a URI writes it: an IPv6 address in brackets */
static void uri_host(char *out, size_t len, const char *host)
{
	snprintf(out, len, strchr(host, ':') ? "[%s]" : "%s", host);
}

/* The status of the final response to our OPTIONS in buf, 0 if none yet. */
static int final_status(const char *buf, const char *callid, char *phrase, size_t plen)
{
	const char *p = buf;

	while ((p = strstr(p, "SIP/2.0 ")) != NULL) {
		int st = atoi(p + 8);
		const char *eol = strpbrk(p, "\r\n");

		if (st >= 200 && st <= 699 && strstr(p, callid)) {
			snprintf(phrase, plen, "%.*s", eol ? (int)(eol - p - 8) : 40, p + 8);
			return st;
		}
		p += 8;
	}
	return 0;
}

static bool check_options(struct hop_test *h, json_t *checks)
{
	static unsigned seq;
	unsigned long long t0 = tg_now_ms();
	struct sockaddr_storage me;
	socklen_t melen = sizeof(me);
	bool udp = !strcmp(h->transport, "udp");
	char req[1024], buf[4096], myip[64], mine[72], peer[300], callid[96], phrase[80] = "";
	unsigned id = (unsigned)(t0 * 2654435761u) ^ (unsigned)getpid() ^ __atomic_add_fetch(&seq, 1,
		__ATOMIC_RELAXED);
	size_t have = 0;
	int len, st = 0;

	if (udp) {
		h->fd = socket(h->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (h->fd < 0 || connect(h->fd, (struct sockaddr *)&h->addr, h->addrlen) < 0)
			return add_check(checks, h, "options", false, t0, "UDP socket: %s",
					 strerror(errno));
	}
	if (getsockname(h->fd, (struct sockaddr *)&me, &melen) < 0)
		return add_check(checks, h, "options", false, t0, "getsockname: %s", strerror(errno));
	addr_str(&me, myip, sizeof(myip));
	uri_host(mine, sizeof(mine), myip);
	uri_host(peer, sizeof(peer), h->host);
	snprintf(callid, sizeof(callid), "selftest-%08x@%s", id, mine);
	len = snprintf(req, sizeof(req),
		"OPTIONS sip:%s:%u;transport=%s SIP/2.0\r\n"
		"Via: SIP/2.0/%s %s:%u;branch=z9hG4bK-tgst%08x;rport\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:trunkgate@%s>;tag=st%08x\r\n"
		"To: <sip:%s:%u>\r\n"
		"Call-ID: %s\r\n"
		"CSeq: 1 OPTIONS\r\n"
		"Accept: application/sdp\r\n"
		"User-Agent: trunkgate self-test\r\n"
		"Content-Length: 0\r\n\r\n",
		peer, h->port, h->transport, udp ? "UDP" : h->tls ? "TLS" : "TCP", mine,
		ntohs(((struct sockaddr_in *)&me)->sin_port), id, mine, id, peer, h->port, callid);
	if (io_send(h, req, (size_t)len) != len)
		return add_check(checks, h, "options", false, t0, "sending OPTIONS: %s",
				 strerror(errno));
	/* UDP: retransmitted after 500 ms, 1 s, 2 s (RFC 3261 timer E). */
	for (unsigned long long next = 500; !st;) {
		unsigned long long now = tg_now_ms(), until = t0 + OPTIONS_MS;
		ssize_t n;
		int err;

		if (now >= until)
			break;
		if (udp && t0 + next < until)
			until = t0 + next;
		err = h->tls && gnutls_record_check_pending(h->tls) ? 0 :
			wait_fd(h->fd, POLLIN, (int)(until - now));
		if (err == ETIMEDOUT) {
			if (udp && tg_now_ms() - t0 >= next) {
				io_send(h, req, (size_t)len);
				next *= 2;
			}
			continue;
		}
		if (udp)
			have = 0;       /* a datagram is one message */
		n = err ? -1 : io_recv(h, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && !err && errno == EAGAIN)
			continue;
		if (n <= 0) {
			int e = n == 0 ? ECONNRESET : err ? err : errno;

			return add_check(checks, h, "options", false, t0, "%s",
				e == ECONNREFUSED ? "nothing listens there (ICMP port unreachable)" :
				e == ECONNRESET ? "the peer closed the connection without answering" :
				strerror(e));
		}
		have += (size_t)n;
		buf[have] = '\0';
		st = final_status(buf, callid, phrase, sizeof(phrase));
		if (have >= sizeof(buf) - 1)
			have = 0;
	}
	if (!st)
		return add_check(checks, h, "options", false, t0, "no answer to OPTIONS in %u s",
				 OPTIONS_MS / 1000);
	return add_check(checks, h, "options", st < 300, t0, "the peer answered %s", phrase);
}

static void hop_close(struct hop_test *h)
{
	if (h->tls) {
		gnutls_bye(h->tls, GNUTLS_SHUT_WR);
		gnutls_deinit(h->tls);
	}
	if (h->cred)
		gnutls_certificate_free_credentials(h->cred);
	if (h->fd >= 0)
		close(h->fd);
}

static void test_hop(const struct db_sip_trunk *t, const struct db_sip_hop *hop, json_t *checks,
		     bool *all_ok)
{
	struct hop_test h = { .t = t, .host = hop->host, .fd = -1 };
	char host[272];
	bool ok;

	h.transport = hop->transport[0] ? hop->transport : t->transport;
	h.port = hop->port ? hop->port : !strcmp(h.transport, "tls") ? 5061 : 5060;
	uri_host(host, sizeof(host), h.host);
	if (!hop->port && !is_ip(h.host)) {
		snprintf(h.hop, sizeof(h.hop), "%s;transport=%s", host, h.transport);
		ok = check_rfc3263(&h, checks);
	} else {
		snprintf(h.hop, sizeof(h.hop), "%s:%u;transport=%s", host, h.port, h.transport);
		ok = check_dns(&h, checks);
	}
	if (ok && strcmp(h.transport, "udp"))
		ok = check_connect(&h, checks);
	if (ok && !strcmp(h.transport, "tls"))
		ok = check_tls(&h, checks);
	if (ok)
		ok = check_options(&h, checks);
	*all_ok = *all_ok && ok;
	hop_close(&h);
}

enum MHD_Result api_sip_trunk_self_test(struct web_req *r)
{
	struct db *db = web_db(r);
	struct db_sip_trunk *t;
	struct trunk_interop ti;
	char err[200], cmd[600];
	bool all_ok = true;
	json_t *checks;
	int rc;

	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	if (r->body_len) {      /* no body, or {}: the test takes no parameters */
		enum MHD_Result mrc;
		json_t *body = web_body_object(r, &mrc);
		const char *key;
		json_t *v;

		if (!body)
			return mrc;
		json_object_foreach(body, key, v) {
			mrc = web_reply_error(r, 400, "invalid_field", key, "unknown field \"%s\" "
					      "(the self-test takes no parameters)", key);
			json_decref(body);
			return mrc;
		}
		json_decref(body);
	}
	t = malloc(sizeof(*t));
	if (!t)
		return web_reply_error(r, 500, "internal", NULL, "out of memory");
	rc = db_sip_trunk_get(db, r->param[0], t);
	if (rc) {
		free(t);
		return rc == ENOENT ? web_reply_error(r, 404, "not_found", NULL, "no SIP trunk %s",
						      r->param[0])
				    : web_reply_error(r, 500, "internal", NULL, "cannot read the trunk");
	}
	if (trunk_interop_resolve(&(struct trunk_interop_cols){ .profile = t->profile,
			.prack = t->prack, .session_timer = t->session_timer,
			.refer_mode = t->refer_mode, .interop = t->interop }, &ti, err, sizeof(err)))
		log_warn("trunk %s: interop: %s (the profile's settings are shown)", t->name, err);
	checks = json_array();
	for (unsigned i = 0; i < t->nhops; i++)
		test_hop(t, &t->hops[i], checks, &all_ok);
	trunk_lync_command(&(struct trunk_lync_in){ .name = t->name,
		.tls = !strcmp(t->transport, "tls"), .srtp_mode = t->srtp_mode,
		.media_bypass = t->media_bypass, .interop = &ti }, cmd, sizeof(cmd));
	log_info("%s ran the self-test of SIP trunk %s: %s", r->user, t->name,
		 !t->nhops ? "no next hops" : all_ok ? "all checks passed" : "some checks failed");
	rc = web_reply_json(r, 200, json_pack("{s:I, s:s, s:b, s:o, s:s}", "id", (json_int_t)t->id,
		"name", t->name, "ok", all_ok && t->nhops > 0, "checks", checks, "lync_command", cmd));
	free(t);
	return (enum MHD_Result)rc;
}
