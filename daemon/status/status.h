/*
 * status.h -- the read-only status snapshot.  The main thread fills a struct
 * status and publishes it; HTTP threads (and later the SNMP status socket)
 * take a copy.  Nobody outside the main thread ever reads live objects.
 */
#ifndef TG_STATUS_H
#define TG_STATUS_H

#include <stdbool.h>

struct status {
	char version[32];
	long long started_at_ms;                /* wall clock */
	unsigned long long started_mono_ms;     /* monotonic, for uptime */
	unsigned long long config_generation;   /* applied by the main thread */
	long long config_changed_at_ms;
	char config_error[256];                 /* last generation that failed to apply */
	char system_name[128];
	char location[128];
	char contact[128];
	unsigned active_calls;
	unsigned long long total_calls;
	bool demo;
	bool stopping;
};

/* Main thread */
void status_publish(const struct status *s);
/* Any thread: a copy of the latest snapshot. */
void status_get(struct status *s);

#endif
