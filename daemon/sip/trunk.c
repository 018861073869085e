/*
 * trunk.c -- the SIP agent: one nua instance on the main su_root, listening
 * on the daemon's SIP address; the config snapshot's trunks turned into the
 * source table that identifies who sends an INVITE; the event callback that
 * hands call events to trunk_call.c; shutdown.
 *
 * nua runs in the thread that drives the su_root: main.c calls
 * su_root_threading(root, 0) before we create it (DEPENDENCIES.md), so every
 * nua_* call and every event is on the main thread.  nua answers OPTIONS
 * itself with 200 and our Allow/Accept (Lync probes its gateways this way)
 * and sends 100 Trying to an INVITE at once.
 *
 * Listening: one address for every trunk in this slice; a trunk's own
 * `listen` is stored but not acted on yet (per-trunk listeners come later).
 * Invariant: agent->srcs points into agent->cfg; both change together.
 */
#include "config.h"
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport_tag.h>

#define LOG_MODULE "sip"
#include "log.h"
#include "conf.h"
#include "tg.h"
#include "trunk_int.h"

/* ---- sources ---- */

const struct tg_config_sip_trunk *trunk_by_source(struct trunk_agent *a, const struct sockaddr *sa)
{
	/* O(sources): a gateway has a handful of trunks with a few peers each. */
	for (size_t i = 0; i < a->nsrcs; i++)
		if (a->srcs[i].trunk->enabled && trunk_net_match(&a->srcs[i].net, sa))
			return a->srcs[i].trunk;
	return NULL;
}

/* Next hops (IP literals, and hostnames as last resolved by
 * trunk_resolve.c) and allowed_sources, for every trunk. */
static int build_sources(const struct trunk_agent *a, const struct tg_config *cfg,
			 struct trunk_src **vp, size_t *np)
{
	struct trunk_src *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < cfg->nsip_trunks; i++) {
		const struct tg_config_sip_trunk *t = &cfg->sip_trunks[i];
		struct trunk_net nets[64];
		size_t k = 0, m = 0;
		char err[128];

		for (size_t h = 0; h < t->nhops && k < TG_ARRAY_SIZE(nets); h++) {
			if (trunk_net_parse(t->hops[h].host, &nets[k])) {
				if (!strchr(t->hops[h].host, '/'))
					k++;
			} else {
				k += trunk_resolve_lookup(a, t->hops[h].host, nets + k,
							  (unsigned)(TG_ARRAY_SIZE(nets) - k));
			}
		}
		if (trunk_nets_parse(t->allowed_sources, nets + k, TG_ARRAY_SIZE(nets) - k, &m, err,
				     sizeof(err)))
			log_warn("trunk %s: allowed_sources: %s", t->name, err);
		else
			k += m;
		if (n + k > cap) {
			struct trunk_src *nv;

			cap = (n + k) * 2 + 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return ENOMEM;
			}
			v = nv;
		}
		for (size_t j = 0; j < k; j++)
			v[n++] = (struct trunk_src){ .trunk = t, .net = nets[j] };
	}
	*vp = v;
	*np = n;
	return 0;
}

void trunk_agent_apply(struct trunk_agent *a, struct tg_config *cfg)
{
	struct trunk_src *v = NULL;
	size_t n = 0;

	ASSERT_MAIN();
	if (!a)
		return;
	if (build_sources(a, cfg, &v, &n)) {
		log_err("SIP trunks not applied: out of memory");
		return;
	}
	su_home_ref(cfg->home);
	if (a->cfg)
		su_home_unref(a->cfg->home);
	a->cfg = cfg;
	free(a->srcs);
	a->srcs = v;
	a->nsrcs = n;
	trunk_health_apply(a);
	trunk_auth_apply(a);
	trunk_guard_apply(a);
	trunk_resolve_apply(a);
	log_debug("%zu SIP trunks, %zu source addresses", cfg->nsip_trunks, n);
	trunk_listeners_apply(a);
}

void trunk_sources_rebuild(struct trunk_agent *a)
{
	struct trunk_src *v = NULL;
	size_t n = 0;

	if (!a->cfg)
		return;
	if (build_sources(a, a->cfg, &v, &n)) {
		log_err("SIP sources not rebuilt: out of memory");
		return;
	}
	free(a->srcs);
	a->srcs = v;
	a->nsrcs = n;
	log_debug("%zu SIP source addresses (hostnames resolved)", n);
}

