/*
 * sip_trunks.c -- /api/v1/sip-trunks: SIP trunks with their next hops
 * (`next_hops`: [{host, port, transport, priority, weight}]).  The routing
 * resources' generic handlers (routing.c) do the work: one field table
 * validates the scalar fields and names the bad one, decode_hops the nested
 * array; a write is one transaction (trunk, hops, audit, generation) and the
 * main thread then applies the new generation.  Deleting a trunk a trunk
 * group still lists is a 409 naming the group.  HTTP threads.
 *
 * Hosts and allowed_sources are checked with the SIP side's own parsers
 * (trunk.h), so what the API accepts is what the daemon can match.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "conf.h"
#include "routing_int.h"
#include "tg.h"
#include "trunk.h"
#include "media.h"
#include "trunk_profile.h"

static const char *const profiles[] = { "generic", "lync2013", "itsp", NULL };
static const char *const transports[] = { "udp", "tcp", "tls", NULL };
static const char *const srtp_modes[] = { "off", "optional", "required", NULL };
static const char *const refer_modes[] = { "reject", "pass", "act", NULL };

#define TF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_sip_trunk, m), \
	.size = sizeof(((struct db_sip_trunk *)0)->m), __VA_ARGS__ }

static const struct api_field trunk_fields[] = {
	TF("id", API_ID, id, .readonly = true),
	TF("name", API_STRING, name, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	TF("enabled", API_BOOL, enabled),
	TF("profile", API_ENUM, profile, .choices = profiles),
	TF("transport", API_ENUM, transport, .choices = transports),
	TF("listen", API_STRING, listen, .max = 63),
	TF("tls_cert", API_STRING, tls_cert, .max = 255),
	TF("tls_key", API_STRING, tls_key, .max = 255),
	TF("tls_ca", API_STRING, tls_ca, .max = 255),
	TF("tls_verify_name", API_STRING, tls_verify_name, .max = 253),
	TF("srtp_mode", API_ENUM, srtp_mode, .choices = srtp_modes),
	TF("media_bypass", API_BOOL, media_bypass),
	TF("refer_mode", API_ENUM, refer_mode, .choices = refer_modes),
	TF("prack", API_BOOL, prack),
	TF("session_timer", API_UINT, session_timer, .min = 0, .max = 86400),
	TF("options_interval", API_UINT, options_interval, .min = 0, .max = 3600),
	TF("options_down_after", API_UINT, options_down_after, .min = 1, .max = 100),
	TF("options_up_after", API_UINT, options_up_after, .min = 1, .max = 100),
	TF("allowed_sources", API_STRING, allowed_sources, .max = 511),
	TF("max_calls", API_UINT, max_calls, .min = 0, .max = 100000),
	/* digest credentials (ITSP trunks); the password is write-only */
	TF("auth_username", API_STRING, auth_username, .max = 127),
	TF("auth_password", API_STRING, auth_password, .max = 127, .writeonly = true),
	TF("auth_password_set", API_BOOL, auth_password_set, .readonly = true),
	TF("auth_realm", API_STRING, auth_realm, .max = 127),
	TF("register", API_BOOL, do_register),
	TF("register_expires", API_UINT, register_expires, .min = 1, .max = 86400),
	TF("interop", API_STRING, interop, .max = 255),
	/* media (docs/media.md) */
	TF("codecs", API_STRING, codecs, .min = 1, .max = 63),
	TF("rtp_timeout", API_UINT, rtp_timeout, .min = 0, .max = 3600),
	TF("rtp_timeout_on_hold", API_BOOL, rtp_timeout_on_hold),
};

#define HF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_sip_hop, m), \
	.size = sizeof(((struct db_sip_hop *)0)->m), __VA_ARGS__ }

static const struct api_field hop_fields[] = {
	HF("host", API_STRING, host, .required = true, .min = 1, .max = 253),
	HF("port", API_UINT, port, .min = 0, .max = 65535),
	HF("transport", API_ENUM, transport, .nullable = true, .choices = transports),  /* null: the trunk's */
	HF("priority", API_UINT, priority, .min = 0, .max = 65535),
	HF("weight", API_UINT, weight, .min = 0, .max = 65535),
};

const struct api_schema api_schema_sip_trunk = {
	.out = "SipTrunk", .create = "SipTrunkCreate", .update = "SipTrunkUpdate",
	.fields = trunk_fields, .nfields = TG_ARRAY_SIZE(trunk_fields),
	.array_key = "next_hops", .array_item = "SipNextHop", .array_max = DB_SIP_MAX_HOPS,
};
const struct api_schema api_schema_sip_hop = {
	.create = "SipNextHop", .fields = hop_fields, .nfields = TG_ARRAY_SIZE(hop_fields),
};

