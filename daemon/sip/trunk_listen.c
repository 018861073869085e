/*
 * trunk_listen.c -- a SIP trunk's own listening address: one more nua
 * instance per distinct (listen, transport, TLS settings), on the same
 * su_root and the same event callback as the agent's main nua.
 *
 * Why a nua per address rather than extra tports on the main nua: a nua
 * has one Contact and Via per transport and one TLS context per tport
 * master, and picks the tport for an outgoing request by transport alone;
 * with a nua of its own a trunk's INVITEs leave from its own port with its
 * own certificate, its Contact names that port (Lync's Topology Builder
 * gives each trunk its own gateway port and checks who answers), and its
 * TLS verify policy stays its own.  The price is an nta agent per address
 * (a few KB; a gateway has a handful).
 *
 * TLS: sofia reads a certificate directory (TPTAG_CERTIFICATE): agent.pem
 * (key and certificate chain) and cafile.pem.  We build it from the
 * trunk's tls_key, tls_cert and tls_ca files in STATE/sip-tls/NAME/ (0700).
 * With tls_ca set the peer's certificate is verified both ways (mutual TLS:
 * a client without a certificate is refused), and with tls_verify_name its
 * subject must be that name.
 *
 * Lifetime: a listener no trunk uses any more is shut down; once nua says
 * it is down it is destroyed and the listeners are applied again (so a
 * changed trunk rebinds the address the old one held).  Main thread only.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/su_strlst.h>
#include <sofia-sip/tport_tag.h>

#define LOG_MODULE "sip"
#include "log.h"
#include "conf.h"
#include "tg.h"
#include "trunk_int.h"

struct trunk_listener {
	su_home_t home[1];              /* first: su_home_new() hands it back */
	char key[1400];                 /* what it was made from: see listener_key() */
	char name[33];                  /* the first trunk's name, for logs and the TLS folder */
	nua_t *nua;
	bool closing, closed;
};

bool trunk_tls_out(const struct tg_config_sip_trunk *t)
{
	if (!strcmp(t->transport, "tls"))
		return true;
	for (size_t i = 0; i < t->nhops; i++)
		if (!strcmp(t->hops[i].transport, "tls"))
			return true;
	return false;
}

/* The address a trunk's own nua binds: its `listen`; for a trunk that
 * sends over TLS without one, any free port on the SIP address (the
 * implicit TLS client below); "" = the shared nua. */
static void listen_of(const struct trunk_agent *a, const struct tg_config_sip_trunk *t,
		      char *buf, size_t len)
{
	bool v6 = strchr(a->bind_host, ':') != NULL;

	if (t->listen && t->listen[0])
		tg_strlcpy(buf, t->listen, len);
	else if (trunk_tls_out(t))
		snprintf(buf, len, "%s%s%s:0", v6 ? "[" : "", a->bind_host, v6 ? "]" : "");
	else
		buf[0] = '\0';
}

static void listener_key(const struct trunk_agent *a, const struct tg_config_sip_trunk *t,
			 char *key, size_t len)
{
	char listen[CONF_ADDR_LEN + 8];

	listen_of(a, t, listen, sizeof(listen));
	snprintf(key, len, "%s|%s|%s|%s|%s|%s", t->transport, listen, t->tls_cert, t->tls_key,
		 t->tls_ca, t->tls_verify_name);
}

static bool own_nua(const struct tg_config_sip_trunk *t)
{
	return (t->listen && t->listen[0]) || trunk_tls_out(t);
}

nua_t *trunk_nua(const struct trunk_agent *a, const struct tg_config_sip_trunk *t)
{
	char key[1400];

	if (!own_nua(t))
		return a->nua;
	listener_key(a, t, key, sizeof(key));
	for (size_t i = 0; i < a->nlisteners; i++)
		if (!a->listeners[i]->closing && !strcmp(a->listeners[i]->key, key))
			return a->listeners[i]->nua;
	return NULL;    /* its listener could not be opened: the trunk is down */
}

/* Append file `from` to fd; false on any error. */
static bool append_file(int fd, const char *from)
{
	char buf[4096];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC);

	if (in < 0)
		return false;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	return n == 0;
}

static bool write_pem(const char *path, const char *first, const char *second)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok;

	if (fd < 0)
		return false;
	ok = append_file(fd, first) && (!second || (write(fd, "\n", 1) == 1 &&
						    append_file(fd, second)));
	return close(fd) == 0 && ok;
}

/* STATE/sip-tls/NAME/{agent,cafile}.pem from the trunk's files. */
static bool tls_dir(const struct trunk_agent *a, const struct tg_config_sip_trunk *t, char *dir,
		    size_t len)
{
	char path[PATH_MAX + 64];

	snprintf(dir, len, "%s/sip-tls", a->state_dir[0] ? a->state_dir : ".");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return false;
	snprintf(dir, len, "%s/sip-tls/%s", a->state_dir[0] ? a->state_dir : ".", t->name);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return false;
	snprintf(path, sizeof(path), "%s/agent.pem", dir);
	if (!t->tls_cert[0] || !t->tls_key[0] || !write_pem(path, t->tls_key, t->tls_cert))
		return false;
	snprintf(path, sizeof(path), "%s/cafile.pem", dir);
	if (t->tls_ca[0])
		return write_pem(path, t->tls_ca, NULL);
	unlink(path);
	return true;
}

