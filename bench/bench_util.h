/* bench_util.h -- small helpers the benchmarks share */
#ifndef TG_BENCH_UTIL_H
#define TG_BENCH_UTIL_H

#include <time.h>

/* This thread's CPU time in seconds. */
static inline double bench_cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* qsort comparison for doubles, ascending. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#endif