static void trunk_init(void *obj)
{
	struct db_sip_trunk *t = obj;

	t->enabled = true;
	tg_strlcpy(t->profile, "generic", sizeof(t->profile));
	tg_strlcpy(t->transport, "udp", sizeof(t->transport));
	tg_strlcpy(t->srtp_mode, "off", sizeof(t->srtp_mode));
	tg_strlcpy(t->refer_mode, "reject", sizeof(t->refer_mode));
	tg_strlcpy(t->codecs, "PCMU,PCMA", sizeof(t->codecs));
	t->rtp_timeout = 60;
	t->options_interval = 30;
	t->options_down_after = 3;
	t->options_up_after = 1;
	t->register_expires = 3600;
}

static bool decode_hop(json_t *e, unsigned i, struct db_sip_hop *h, char *field, char *msg,
		       size_t msglen)
{
	const char *fname = NULL;
	char at[24], fmsg[300];

	snprintf(at, sizeof(at), "next_hops[%u]", i);
	if (!json_is_object(e))
		return api_rt_bad(field, at, msg, msglen, "%s must be an object", at);
	memset(h, 0, sizeof(*h));
	h->priority = 10;
	h->weight = 10;
	if (!api_fields_apply(hop_fields, TG_ARRAY_SIZE(hop_fields), e, h, true, &fname, fmsg,
			      sizeof(fmsg))) {
		snprintf(field, API_FIELD_LEN, "%s.%s", at, fname);
		snprintf(msg, msglen, "%s: %s", at, fmsg);
		return false;
	}
	if (!trunk_host_valid(h->host)) {
		snprintf(field, API_FIELD_LEN, "%s.host", at);
		snprintf(msg, msglen, "%s.host \"%s\" is not an IP address or a hostname", at, h->host);
		return false;
	}
	return true;
}

static bool decode_hops(void *obj, json_t *arr, char *field, char *msg, size_t msglen)
{
	struct db_sip_trunk *t = obj;
	size_t i;
	json_t *e;

	if (!json_is_array(arr) || json_array_size(arr) > DB_SIP_MAX_HOPS)
		return api_rt_bad(field, "next_hops", msg, msglen,
				  "next_hops must be a list of up to %d next hops", DB_SIP_MAX_HOPS);
	json_array_foreach(arr, i, e) {
		if (!decode_hop(e, (unsigned)i, &t->hops[i], field, msg, msglen))
			return false;
	}
	t->nhops = (unsigned)json_array_size(arr);
	return true;
}

static bool path_ok(const char *v, const char *name, char *field, char *msg, size_t msglen)
{
	if (!v[0] || v[0] == '/')
		return true;
	return api_rt_bad(field, name, msg, msglen, "%s must be an absolute path (or empty)", name);
}

/* Digest credentials: what a digest client can send (no ':' in the user,
 * which sofia's credential string separates with; no quotes in the realm). */
static bool auth_check(const struct db_sip_trunk *t, char *field, char *msg, size_t msglen)
{
	if (strpbrk(t->auth_username, ":\"\\ "))
		return api_rt_bad(field, "auth_username", msg, msglen,
				  "auth_username must not contain ':', '\"', '\\' or spaces");
	if (strpbrk(t->auth_realm, "\"\\"))
		return api_rt_bad(field, "auth_realm", msg, msglen,
				  "auth_realm must not contain '\"' or '\\'");
	if (t->do_register && !t->auth_username[0])
		return api_rt_bad(field, "register", msg, msglen,
				  "register needs auth_username (the user registered)");
	if (t->do_register && !t->nhops)
		return api_rt_bad(field, "register", msg, msglen,
				  "register needs a next hop (the registrar)");
	return true;
}

/* Does the trunk send over TLS (its transport, or a next hop's)?  As
 * trunk_tls_out() in the daemon, on the API's struct. */
static bool tls_out(const struct db_sip_trunk *t)
{
	if (!strcmp(t->transport, "tls"))
		return true;
	for (size_t i = 0; i < t->nhops; i++)
		if (!strcmp(t->hops[i].transport, "tls"))
			return true;
	return false;
}

