/*
 * db.h -- the configuration and CDR store on SQLite: the only place in
 * trunkgate where SQL text exists.
 *
 * A struct db is one SQLite connection and is used by one thread at a time:
 * the main thread opens the first (which checks and migrates the schema), and
 * each HTTP thread opens its own with db_open_conn().  WAL mode lets readers
 * and the one writer go on together; every write is one transaction.
 */
#ifndef TG_DB_H
#define TG_DB_H

#include <stdbool.h>
#include <stddef.h>

struct db;

#define DB_ERR_LEN 512

enum db_open_flags {
	DB_OPEN_MIGRATE = 1,            /* bring the schema up to date (main thread, at start) */
};

/* Open path, creating it if missing.  Refuses, leaving the file untouched,
 * when it is not a database, fails the integrity check, or has a schema newer
 * than this binary knows (EINVAL / ENOTSUP / EIO, message in err). */
int db_open(struct db **dbp, const char *path, unsigned flags, char *err, size_t errlen);
/* Create or open path and migrate it to exactly `version` (tests build older
 * schemas with this). */
int db_open_at(struct db **dbp, const char *path, unsigned version, char *err, size_t errlen);
void db_close(struct db *db);

/* Schema */
unsigned db_schema_latest(void);                 /* the version this binary writes */
int db_schema_version(struct db *db, unsigned *vp);
/* Apply migrations up to target (tests use this to build older schemas). */
int db_migrate(struct db *db, unsigned target, char *err, size_t errlen);
/* Run raw SQL: for tests that load fixtures only. */
int db_exec_script(struct db *db, const char *sql, char *err, size_t errlen);
const char *db_errmsg(struct db *db);
long long db_file_size(struct db *db);           /* main file + WAL, bytes */
long long db_path_size(const char *path);       /* the same by path, no connection: -1 if missing */

/* Who made a change, for the audit log. */
struct db_actor {
	const char *user;               /* "admin", "system", ... */
	const char *remote;             /* peer address, "" if local */
};

/* A read transaction: what is read between these is one consistent snapshot. */
int db_read_begin(struct db *db);
void db_read_end(struct db *db);

/* Configuration generation */
int db_config_generation(struct db *db, unsigned long long *genp, long long *changed_atp);

/* Settings: free-form key/value rows (system name, location, contact...).
 * db_settings_put writes all pairs, an audit row and bumps the generation,
 * in one transaction; *genp gets the new generation. */
struct db_kv {
	const char *key;
	const char *value;
};
int db_setting_get(struct db *db, const char *key, char *buf, size_t len);  /* ENOENT */
int db_settings_put(struct db *db, const struct db_kv *kv, size_t n, const struct db_actor *who,
		    unsigned long long *genp);

/* Users */
#define DB_LOCKOUT_AFTER 5              /* failed logins in a row before a lockout */
struct db_user {
	long long id;
	char username[64];
	char password_hash[256];
	char role[16];
	bool must_change_password;
	bool disabled;
	unsigned failed_logins;
	long long locked_until;         /* epoch ms; 0 = not locked */
	long long created_at, last_login_at;
};
/* A change to a user; unset parts stay. */
struct db_user_change {
	const char *role;               /* NULL = keep */
	int disabled;                   /* -1 = keep */
	int must_change_password;       /* -1 = keep */
	const char *password_hash;      /* NULL = keep */
	bool unlock;                    /* clear failed logins and the lockout */
};
int db_user_count(struct db *db, unsigned *np);
int db_user_get(struct db *db, const char *username, struct db_user *u);   /* ENOENT */
int db_user_list(struct db *db, struct db_user **vp, size_t *np);           /* by username */
int db_user_create(struct db *db, const char *username, const char *hash, const char *role,
		   bool must_change, const struct db_actor *who);            /* EEXIST */
int db_user_set_password(struct db *db, const char *username, const char *hash,
			 const struct db_actor *who);                        /* ENOENT */
/* ENOENT; EBUSY if it would leave no enabled admin. */
int db_user_update(struct db *db, const char *username, const struct db_user_change *c,
		   const struct db_actor *who);
