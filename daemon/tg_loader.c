/*
 * tg_loader.c -- building configuration snapshots off the main thread.
 *
 * A snapshot of a big configuration (100,000 number ranges) takes a few
 * hundred milliseconds to read and build; the main thread must go on
 * handling calls meanwhile.  The loader thread has its own database
 * connection (WAL: it reads while others write), builds the newest
 * generation asked for, keeps the result and posts MAINQ_CONFIG_READY; the
 * main thread takes it (tg_loader_take) and swaps it in, which costs
 * microseconds.  Requests arriving during a build coalesce into one more
 * build of whatever is committed by then.  A result nobody took is freed
 * when a newer one replaces it, or at stop.  The snapshot it replaces goes
 * back to the loader to be freed (tg_loader_retire): freeing 100,000 ranges
 * is milliseconds the main thread need not spend.  Routing tables are
 * threadsafe homes, so a call still holding the old table may drop it on
 * the main thread while the loader drops the snapshot's reference.
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "config"
#include "log.h"
#include "conf.h"
#include "db.h"
#include "mainq.h"
#include "tg.h"
#include "tg_config.h"

struct tg_loader {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct db *db;                  /* the loader thread's own connection */
	/* under lock */
	unsigned long long wanted;      /* newest generation asked for */
	unsigned long long built;       /* newest generation a build was started for */
	bool stop;
	struct tg_config *ready;        /* built, not yet taken */
	struct tg_config *retired[8];   /* replaced snapshots to free */
	unsigned nretired;
	double ready_ms;                /* how long it took */
	int error;
	char err[CONF_ERR_LEN];
};

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void *loader_main(void *arg)
{
	struct tg_loader *l = arg;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		struct tg_config *c = NULL;
		struct timespec t0;
		char err[CONF_ERR_LEN];
		int rc;

		while (!l->stop && l->wanted <= l->built && !l->nretired)
			pthread_cond_wait(&l->wake, &l->lock);
		while (l->nretired) {
			struct tg_config *old = l->retired[--l->nretired];

			pthread_mutex_unlock(&l->lock);
			tg_unref(&old);
			pthread_mutex_lock(&l->lock);
		}
		if (l->stop)
			break;
		if (l->wanted <= l->built)
			continue;
		l->built = l->wanted;
		pthread_mutex_unlock(&l->lock);

		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = tg_config_load(&c, l->db, err, sizeof(err));

		pthread_mutex_lock(&l->lock);
		tg_unref(&l->ready);            /* an older result nobody took */
		l->ready = rc ? NULL : c;
		l->error = rc;
		l->ready_ms = ms_since(&t0);
		snprintf(l->err, sizeof(l->err), "%s", rc ? err : "");
		if (rc == 0 && c->generation > l->built)
			l->built = c->generation;   /* it read something newer still */
		pthread_mutex_unlock(&l->lock);
		mainq_post(&(struct mainq_msg){ .type = MAINQ_CONFIG_READY });
		pthread_mutex_lock(&l->lock);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

int tg_loader_start(struct tg_loader **lp, const char *db_path, unsigned long long loaded,
		    char *err, size_t errlen)
{
	struct tg_loader *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return ENOMEM;
	rc = db_open(&l->db, db_path, 0, err, errlen);
	if (rc) {
		free(l);
		return rc;
	}
	l->wanted = l->built = loaded;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->wake, NULL);
	rc = pthread_create(&l->thread, NULL, loader_main, l);
	if (rc) {
		snprintf(err, errlen, "cannot start the config loader thread: %s", strerror(rc));
		db_close(l->db);
		pthread_cond_destroy(&l->wake);
		pthread_mutex_destroy(&l->lock);
		free(l);
		return rc;
	}
	*lp = l;
	return 0;
}

void tg_loader_request(struct tg_loader *l, unsigned long long generation)
{
	pthread_mutex_lock(&l->lock);
	if (generation > l->wanted) {
		l->wanted = generation;
		pthread_cond_signal(&l->wake);
	}
	pthread_mutex_unlock(&l->lock);
}

int tg_loader_take(struct tg_loader *l, struct tg_config **cfgp, double *build_ms, char *err,
		   size_t errlen)
{
	int rc;

	pthread_mutex_lock(&l->lock);
	*cfgp = l->ready;
	l->ready = NULL;
	rc = *cfgp ? 0 : l->error ? l->error : EAGAIN;
	*build_ms = l->ready_ms;
	snprintf(err, errlen, "%s", l->err);
	l->error = 0;
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void tg_loader_retire(struct tg_loader *l, struct tg_config *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&l->lock);
	if (l->nretired < TG_ARRAY_SIZE(l->retired)) {
		l->retired[l->nretired++] = c;
		c = NULL;
		pthread_cond_signal(&l->wake);
	}
	pthread_mutex_unlock(&l->lock);
	tg_unref(&c);                   /* the loader is that far behind: free it here */
}

void tg_loader_stop(struct tg_loader *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	l->stop = true;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);
	tg_unref(&l->ready);
	while (l->nretired)
		tg_unref(&l->retired[--l->nretired]);
	db_close(l->db);
	pthread_cond_destroy(&l->wake);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
