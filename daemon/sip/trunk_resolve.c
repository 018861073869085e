/*
 * trunk_resolve.c -- next hops given as hostnames identify incoming calls
 * too: their addresses are resolved off the main thread.
 *
 * A resolver thread owns the blocking getaddrinfo calls.  The main thread
 * hands it the set of hostnames of the applied configuration (a copy, on
 * every apply); the thread resolves each (A and AAAA through getaddrinfo, so
 * /etc/hosts and nsswitch apply), then every TRUNK_RESOLVE_REFRESH_S seconds
 * again (getaddrinfo gives no TTL), and hands a complete result back: a
 * malloc'd table swapped under the lock, an eventfd registered with the main
 * su_root to wake the main thread, which rebuilds its source table
 * (trunk.c) from the configuration and the newest result.  The main thread
 * never waits for DNS; a name that does not resolve identifies nobody (its
 * previous addresses are dropped, and the log says so once per change).
 *
 * Main thread API except the thread body.
 *
 * trunk_resolve_guard_main() also keeps DNS off the main thread where
 * sofia-sip would look a name up itself: a response to a request whose Via
 * has `maddr=NAME` (RFC 3261 18.2.2) goes through a blocking getaddrinfo
 * in tport (measured: one UDP OPTIONS stalled the loop for over 30 s with
 * an unresponsive DNS server).  glibc's resolver state `_res` is per
 * thread: the main thread's is pointed at a nameserver that refuses at
 * once (127.0.0.1 port 1), so its lookups answer from /etc/hosts or fail
 * within milliseconds; other threads (this resolver, HTTP) keep the
 * system's resolv.conf.  Outgoing requests are unaffected: nta resolves
 * them with sofia's own asynchronous resolver (sresolv).  docs/sip.md.
 */
#include "config.h"
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "sip"
#include "log.h"
#include "tg.h"
#include "trunk_int.h"

#define TRUNK_RESOLVE_REFRESH_S 60

struct resolved_name {
	char host[256];
	struct trunk_net nets[TRUNK_RESOLVE_MAX_ADDRS];
	unsigned n;
};

struct trunk_resolver {
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int efd;
	int reg;                        /* su_root registration, -1 none */
	/* under lock */
	char (*want)[256];              /* hostnames to resolve, malloc'd */
	size_t nwant;
	bool changed;                   /* want is new: resolve at once */
	bool stop;
	struct resolved_name *ready;    /* a result the main thread has not taken */
	size_t nready;
	bool has_ready;
	/* main thread only: the result in use */
	struct resolved_name *names;
	size_t nnames;
};

/* ---- the thread ---- */

