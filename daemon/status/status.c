/*
 * status.c -- see status.h.  A snapshot is a few hundred bytes: copying it
 * under a mutex is cheaper and simpler than reference counting.
 */
#include "config.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct status current;

void status_publish(const struct status *s)
{
	pthread_mutex_lock(&lock);
	current = *s;
	pthread_mutex_unlock(&lock);
}

void status_get(struct status *s)
{
	pthread_mutex_lock(&lock);
	*s = current;
	pthread_mutex_unlock(&lock);
}

/* The live calls, as JSON text the main thread built last for a reader. */
static char *calls_json;

void status_calls_publish(char *json)
{
	char *old;

	pthread_mutex_lock(&lock);
	old = calls_json;
	calls_json = json;
	pthread_mutex_unlock(&lock);
	free(old);
}

char *status_calls_get(void)
{
	char *copy;

	pthread_mutex_lock(&lock);
	copy = calls_json ? strdup(calls_json) : NULL;
	pthread_mutex_unlock(&lock);
	return copy;
}

bool status_calls_stale(const struct status_calls_mark *m, unsigned long long now_ms,
			unsigned long long total, unsigned active)
{
	/* starts (total) and ends (total - active) only grow: equal counts
	 * mean the same calls */
	return !m->built_ms || now_ms - m->built_ms >= STATUS_CALLS_FRESH_MS ||
	       m->total != total || m->active != active;
}