int db_user_delete(struct db *db, const char *username, const struct db_actor *who);
/* Count a login attempt.  A success clears the failures; the
 * DB_LOCKOUT_AFTER-th failure in a row and each one after it lock the
 * account (1, 2, 4, 8, then 16 minutes); *locked_until (may be NULL) gets
 * the lock's end (0 = none). */
int db_user_note_login(struct db *db, const char *username, bool ok, long long *locked_until);

/* API tokens: only the SHA-256 of a token is kept. */
struct db_token {
	long long id;
	char name[64];
	char role[16];
	char created_by[64];
	long long created_at, expires_at, last_used_at, revoked_at;    /* 0 = none */
};
int db_token_create(struct db *db, const char *name, const char *hash, const char *role,
		    long long expires_at, const struct db_actor *who, long long *idp);
int db_token_list(struct db *db, struct db_token **vp, size_t *np);        /* newest first */
int db_token_revoke(struct db *db, long long id, const struct db_actor *who);   /* ENOENT */
/* The token with this hash, if it may be used now (not revoked, not
 * expired): 0, or ENOENT.  Notes its use (at most once a minute). */
int db_token_check(struct db *db, const char *hash, struct db_token *t);

/* Spans (T1/E1).  Text fields hold the API's names ("T1", "ESF", "euroisdn"...);
 * the API validates them, the config loader turns them into types. */
struct db_span {
	long long id;
	char name[33];
	bool enabled;
	char driver[8];                 /* sim, dahdi */
	unsigned position;
	char type[4];                   /* T1, E1 */
	char framing[4];                /* ESF, D4, CCS, CAS */
	char line_code[8];              /* B8ZS, AMI, HDB3 */
	bool crc4;
	char clock_source[12];          /* line, internal */
	char signalling[8];             /* pri */
	char pri_side[12];              /* network, user */
	char switch_type[12];           /* ni2, 5ess, dms100, euroisdn, qsig */
	char hunting[16];               /* ascending, descending, round-robin */
	char test_number[33];
	bool debug;
	char sim_attach[256];
	char busy_out_group[33];        /* trunk group whose outage takes the span out of service; "" = none */
	char busy_out_method[8];        /* dchan, service ("" is written as dchan) */
	unsigned echo_tail_ms;          /* echo canceller on B channels: 32..128 ms; 0 = off */
};
/* All spans, ordered by id, into a malloc'd array (*np entries). */
int db_span_list(struct db *db, struct db_span **vp, size_t *np);
/* By id (key all digits) or name.  ENOENT. */
int db_span_get(struct db *db, const char *key, struct db_span *sp);
/* Create (sp->id set on return), update (by sp->id), delete (by id); each one
 * transaction with an audit row and a new generation.  EEXIST: name or
 * driver+position taken; ENOENT: no such span; EBUSY (delete): still used,
 * with the referrer's table in `why`; EINVAL: busy_out_group names no group. */
int db_span_create(struct db *db, struct db_span *sp, const struct db_actor *who,
		   unsigned long long *genp);
int db_span_update(struct db *db, const struct db_span *sp, const struct db_actor *who,
		   unsigned long long *genp);
int db_span_delete(struct db *db, long long id, const struct db_actor *who,
		   unsigned long long *genp, char *why, size_t whylen);

/* Span members of trunk groups (the call core's map from spans to groups and
 * back), ordered by group, then position, then id. */
struct db_span_member {
	long long group_id;
	char group[33];
	long long span_id;
	unsigned first_channel, last_channel;   /* 0 = the whole span */
};
int db_span_members(struct db *db, struct db_span_member **vp, size_t *np);

/* Call detail records: one row per finished call. */
struct db_cdr {
	char call_id[48];
	long long setup_at, alert_at, answer_at, end_at;   /* ms; 0 = never */
	char in_kind[8], in_group[33], in_trunk[33];
	int in_channel;                 /* -1 = none */
	char out_kind[8], out_group[33], out_trunk[33];
	int out_channel;
	char calling[33], called[33], calling_out[33], called_out[33];
	char route[33];
	int cause;
	int sip_status;                 /* 0 = none */
	char released_by[8];            /* caller, callee, gateway */
	char quality[512];              /* media figures of the RTP legs, JSON; "" = none */
	bool media_bypass;              /* media went around the gateway (docs/media.md) */
};
/* One row in its own transaction (one fsync): tests, tools, the benchmark.
 * EEXIST: the call_id is there already. */
