/*
 * status.c -- see status.h.  A snapshot is a few hundred bytes: copying it
 * under a mutex is cheaper and simpler than reference counting.
 */
#include "config.h"
#include <pthread.h>
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
