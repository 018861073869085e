/*
 * config.h -- the live configuration snapshot: a read-only, refcounted object
 * loaded from SQLite for one generation.  The main thread swaps in a new one
 * when a change is committed; whoever started work under the old one keeps
 * its reference (calls, later) until done.  Main thread only.
 *
 * (Named tg_config.h to stay clear of autoconf's config.h.)
 */
#ifndef TG_CONFIG_SNAPSHOT_H
#define TG_CONFIG_SNAPSHOT_H

#include <sofia-sip/su_alloc.h>

struct db;

struct tg_config {
	su_home_t home[1];                      /* first: su_home_new() hands it back */
	unsigned long long generation;
	long long changed_at_ms;
	const char *system_name;                /* from home */
	const char *location;
	const char *contact;
};

/* Load the generation that is committed now.  EIO etc. with err filled. */
int tg_config_load(struct tg_config **cfgp, struct db *db, char *err, size_t errlen);

#endif