int db_cdr_add(struct db *db, const struct db_cdr *c);

/* The CDR writer (cdr_writer.c): a thread with its own connection to `path`
 * that commits whatever is queued in one transaction per batch (group
 * commit), so at high call rates many CDRs share one fsync.  add copies the
 * row into the queue and never waits for the disk (only for a mutex the
 * writer holds for a pointer swap); a row the database refuses (a duplicate
 * call_id) is logged and counted, and the rest of its batch is committed.
 * A CDR is durable a few ms after add (see cdr.c for the crash window);
 * stop drains the queue before it returns.  add/flush/stats: any thread. */
struct db_cdr_writer;
struct db_cdr_stats {
	unsigned long long queued;      /* accepted by add */
	unsigned long long written;     /* committed */
	unsigned long long batches;     /* transactions committed */
	unsigned long long failed;      /* rows the database refused, or given up at stop */
	unsigned long long dropped;     /* refused by add: the queue was full */
	unsigned long long retries;     /* batches retried after a transaction error */
	size_t pending;                 /* in the queue now (not yet taken by the writer) */
	size_t high_water;              /* the most ever in the queue */
	size_t capacity;
};
#define DB_CDR_QUEUE_DEFAULT 65536
int  db_cdr_writer_start(struct db_cdr_writer **wp, const char *path, size_t capacity,
			 char *err, size_t errlen);
/* Before the first add: also append every committed CDR as one JSON object
 * a line to jsonl_path (opened for each batch with O_APPEND, so logrotate
 * may move the file; NULL = none), and apply the retention settings every
 * prune_s seconds, the first time a few seconds after start (0 = never). */
void db_cdr_writer_options(struct db_cdr_writer *w, const char *jsonl_path, unsigned prune_s);
/* 0; ENOSPC when the queue is full (counted as dropped, logged); ENOMEM. */
int  db_cdr_writer_add(struct db_cdr_writer *w, const struct db_cdr *c);
/* Wait until every row added before this call is committed or has failed. */
void db_cdr_writer_flush(struct db_cdr_writer *w);
void db_cdr_writer_stats(struct db_cdr_writer *w, struct db_cdr_stats *st);
/* Drain the queue, stop the thread, close its connection.  NULL is fine. */
void db_cdr_writer_stop(struct db_cdr_writer *w);
/* ---- Routing: trunk groups, number ranges, manipulation rules, routes ----
 *
 * Names of other objects (a member span, a range's group, a route's
 * destinations) are what these structs carry; the write functions resolve
 * them to ids inside their own transaction, so a reference can never point at
 * something deleted in between.  Each write is one transaction: the rows, an
 * audit row with before/after JSON (rendered by SQLite), the generation bump,
 * and, before the commit, the caller's check of the whole routing
 * configuration as it would be committed (struct db_routing_write).
 */
#define DB_TG_MAX_MEMBERS 64
#define DB_ROUTE_MAX_DESTS 8            /* == ROUTE_MAX_DESTS (checked in routing.c) */

/* A trunk group member: a span (optionally a channel range), a SIP trunk or an
 * analog port, as the group's kind says. */
struct db_tg_member {
	char name[33];                  /* the span's, trunk's or port's name */
	long long ref_id;               /* read: its id; write: if > 0, by id instead of name */
	unsigned first_channel, last_channel;   /* spans: 0, 0 = every channel */
	unsigned weight;
};

struct db_trunk_group {
	long long id;
	char name[33];
	char kind[8];                   /* span, sip, analog */
	char hunting[16];               /* ascending, descending, round-robin, weighted */
	unsigned max_calls;             /* 0 = unlimited */
	unsigned nmembers;
	struct db_tg_member members[DB_TG_MAX_MEMBERS];
};

struct db_number_range {
	long long id;
	char name[33];
	char first[33], last[33];       /* "" when prefix is used */
	char prefix[33];                /* "" when first/last are used */
	char group[33];                 /* trunk group name; "" = none */
	bool override_allowed;
	char description[129];
};

