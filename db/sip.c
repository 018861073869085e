/*
 * sip.c -- SIP trunks (sip_trunks) with their next hops (sip_peers), and the
 * SIP trunk members of trunk groups for the config snapshot.
 *
 * A trunk write is a routing write (routing.c's machinery): one BEGIN
 * IMMEDIATE transaction with the trunk row, its next hops replaced as a
 * whole, an audit row whose before/after JSON SQLite renders (hops nested),
 * the verify hook and the generation bump.  Deleting a trunk that a trunk
 * group still lists is refused with EBUSY naming the group.  Values are
 * validated by the API; a name taken is found here.  Any thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

#define TRUNK_COLS "id, name, enabled, profile, transport, listen, tls_cert, tls_key, tls_ca, " \
	"tls_verify_name, srtp_mode, media_bypass, refer_mode, prack, session_timer, " \
	"options_interval, options_down_after, options_up_after, allowed_sources, max_calls, interop, " \
	"codecs, rtp_timeout, rtp_timeout_on_hold"

#define TRUNK_JSON "SELECT json_object('id', t.id, 'name', t.name, 'enabled', t.enabled, " \
	"'profile', t.profile, 'transport', t.transport, 'listen', t.listen, " \
	"'tls_cert', t.tls_cert, 'tls_key', t.tls_key, 'tls_ca', t.tls_ca, " \
	"'tls_verify_name', t.tls_verify_name, 'srtp_mode', t.srtp_mode, " \
	"'media_bypass', t.media_bypass, 'refer_mode', t.refer_mode, 'prack', t.prack, " \
	"'session_timer', t.session_timer, 'options_interval', t.options_interval, " \
	"'options_down_after', t.options_down_after, 'options_up_after', t.options_up_after, " \
	"'allowed_sources', t.allowed_sources, 'max_calls', t.max_calls, 'interop', t.interop, " \
	"'codecs', t.codecs, 'rtp_timeout', t.rtp_timeout, 'rtp_timeout_on_hold', t.rtp_timeout_on_hold, " \
	"'auth_username', t.auth_username, 'auth_realm', t.auth_realm, 'register', t.register, " \
	"'register_expires', t.register_expires, 'auth_password_set', t.auth_password != '', " \
	"'next_hops', json((" \
	"SELECT json_group_array(json_object('host', p.host, 'port', p.port, " \
	"'transport', p.transport, 'priority', p.priority, 'weight', p.weight)) " \
	"FROM (SELECT * FROM sip_peers WHERE trunk_id = t.id ORDER BY priority, weight DESC, id) p))) " \
	"FROM sip_trunks t WHERE t.id = ?1"

static void row_to_trunk(sqlite3_stmt *st, void *item)
{
	struct db_sip_trunk *t = item;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, t->name, sizeof(t->name));
	t->enabled = sqlite3_column_int(st, 2) != 0;
	db_col_text(st, 3, t->profile, sizeof(t->profile));
	db_col_text(st, 4, t->transport, sizeof(t->transport));
	db_col_text(st, 5, t->listen, sizeof(t->listen));
	db_col_text(st, 6, t->tls_cert, sizeof(t->tls_cert));
	db_col_text(st, 7, t->tls_key, sizeof(t->tls_key));
	db_col_text(st, 8, t->tls_ca, sizeof(t->tls_ca));
	db_col_text(st, 9, t->tls_verify_name, sizeof(t->tls_verify_name));
	db_col_text(st, 10, t->srtp_mode, sizeof(t->srtp_mode));
	t->media_bypass = sqlite3_column_int(st, 11) != 0;
	db_col_text(st, 12, t->refer_mode, sizeof(t->refer_mode));
	t->prack = sqlite3_column_int(st, 13) != 0;
	t->session_timer = (unsigned)sqlite3_column_int(st, 14);
	t->options_interval = (unsigned)sqlite3_column_int(st, 15);
	t->options_down_after = (unsigned)sqlite3_column_int(st, 16);
	t->options_up_after = (unsigned)sqlite3_column_int(st, 17);
	db_col_text(st, 18, t->allowed_sources, sizeof(t->allowed_sources));
	t->max_calls = (unsigned)sqlite3_column_int(st, 19);
	db_col_text(st, 20, t->interop, sizeof(t->interop));
	db_col_text(st, 21, t->codecs, sizeof(t->codecs));
	t->rtp_timeout = (unsigned)sqlite3_column_int(st, 22);
	t->rtp_timeout_on_hold = sqlite3_column_int(st, 23) != 0;
}

/* The trunk's next hops in try order: priority, then the heavier first. */
static int read_hops(struct db *db, struct db_sip_trunk *t)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, "SELECT host, port, transport, priority, weight FROM sip_peers "
			"WHERE trunk_id = ?1 ORDER BY priority, weight DESC, id");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, t->id);
	t->nhops = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && t->nhops < DB_SIP_MAX_HOPS) {
		struct db_sip_hop *h = &t->hops[t->nhops++];

		db_col_text(st, 0, h->host, sizeof(h->host));
		h->port = (unsigned)sqlite3_column_int(st, 1);
		db_col_text(st, 2, h->transport, sizeof(h->transport));
		h->priority = (unsigned)sqlite3_column_int(st, 3);
		h->weight = (unsigned)sqlite3_column_int(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_errno(rc);
	return db_sip_auth_read(db, t);
}

int db_sip_trunk_list(struct db *db, struct db_sip_trunk **vp, size_t *np)
{
	struct db_sip_trunk *v = NULL;
	size_t n = 0;
	int rc = db_list(db, "SELECT " TRUNK_COLS " FROM sip_trunks ORDER BY id", sizeof(*v),
			 row_to_trunk, (void **)&v, &n);

	/* O(trunks) queries: a gateway has a handful of trunks. */
	for (size_t i = 0; !rc && i < n; i++)
		rc = read_hops(db, &v[i]);
	if (rc) {
		free(v);
		return rc;
	}
	*vp = v;
	*np = n;
	return 0;
}

int db_sip_trunk_get(struct db *db, const char *key, struct db_sip_trunk *t)
{
	bool by_id = key[0] && strspn(key, "0123456789") == strlen(key);
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, by_id ? "SELECT " TRUNK_COLS " FROM sip_trunks WHERE id = ?1" :
			"SELECT " TRUNK_COLS " FROM sip_trunks WHERE name = ?1");
	if (rc)
		return rc;
	if (by_id)
		sqlite3_bind_int64(st, 1, strtoll(key, NULL, 10));
	else
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_trunk(st, t);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? ENOENT : db_errno(rc);
	return read_hops(db, t);
}

