/*
 * sd.c -- see sd.h.  Main thread only.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "sd.h"

void sd_send(const char *state)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, state);
#else
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t salen;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';          /* abstract namespace */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen) < 0) {
		/* systemd gone: nothing to tell */
	}
	close(fd);
#endif
}

unsigned long long sd_watchdog_usec(void)
{
#ifdef HAVE_SYSTEMD
	uint64_t usec = 0;

	return sd_watchdog_enabled(0, &usec) > 0 ? usec : 0;
#else
	const char *u = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");

	if (!u || (p && strtol(p, NULL, 10) != (long)getpid()))
		return 0;
	return strtoull(u, NULL, 10);
#endif
}

int state_lock(const char *state_dir, int *fdp, char *err, size_t errlen)
{
	char path[4200], buf[32];
	int fd, rc;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/trunkgated.lock", state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(rc));
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno;
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (rc == EWOULDBLOCK)
			snprintf(err, errlen, "state folder %s is in use by another trunkgated (pid %s); "
				 "stop it first or use another --state-dir", state_dir,
				 buf[0] ? buf : "unknown");
		else
			snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(rc));
		close(fd);
		return rc == EWOULDBLOCK ? EBUSY : rc;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		/* the lock itself holds; the pid is only for the message above */
	}
	*fdp = fd;
	return 0;
}
