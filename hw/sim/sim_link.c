/*
 * sim_link.c -- one sim span's connection to its far end: accepting (owner)
 * or connecting and retrying (attach), the protocol of sim_proto.h, the line
 * state both ends exchange and the alarms derived from it.  I/O thread only,
 * except sim_link_send, which hw_dchan_send also calls under fd_lock.
 *
 * Alarms (sim_link_update):
 *   no peer, a peer of another span type or frame_ms, or either end's cable
 *   pulled                                  -> LOS | RED
 *   the peer sends AIS (and we have signal) -> BLUE
 *   the peer sends RAI                      -> YELLOW
 * We send RAI while we are in RED, as a framer does.  The sim carries line
 * state out of band, so a RAI is seen even while the cable is pulled: both
 * ends of a pulled cable show LOS|RED|YELLOW (a real framer would mask the
 * YELLOW).  That is what makes the automatic RAI observable at all, since
 * every RED condition of the sim is seen by both ends.
 *
 * The owner holds one peer at a time; another connection is accepted and
 * closed at once (the attacher then retries every SIM_RETRY_NS).  A peer
 * that says nothing within SIM_HELLO_NS is dropped, so a stuck client cannot
 * hold the span.
 */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_MODULE "hw-sim"
#include "log.h"
#include "sim_int.h"

#define WARN_EVERY_NS (10 * SIM_SECOND_NS)

static void conn_down(struct sim_span *s, const char *why);