static int write_hops(struct db *db, const struct db_sip_trunk *t)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, "DELETE FROM sip_peers WHERE trunk_id = ?1");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, t->id);
	rc = db_rt_step(st);
	if (!rc)
		rc = db_sip_auth_write(db, t);
	for (unsigned i = 0; !rc && i < t->nhops; i++) {
		const struct db_sip_hop *h = &t->hops[i];

		rc = db_prepare(db, &st, "INSERT INTO sip_peers (trunk_id, host, port, transport, "
				"priority, weight) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, t->id);
		sqlite3_bind_text(st, 2, h->host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 3, (int)h->port);
		sqlite3_bind_text(st, 4, h->transport, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 5, (int)h->priority);
		sqlite3_bind_int(st, 6, (int)h->weight);
		rc = db_rt_step(st);
	}
	return rc;
}

int db_rt_sip_trunk_write(struct db *db, struct db_sip_trunk *t, struct db_routing_write *w,
			  bool create)
{
	sqlite3_stmt *st;
	int rc;

	if (db_rt_name_taken(db, "sip_trunks", t->name, create ? 0 : t->id)) {
		snprintf(w->field, sizeof(w->field), "name");
		snprintf(w->msg, sizeof(w->msg), "a SIP trunk named %s exists already", t->name);
		return EEXIST;
	}
	rc = db_prepare(db, &st, create ?
		"INSERT INTO sip_trunks (name, enabled, profile, transport, listen, tls_cert, tls_key, "
		"tls_ca, tls_verify_name, srtp_mode, media_bypass, refer_mode, prack, session_timer, "
		"options_interval, options_down_after, options_up_after, allowed_sources, max_calls, "
		"interop, codecs, rtp_timeout, rtp_timeout_on_hold, created_at, updated_at) VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
		"?19, ?22, ?23, ?24, ?25, ?20, ?20)" :
		"UPDATE sip_trunks SET name = ?1, enabled = ?2, profile = ?3, transport = ?4, "
		"listen = ?5, tls_cert = ?6, tls_key = ?7, tls_ca = ?8, tls_verify_name = ?9, "
		"srtp_mode = ?10, media_bypass = ?11, refer_mode = ?12, prack = ?13, "
		"session_timer = ?14, options_interval = ?15, options_down_after = ?16, "
		"options_up_after = ?17, allowed_sources = ?18, max_calls = ?19, interop = ?22, codecs = ?23, rtp_timeout = ?24, rtp_timeout_on_hold = ?25, "
		"updated_at = ?20 "
		"WHERE id = ?21");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, t->enabled);
	sqlite3_bind_text(st, 3, t->profile, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, t->transport, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, t->listen, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, t->tls_cert, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, t->tls_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, t->tls_ca, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 9, t->tls_verify_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, t->srtp_mode, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 11, t->media_bypass);
	sqlite3_bind_text(st, 12, t->refer_mode, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 13, t->prack);
	sqlite3_bind_int(st, 14, (int)t->session_timer);
	sqlite3_bind_int(st, 15, (int)t->options_interval);
	sqlite3_bind_int(st, 16, (int)t->options_down_after);
	sqlite3_bind_int(st, 17, (int)t->options_up_after);
	sqlite3_bind_text(st, 18, t->allowed_sources, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 19, (int)t->max_calls);
	sqlite3_bind_int64(st, 20, db_now_ms());
	sqlite3_bind_text(st, 22, t->interop, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 23, t->codecs, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 24, (int)t->rtp_timeout);
	sqlite3_bind_int(st, 25, t->rtp_timeout_on_hold);
	if (!create)
		sqlite3_bind_int64(st, 21, t->id);
	rc = db_rt_step(st);
	if (rc)
		return rc;
	if (create)
		t->id = sqlite3_last_insert_rowid(db->conn);
	return write_hops(db, t);
}

