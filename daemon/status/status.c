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

/* The live calls, as JSON text the main thread rebuilt last. */
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
	copy = strdup(calls_json ? calls_json : "{\"active\":0,\"calls\":[]}");
	pthread_mutex_unlock(&lock);
	return copy;
}
