/*
 * sd.h -- systemd integration: readiness/stopping/watchdog notifications and
 * the lock that keeps a second daemon off the same state folder.  With
 * libsystemd absent, notifications use the same datagram protocol by hand.
 */
#ifndef TG_SD_H
#define TG_SD_H

#include <stddef.h>

/* Send "READY=1" etc. to $NOTIFY_SOCKET; a no-op outside systemd. */
void sd_send(const char *state);
/* Watchdog interval in microseconds, 0 when the watchdog is off. */
unsigned long long sd_watchdog_usec(void);

/* Take <state_dir>/trunkgated.lock.  EBUSY with "...in use by pid N" in err
 * when another daemon holds it.  The fd is kept open until exit. */
int state_lock(const char *state_dir, int *fdp, char *err, size_t errlen);

#endif