static bool trunk_check(void *obj, const void *old, json_t *body, char *field, char *msg,
			size_t msglen)
{
	struct db_sip_trunk *t = obj;
	struct trunk_net nets[32];
	struct trunk_interop ti;
	enum media_codec list[MEDIA_CODEC__COUNT];
	char host[CONF_ADDR_LEN], err[200];
	unsigned port;
	size_t n;

	if (t->listen[0] && (conf_split_hostport(t->listen, host, sizeof(host), &port) ||
			     port == 0 || (host[0] && !trunk_net_parse(host, &nets[0]))))
		return api_rt_bad(field, "listen", msg, msglen, "listen \"%s\" is not ADDRESS:PORT "
				  "with an IP address and a port 1..65535 (or empty)", t->listen);
	if (!path_ok(t->tls_cert, "tls_cert", field, msg, msglen) ||
	    !path_ok(t->tls_key, "tls_key", field, msg, msglen) ||
	    !path_ok(t->tls_ca, "tls_ca", field, msg, msglen))
		return false;
	if (!t->listen[0] && tls_out(t) && (!t->tls_cert[0] || !t->tls_key[0]))
		return api_rt_bad(field, t->tls_cert[0] ? "tls_key" : "tls_cert", msg, msglen,
				  "TLS toward the next hops needs tls_cert and tls_key: without its "
				  "own listen the trunk gets a TLS client of its own, whose transport "
				  "presents that certificate (docs/sip.md)");
	if (t->tls_verify_name[0] && !trunk_host_valid(t->tls_verify_name))
		return api_rt_bad(field, "tls_verify_name", msg, msglen,
				  "tls_verify_name \"%s\" is not a hostname", t->tls_verify_name);
	if (strcmp(t->srtp_mode, "off") && strcmp(t->transport, "tls"))
		return api_rt_bad(field, "srtp_mode", msg, msglen, "srtp_mode %s needs transport tls "
				  "(SRTP keys travel in SDP, which only TLS protects)", t->srtp_mode);
	if (media_codec_list_parse(t->codecs, list, TG_ARRAY_SIZE(list), &n, err, sizeof(err)))
		return api_rt_bad(field, "codecs", msg, msglen, "codecs: %s", err);
	if (t->rtp_timeout_on_hold && !t->rtp_timeout)
		return api_rt_bad(field, "rtp_timeout_on_hold", msg, msglen,
				  "rtp_timeout_on_hold needs an rtp_timeout (it is 0: off)");
	if (t->session_timer && t->session_timer < 90)
		return api_rt_bad(field, "session_timer", msg, msglen, "session_timer %u is below "
				  "90 s, the smallest RFC 4028 allows (0 turns it off)", t->session_timer);
	if (trunk_nets_parse(t->allowed_sources, nets, TG_ARRAY_SIZE(nets), &n, err, sizeof(err)))
		return api_rt_bad(field, "allowed_sources", msg, msglen, "allowed_sources: %s", err);
	/* The daemon resolves with the same function: what is accepted works. */
	if (trunk_interop_resolve(&(struct trunk_interop_cols){ .profile = t->profile,
			.prack = t->prack, .session_timer = t->session_timer,
			.refer_mode = t->refer_mode, .interop = t->interop }, &ti, err, sizeof(err)))
		return api_rt_bad(field, "interop", msg, msglen, "interop: %s", err);
	return auth_check(t, field, msg, msglen);
}

static json_t *hops_json(const void *obj)
{
	const struct db_sip_trunk *t = obj;
	json_t *arr = json_array();

	for (unsigned i = 0; i < t->nhops; i++)
		json_array_append_new(arr, api_fields_to_json(hop_fields, TG_ARRAY_SIZE(hop_fields),
							       &t->hops[i]));
	return arr;
}

static const char *trunk_name(const void *obj, char *buf, size_t len)
{
	return ((const struct db_sip_trunk *)obj)->name;
}

static int trunk_list(struct db *db, void **vp, size_t *np)
{
	return db_sip_trunk_list(db, (struct db_sip_trunk **)vp, np);
}

static int trunk_get(struct db *db, const char *key, void *obj)
{
	return db_sip_trunk_get(db, key, obj);
}

static int trunk_create(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_sip_trunk_create(db, obj, w);
}

static int trunk_update(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_sip_trunk_update(db, obj, w);
}

const struct api_rt_resource api_rt_sip_trunks = {
	.what = "SIP trunk", .list_key = "sip_trunks", .size = sizeof(struct db_sip_trunk),
	.fields = trunk_fields, .nfields = TG_ARRAY_SIZE(trunk_fields), .array_key = "next_hops",
	.init = trunk_init, .decode_array = decode_hops, .check = trunk_check,
	.array_json = hops_json, .name = trunk_name, .list = trunk_list, .get = trunk_get,
	.create = trunk_create, .update = trunk_update, .del = db_sip_trunk_delete,
};

enum MHD_Result api_sip_trunks_list(struct web_req *r) { return api_rt_list(r, &api_rt_sip_trunks); }
enum MHD_Result api_sip_trunk_get(struct web_req *r) { return api_rt_get(r, &api_rt_sip_trunks); }
enum MHD_Result api_sip_trunk_create(struct web_req *r) { return api_rt_create(r, &api_rt_sip_trunks); }
enum MHD_Result api_sip_trunk_update(struct web_req *r) { return api_rt_update(r, &api_rt_sip_trunks); }
enum MHD_Result api_sip_trunk_delete(struct web_req *r) { return api_rt_delete(r, &api_rt_sip_trunks); }