struct db_manip_rule {
	long long id;
	char group[33];                 /* trunk group name */
	char direction[4];              /* in, out */
	char field[8];                  /* called, calling */
	unsigned position;
	char match[8];                  /* prefix, regex */
	char pattern[257];
	char replacement[65];           /* regex */
	unsigned strip;                 /* prefix */
	char prepend[33];               /* prefix */
	int set_ton, set_npi;           /* -1 = unchanged (stored as '') */
	char presentation[12];          /* "", allowed, restricted */
	char description[129];
};

struct db_route_dest {
	char group[33];
	unsigned weight;                /* 0 = strict order */
	char failover_causes[128];      /* "34,38,41,42,44,408,503" */
};

struct db_route {
	long long id;
	char name[33];
	bool enabled;
	unsigned position;
	char source_group[33];          /* "" = any */
	char range[33];                 /* "" = none */
	char called_prefix[33];
	char calling_prefix[33];
	char days[64];                  /* "mon-fri,sun"; "" = every day */
	char time_from[6], time_to[6];  /* "HH:MM"; "" = all day */
	char survivability_group[33];   /* "" = none */
	char survivability_forward[33]; /* "" = none */
	unsigned ndests;
	struct db_route_dest dests[DB_ROUTE_MAX_DESTS];
};

struct route_config;
struct su_home_s;

/* In and out of every routing write. */
struct db_routing_write {
	const struct db_actor *who;
	/* Called inside the write's transaction, after the rows are written and
	 * before the commit, with the whole routing configuration as it would be
	 * committed (loaded by db_routing_load).  Non-zero refuses the change:
	 * nothing is written, the write returns EINVAL with msg as filled here
	 * and field "".  NULL: no check. */
	int (*verify)(const struct route_config *cfg, void *arg, char *msg, size_t len);
	void *verify_arg;
	/* out */
	unsigned long long generation;
	char field[48];                 /* EINVAL: the field to blame ("members[2].span"), or "" */
	char msg[512];                  /* EINVAL, EEXIST, EBUSY: what is wrong, naming it */
};

/* Lists are ordered by id (rules: group, direction, field, position; routes:
 * position, id) into a malloc'd array of *np entries.  Get: by id (key all
 * digits) or name (rules: id only); ENOENT.  Create sets ->id.  Update and
 * delete: by ->id / id; ENOENT if it is gone.  EEXIST: the name is taken;
 * EINVAL: a name refers to nothing (w->field names the field) or the verify
 * hook refused; EBUSY (delete): still used, with the referrer in w->msg
 * ("route ev-in").  Deleting a trunk group deletes its members and its
 * manipulation rules. */
int db_trunk_group_list(struct db *db, struct db_trunk_group **vp, size_t *np);
int db_trunk_group_get(struct db *db, const char *key, struct db_trunk_group *g);
int db_trunk_group_create(struct db *db, struct db_trunk_group *g, struct db_routing_write *w);
int db_trunk_group_update(struct db *db, struct db_trunk_group *g, struct db_routing_write *w);
int db_trunk_group_delete(struct db *db, long long id, struct db_routing_write *w);

int db_range_list(struct db *db, struct db_number_range **vp, size_t *np);
int db_range_get(struct db *db, const char *key, struct db_number_range *r);
int db_range_create(struct db *db, struct db_number_range *r, struct db_routing_write *w);
int db_range_update(struct db *db, struct db_number_range *r, struct db_routing_write *w);
int db_range_delete(struct db *db, long long id, struct db_routing_write *w);

int db_rule_list(struct db *db, struct db_manip_rule **vp, size_t *np);
int db_rule_get(struct db *db, const char *key, struct db_manip_rule *r);
int db_rule_create(struct db *db, struct db_manip_rule *r, struct db_routing_write *w);
int db_rule_update(struct db *db, struct db_manip_rule *r, struct db_routing_write *w);
int db_rule_delete(struct db *db, long long id, struct db_routing_write *w);

int db_route_list(struct db *db, struct db_route **vp, size_t *np);
int db_route_get(struct db *db, const char *key, struct db_route *r);
int db_route_create(struct db *db, struct db_route *r, struct db_routing_write *w);
int db_route_update(struct db *db, struct db_route *r, struct db_routing_write *w);
int db_route_delete(struct db *db, long long id, struct db_routing_write *w);