static int write_trunk(struct db *db, void *obj, struct db_routing_write *w, bool create)
{
	return db_rt_sip_trunk_write(db, obj, w, create);
}

static const char *const trunk_users[] = {
	"SELECT 'trunk group ' || g.name FROM trunk_group_members m JOIN trunk_groups g "
	"ON g.id = m.group_id WHERE m.sip_trunk_id = ?1 ORDER BY g.id",
};

/* Delete: next hops go with it (ON DELETE CASCADE). */
static const struct db_rt_kind trunk_kind = {
	.type = "sip_trunk",
	.table = "sip_trunks",
	.json_sql = TRUNK_JSON,
	.write = write_trunk,
	.label = "SIP trunk",
	.users = trunk_users,
	.nusers = sizeof(trunk_users) / sizeof(trunk_users[0]),
};

int db_sip_trunk_create(struct db *db, struct db_sip_trunk *t, struct db_routing_write *w)
{
	return db_rt_change(db, &trunk_kind, DB_RT_CREATE, t, &t->id, w);
}

int db_sip_trunk_update(struct db *db, struct db_sip_trunk *t, struct db_routing_write *w)
{
	return db_rt_change(db, &trunk_kind, DB_RT_UPDATE, t, &t->id, w);
}

int db_sip_trunk_delete(struct db *db, long long id, struct db_routing_write *w)
{
	return db_rt_change(db, &trunk_kind, DB_RT_DELETE, NULL, &id, w);
}

static void row_to_member(sqlite3_stmt *st, void *item)
{
	struct db_sip_member *m = item;

	m->group_id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, m->group, sizeof(m->group));
	m->trunk_id = sqlite3_column_int64(st, 2);
	m->weight = (unsigned)sqlite3_column_int(st, 3);
}

int db_sip_members(struct db *db, struct db_sip_member **vp, size_t *np)
{
	return db_list(db, "SELECT m.group_id, g.name, m.sip_trunk_id, m.weight "
		       "FROM trunk_group_members m JOIN trunk_groups g ON g.id = m.group_id "
		       "WHERE m.sip_trunk_id IS NOT NULL ORDER BY m.group_id, m.position, m.id",
		       sizeof(**vp), row_to_member, (void **)vp, np);
}
