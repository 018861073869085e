/*
 * status_sock.h -- the status JSON on a local UNIX socket (status_sock.c),
 * read by trunkgate-snmp.
 */
#ifndef TG_STATUS_SOCK_H
#define TG_STATUS_SOCK_H

#include <stddef.h>

struct status_sock;

/* Listen on path (mode 0660) and answer from a thread of its own.  db_path:
 * for the database size.  An errno with a message in err. */
int status_sock_start(struct status_sock **sp, const char *path, const char *db_path,
		      char *err, size_t errlen);
/* Stop the thread, remove the socket.  NULL-safe. */
void status_sock_stop(struct status_sock *s);

/* The document a client reads (malloc()ed, NULL on out of memory). */
char *status_sock_document(const char *db_path);

#endif