/* The routing configuration as route_table_build takes it: every table read
 * in one read transaction (its own, or the caller's when one is open, so the
 * config snapshot and a write's verify hook can use it too), stored text
 * turned into types (days, times, failover causes, TON/NPI/presentation).
 * Every array and string comes from `home` and lives as long as it.
 * *genp (may be NULL) gets the generation of that same snapshot.  EINVAL with
 * err naming the object and field when a stored value does not parse. */
int db_routing_load(struct db *db, struct route_config *out, struct su_home_s *home,
		    unsigned long long *genp, char *err, size_t errlen);

/* ---- SIP trunks and their next hops (sip.c) ----
 * Writes are routing writes (struct db_routing_write above): one transaction
 * with the trunk, its next hops replaced as a whole, the audit row and the
 * generation.  EEXIST: name taken; EBUSY (delete): a trunk group lists it,
 * named in w->msg.  Lists are ordered by id, hops by priority then weight
 * (heavier first). */
#define DB_SIP_MAX_HOPS 8

struct db_sip_hop {
	char host[256];                 /* IP literal or hostname */
	unsigned port;                  /* 0 = DNS SRV / the transport's default */
	char transport[4];              /* "" = the trunk's; udp, tcp, tls */
	unsigned priority;              /* lower first */
	unsigned weight;
};

struct db_sip_trunk {
	long long id;
	char name[33];
	bool enabled;
	char profile[12];               /* generic, lync2013, itsp */
	char transport[4];              /* udp, tcp, tls */
	char listen[64];                /* "" = the daemon's SIP address */
	char tls_cert[256], tls_key[256], tls_ca[256], tls_verify_name[256];
	char srtp_mode[12];             /* off, optional, required */
	bool media_bypass;
	char refer_mode[8];             /* reject, pass, act */
	bool prack;
	unsigned session_timer;         /* seconds, 0 = off */
	unsigned options_interval, options_down_after, options_up_after;
	char allowed_sources[512];      /* IPs and CIDRs, comma separated */
	unsigned max_calls;             /* 0 = unlimited */
	char interop[256];              /* "name=value, ..." over the profile (trunk_profile.h) */
	/* media (migration 0006, docs/media.md) */
	char codecs[64];                /* preference order, "PCMU,PCMA,G722" */
	unsigned rtp_timeout;           /* seconds without RTP that end a call; 0 = off */
	bool rtp_timeout_on_hold;       /* also while the call is on hold */
	unsigned nhops;
	struct db_sip_hop hops[DB_SIP_MAX_HOPS];
	/* digest credentials, registration (sip_auth.c, migration 0004) */
	char auth_username[128];
	char auth_password[128];        /* stored as given; never printed by the API */
	bool auth_password_set;         /* read: a password is stored (what the API shows) */
	char auth_realm[128];           /* "" = whatever the challenge names */
	bool do_register;               /* "register" */
	unsigned register_expires;      /* seconds asked for */
};
int db_sip_trunk_list(struct db *db, struct db_sip_trunk **vp, size_t *np);
int db_sip_trunk_get(struct db *db, const char *key, struct db_sip_trunk *t);   /* id or name */
int db_sip_trunk_create(struct db *db, struct db_sip_trunk *t, struct db_routing_write *w);
int db_sip_trunk_update(struct db *db, struct db_sip_trunk *t, struct db_routing_write *w);
int db_sip_trunk_delete(struct db *db, long long id, struct db_routing_write *w);

/* SIP trunk members of trunk groups, ordered by group, position, id. */
struct db_sip_member {
	long long group_id;
	char group[33];
	long long trunk_id;
	unsigned weight;
};
int db_sip_members(struct db *db, struct db_sip_member **vp, size_t *np);

/* ---- Bypass relay pairs (power-fail transfer between two spans) ----
 * Writes use struct db_routing_write for the actor, the new generation and
 * the refusal (field + message).  EINVAL: a span names nothing, both are the
 * same, or one is in another pair already; EEXIST: the name is taken;
 * ENOENT: no such pair.  Get: by id (all digits) or name. */