int sim_link_send(struct sim_span *s, uint8_t type, const void *payload, size_t len)
{
	struct sim_hdr h = {
		.type = type, .version = SIM_PROTO_VERSION, .len = (uint16_t)len,
		.seq = atomic_fetch_add(&s->tx_seq, 1),
	};
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };

	if (s->conn_fd < 0)
		return ENOTCONN;
	for (;;) {
		if (sendmsg(s->conn_fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return errno == EWOULDBLOCK ? EAGAIN : errno;
	}
}

/* Protocol warnings at most every WARN_EVERY_NS per span; debug otherwise. */
static bool warn_due(struct sim_span *s)
{
	uint64_t now = sim_now();

	if (s->warned_at && now - s->warned_at < WARN_EVERY_NS)
		return false;
	s->warned_at = now;
	return true;
}

static void proto_error(struct sim_span *s, const char *what, unsigned type, size_t len)
{
	if (warn_due(s))
		log_warn("span %s: protocol error from the peer at %s: %s (type %u, %zu bytes); "
			 "dropping the connection", s->base.name, s->path, what, type, len);
	else
		log_debug("span %s: protocol error: %s (type %u, %zu bytes)", s->base.name, what, type, len);
	pthread_mutex_lock(&s->stat_lock);
	s->dbg.proto_errors++;
	pthread_mutex_unlock(&s->stat_lock);
	conn_down(s, "protocol error");
}

static void relay_view(struct sim_span *s, bool engaged)
{
	if (atomic_exchange(&s->relay, engaged) != engaged && s->ev.relay)
		s->ev.relay(s->arg, engaged);
}

static uint8_t line_flags(struct sim_span *s)
{
	return (uint8_t)((atomic_load(&s->pulled) ? SIM_LINE_PULLED : 0) |
			 (s->ais ? SIM_LINE_AIS : 0) |
			 (s->rai_manual || (atomic_load(&s->alarms) & HW_ALARM_RED) ? SIM_LINE_RAI : 0));
}

/* Send LINE when our line state changed or counts wait; retried each tick
 * when the socket was full. */
static void line_send(struct sim_span *s)
{
	uint8_t f = line_flags(s);
	struct sim_line l = { .flags = f, .crc_errors = s->pend_crc, .slips = s->pend_slips,
			      .bpv = s->pend_bpv };

	if (!atomic_load(&s->link_ok))
		return;
	if ((int)f == s->line_sent && !s->pend_crc && !s->pend_slips && !s->pend_bpv)
		return;
	if (sim_link_send(s, SIM_MSG_LINE, &l, sizeof(l)) == 0) {
		s->line_sent = f;
		s->pend_crc = s->pend_slips = s->pend_bpv = 0;
	}
}

void sim_link_send_relay(struct sim_span *s)
{
	bool engaged = atomic_load(&s->relay);
	struct sim_relay r = {
		.engaged = engaged,
		.watchdog_ms = engaged ? 0 : (uint32_t)(s->relay_wd_ns / 1000000ULL),
	};

	if (s->attach || !atomic_load(&s->link_ok))
		return;
	if (sim_link_send(s, SIM_MSG_RELAY, &r, sizeof(r)) == 0)
		s->relay_dirty = false;
}

void sim_link_update(struct sim_span *s)
{
	bool linked = atomic_load(&s->link_ok);
	unsigned a = 0, old;

	if (!linked || atomic_load(&s->pulled) || atomic_load(&s->peer_pulled))
		a |= HW_ALARM_LOS | HW_ALARM_RED;
	else if (s->peer_flags & SIM_LINE_AIS)
		a |= HW_ALARM_BLUE;     /* AIS needs a signal to be seen */
	if (linked && (s->peer_flags & SIM_LINE_RAI))
		a |= HW_ALARM_YELLOW;
	old = atomic_exchange(&s->alarms, a);
	if (a != old) {
		char nb[40], ob[40];

		pthread_mutex_lock(&s->stat_lock);
		s->sec_alarms |= a;
		pthread_mutex_unlock(&s->stat_lock);
		hw_alarm_names(a, nb, sizeof(nb));
		hw_alarm_names(old, ob, sizeof(ob));
		log_debug("span %s: alarms %s (were %s)", s->base.name, nb[0] ? nb : "clear",
			  ob[0] ? ob : "clear");
		if (s->ev.alarm)
			s->ev.alarm(s->arg, a, old);
	}
	line_send(s);
}

static void conn_up(struct sim_span *s, int fd, uint64_t now)
{
	struct sim_hello h = {
		.span_type = (uint8_t)s->base.type, .frame_ms = (uint8_t)s->base.frame_ms,
		.role = s->attach ? SIM_ROLE_ATTACH : SIM_ROLE_OWNER,
	};
	int err;

	err = sim_io_watch(fd, &s->cref);
	if (err) {
		log_warn("span %s: cannot watch the connection: %s", s->base.name, strerror(err));
		close(fd);
		s->retry_at = now + SIM_RETRY_NS;
		return;
	}
	pthread_mutex_lock(&s->fd_lock);
	s->conn_fd = fd;
	pthread_mutex_unlock(&s->fd_lock);
	atomic_store(&s->tx_seq, 0);
	s->hello_seen = false;
	s->played = s->primed = false;
	s->hello_deadline = now + SIM_HELLO_NS;
	s->peer_flags = 0;
	s->line_sent = -1;
	pthread_mutex_lock(&s->stat_lock);
	if (s->attach)
		s->dbg.connects++;
	else
		s->dbg.accepted++;
	pthread_mutex_unlock(&s->stat_lock);
	/* Our HELLO goes first: nothing else is sent before link_ok. */
	if (sim_link_send(s, SIM_MSG_HELLO, &h, sizeof(h)))
		conn_down(s, "cannot send HELLO");
}

static void conn_down(struct sim_span *s, const char *why)
{
	bool was = atomic_load(&s->link_ok);

	if (s->conn_fd < 0)
		return;
	sim_io_unwatch(s->conn_fd);
	pthread_mutex_lock(&s->fd_lock);
	atomic_store(&s->link_ok, false);
	close(s->conn_fd);
	s->conn_fd = -1;
	pthread_mutex_unlock(&s->fd_lock);
	if (was)
		log_info("span %s: peer detached from %s (%s)", s->base.name, s->path, why);
	else
		log_debug("span %s: connection at %s closed before HELLO (%s)", s->base.name, s->path, why);
	s->hello_seen = false;
	s->peer_flags = 0;
	atomic_store(&s->peer_pulled, false);
	s->ring_count = 0;
	s->played = s->primed = false;
	s->refused_warned = false;
	if (s->attach) {
		s->retry_at = sim_now() + SIM_RETRY_NS;
		s->relay_deadline = 0;
		relay_view(s, true);    /* power-fail transfer: no owner, relay engaged */
	}
	sim_link_update(s);
}

static void try_connect(struct sim_span *s, uint64_t now)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	s->retry_at = now + SIM_RETRY_NS;
	memcpy(sa.sun_path, s->path, sizeof(s->path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		/* no owner yet, or its backlog is full: normal, try again */
		if (e != ENOENT && e != ECONNREFUSED && e != EAGAIN && !s->connect_warned) {
			log_warn("span %s: cannot connect to %s: %s (retrying)", s->base.name,
				 s->path, strerror(e));
			s->connect_warned = true;
		}
		return;
	}
	s->connect_warned = false;
	conn_up(s, fd, now);
}

static void do_accept(struct sim_span *s)
{
	for (;;) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK && warn_due(s))
				log_warn("span %s: accept on %s: %s", s->base.name, s->path, strerror(errno));
			return;
		}
		if (s->conn_fd >= 0) {
			close(fd);
			pthread_mutex_lock(&s->stat_lock);
			s->dbg.refused++;
			pthread_mutex_unlock(&s->stat_lock);
			if (!s->refused_warned) {
				log_warn("span %s: refused a second peer at %s: one is attached",
					 s->base.name, s->path);
				s->refused_warned = true;
			}
			continue;
		}
		conn_up(s, fd, sim_now());
	}
}