unsigned trunk_agent_active(const struct trunk_agent *a)
{
	return a ? a->ncalls : 0;
}

/* ---- the nua callback ---- */

static void write_sip_url(struct trunk_agent *a, const sip_contact_t *m)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 24], line[300];
	int fd;

	snprintf(a->sip_port, sizeof(a->sip_port), "%s", m->m_url->url_port ? m->m_url->url_port : "");
	snprintf(line, sizeof(line), "sip:%s%s%s:%s\n", a->v6 ? "[" : "", m->m_url->url_host,
		 a->v6 ? "]" : "", m->m_url->url_port ? m->m_url->url_port : "5060");
	log_info("SIP listening on %.*s", (int)strlen(line) - 1, line);
	if (!a->state_dir[0])
		return;
	snprintf(path, sizeof(path), "%s/sip.url", a->state_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line) || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		log_warn("cannot write %s", path);
		unlink(tmp);
	}
}

/* Requests that may open something new: checked by the rate limit. */
static bool is_new_request(nua_event_t event)
{
	switch (event) {
	case nua_i_invite: case nua_i_options: case nua_i_register: case nua_i_refer:
	case nua_i_message: case nua_i_subscribe: case nua_i_publish: case nua_i_notify:
	case nua_i_info: case nua_i_method:
		return true;
	default:
		return false;
	}
}

/* The rate limit (trunk_guard.c), first thing for a new request: false if
 * it was refused with 503 (an INVITE's handle goes when nua reports it
 * terminated, below; any other request's now). */
static bool admitted(struct trunk_agent *a, nua_t *nua, nua_handle_t *nh, nua_event_t event)
{
	msg_t *msg = nua_current_request(nua);
	su_addrinfo_t *ai = msg ? msg_addrinfo(msg) : NULL;
	char ra[16];

	if (!ai || !ai->ai_addr || trunk_guard_check(a, ai->ai_addr))
		return true;
	snprintf(ra, sizeof(ra), "%u", trunk_guard_retry_after(a));
	nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, NUTAG_WITH_THIS(nua),
		    SIPTAG_RETRY_AFTER_STR(ra), TAG_END());
	if (event != nua_i_invite)
		nua_handle_destroy(nh);
	return false;
}

void trunk_on_nua(nua_event_t event, int status, char const *phrase, nua_t *nua,
		  nua_magic_t *magic, nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip,
		  tagi_t tags[])
{
	struct trunk_agent *a = (struct trunk_agent *)magic;
	struct trunk_call *tc = (struct trunk_call *)hmagic;

	if (trunk_listener_event(a, nua, event, status))
		return;
	if (!tc && nh && is_new_request(event) && !admitted(a, nua, nh, event))
		return;
	switch (event) {
	case nua_r_shutdown:
		if (status >= 200)
			a->shutdown_done = true;
		return;
	case nua_r_get_params: {
		const sip_contact_t *m = NULL;

		tl_gets(tags, NTATAG_CONTACT_REF(m), TAG_END());
		if (m && m->m_url->url_host)
			write_sip_url(a, m);
		return;
	}
	case nua_i_invite:
		if (!tc) {
			trunk_call_incoming(a, nua, nh, sip);
			return;
		}
		break;          /* a re-INVITE: trunk_call.c answers it */
	case nua_r_options:
		/* only health probes send OPTIONS (trunk_health.c) */
		trunk_health_on_options(a, status, phrase, nh, hmagic, sip);
		return;
	case nua_r_register:
	case nua_r_unregister:
		/* only trunk registrations (trunk_auth.c) */
		trunk_auth_on_register(a, event, status, phrase, nh, hmagic, sip);
		return;
	case nua_i_options:
		/* OPTIONS is an application method (so that the rate limit
		 * can answer 503): 200 with nua's Allow/Accept/SDP, then the
		 * handle is ours to drop. */
		if (status < 200)
			nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(nua), TAG_END());
		log_debug("OPTIONS from %s answered", sip && sip->sip_from ?
			  sip->sip_from->a_url->url_host : "?");
		if (!tc)
			nua_handle_destroy(nh);
		return;
	default:
		break;
	}
	if (tc) {
		trunk_call_on_event(a, event, status, phrase, nh, tc, sip, tags);
		return;
	}
	/* A handle nobody owns (a refused INVITE, an out-of-dialog request we
	 * do not serve): drop it once nua is done with it. */
	if (nh && event == nua_i_state) {
		int cs = -1;

		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
		if (cs == nua_callstate_terminated)
			nua_handle_destroy(nh);
	} else if (nh && event == nua_i_update && status < 200) {
		/* UPDATE is ours to answer (trunk_pass.c): no call here. */
		nua_respond(nh, SIP_481_NO_TRANSACTION, NUTAG_WITH_THIS(nua), TAG_END());
	} else if (nh && event == nua_i_refer) {
		/* Out of any dialog: nothing to transfer. */
		nua_respond(nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(nua), TAG_END());
		nua_handle_destroy(nh);
	} else if (nh && (event == nua_i_message || event == nua_i_subscribe ||
			  event == nua_i_publish || event == nua_i_notify)) {
		nua_handle_destroy(nh);
	}
}