struct db_bypass_pair {
	long long id;
	char name[33];
	char span_a[33], span_b[33];    /* span names */
	long long span_a_id, span_b_id; /* read: their ids */
	char mode[12];                  /* auto, engaged, released */
};
int db_bypass_list(struct db *db, struct db_bypass_pair **vp, size_t *np);
int db_bypass_get(struct db *db, const char *key, struct db_bypass_pair *p);
int db_bypass_create(struct db *db, struct db_bypass_pair *p, struct db_routing_write *w);
int db_bypass_update(struct db *db, struct db_bypass_pair *p, struct db_routing_write *w);
int db_bypass_delete(struct db *db, long long id, struct db_routing_write *w);
/* ---- Analog ports (analog.c) ----
 * FXS/FXO ports: configuration only until an analog driver exists (the
 * daemon opens none).  Writes use struct db_routing_write; EEXIST: the name,
 * or the driver and position, is taken (w->field "name" or "position");
 * EBUSY (delete): a trunk group lists it, named in w->msg; ENOENT: no such
 * port.  Get: by id (all digits) or name.  Lists are ordered by id. */
struct db_analog_port {
	long long id;
	char name[33];
	bool enabled;
	char driver[8];                 /* sim, dahdi, alsa */
	unsigned position;              /* 1.. on its driver */
	char kind[4];                   /* fxs, fxo */
	char number[33];                /* the line's own number, "" = none */
	char device[256];               /* e.g. an ALSA PCM name */
};

int db_analog_list(struct db *db, struct db_analog_port **vp, size_t *np);
int db_analog_get(struct db *db, const char *key, struct db_analog_port *p);
int db_analog_create(struct db *db, struct db_analog_port *p, struct db_routing_write *w);
int db_analog_update(struct db *db, struct db_analog_port *p, struct db_routing_write *w);
int db_analog_delete(struct db *db, long long id, struct db_routing_write *w);
/* ---- Records: CDRs, audit log, events (records.c) ----
 * Filtered and paged, newest first unless ascending.  f1..f3 by kind:
 * CDRS: f1 = a number prefix (called or calling, before or after
 * manipulation), f2 = a trunk or trunk group name (either leg), cause;
 * AUDIT: f1 = actor, f2 = object_type; EVENTS: f1 = severity, f2 = kind,
 * f3 = source.  NULL/"" = any.  Each row goes to row() as column names and
 * text values (NULL for SQL NULL) with their types (db_rec_type); row() returning
 * non-zero stops.  *total is how many rows match, whatever the page. */
enum db_rec_kind { DB_REC_CDRS, DB_REC_AUDIT, DB_REC_EVENTS };
enum db_rec_type { DB_REC_INTEGER = 1, DB_REC_FLOAT, DB_REC_TEXT, DB_REC_BLOB, DB_REC_NULL };
						/* == SQLite's column types */
struct db_rec_query {
	enum db_rec_kind kind;
	long long from_ms, to_ms;       /* the record's time (CDRs: end) in [from, to); 0 = open */
	const char *f1, *f2, *f3;
	int cause;                      /* CDRS: 0 = any */
	bool ascending;
	unsigned limit, offset;
};
typedef int (db_rec_row_h)(void *arg, int ncols, const char *const *names,
			   const char *const *values, const int *types);
int db_records(struct db *db, const struct db_rec_query *q, db_rec_row_h *row, void *arg,
	       long long *total);
/* Retention: delete CDRs and events older than the days given or beyond the
 * newest max rows (0 = no limit of that kind), in chunks of a few thousand
 * rows a transaction so writers never wait long.  *deleted counts the rows.
 * The audit log is never pruned. */
struct db_retention {
	unsigned cdr_days, cdr_max, event_days, event_max;
};
#define DB_RETENTION_DEFAULT { 365, 5000000, 90, 200000 }
int db_prune(struct db *db, const struct db_retention *r, long long now_ms, unsigned long long *deleted);
/* The retention settings (cdr_retention_days, cdr_retention_max,
 * event_retention_days, event_retention_max), defaults where unset. */
void db_retention_get(struct db *db, struct db_retention *r);
/* A consistent copy of the whole database into a new file at path
 * (SQLite's online backup). */
int db_backup_to(struct db *db, const char *path);
/* The file this connection opened. */
const char *db_path(const struct db *db);

/* ---- Deployment presets (presets.c) ----
 * A starting configuration for one of the deployments, from a few answers:
 * trunk groups "carrier", "pbx" (spans) and "ev" (the SIP trunk), ranges
 * "ev-users" and "pbx-users", the routes between them, and (sip_e164_plus)
 * rules giving the SIP side E.164 numbers with +.  See presets.c. */
