/*
 * tg.c -- helpers declared in tg.h.  Any thread.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tg.h"

pthread_t tg_main_thread;
bool tg_main_thread_set;

void tg_set_main_thread(void)
{
	tg_main_thread = pthread_self();
	tg_main_thread_set = true;
}

void tg_assert_main_failed(const char *file, int line)
{
	fprintf(stderr, "%s:%d: main-thread object touched from another thread\n", file, line);
	abort();
}

bool tg_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n == 0)
		return false;
	if (len >= n) {
		memcpy(dst, src, n - 1);
		dst[n - 1] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

unsigned long long tg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000ULL + (unsigned long long)ts.tv_nsec / 1000000ULL;
}

long long tg_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000LL;
}