/* ---- create and destroy ---- */

/* A local address for SDP when we listen on every address. */
static void guess_host(char *out, size_t len)
{
	struct ifaddrs *ifs, *i;

	snprintf(out, len, "127.0.0.1");
	if (getifaddrs(&ifs) < 0)
		return;
	for (i = ifs; i; i = i->ifa_next) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)i->ifa_addr;

		if (sin && sin->sin_family == AF_INET && sin->sin_addr.s_addr != htonl(INADDR_LOOPBACK)) {
			inet_ntop(AF_INET, &sin->sin_addr, out, (socklen_t)len);
			break;
		}
	}
	freeifaddrs(ifs);
}

/* Can host:port be bound for UDP and TCP right now? */
bool trunk_bind_free(const char *host, unsigned port, bool v6)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_storage ss = { 0 };
	socklen_t len;

	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (host[0] && inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return true;    /* a name: let sofia resolve and judge */
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (host[0] && inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return true;
		len = sizeof(*s4);
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int one = 1, fd = socket(ss.ss_family, types[i] | SOCK_CLOEXEC, 0);
		bool ok;

		if (fd < 0)
			return true;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));   /* as sofia does */
		ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
		close(fd);
		if (!ok)
			return false;
	}
	return true;
}

int trunk_agent_create(struct trunk_agent **ap, const struct trunk_agent_cfg *cfg, char *err,
		       size_t errlen)
{
	struct trunk_agent *a;
	char host[CONF_ADDR_LEN], url[CONF_ADDR_LEN + 32], port_s[8];
	unsigned port;
	bool any;

	if (conf_split_hostport(cfg->listen, host, sizeof(host), &port)) {
		snprintf(err, errlen, "SIP listen address \"%s\" is not ADDRESS:PORT", cfg->listen);
		return EINVAL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return ENOMEM;
	a->root = cfg->root;
	a->core = cfg->core;
	a->surv = cfg->surv;
	a->db = cfg->db;
	a->v6 = strchr(host, ':') != NULL;
	tg_strlcpy(a->bind_host, host[0] ? host : a->v6 ? "::" : "0.0.0.0", sizeof(a->bind_host));
	any = !host[0] || !strcmp(host, "0.0.0.0") || !strcmp(host, "::");
	if (cfg->media_address && cfg->media_address[0])
		tg_strlcpy(a->host, cfg->media_address, sizeof(a->host));
	else if (!any)
		tg_strlcpy(a->host, host, sizeof(a->host));
	else
		guess_host(a->host, sizeof(a->host));
	a->rtp_min = cfg->rtp_min & ~1u;
	a->rtp_max = cfg->rtp_max;
	a->rtp_next = a->rtp_min;
	a->rtp_used = calloc((a->rtp_max - a->rtp_min) / 16 + 1, 1);
	if (cfg->state_dir)
		tg_strlcpy(a->state_dir, cfg->state_dir, sizeof(a->state_dir));
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(url, sizeof(url), "sip:%s%s%s:%s", a->v6 ? "[" : "", host[0] ? host : "*",
		 a->v6 ? "]" : "", port ? port_s : "*");
	/* sofia-sip leaks what nua_create made when its bind fails: see first
	 * whether the address can be had (UDP and TCP), so that the common
	 * failure (the port is taken) never gets that far. */
	if (port && !trunk_bind_free(host, port, a->v6)) {
		snprintf(err, errlen, "cannot listen for SIP on %s (address in use or not local?)",
			 cfg->listen);
		free(a->rtp_used);
		free(a);
		return EADDRINUSE;
	}
	/* P-Asserted-Identity, Privacy and friends are parsed only once the
	 * extra headers are in the default parser class. */
	sip_update_default_mclass(sip_extend_mclass(NULL));
	if (a->rtp_used)
		a->nua = nua_create(a->root, trunk_on_nua, (nua_magic_t *)a,
				    NUTAG_URL(url),
				    NUTAG_AUTOACK(1),           /* our SDP ends at us: no ACK to relay */
				    NUTAG_AUTOALERT(0), NUTAG_AUTOANSWER(0),
				    NUTAG_ENABLEINVITE(1),
				    /* Replaces nua's default Allow: what we do not
				     * serve (MESSAGE, SUBSCRIBE...) gets 405.
				     * PRACK nua handles itself. */
				    SIPTAG_ALLOW_STR(TRUNK_ALLOW),
				    /* REFER is answered by trunk_call.c (refer switch),
				     * UPDATE by trunk_pass.c (passed on with bypass). */
				    NUTAG_APPL_METHOD("REFER"), NUTAG_APPL_METHOD("UPDATE"),
				    /* and OPTIONS, so that the rate limit can refuse it */
				    NUTAG_APPL_METHOD("OPTIONS"),
				    NUTAG_ENABLEMESSAGE(0),
				    /* 208 KB by default: a burst of INVITEs overflows
				     * it (DEPENDENCIES.md measured 4 MB). */
				    TPTAG_UDP_RMEM(4 * 1024 * 1024),
				    SIPTAG_USER_AGENT_STR("trunkgate/" PACKAGE_VERSION),
				    TAG_NEXT(trunk_tune_tags(a)));  /* trunk_tune.c */
	if (!a->nua) {
		int rc = a->rtp_used ? EADDRINUSE : ENOMEM;

		snprintf(err, errlen, "cannot listen for SIP on %s (%s)", cfg->listen,
			 rc == EADDRINUSE ? "address in use or not local?" : "out of memory");
		free(a->rtp_used);
		free(a);
		return rc;
	}
	trunk_tune(a);
	trunk_resolve_guard_main();     /* no DNS on the main thread from here on */
	/* The bound address (port 0 picks one) comes back in nua_r_get_params. */
	nua_get_params(a->nua, TAG_ANY(), TAG_END());
	if (trunk_guard_create(a))
		log_err("SIP rate limit not started: out of memory");
	if (trunk_resolve_create(a))
		log_err("SIP resolver not started: hostname next hops identify no calls");
	if (trunk_health_create(a))
		log_err("SIP health probes not started: out of memory");
	if (trunk_auth_create(a))
		log_err("SIP registrations not started: out of memory");
	*ap = a;
	return 0;
}

void trunk_agent_destroy(struct trunk_agent *a)
{
	unsigned long long until;

	if (!a)
		return;
	ASSERT_MAIN();
	trunk_resolve_destroy(a);       /* joins the resolver thread */
	trunk_health_destroy(a);        /* no probe may be in flight past nua_destroy */
	trunk_auth_destroy(a);          /* nua_shutdown below un-REGISTERs */
	/* nua_shutdown ends every dialog (BYE, CANCEL, final responses); its
	 * events still reach trunk_call.c, which tells the call core. */
	trunk_listeners_destroy(a);
	nua_shutdown(a->nua);
	until = tg_now_ms() + 3000;
	while (!a->shutdown_done && tg_now_ms() < until)
		su_root_step(a->root, 50);
	/* Whatever nua did not end in time: tell the core, drop the handles. */
	/* nua_destroy frees the handles; no nua_* call may touch them now,
	 * not even from the other leg's release that freeing one causes. */
	for (struct trunk_call *tc = a->calls; tc; tc = tc->next) {
		tc->nh = NULL;
		tc->ended = true;
	}
	while (a->calls)
		trunk_call_free(a->calls);
	/* nua_destroy before its shutdown completed would free what the stack
	 * still uses: leak it instead, we are exiting. */
	if (a->shutdown_done)
		nua_destroy(a->nua);
	else
		log_warn("SIP stack did not shut down in 3 s");
	if (a->cfg)
		su_home_unref(a->cfg->home);
	if (a->state_dir[0]) {
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/sip.url", a->state_dir);
		unlink(path);
	}
	trunk_guard_destroy(a);         /* after the calls: they give their counts back */
	free(a->srcs);
	free(a->rtp_used);
	free(a);
}
