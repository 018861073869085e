/*
 * trunk_auth.c -- digest authentication for ITSP trunks (issue 5, item 1):
 *
 *  - Challenges: a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) to
 *    one of our INVITEs or REGISTERs is answered once with the trunk's
 *    auth_username/auth_password through nua_authenticate(); the realm is the
 *    trunk's auth_realm, or the challenge's when that is empty.  A second
 *    challenge to the same request (wrong credentials) ends it: the INVITE
 *    fails with the 401/407 mapped like any final error.
 *  - Registration: an enabled trunk with `register` on REGISTERs
 *    sip:USER@HOST at its first usable next hop (the registrar), asking for
 *    register_expires seconds.  nua refreshes a registration before it
 *    expires (about halfway); every refresh that is challenged is answered
 *    again.  A failed registration is logged, recorded as an event
 *    (sip-register-failed, major; sip-registered, cleared, once it works
 *    again) and retried after min(30 s, register_expires).  A trunk whose
 *    credentials, registrar or expiry change re-registers (the old binding
 *    is removed first); one that stops registering un-REGISTERs.
 *
 * nua's outbound features (OPTIONS keepalives through the registrar,
 * Contact "natify", validation calls) are off: an ITSP registration is a
 * plain RFC 3261 REGISTER.  Main thread only.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/url.h>

#define LOG_MODULE "sip"
#include "log.h"
#include "db.h"
#include "status/status.h"
#include "tg.h"
#include "trunk_int.h"

#define TICK_MS 1000
#define RETRY_MAX_S 30
#define MAX_CHALLENGES 1                /* answered per request */

enum reg_state { REG_TRYING, REG_OK, REG_FAILED };

struct reg {
	long long trunk_id;
	char trunk[33];
	char key[1200];                 /* what it registered with: a change re-registers */
	unsigned expires;               /* asked for */
	nua_handle_t *nh;               /* NULL while waiting to retry */
	enum reg_state state;
	bool ever_ok;
	int last_status;
	unsigned tries;                 /* challenges answered since the last final answer */
	long long expires_at_ms;        /* wall; 0 = not registered */
	unsigned long long retry_ms;    /* monotonic */
	bool keep;                      /* scratch of apply */
};

struct trunk_auth {
	su_timer_t *timer;
	struct reg **v;
	size_t n;
};

/* ---- challenges ---- */

/* sofia's credential string "Digest:\"realm\":user:password" for this challenge. */
static bool credentials(const struct tg_config_sip_trunk *t, int status, const sip_t *sip,
			char *out, size_t len)
{
	const msg_auth_t *au = sip ? (status == 407 ? sip->sip_proxy_authenticate :
				      sip->sip_www_authenticate) : NULL;
	const char *realm;

	if (!au || !au->au_scheme || !t->auth_username || !t->auth_username[0])
		return false;
	realm = msg_params_find(au->au_params, "realm=");
	if (t->auth_realm[0]) {
		snprintf(out, len, "%s:\"%s\":%s:%s", au->au_scheme, t->auth_realm, t->auth_username,
			 t->auth_password);
	} else if (realm) {
		/* the parameter keeps its quotes, as sofia wants them */
		snprintf(out, len, "%s:%s:%s:%s", au->au_scheme, realm, t->auth_username,
			 t->auth_password);
	} else {
		return false;
	}
	return true;
}

bool trunk_auth_challenge(struct trunk_agent *a, const struct tg_config_sip_trunk *t,
			  nua_handle_t *nh, int status, const sip_t *sip, unsigned *tries)
{
	char cred[600];

	if ((status != 401 && status != 407) || !nh || *tries >= MAX_CHALLENGES ||
	    !credentials(t, status, sip, cred, sizeof(cred))) {
		if ((status == 401 || status == 407) && t->auth_username && t->auth_username[0])
			log_warn("%s: %d challenge not answered (%s)", t->name, status,
				 *tries ? "the credentials were refused" : "no usable challenge");
		return false;
	}
	++*tries;
	log_debug("%s: answering a %d challenge as %s", t->name, status, t->auth_username);
	nua_authenticate(nh, NUTAG_AUTH(cred), TAG_END());
	return true;
}

/* ---- registrations ---- */

static void reg_event(struct trunk_agent *a, struct reg *r, bool ok, const char *msg)
{
	if (ok)
		log_info("%s: %s", r->trunk, msg);
	else
		log_warn("%s: %s", r->trunk, msg);
	if (a->db)
		db_event_add(a->db, ok ? "cleared" : "major", ok ? "sip-registered" :
			     "sip-register-failed", r->trunk, msg);
}

static const struct tg_config_sip_trunk *trunk_of(const struct trunk_agent *a, long long id)
{
	for (size_t i = 0; a->cfg && i < a->cfg->nsip_trunks; i++)
		if (a->cfg->sip_trunks[i].id == id)
			return &a->cfg->sip_trunks[i];
	return NULL;
}

