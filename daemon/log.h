/*
 * log.h -- levelled logging.  Each .c file defines LOG_MODULE before including
 * this header, so every line names where it came from.  Any thread: a line is
 * formatted into one buffer and written with one write(2), so lines from
 * different threads never interleave.
 *
 * Destinations: stderr with a time stamp; under systemd (JOURNAL_STREAM names
 * our stderr) the journal, with the module as a structured field.
 */
#ifndef TG_LOG_H
#define TG_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERR = 3,      /* same numbers as syslog: an operator must act */
	LOG_LEVEL_WARN = 4,     /* a peer or card misbehaves */
	LOG_LEVEL_INFO = 6,     /* lifecycle */
	LOG_LEVEL_DEBUG = 7,    /* per message */
};

void log_init(enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "err", "warn", "info", "debug" (also "error", "warning"); false if unknown. */
bool log_level_parse(const char *s, enum log_level *levelp);
const char *log_level_name(enum log_level level);

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An event (db_event_add writes one): to the journal with structured fields
 * TRUNKGATE_EVENT (kind), TRUNKGATE_SEVERITY, TRUNKGATE_SOURCE and a
 * PRIORITY from the severity (critical 2, major 3, minor/warning 4,
 * cleared 5, info 6), or to stderr as an "event" line.  Any thread. */
void log_event(const char *severity, const char *kind, const char *source, const char *message);

#define log_err(...)   log_msg(LOG_LEVEL_ERR, LOG_MODULE, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, LOG_MODULE, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, LOG_MODULE, __VA_ARGS__)
#define log_debug(...) do { if (log_get_level() >= LOG_LEVEL_DEBUG) \
	log_msg(LOG_LEVEL_DEBUG, LOG_MODULE, __VA_ARGS__); } while (0)

#endif