struct db_preset_range {
	char first[33], last[33], prefix[33];   /* one of first..last or prefix */
};

struct db_preset {
	char preset[24];                /* ev-in-front-of-pbx, ev-behind-pbx, voip-only */
	char carrier_span[33], pbx_span[33];
	char sip_trunk[33];             /* its name: an existing trunk, or made from sip_host */
	char sip_host[256];             /* "" = use the existing sip_trunk */
	unsigned sip_port;              /* 0 = DNS SRV / the transport's default */
	char sip_transport[4];          /* udp, tcp, tls; "" = tcp */
	struct db_preset_range ev_range, pbx_range;
	char survivability[33];         /* routes into the SIP trunk: "pbx", "none", or a number */
	bool sip_e164_plus;
	bool replace;                   /* replace all routing configured now */
	bool dry_run;                   /* check everything, write nothing */
};

struct db_preset_plan {
	unsigned ngroups, nranges, nrules, nroutes;
	struct db_trunk_group groups[3];
	struct db_number_range ranges[2];
	struct db_manip_rule rules[4];
	struct db_route routes[5];
};

/* The presets' names (i from 0; NULL past the last) and titles (NULL: no such preset). */
const char *db_preset_name(unsigned i);
const char *db_preset_title(const char *name);
/* Answers -> objects; pure.  EINVAL with field and msg naming the answer. */
int db_preset_plan(const struct db_preset *a, struct db_preset_plan *plan, char *field,
		   size_t flen, char *msg, size_t mlen);
/* Write the plan in one transaction (refused with EEXIST while routing is
 * configured, unless a->replace: then all trunk groups, ranges, rules and
 * routes are replaced), check the whole routing, one audit row with
 * answers_json, one generation.  Errors as the routing writes'; w->field
 * names the object ("routes[2].range") or the answer ("pbx_span"). */
int db_preset_apply(struct db *db, const struct db_preset *a, const struct db_preset_plan *plan,
		    const char *answers_json, struct db_routing_write *w);

/* ---- Configuration import (config_import.c) ----
 * Replace the whole configuration in one transaction: spans, SIP trunks
 * (and analog ports, when given) matched by name (kept rows keep their ids; missing ones are deleted),
 * trunk groups, ranges, rules, routes and bypass pairs deleted and written
 * again, settings written (and those in settings_unset deleted: back to
 * their defaults).  The row writers are the single-object writes' own; then
 * w->verify on the whole routing, one audit row ("import", "config", with
 * summary_json as after), one generation.  Errors as the routing writes',
 * with w->field naming the object ("routes[3].range").  Users and API
 * tokens stay; analog ports stay unless analog_given (then matched by name
 * as spans are).  dry_run: everything is checked, nothing stays.
 * The arrays are written in place (ids set). */
struct db_config_import {
	struct db_span *spans;
	size_t nspans;
	struct db_sip_trunk *sip_trunks;
	size_t nsip_trunks;
	struct db_analog_port *analog_ports;   /* only when analog_given */
	size_t nanalog_ports;
	bool analog_given;
	struct db_trunk_group *groups;
	size_t ngroups;
	struct db_number_range *ranges;
	size_t nranges;
	struct db_manip_rule *rules;
	size_t nrules;
	struct db_route *routes;
	size_t nroutes;
	struct db_bypass_pair *pairs;
	size_t npairs;
	const struct db_kv *settings;
	size_t nsettings;
	const char *const *settings_unset;
	size_t nunset;
	const char *summary_json;
	bool dry_run;
};
int db_config_import(struct db *db, struct db_config_import *c, struct db_routing_write *w);

/* Events (severity: critical, major, minor, warning, info, cleared) */
int db_event_add(struct db *db, const char *severity, const char *kind, const char *source,
		 const char *message);
/* Audit rows outside a config change (logins, logouts). */
int db_audit_add(struct db *db, const struct db_actor *who, const char *action,
		 const char *object_type, const char *object_id);
/* Counting rows, for status and tests. */
int db_count(struct db *db, const char *table, long long *np);    /* table from a fixed list */

#endif