static struct trunk_listener *listener_open(struct trunk_agent *a,
					    const struct tg_config_sip_trunk *t)
{
	struct trunk_listener *l = su_home_new(sizeof(*l));
	char host[CONF_ADDR_LEN], url[CONF_ADDR_LEN + 48], sips[CONF_ADDR_LEN + 48], dir[PATH_MAX];
	char listen[CONF_ADDR_LEN + 8];
	bool tls = !strcmp(t->transport, "tls"), v6, implicit = !t->listen[0];
	su_strlst_t *subjects = NULL;
	unsigned port, policy = TPTLS_VERIFY_NONE;

	if (!l)
		return NULL;
	listener_key(a, t, l->key, sizeof(l->key));
	tg_strlcpy(l->name, t->name, sizeof(l->name));
	listen_of(a, t, listen, sizeof(listen));
	if (conf_split_hostport(listen, host, sizeof(host), &port)) {
		log_warn("trunk %s: listen \"%s\" is not ADDRESS:PORT", t->name, listen);
		goto fail;
	}
	v6 = strchr(host, ':') != NULL;
	sips[0] = '\0';
	if (implicit) {
		/* The implicit TLS client: UDP, TCP and TLS on free ports of
		 * the SIP address, so that the trunk's other next hops work
		 * from it too. */
		tls = true;
		snprintf(url, sizeof(url), "sip:%s%s%s:*", v6 ? "[" : "", host[0] ? host : "0.0.0.0",
			 v6 ? "]" : "");
		snprintf(sips, sizeof(sips), "sips:%s%s%s:*", v6 ? "[" : "",
			 host[0] ? host : "0.0.0.0", v6 ? "]" : "");
	} else {
		snprintf(url, sizeof(url), "%s:%s%s%s:%u;transport=%s", tls ? "sips" : "sip",
			 v6 ? "[" : "", host[0] ? host : "0.0.0.0", v6 ? "]" : "", port, t->transport);
	}
	if (tls) {
		if (!tls_dir(a, t, dir, sizeof(dir))) {
			log_warn("trunk %s: TLS needs readable tls_cert and tls_key files (and tls_ca "
				 "if given): not listening on %s", t->name, t->listen);
			goto fail;
		}
		/* With a CA: chains both ways, and the server we connect to
		 * must be named by its certificate as the next hop's host
		 * (sofia checks the host it connected to). */
		if (t->tls_ca[0])
			policy = TPTLS_VERIFY_ALL | TPTLS_VERIFY_SUBJECTS_OUT;
		if (t->tls_ca[0] && t->tls_verify_name[0]) {
			subjects = su_strlst_create(l->home);
			if (subjects && su_strlst_dup_append(subjects, t->tls_verify_name))
				policy = TPTLS_VERIFY_SUBJECTS_ALL;
		}
	}
	if (port && !trunk_bind_free(host[0] ? host : "0.0.0.0", port, v6)) {
		log_warn("trunk %s: cannot listen on %s: address in use or not local?", t->name,
			 t->listen);
		goto fail;
	}
	l->nua = nua_create(a->root, trunk_on_nua, (nua_magic_t *)a,
			    NUTAG_URL(url),
			    TAG_IF(sips[0], NUTAG_SIPS_URL(sips)),
			    NUTAG_AUTOACK(1), NUTAG_AUTOALERT(0), NUTAG_AUTOANSWER(0),
			    NUTAG_ENABLEINVITE(1),
			    SIPTAG_ALLOW_STR(TRUNK_ALLOW), NUTAG_APPL_METHOD("REFER"),
			    NUTAG_APPL_METHOD("OPTIONS"),        /* answered in trunk.c */
			    NUTAG_ENABLEMESSAGE(0),
			    TPTAG_UDP_RMEM(4 * 1024 * 1024),
			    SIPTAG_USER_AGENT_STR("trunkgate/" PACKAGE_VERSION),
			    TAG_IF(tls, TPTAG_CERTIFICATE(dir)),
			    TAG_IF(tls, TPTAG_TLS_VERIFY_POLICY(policy)),
			    TAG_IF(subjects, TPTAG_TLS_VERIFY_SUBJECTS(subjects)),
			    /* A connection closed with a request still pending
			     * is a transport error for that request.  Without
			     * it a TLS handshake that fails our check (name,
			     * chain) closes the connection silently and the
			     * INVITE waits for timer B; with it nta answers
			     * 503 at once and the next hop is tried. */
			    TPTAG_SDWN_ERROR(1),
			    TAG_NEXT(trunk_tune_tags(a)));  /* the shared nua's timers */
	if (!l->nua) {
		log_warn("trunk %s: cannot listen on %s (%s): address in use or not local?",
			 t->name, t->listen, t->transport);
		goto fail;
	}
	log_info("trunk %s: %s %s%s", t->name, implicit ? "TLS client (its own nua) on" :
		 "listening on", implicit ? sips : url,
		 policy == TPTLS_VERIFY_SUBJECTS_ALL ? " (mutual TLS, peer name checked)" :
		 policy ? " (mutual TLS)" : "");
	return l;
fail:
	su_home_unref(l->home);
	return NULL;
}

