/*
 * sip_selftest.c -- POST /api/v1/sip-trunks/{id}/self-test: can this trunk
 * reach its peers (a Lync Mediation Server pool, a PBX, an ITSP)?  For each
 * next hop, in order:
 *
 *   dns      the host's addresses (getaddrinfo; an IP literal needs none)
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
#include <sys/socket.h>
#include <unistd.h>
#include <gnutls/gnutls.h>

#define LOG_MODULE "api"
#include "log.h"
#include "api.h"
#include "db.h"
#include "tg.h"
#include "trunk_profile.h"

#define STEP_MS 3000                    /* connect, handshake */
#define OPTIONS_MS 4000                 /* the OPTIONS round trip */

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
	snprintf(h.hop, sizeof(h.hop), "%s:%u;transport=%s", host, h.port, h.transport);
	ok = check_dns(&h, checks);
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