static unsigned resolve_one(const char *host, struct trunk_net *nets, unsigned max)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res = NULL;
	unsigned n = 0;

	if (getaddrinfo(host, NULL, &hints, &res))
		return 0;
	for (const struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
		struct trunk_net net = { .family = ai->ai_family };
		bool dup = false;

		if (ai->ai_family == AF_INET) {
			memcpy(net.addr, &((const struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
			net.bits = 32;
		} else if (ai->ai_family == AF_INET6) {
			memcpy(net.addr, &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
			net.bits = 128;
		} else {
			continue;
		}
		for (unsigned k = 0; k < n; k++)
			dup |= nets[k].family == net.family && !memcmp(nets[k].addr, net.addr, 16);
		if (!dup)
			nets[n++] = net;
	}
	freeaddrinfo(res);
	return n;
}

static void *resolver_main(void *arg)
{
	struct trunk_resolver *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		char (*want)[256] = NULL;
		struct resolved_name *out;
		size_t n = r->nwant;
		uint64_t one = 1;

		if (n) {
			want = malloc(n * sizeof(*want));
			if (want)
				memcpy(want, r->want, n * sizeof(*want));
		}
		r->changed = false;
		pthread_mutex_unlock(&r->lock);
		out = calloc(n ? n : 1, sizeof(*out));
		for (size_t i = 0; out && want && i < n; i++) {
			tg_strlcpy(out[i].host, want[i], sizeof(out[i].host));
			out[i].n = resolve_one(want[i], out[i].nets, TRUNK_RESOLVE_MAX_ADDRS);
		}
		free(want);
		pthread_mutex_lock(&r->lock);
		if (out && !r->changed) {
			free(r->ready);
			r->ready = out;
			r->nready = n;
			r->has_ready = true;
			if (write(r->efd, &one, sizeof(one)) < 0)
				log_warn("SIP resolver: cannot wake the main thread");
		} else {
			free(out);      /* out of date already (or no memory): again */
		}
		if (!r->stop && !r->changed) {
			struct timespec until;

			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += TRUNK_RESOLVE_REFRESH_S;
			while (!r->stop && !r->changed &&
			       pthread_cond_timedwait(&r->wake, &r->lock, &until) != ETIMEDOUT)
				;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* ---- main thread ---- */

static int on_ready(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct trunk_agent *a = (struct trunk_agent *)arg;
	struct trunk_resolver *r = a->resolver;
	struct resolved_name *old = NULL;
	size_t nold = 0;
	uint64_t v;
	bool got = false;

	(void)magic;
	(void)w;
	if (read(r->efd, &v, sizeof(v)) < 0)
		return 0;
	pthread_mutex_lock(&r->lock);
	if (r->has_ready) {
		old = r->names;
		nold = r->nnames;
		r->names = r->ready;
		r->nnames = r->nready;
		r->ready = NULL;
		r->has_ready = false;
		got = true;
	}
	pthread_mutex_unlock(&r->lock);
	if (!got)
		return 0;
	for (size_t i = 0; i < r->nnames; i++) {
		char list[200] = "";
		bool same = false;

		for (size_t k = 0; k < nold && !same; k++)
			same = !strcmp(old[k].host, r->names[i].host) && old[k].n == r->names[i].n &&
			       !memcmp(old[k].nets, r->names[i].nets, old[k].n * sizeof(old[k].nets[0]));
		if (same)
			continue;       /* say it when it changes */
		for (unsigned k = 0; k < r->names[i].n; k++) {
			char s[INET6_ADDRSTRLEN];

			inet_ntop(r->names[i].nets[k].family, r->names[i].nets[k].addr, s, sizeof(s));
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 k ? " " : "", s);
		}
		log_info("next hop %s resolves to %s", r->names[i].host,
			 list[0] ? list : "nothing: it identifies no incoming call");
	}
	free(old);
	trunk_sources_rebuild(a);
	return 0;
}

void trunk_resolve_guard_main(void)
{
	ASSERT_MAIN();
	if (res_init()) {
		log_warn("res_init failed: sofia-sip may resolve Via maddr names on the main loop");
		return;
	}
	_res.nscount = 1;
	_res.nsaddr_list[0].sin_family = AF_INET;
	_res.nsaddr_list[0].sin_port = htons(1);        /* nothing listens: refused at once */
	_res.nsaddr_list[0].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	_res.retry = 1;
	_res.retrans = 1;
}

unsigned trunk_resolve_lookup(const struct trunk_agent *a, const char *host,
			      struct trunk_net *nets, unsigned max)
{
	const struct trunk_resolver *r = a->resolver;

	for (size_t i = 0; r && i < r->nnames; i++)
		if (!strcasecmp(r->names[i].host, host)) {
			unsigned n = r->names[i].n < max ? r->names[i].n : max;

			memcpy(nets, r->names[i].nets, n * sizeof(*nets));
			return n;
		}
	return 0;
}

/* A next hop's host that is a name, not an IP literal. */
static bool is_name(const char *host)
{
	struct trunk_net n;

	return host[0] && !trunk_net_parse(host, &n);
}

void trunk_resolve_apply(struct trunk_agent *a)
{
	struct trunk_resolver *r = a->resolver;
	char (*want)[256] = NULL;
	size_t n = 0, cap = 0;

	if (!r || !a->cfg)
		return;
	for (size_t i = 0; i < a->cfg->nsip_trunks; i++) {
		const struct tg_config_sip_trunk *t = &a->cfg->sip_trunks[i];

		for (size_t h = 0; h < t->nhops; h++) {
			bool dup = false;

			if (!is_name(t->hops[h].host))
				continue;
			for (size_t k = 0; k < n; k++)
				dup |= !strcasecmp(want[k], t->hops[h].host);
			if (dup)
				continue;
			if (n == cap) {
				void *v = realloc(want, (cap = cap * 2 + 8) * sizeof(*want));

				if (!v) {
					free(want);
					log_err("SIP resolver: out of memory");
					return;
				}
				want = v;
			}
			tg_strlcpy(want[n++], t->hops[h].host, sizeof(want[0]));
		}
	}
	pthread_mutex_lock(&r->lock);
	if (n == r->nwant && (!n || !memcmp(want, r->want, n * sizeof(*want)))) {
		pthread_mutex_unlock(&r->lock);
		free(want);
		return;         /* the same names: the periodic refresh goes on */
	}
	free(r->want);
	r->want = want;
	r->nwant = n;
	r->changed = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
}

int trunk_resolve_create(struct trunk_agent *a)
{
	struct trunk_resolver *r = calloc(1, sizeof(*r));
	pthread_condattr_t ca;
	su_wait_t wait[1];

	if (!r)
		return ENOMEM;
	r->reg = -1;
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->wake, &ca);
	pthread_condattr_destroy(&ca);
	a->resolver = r;
	if (r->efd < 0 || su_wait_create(wait, r->efd, SU_WAIT_IN) < 0)
		goto fail;
	r->reg = su_root_register(a->root, wait, on_ready, (su_wakeup_arg_t *)a, 0);
	if (r->reg < 0)
		goto fail;
	if (pthread_create(&r->thread, NULL, resolver_main, r))
		goto fail;
	r->started = true;
	return 0;
 fail:
	trunk_resolve_destroy(a);
	return EIO;
}

void trunk_resolve_destroy(struct trunk_agent *a)
{
	struct trunk_resolver *r = a->resolver;

	if (!r)
		return;
	if (r->started) {
		pthread_mutex_lock(&r->lock);
		r->stop = true;
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->lock);
		/* at most one getaddrinfo's time (resolv.conf's timeout) */
		pthread_join(r->thread, NULL);
	}
	if (r->reg >= 0)
		su_root_deregister(a->root, r->reg);
	if (r->efd >= 0)
		close(r->efd);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r->want);
	free(r->ready);
	free(r->names);
	free(r);
	a->resolver = NULL;
}
