/*
 * sysinfo.c -- the process's CPU time and resident memory for the status
 * snapshot.  getrusage() for CPU (user + system, all threads); the second
 * field of /proc/self/statm (resident pages) for memory, since ru_maxrss is
 * only the peak.  The CPU percentage is averaged over a window of at least
 * five seconds, so the twice-a-second status tick does not make it jitter.
 * Main thread (reads procfs, never a disk).
 */
#include "config.h"
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "status.h"

#define CPU_WINDOW_MS 5000

static double cpu_now(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static unsigned long long rss_now(void)
{
	unsigned long long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	long page = sysconf(_SC_PAGESIZE);

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (unsigned long long)(page > 0 ? page : 4096);
}

void status_sys_sample(struct status *s, unsigned long long now_ms)
{
	static unsigned long long win_ms;
	static double win_cpu;
	double cpu = cpu_now();

	s->cpu_seconds = cpu;
	s->rss_bytes = rss_now();
	if (!win_ms) {
		win_ms = now_ms;
		win_cpu = cpu;
	} else if (now_ms - win_ms >= CPU_WINDOW_MS) {
		s->cpu_percent = (cpu - win_cpu) * 1e5 / (double)(now_ms - win_ms);
		win_ms = now_ms;
		win_cpu = cpu;
	}
}
