/*
 * status_sock.c -- the status JSON on a local UNIX stream socket,
 * STATE/status.sock, for trunkgate-snmp (the SNMP AgentX subagent) and other
 * local monitors.  Protocol: connect, read the document to EOF; nothing is
 * read from the client.  The document is GET /api/v1/status's, with each
 * span's DS1 intervals added as "intervals" (status_intervals_json's list).
 *
 * Access: mode 0660, owned by the daemon's user and group; a monitor runs as
 * that user or in that group.  The socket gives read-only figures; it
 * accepts no commands.
 *
 * Threads: one thread of its own accepts and answers, one client at a time
 * (a document is a few KB and clients poll every few seconds).  It reads only
 * the published snapshot (status_get, status_perf_history), never the main
 * thread's objects.  A client that does not read gets dropped after the send
 * timeout, so it cannot stall the thread for long.
 */
#include "config.h"
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_MODULE "status"
#include "log.h"
#include "db.h"
#include "status_json.h"
#include "status_sock.h"
#include "tg.h"

#define SEND_TIMEOUT_S 2

struct status_sock {
	pthread_t thread;
	int fd, stop_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char db_path[4096];
};

char *status_sock_document(const char *db_path)
{
	struct status *st = malloc(sizeof(*st));
	json_t *doc, *spans, *span;
	char *text = NULL;
	size_t i;

	if (!st)
		return NULL;
	status_get(st);
	doc = status_json(st, db_path_size(db_path), tg_now_ms());
	spans = doc ? json_object_get(doc, "spans") : NULL;
	json_array_foreach(spans, i, span) {
		struct ds1_perf *perf = malloc(sizeof(*perf));
		json_t *iv;

		if (perf && i < st->nspans && status_perf_history(st->spans[i].id, perf)) {
			iv = status_intervals_json(&st->spans[i], perf);
			json_object_set(span, "intervals", json_object_get(iv, "intervals"));
			json_decref(iv);
		}
		free(perf);
	}
	if (doc)
		text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	free(st);
	return text;
}

static void answer(struct status_sock *s, int c)
{
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	char *text = status_sock_document(s->db_path);
	size_t len, off = 0;

	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	len = text ? strlen(text) : 0;
	while (off < len) {
		ssize_t n = send(c, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;          /* the client went away or does not read */
		off += (size_t)n;
	}
	if (text)
		send(c, "\n", 1, MSG_NOSIGNAL);
	free(text);
}

static void *sock_thread(void *arg)
{
	struct status_sock *s = arg;
	struct pollfd pfd[2] = { { .fd = s->fd, .events = POLLIN }, { .fd = s->stop_fd, .events = POLLIN } };

	for (;;) {
		int c;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("status socket: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;       /* EAGAIN, ECONNABORTED, EMFILE: try again next time */
		answer(s, c);
		close(c);
	}
	return NULL;
}

int status_sock_start(struct status_sock **sp, const char *path, const char *db_path,
		      char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct status_sock *s;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "status socket %s: path too long", path);
		return ENAMETOOLONG;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	s->fd = s->stop_fd = -1;
	tg_strlcpy(s->path, path, sizeof(s->path));
	tg_strlcpy(s->db_path, db_path, sizeof(s->db_path));
	tg_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	unlink(path);           /* a stale one from a killed daemon (the state lock is ours) */
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (s->fd < 0 || s->stop_fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0660) < 0 || listen(s->fd, 16) < 0) {
		rc = errno;
		snprintf(err, errlen, "status socket %s: %s", path, strerror(rc));
		goto fail;
	}
	rc = pthread_create(&s->thread, NULL, sock_thread, s);
	if (rc) {
		snprintf(err, errlen, "status socket thread: %s", strerror(rc));
		goto fail;
	}
	*sp = s;
	return 0;
 fail:
	if (s->fd >= 0) {
		close(s->fd);
		unlink(path);
	}
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	free(s);
	return rc;
}

void status_sock_stop(struct status_sock *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	if (write(s->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("status socket: cannot wake its thread: %s", strerror(errno));
	pthread_join(s->thread, NULL);
	close(s->fd);
	close(s->stop_fd);
	unlink(s->path);
	free(s);
}