static void on_hello(struct sim_span *s, const uint8_t *p, size_t len)
{
	struct sim_hello h;

	if (len != sizeof(h)) {
		proto_error(s, "HELLO of the wrong size", SIM_MSG_HELLO, len);
		return;
	}
	memcpy(&h, p, sizeof(h));
	s->hello_seen = true;
	if (h.span_type != s->base.type || h.frame_ms != s->base.frame_ms) {
		log_warn("span %s: the peer at %s runs %s with %u ms periods, this span %s with %u ms: "
			 "the line stays in LOS", s->base.name, s->path,
			 hw_span_type_name((enum hw_span_type)h.span_type), h.frame_ms,
			 hw_span_type_name(s->base.type), s->base.frame_ms);
		pthread_mutex_lock(&s->stat_lock);
		s->dbg.hello_mismatch++;
		pthread_mutex_unlock(&s->stat_lock);
		return;
	}
	pthread_mutex_lock(&s->fd_lock);
	atomic_store(&s->link_ok, true);
	pthread_mutex_unlock(&s->fd_lock);
	log_info("span %s: peer attached at %s", s->base.name, s->path);
	s->line_sent = -1;              /* tell the peer our line state */
	sim_link_update(s);
	if (!s->attach) {
		s->relay_dirty = true;
		sim_link_send_relay(s);
	}
}

static void on_audio(struct sim_span *s, const uint8_t *p, size_t len)
{
	unsigned slot;
	bool slip = false;

	if (len != s->period_bytes) {
		proto_error(s, "audio period of the wrong size", SIM_MSG_AUDIO, len);
		return;
	}
	if (atomic_load(&s->pulled) || atomic_load(&s->peer_pulled))
		return;
	if (s->ring_count == SIM_RING) {        /* overflow: drop the oldest, a slip */
		s->ring_head = (s->ring_head + 1) % SIM_RING;
		s->ring_count--;
		slip = true;
	}
	slot = (s->ring_head + s->ring_count) % SIM_RING;
	memcpy(s->ring + (size_t)slot * s->period_bytes, p, len);
	s->ring_count++;
	pthread_mutex_lock(&s->stat_lock);
	s->cnt.rx_periods++;
	if (slip) {
		s->cnt.frame_slips++;
		s->sec_slips++;
	}
	pthread_mutex_unlock(&s->stat_lock);
}