static bool wants_register(const struct tg_config_sip_trunk *t)
{
	return t->enabled && t->do_register && t->auth_username[0] && t->nhops;
}

/* The registrar: the first usable next hop (the first one if all are down). */
static unsigned registrar_hop(const struct trunk_agent *a, const struct tg_config_sip_trunk *t)
{
	for (unsigned k = 0; k < t->nhops; k++)
		if (trunk_hop_usable(a, t, k))
			return k;
	return 0;
}

static void reg_key(const struct trunk_agent *a, const struct tg_config_sip_trunk *t, char *out,
		    size_t len)
{
	const struct tg_config_sip_hop *h = &t->hops[registrar_hop(a, t)];

	snprintf(out, len, "%s|%s|%s|%u|%s|%u|%s", t->auth_username, t->auth_password, t->auth_realm,
		 t->register_expires, h->host, h->port, h->transport);
}

static void reg_start(struct trunk_agent *a, struct reg *r, const struct tg_config_sip_trunk *t)
{
	const struct tg_config_sip_hop *h = &t->hops[registrar_hop(a, t)];
	bool v6 = strchr(h->host, ':') != NULL;
	char hostport[300], registrar[400], aor[500], port[8] = "", expires[16];

	if (h->port)
		snprintf(port, sizeof(port), ":%u", h->port);
	snprintf(hostport, sizeof(hostport), "%s%s%s%s", v6 ? "[" : "", h->host, v6 ? "]" : "", port);
	snprintf(registrar, sizeof(registrar), "sip:%s;transport=%s", hostport, h->transport);
	snprintf(aor, sizeof(aor), "<sip:%s@%s>", t->auth_username, hostport);
	snprintf(expires, sizeof(expires), "%u", t->register_expires);
	r->expires = t->register_expires;
	r->tries = 0;
	r->retry_ms = 0;
	r->state = REG_TRYING;
	r->nh = nua_handle(a->nua, (nua_hmagic_t *)r, SIPTAG_TO_STR(aor), SIPTAG_FROM_STR(aor),
			   TAG_END());
	if (!r->nh) {
		r->state = REG_FAILED;
		r->retry_ms = tg_now_ms() + RETRY_MAX_S * 1000;
		return;
	}
	log_info("%s: REGISTER %s at %s for %s s", r->trunk, aor, registrar, expires);
	nua_register(r->nh, NUTAG_REGISTRAR((url_string_t *)registrar),
		     NUTAG_M_USERNAME(t->auth_username), SIPTAG_EXPIRES_STR(expires),
		     NUTAG_OUTBOUND("no-options-keepalive, no-validate, no-natify"),
		     NUTAG_KEEPALIVE(0), TAG_END());
}

/* Let go of the handle; with unregister, remove the binding first (the
 * answer comes to an unbound handle and is dropped there). */
static void reg_release(struct reg *r, bool unregister)
{
	if (!r->nh)
		return;
	nua_handle_bind(r->nh, NULL);
	if (unregister && r->state == REG_OK)
		nua_unregister(r->nh, TAG_END());
	else
		nua_handle_destroy(r->nh);
	r->nh = NULL;
	r->expires_at_ms = 0;
}

static void reg_failed(struct trunk_agent *a, struct reg *r, int status, const char *phrase)
{
	unsigned retry = r->expires < RETRY_MAX_S ? r->expires : RETRY_MAX_S;
	char msg[200];

	if (r->state != REG_FAILED || r->last_status != status) {
		snprintf(msg, sizeof(msg), "registration failed: %d %s; retrying in %u s", status,
			 phrase ? phrase : "", retry);
		reg_event(a, r, false, msg);
	}
	r->state = REG_FAILED;
	r->last_status = status;
	r->expires_at_ms = 0;
	nua_handle_bind(r->nh, NULL);
	nua_handle_destroy(r->nh);
	r->nh = NULL;
	r->retry_ms = tg_now_ms() + retry * 1000ULL;
}

/* The expiry the registrar granted: our Contact's expires, else Expires. */
static unsigned granted(const sip_t *sip, unsigned asked)
{
	if (sip && sip->sip_contact && sip->sip_contact->m_expires)
		return (unsigned)strtoul(sip->sip_contact->m_expires, NULL, 10);
	if (sip && sip->sip_expires)
		return (unsigned)sip->sip_expires->ex_delta;
	return asked;
}

void trunk_auth_on_register(struct trunk_agent *a, nua_event_t event, int status,
			    const char *phrase, nua_handle_t *nh, nua_hmagic_t *hmagic,
			    const sip_t *sip)
{
	struct reg *r = (struct reg *)hmagic;
	const struct tg_config_sip_trunk *t;
	char msg[160];

	ASSERT_MAIN();
	if (!r || r->nh != nh || event == nua_r_unregister) {
		if (status >= 200)
			nua_handle_destroy(nh);         /* a released registration's last answer */
		return;
	}
	if (status < 200)
		return;
	t = trunk_of(a, r->trunk_id);
	if ((status == 401 || status == 407) && t &&
	    trunk_auth_challenge(a, t, nh, status, sip, &r->tries))
		return;
	r->tries = 0;
	if (status >= 300) {
		reg_failed(a, r, status, phrase);
		return;
	}
	r->expires_at_ms = tg_wall_ms() + 1000LL * granted(sip, r->expires);
	if (r->state != REG_OK) {
		snprintf(msg, sizeof(msg), "registered for %u s", granted(sip, r->expires));
		if (r->ever_ok || r->state == REG_FAILED)
			reg_event(a, r, true, msg);
		else
			log_info("%s: %s", r->trunk, msg);
	}
	r->state = REG_OK;
	r->ever_ok = true;
	r->last_status = status;
}

