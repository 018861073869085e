/*
 * tg_config.c -- loading a configuration snapshot (see tg_config.h).  The
 * generation and the rows are read in one read transaction, so a snapshot
 * never mixes two generations.  Main thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "tg_config.h"

int tg_config_load(struct tg_config **cfgp, struct db *db, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} strings[] = {
		{ "system_name", offsetof(struct tg_config, system_name) },
		{ "location", offsetof(struct tg_config, location) },
		{ "contact", offsetof(struct tg_config, contact) },
	};
	struct tg_config *c;
	int rc;

	c = su_home_new(sizeof(*c));
	if (!c)
		return ENOMEM;
	rc = db_read_begin(db);
	if (rc) {
		snprintf(err, errlen, "cannot read configuration: %s", db_errmsg(db));
		goto out;
	}
	rc = db_config_generation(db, &c->generation, &c->changed_at_ms);
	for (size_t i = 0; !rc && i < sizeof(strings) / sizeof(strings[0]); i++) {
		char v[1024] = "";
		int grc = db_setting_get(db, strings[i].key, v, sizeof(v));

		if (grc && grc != ENOENT)
			rc = grc;
		*(const char **)((char *)c + strings[i].off) = su_strdup(c->home, v);
	}
	db_read_end(db);
	if (rc)
		snprintf(err, errlen, "cannot read configuration: %s", db_errmsg(db));
 out:
	if (rc)
		su_home_unref(c->home);
	else
		*cfgp = c;
	return rc;
}
