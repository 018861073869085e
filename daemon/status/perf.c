/*
 * perf.c -- each span's DS1 performance intervals (ds1_interval.c), kept by
 * the main thread and published for readers.  The main thread calls
 * status_perf_update right after spanmgr_status filled the snapshot's
 * cumulative counters (every status tick, ~2 per second); it owns `live`.
 * Readers (HTTP threads, the status socket) copy one span's history out of
 * `published` under the lock: the history is ~3 KB a span, too big to ride
 * in every copy of the status snapshot.
 *
 * Spans are keyed by database id (a rename keeps the history); a span that
 * leaves the snapshot loses its history.
 */
#include "config.h"
#include <pthread.h>
#include <string.h>

#include "status.h"

struct slot {
	long long id;
	bool used;
	struct ds1_perf perf;
};

static struct slot live[STATUS_MAX_SPANS];              /* main thread */
static struct slot published[STATUS_MAX_SPANS];         /* under lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct slot *find_or_add(long long id)
{
	struct slot *free_slot = NULL;

	for (size_t i = 0; i < STATUS_MAX_SPANS; i++) {
		if (live[i].used && live[i].id == id)
			return &live[i];
		if (!live[i].used && !free_slot)
			free_slot = &live[i];
	}
	if (free_slot) {
		free_slot->used = true;
		free_slot->id = id;
		ds1_perf_init(&free_slot->perf);
	}
	return free_slot;
}

void status_perf_update(struct status *st, int64_t now_s)
{
	bool seen[STATUS_MAX_SPANS] = { false };

	for (unsigned i = 0; i < st->nspans; i++) {
		struct status_span *ss = &st->spans[i];
		struct slot *sl = find_or_add(ss->id);
		struct status_ds1 *d = &ss->ds1;

		if (!sl)
			continue;       /* cannot happen: as many slots as spans */
		seen[sl - live] = true;
		ds1_perf_update(&sl->perf, &ss->counters, ss->open, now_s);
		d->current = sl->perf.cur;
		ds1_perf_total(&sl->perf, &d->total);
		d->elapsed_s = ds1_perf_elapsed(&sl->perf, now_s);
		d->valid_intervals = sl->perf.nintervals;
		d->invalid_intervals = ds1_perf_invalid(&sl->perf);
	}
	for (size_t i = 0; i < STATUS_MAX_SPANS; i++)
		if (!seen[i])
			live[i].used = false;   /* the span is gone */
	/* O(spans) copies of ~3 KB twice a second: cheaper than tracking changes. */
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < STATUS_MAX_SPANS; i++) {
		if (live[i].used)
			published[i] = live[i];
		else
			published[i].used = false;
	}
	pthread_mutex_unlock(&lock);
}

bool status_perf_history(long long span_id, struct ds1_perf *p)
{
	bool found = false;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < STATUS_MAX_SPANS && !found; i++) {
		if (published[i].used && published[i].id == span_id) {
			*p = published[i].perf;
			found = true;
		}
	}
	pthread_mutex_unlock(&lock);
	return found;
}
