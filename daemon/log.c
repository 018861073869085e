/*
 * log.c -- see log.h.  The level is an atomic so SIGHUP (applied on the main
 * thread) and readers on HTTP threads need no lock.
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-journal.h>
#endif

#define LOG_MODULE "log"
#include "log.h"

static volatile int cur_level = LOG_LEVEL_INFO;
static bool to_journal;

static const struct {
	const char *name;
	enum log_level level;
} level_names[] = {
	{ "err", LOG_LEVEL_ERR }, { "error", LOG_LEVEL_ERR },
	{ "warn", LOG_LEVEL_WARN }, { "warning", LOG_LEVEL_WARN },
	{ "info", LOG_LEVEL_INFO }, { "debug", LOG_LEVEL_DEBUG },
};

bool log_level_parse(const char *s, enum log_level *levelp)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(s, level_names[i].name) == 0) {
			*levelp = level_names[i].level;
			return true;
		}
	}
	return false;
}

const char *log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERR: return "err";
	case LOG_LEVEL_WARN: return "warn";
	case LOG_LEVEL_INFO: return "info";
	case LOG_LEVEL_DEBUG: return "debug";
	}
	return "?";
}

/* systemd sets JOURNAL_STREAM=dev:ino when stderr is connected to the journal. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(enum log_level level)
{
	cur_level = level;
#ifdef HAVE_SYSTEMD
	to_journal = stderr_is_journal();
#else
	(void)stderr_is_journal;
	to_journal = false;
#endif
}

void log_set_level(enum log_level level)
{
	__atomic_store_n(&cur_level, level, __ATOMIC_RELAXED);
}

enum log_level log_get_level(void)
{
	return (enum log_level)__atomic_load_n(&cur_level, __ATOMIC_RELAXED);
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	char msg[2048];
	char line[2200];
	va_list ap;
	int saved = errno;
	int n;

	if ((int)level > (int)log_get_level())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

#ifdef HAVE_SYSTEMD
	if (to_journal) {
		sd_journal_send("MESSAGE=%s: %s", module, msg, "PRIORITY=%d", (int)level,
				"TRUNKGATE_MODULE=%s", module, "SYSLOG_IDENTIFIER=trunkgated", NULL);
		errno = saved;
		return;
	}
#endif
	{
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s: %s\n",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec, ts.tv_nsec / 1000000L, log_level_name(level), module, msg);
	}
	if (n > (int)sizeof(line) - 1) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
	errno = saved;
}

void log_event(const char *severity, const char *kind, const char *source, const char *message)
{
	static const struct { const char *name; int prio; } prios[] = {
		{ "critical", 2 }, { "major", 3 }, { "minor", 4 }, { "warning", 4 }, { "cleared", 5 },
		{ "info", 6 },
	};
	int prio = 6;

	for (size_t i = 0; i < sizeof(prios) / sizeof(prios[0]); i++)
		if (!strcmp(severity, prios[i].name))
			prio = prios[i].prio;
#ifdef HAVE_SYSTEMD
	if (to_journal) {
		int saved = errno;

		sd_journal_send("MESSAGE=event %s %s%s%s: %s", severity, kind, source[0] ? " " : "", source,
				message, "PRIORITY=%d", prio, "TRUNKGATE_MODULE=event",
				"TRUNKGATE_EVENT=%s", kind, "TRUNKGATE_SEVERITY=%s", severity,
				"TRUNKGATE_SOURCE=%s", source, "SYSLOG_IDENTIFIER=trunkgated", NULL);
		errno = saved;
		return;
	}
#endif
	log_msg(prio <= 3 ? LOG_LEVEL_ERR : prio == 4 ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, "event",
		"%s %s%s%s: %s", severity, kind, source[0] ? " " : "", source, message);
}