static void on_line(struct sim_span *s, const uint8_t *p, size_t len)
{
	struct sim_line l;

	if (len != sizeof(l)) {
		proto_error(s, "LINE of the wrong size", SIM_MSG_LINE, len);
		return;
	}
	memcpy(&l, p, sizeof(l));
	s->peer_flags = l.flags;
	atomic_store(&s->peer_pulled, (l.flags & SIM_LINE_PULLED) != 0);
	if (l.crc_errors || l.slips || l.bpv) {
		pthread_mutex_lock(&s->stat_lock);
		s->cnt.crc_errors += l.crc_errors;
		s->cnt.frame_slips += l.slips;
		s->cnt.line_code_violations += l.bpv;
		s->sec_crc += l.crc_errors;
		s->sec_slips += l.slips;
		s->sec_bpv += l.bpv;
		pthread_mutex_unlock(&s->stat_lock);
	}
	if (atomic_load(&s->pulled) || atomic_load(&s->peer_pulled))
		s->ring_count = 0;      /* what was buffered is lost with the signal */
	sim_link_update(s);
}

/* Attacher: the owner's relay state, and its watchdog re-armed from now. */
static void on_relay(struct sim_span *s, const uint8_t *p, size_t len)
{
	struct sim_relay r = { .engaged = p[0] };

	if (len == sizeof(r))
		memcpy(&r, p, sizeof(r));
	s->relay_wd_ns = (uint64_t)r.watchdog_ms * 1000000ULL;
	s->relay_deadline = r.engaged ? 0 : sim_relay_deadline(sim_now(), s->relay_wd_ns);
	relay_view(s, r.engaged != 0);
}

void sim_relay_check(struct sim_span *s, uint64_t now)
{
	if (!s->relay_deadline || now < s->relay_deadline)
		return;
	s->relay_deadline = 0;
	if (s->attach) {
		log_info("span %s: the owner did not re-arm the relay watchdog within %llu ms: "
			 "relay engaged", s->base.name, (unsigned long long)(s->relay_wd_ns / 1000000ULL));
		relay_view(s, true);
		return;
	}
	if (s->relay_dead)
		return;         /* a dead relay moves for nobody, its watchdog included */
	log_warn("span %s: relay watchdog expired (not re-armed within %llu ms): relay engaged",
		 s->base.name, (unsigned long long)(s->relay_wd_ns / 1000000ULL));
	relay_view(s, true);
	s->relay_dirty = true;
	sim_link_send_relay(s);
}

static void on_msg(struct sim_span *s, const struct sim_hdr *h, const uint8_t *p, size_t len)
{
	if (!s->hello_seen) {
		if (h->type == SIM_MSG_HELLO)
			on_hello(s, p, len);
		else
			proto_error(s, "no HELLO first", h->type, len);
		return;
	}
	if (!atomic_load(&s->link_ok))
		return;                 /* a mismatched peer: a wrong cable carries nothing */
	switch (h->type) {
	case SIM_MSG_HELLO:
		proto_error(s, "second HELLO", h->type, len);
		break;
	case SIM_MSG_DCHAN:
		if (len == 0 || len > HW_DCHAN_MAX) {
			proto_error(s, "D-channel frame of a bad size", h->type, len);
			break;
		}
		if (atomic_load(&s->pulled) || atomic_load(&s->peer_pulled)) {
			pthread_mutex_lock(&s->stat_lock);
			s->dbg.dchan_lost++;
			pthread_mutex_unlock(&s->stat_lock);
			break;
		}
		sim_count(s, &s->cnt.dchan_rx, 1);
		if (s->ev.dchan)
			s->ev.dchan(s->arg, p, len);
		break;
	case SIM_MSG_AUDIO:
		on_audio(s, p, len);
		break;
	case SIM_MSG_LINE:
		on_line(s, p, len);
		break;
	case SIM_MSG_RELAY:
		if (len != sizeof(struct sim_relay) && len != SIM_RELAY_V1_LEN) {
			proto_error(s, "RELAY of the wrong size", h->type, len);
		} else if (!s->attach) {
			if (warn_due(s))
				log_warn("span %s: RELAY from the attached side ignored", s->base.name);
		} else {
			on_relay(s, p, len);
		}
		break;
	default:
		if (warn_due(s))
			log_warn("span %s: unknown message type %u from the peer ignored",
				 s->base.name, h->type);
		break;
	}
}

