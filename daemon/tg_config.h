/*
 * tg_config.h -- the live configuration snapshot: a read-only, refcounted object
 * loaded from SQLite for one generation.  The main thread swaps in a new one
 * when a change is committed; whoever started work under the old one keeps
 * its reference (calls, later) until done.  Main thread only.
 *
 * (Named tg_config.h to stay clear of autoconf's config.h.)
 */
#ifndef TG_CONFIG_SNAPSHOT_H
#define TG_CONFIG_SNAPSHOT_H

#include <stdbool.h>
#include <sofia-sip/su_alloc.h>

#include "hw.h"
#include "isdn.h"
#include "media.h"
#include "trunk_profile.h"

/* The SIP rate limit settings (requests/s per source; docs/sip.md). */
#define TG_SIP_RATE_LIMIT_DEFAULT 50
#define TG_SIP_RATE_BURST_DEFAULT 100
#define TG_SIP_RATE_MAX 100000

struct db;

struct route_table;
struct route_group;

/* A span in a trunk group. */
struct tg_config_member {
	long long group_id;
	char group[33];
	long long span_id;
	unsigned first_channel, last_channel;
};

/* One span as the runtime needs it: typed, validated. */
struct tg_config_span {
	long long id;
	const char *name;                       /* from the snapshot's home */
	bool enabled;
	const char *driver;
	struct hw_span_cfg hw;                  /* name/device filled by the span manager */
	struct isdn_span_cfg isdn;
	const char *test_number;                /* "" = none */
	const char *sim_attach;                 /* "" = listen in the state folder */
	/* busy-out (survivability): not part of what the span runs with, so a
	 * change never re-opens the span (tg_config_span_equal ignores it) */
	long long busy_out_group_id;            /* 0 = none */
	bool busy_out_service;                  /* Q.931 SERVICE rather than D channel down */
	/* echo canceller on the span's B channels, 32..128 ms; 0 = off.  New
	 * calls take it (a change never re-opens the span either) */
	unsigned echo_tail_ms;
};

enum tg_bypass_mode { TG_BYPASS_AUTO, TG_BYPASS_ENGAGED, TG_BYPASS_RELEASED };

/* A bypass relay pair: two spans cross-connected while the relay is engaged. */
struct tg_config_bypass {
	long long id;
	const char *name;                       /* from the snapshot's home */
	long long span_a, span_b;               /* span ids */
	enum tg_bypass_mode mode;
};

/* A SIP trunk's next hop, and the trunk as the SIP side needs it. */
struct tg_config_sip_hop {
	const char *host;                       /* IP literal or hostname */
	unsigned port;                          /* 0 = the transport's default */
	const char *transport;                  /* udp, tcp, tls ("" in the db: the trunk's) */
	unsigned priority, weight;
};

struct tg_config_sip_trunk {
	long long id;
	const char *name;
	bool enabled;
	const char *profile;
	const char *transport;
	const char *allowed_sources;            /* as stored: IPs/CIDRs, comma separated */
	const char *listen;                     /* "" = the daemon's SIP address; else its own */
	const char *tls_cert, *tls_key, *tls_ca, *tls_verify_name;     /* "" = none */
	unsigned max_calls;
	struct trunk_interop interop;           /* profile + columns + overrides, resolved */
	struct tg_config_sip_hop *hops;         /* in try order */
	size_t nhops;
	/* OPTIONS health probes (trunk_health.c): seconds, 0 = off; failed
	 * probes in a row that mark a next hop down, good ones that bring it up */
	unsigned options_interval, options_down_after, options_up_after;
	/* digest credentials and outbound registration (trunk_auth.c) */
	const char *auth_username, *auth_password, *auth_realm;     /* "" = none */
	bool do_register;
	unsigned register_expires;
	/* media (trunk_media.c, docs/media.md) */
	enum media_codec codecs[MEDIA_CODEC__COUNT];    /* preference order */
	size_t ncodecs;
	enum media_srtp_mode srtp;
	unsigned rtp_timeout_s;                 /* 0 = off */
	bool rtp_timeout_on_hold;
	bool media_bypass;
};

/* A SIP trunk in a trunk group. */
struct tg_config_sip_member {
	long long group_id;
	char group[33];
	long long trunk_id;
};

struct tg_config {
	su_home_t home[1];                      /* first: su_home_new() hands it back */
	unsigned long long generation;
	long long changed_at_ms;
	const char *system_name;                /* from home */
	const char *location;
	const char *contact;
	struct tg_config_span *spans;           /* from home */
	size_t nspans;
	struct tg_config_member *members;       /* span members of trunk groups, from home */
	size_t nmembers;
	struct route_table *routes;             /* the routing table of this generation */
	struct tg_config_sip_trunk *sip_trunks; /* from home (tg_config_sip.c) */
	size_t nsip_trunks;
	struct tg_config_sip_member *sip_members;
	size_t nsip_members;
	/* Call timers (settings no_answer_timeout, max_call_duration), seconds;
	 * 0 = off.  New calls take them when they start. */
	unsigned no_answer_timeout_s, max_call_duration_s;
	/* Per-source rate limit of new SIP requests (trunk_guard.c): settings
	 * sip_rate_limit (requests/s, 0 = off), sip_rate_burst (0 = twice the
	 * rate).  Over it: 503 with Retry-After (docs/sip.md says why there
	 * is no silent drop). */
	unsigned sip_rate_limit, sip_rate_burst;
	const struct route_group *groups;       /* every trunk group (id, name, kind), from home */
	size_t ngroups;
	struct tg_config_bypass *bypass;        /* bypass relay pairs, from home */
	size_t nbypass;
};

/* Are two span configurations the same (so a running span can stay)? */
bool tg_config_span_equal(const struct tg_config_span *a, const struct tg_config_span *b);

/* The SIP trunks and their group membership into c (inside the load's read
 * transaction); tg_config_sip.c. */
int tg_config_load_sip(struct tg_config *c, struct db *db);

/* Load the generation that is committed now.  EIO etc. with err filled. */
int tg_config_load(struct tg_config **cfgp, struct db *db, char *err, size_t errlen);

/* The loader thread (tg_loader.c): builds snapshots with its own database
 * connection so the main thread never waits for one.  Main thread API.
 * start: `loaded` is the generation the caller has already.  request: build
 * the newest committed generation if it is past `generation`; when done the
 * loader posts MAINQ_CONFIG_READY.  take: the snapshot built (0), or the
 * build's error (err filled), or EAGAIN if a later take got it already;
 * build_ms is how long the build took.  stop: joins the thread, frees what
 * was not taken. */
struct tg_loader;
int  tg_loader_start(struct tg_loader **lp, const char *db_path, unsigned long long loaded,
		     char *err, size_t errlen);
void tg_loader_request(struct tg_loader *l, unsigned long long generation);
int  tg_loader_take(struct tg_loader *l, struct tg_config **cfgp, double *build_ms, char *err,
		    size_t errlen);
/* Hand a snapshot that was replaced to the loader thread to free. */
void tg_loader_retire(struct tg_loader *l, struct tg_config *c);
void tg_loader_stop(struct tg_loader *l);

#endif