static bool used(const struct trunk_agent *a, const struct tg_config *cfg,
		 const struct trunk_listener *l)
{
	char key[1400];

	for (size_t i = 0; cfg && i < cfg->nsip_trunks; i++) {
		const struct tg_config_sip_trunk *t = &cfg->sip_trunks[i];

		if (!t->enabled || !own_nua(t))
			continue;
		listener_key(a, t, key, sizeof(key));
		if (!strcmp(key, l->key))
			return true;
	}
	return false;
}

void trunk_listeners_apply(struct trunk_agent *a)
{
	const struct tg_config *cfg = a->cfg;

	ASSERT_MAIN();
	/* Close what no trunk uses; it is reopened under its new settings
	 * once nua has let go of the address (trunk_listener_event). */
	for (size_t i = 0; i < a->nlisteners; i++) {
		struct trunk_listener *l = a->listeners[i];

		if (!l->closing && !used(a, cfg, l)) {
			log_info("trunk %s: closing its listener", l->name);
			l->closing = true;
			nua_shutdown(l->nua);
		}
	}
	for (size_t i = 0; cfg && i < cfg->nsip_trunks; i++) {
		const struct tg_config_sip_trunk *t = &cfg->sip_trunks[i];
		struct trunk_listener *l, **v;
		bool busy = false;

		if (!t->enabled || !own_nua(t) || trunk_nua(a, t))
			continue;
		/* The address is still held by a listener being closed. */
		for (size_t k = 0; k < a->nlisteners; k++)
			busy |= a->listeners[k]->closing;
		if (busy)
			continue;
		l = listener_open(a, t);
		if (!l)
			continue;
		v = realloc(a->listeners, (a->nlisteners + 1) * sizeof(*v));
		if (!v) {
			nua_destroy(l->nua);
			su_home_unref(l->home);
			continue;
		}
		a->listeners = v;
		a->listeners[a->nlisteners++] = l;
	}
}

static void reap(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg);

bool trunk_listener_event(struct trunk_agent *a, nua_t *nua, nua_event_t event, int status)
{
	if (nua == a->nua)
		return false;
	if (event != nua_r_shutdown)
		return false;
	for (size_t i = 0; i < a->nlisteners; i++) {
		struct trunk_listener *l = a->listeners[i];

		if (l->nua != nua || status < 200)
			continue;
		l->closed = true;
		if (a->shutting_down)
			return true;    /* trunk_listeners_destroy frees it */
		/* Not from inside nua's own callback: a timer's turn. */
		if (!a->reap_timer)
			a->reap_timer = su_timer_create(su_root_task(a->root), 0);
		if (a->reap_timer)
			su_timer_set_interval(a->reap_timer, reap, a, 1);
		return true;
	}
	return true;
}

/* Free listeners that finished shutting down, then open what is missing. */
static void reap(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct trunk_agent *a = (struct trunk_agent *)arg;
	size_t k = 0;

	for (size_t i = 0; i < a->nlisteners; i++) {
		struct trunk_listener *l = a->listeners[i];

		if (l->closed) {
			trunk_health_forget_nua(a, l->nua);
			nua_destroy(l->nua);
			su_home_unref(l->home);
		} else {
			a->listeners[k++] = l;
		}
	}
	a->nlisteners = k;
	trunk_listeners_apply(a);
}

void trunk_listeners_destroy(struct trunk_agent *a)
{
	unsigned long long until = tg_now_ms() + 3000;
	bool all;

	a->shutting_down = true;
	for (size_t i = 0; i < a->nlisteners; i++)
		if (!a->listeners[i]->closed)
			nua_shutdown(a->listeners[i]->nua);
	do {
		all = true;
		for (size_t i = 0; i < a->nlisteners; i++)
			all &= a->listeners[i]->closed;
		if (!all)
			su_root_step(a->root, 50);
	} while (!all && tg_now_ms() < until);
	for (size_t i = 0; i < a->nlisteners; i++) {
		/* One that did not shut down in time is leaked: we are exiting. */
		if (a->listeners[i]->closed)
			nua_destroy(a->listeners[i]->nua);
		su_home_unref(a->listeners[i]->home);
	}
	free(a->listeners);
	su_timer_destroy(a->reap_timer);
	a->reap_timer = NULL;
	a->listeners = NULL;
	a->nlisteners = 0;
}