static void on_tick(su_root_magic_t *magic, su_timer_t *timer, su_timer_arg_t *arg)
{
	struct trunk_agent *a = (struct trunk_agent *)arg;
	unsigned long long now = tg_now_ms();

	for (size_t i = 0; i < a->auth->n; i++) {
		struct reg *r = a->auth->v[i];
		const struct tg_config_sip_trunk *t;

		if (r->nh || !r->retry_ms || now < r->retry_ms)
			continue;
		t = trunk_of(a, r->trunk_id);
		if (t && wants_register(t)) {
			reg_key(a, t, r->key, sizeof(r->key));  /* a registrar that came up */
			reg_start(a, r, t);
		}
	}
}

/* ---- lifecycle ---- */

int trunk_auth_create(struct trunk_agent *a)
{
	a->auth = calloc(1, sizeof(*a->auth));
	if (!a->auth)
		return ENOMEM;
	a->auth->timer = su_timer_create(su_root_task(a->root), TICK_MS);
	if (!a->auth->timer) {
		free(a->auth);
		a->auth = NULL;
		return ENOMEM;
	}
	su_timer_run(a->auth->timer, on_tick, (su_timer_arg_t *)a);
	return 0;
}

void trunk_auth_apply(struct trunk_agent *a)
{
	struct trunk_auth *au = a ? a->auth : NULL;
	struct reg **nv;
	size_t nn = 0;

	if (!au || !a->cfg)
		return;
	nv = calloc(a->cfg->nsip_trunks ? a->cfg->nsip_trunks : 1, sizeof(*nv));
	if (!nv) {
		log_err("SIP registrations: out of memory; keeping the previous ones");
		return;
	}
	for (size_t i = 0; i < au->n; i++)
		au->v[i]->keep = false;
	for (size_t i = 0; i < a->cfg->nsip_trunks; i++) {
		const struct tg_config_sip_trunk *t = &a->cfg->sip_trunks[i];
		struct reg *r = NULL;
		char key[sizeof(r->key)];

		if (!wants_register(t))
			continue;
		reg_key(a, t, key, sizeof(key));
		for (size_t k = 0; k < au->n && !r; k++)
			if (au->v[k]->trunk_id == t->id)
				r = au->v[k];
		if (r && !strcmp(r->key, key)) {
			r->keep = true;
			tg_strlcpy(r->trunk, t->name, sizeof(r->trunk));
			nv[nn++] = r;
			continue;
		}
		if (r) {
			reg_release(r, true);   /* changed: the old binding goes first */
		} else {
			r = calloc(1, sizeof(*r));
			if (!r)
				continue;
			r->trunk_id = t->id;
		}
		r->keep = true;
		tg_strlcpy(r->trunk, t->name, sizeof(r->trunk));
		tg_strlcpy(r->key, key, sizeof(r->key));
		nv[nn++] = r;
		reg_start(a, r, t);
	}
	for (size_t i = 0; i < au->n; i++)
		if (!au->v[i]->keep) {
			log_info("%s: no longer registering", au->v[i]->trunk);
			reg_release(au->v[i], true);
			free(au->v[i]);
		}
	free(au->v);
	au->v = nv;
	au->n = nn;
}

void trunk_auth_destroy(struct trunk_agent *a)
{
	struct trunk_auth *au = a ? a->auth : NULL;

	if (!au)
		return;
	su_timer_destroy(au->timer);
	/* nua_shutdown removes the bindings; their answers find no owner */
	for (size_t i = 0; i < au->n; i++) {
		if (au->v[i]->nh)
			nua_handle_bind(au->v[i]->nh, NULL);
		free(au->v[i]);
	}
	free(au->v);
	free(au);
	a->auth = NULL;
}

void trunk_auth_status(const struct trunk_agent *a, long long trunk_id, struct status_sip_trunk *s)
{
	for (size_t i = 0; a->auth && i < a->auth->n; i++) {
		const struct reg *r = a->auth->v[i];

		if (r->trunk_id != trunk_id)
			continue;
		tg_strlcpy(s->reg_state, r->state == REG_OK ? "registered" : r->state == REG_FAILED ?
			   "failed" : "registering", sizeof(s->reg_state));
		s->reg_status = r->last_status;
		s->reg_expires_at_ms = r->state == REG_OK ? r->expires_at_ms : 0;
	}
}
