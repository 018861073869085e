/*
 * tg_config_sip.c -- the SIP part of a configuration snapshot: trunks with
 * their next hops, and which trunk groups list them.  Called by
 * tg_config_load inside its read transaction.  Main thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "config"
#include "log.h"
#include "db.h"
#include "tg.h"
#include "tg_config.h"

static int load_trunks(struct tg_config *c, struct db *db)
{
	struct db_sip_trunk *v = NULL;
	size_t n = 0;
	char err[200];
	int rc;

	rc = db_sip_trunk_list(db, &v, &n);
	if (rc)
		return rc;
	c->sip_trunks = su_zalloc(c->home, (n ? n : 1) * sizeof(*c->sip_trunks));
	for (size_t i = 0; c->sip_trunks && i < n; i++) {
		struct tg_config_sip_trunk *t = &c->sip_trunks[i];

		t->id = v[i].id;
		t->name = su_strdup(c->home, v[i].name);
		t->enabled = v[i].enabled;
		t->profile = su_strdup(c->home, v[i].profile);
		t->transport = su_strdup(c->home, v[i].transport);
		t->allowed_sources = su_strdup(c->home, v[i].allowed_sources);
		t->listen = su_strdup(c->home, v[i].listen);
		t->tls_cert = su_strdup(c->home, v[i].tls_cert);
		t->tls_key = su_strdup(c->home, v[i].tls_key);
		t->tls_ca = su_strdup(c->home, v[i].tls_ca);
		t->tls_verify_name = su_strdup(c->home, v[i].tls_verify_name);
		t->max_calls = v[i].max_calls;
		t->options_interval = v[i].options_interval;
		t->options_down_after = v[i].options_down_after;
		t->options_up_after = v[i].options_up_after;
		t->auth_username = su_strdup(c->home, v[i].auth_username);
		t->auth_password = su_strdup(c->home, v[i].auth_password);
		t->auth_realm = su_strdup(c->home, v[i].auth_realm);
		t->do_register = v[i].do_register;
		t->register_expires = v[i].register_expires;
		/* media: the API validated these; a row written by hand that does
		 * not parse falls back to PCMU, PCMA */
		if (media_codec_list_parse(v[i].codecs, t->codecs, TG_ARRAY_SIZE(t->codecs),
					   &t->ncodecs, err, sizeof(err))) {
			log_warn("SIP trunk %s: codecs: %s; using PCMU,PCMA", v[i].name, err);
			t->codecs[0] = MEDIA_CODEC_PCMU;
			t->codecs[1] = MEDIA_CODEC_PCMA;
			t->ncodecs = 2;
		}
		t->srtp = !strcmp(v[i].srtp_mode, "required") ? MEDIA_SRTP_REQUIRED :
			  !strcmp(v[i].srtp_mode, "optional") ? MEDIA_SRTP_OPTIONAL : MEDIA_SRTP_OFF;
		t->rtp_timeout_s = v[i].rtp_timeout;
		t->rtp_timeout_on_hold = v[i].rtp_timeout_on_hold;
		t->media_bypass = v[i].media_bypass;
		/* The API validated it; a row written by hand falls back to its profile. */
		if (trunk_interop_resolve(&(struct trunk_interop_cols){ .profile = v[i].profile,
				.prack = v[i].prack, .session_timer = v[i].session_timer,
				.refer_mode = v[i].refer_mode, .interop = v[i].interop },
				&t->interop, err, sizeof(err)))
			log_warn("SIP trunk %s: %s", v[i].name, err);
		t->hops = su_zalloc(c->home, (v[i].nhops ? v[i].nhops : 1) * sizeof(*t->hops));
		if (!t->hops) {
			rc = ENOMEM;
			break;
		}
		for (unsigned k = 0; k < v[i].nhops; k++) {
			const struct db_sip_hop *h = &v[i].hops[k];

			t->hops[k].host = su_strdup(c->home, h->host);
			t->hops[k].port = h->port;
			t->hops[k].transport = su_strdup(c->home, h->transport[0] ? h->transport :
							 v[i].transport);
			t->hops[k].priority = h->priority;
			t->hops[k].weight = h->weight;
		}
		t->nhops = v[i].nhops;
	}
	if (!c->sip_trunks)
		rc = ENOMEM;
	if (!rc)
		c->nsip_trunks = n;
	free(v);
	return rc;
}

static int load_members(struct tg_config *c, struct db *db)
{
	struct db_sip_member *v = NULL;
	size_t n = 0;
	int rc;

	rc = db_sip_members(db, &v, &n);
	if (rc)
		return rc;
	c->sip_members = su_zalloc(c->home, (n ? n : 1) * sizeof(*c->sip_members));
	if (!c->sip_members) {
		free(v);
		return ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		c->sip_members[i].group_id = v[i].group_id;
		snprintf(c->sip_members[i].group, sizeof(c->sip_members[i].group), "%s", v[i].group);
		c->sip_members[i].trunk_id = v[i].trunk_id;
	}
	c->nsip_members = n;
	free(v);
	return 0;
}

int tg_config_load_sip(struct tg_config *c, struct db *db)
{
	int rc = load_trunks(c, db);

	return rc ? rc : load_members(c, db);
}