/* Read what the connection holds; at most 64 messages a wake-up so that one
 * busy span cannot starve the others (epoll reports the rest again). */
static void do_read(struct sim_span *s)
{
	for (int i = 0; i < 64 && s->conn_fd >= 0; i++) {
		struct iovec iov = { .iov_base = s->rxbuf, .iov_len = s->rxcap };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct sim_hdr h;
		ssize_t n;

		n = recvmsg(s->conn_fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_down(s, strerror(errno));
			return;
		}
		if (n == 0) {
			conn_down(s, "closed by the peer");
			return;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			proto_error(s, "message too long", s->rxbuf[0], (size_t)n);
			return;
		}
		if ((size_t)n < sizeof(h)) {
			proto_error(s, "message shorter than its header", 0, (size_t)n);
			return;
		}
		memcpy(&h, s->rxbuf, sizeof(h));
		if (h.version != SIM_PROTO_VERSION) {
			proto_error(s, "unknown protocol version", h.type, (size_t)n);
			return;
		}
		if ((size_t)h.len != (size_t)n - sizeof(h)) {
			proto_error(s, "length field does not match the message", h.type, (size_t)n);
			return;
		}
		on_msg(s, &h, s->rxbuf + sizeof(h), h.len);
	}
}

void sim_link_event(struct sim_fdref *ref)
{
	if (ref->kind == SIM_FD_LISTEN)
		do_accept(ref->s);
	else
		do_read(ref->s);
}

int sim_link_start(struct sim_span *s, uint64_t now)
{
	unsigned a = atomic_load(&s->alarms);
	int err;

	if (!s->attach) {
		err = sim_io_watch(s->listen_fd, &s->lref);
		if (err)
			return err;
	}
	/* The span starts without a line: say so once, as a change from nothing. */
	pthread_mutex_lock(&s->stat_lock);
	s->sec_alarms = a;
	pthread_mutex_unlock(&s->stat_lock);
	if (s->ev.alarm)
		s->ev.alarm(s->arg, a, 0);
	if (s->attach)
		try_connect(s, now);
	return 0;
}

void sim_link_timers(struct sim_span *s, uint64_t now)
{
	sim_relay_check(s, now);
	if (s->attach && s->conn_fd < 0 && now >= s->retry_at)
		try_connect(s, now);
	if (s->conn_fd >= 0 && !s->hello_seen && now >= s->hello_deadline) {
		if (warn_due(s))
			log_warn("span %s: the peer at %s sent no HELLO in %llu ms; dropping it",
				 s->base.name, s->path, SIM_HELLO_NS / 1000000ULL);
		conn_down(s, "no HELLO");
	}
	if (atomic_load(&s->link_ok)) {
		line_send(s);
		if (s->relay_dirty)
			sim_link_send_relay(s);
	}
}

void sim_link_stop(struct sim_span *s)
{
	struct stat st;

	if (s->conn_fd >= 0) {
		sim_io_unwatch(s->conn_fd);
		pthread_mutex_lock(&s->fd_lock);
		atomic_store(&s->link_ok, false);
		close(s->conn_fd);
		s->conn_fd = -1;
		pthread_mutex_unlock(&s->fd_lock);
	}
	if (s->listen_fd >= 0) {
		sim_io_unwatch(s->listen_fd);
		close(s->listen_fd);
		s->listen_fd = -1;
		/* remove the socket file if it is still ours (not a successor's) */
		if (stat(s->path, &st) == 0 && st.st_dev == s->sock_dev && st.st_ino == s->sock_ino)
			unlink(s->path);
	}
}
