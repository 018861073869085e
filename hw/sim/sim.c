/*
 * sim.c -- the simulated card: the "sim" driver's ops, the fault knobs of
 * sim.h and the DS1-MIB style counters.  Interface: a UNIX SOCK_SEQPACKET
 * socket per span (sim_proto.h); no kernel driver, no hardware.  What it
 * cannot do: CAS, clock recovery (both ends free-run on CLOCK_MONOTONIC, so
 * slips only come from stalls or the SLIPS knob), and a real relay: the
 * owner's bypass state (and its watchdog) is reported to the attached side
 * as a message, but an engaged relay does not cross-connect two spans' far
 * ends (no D channel or audio flows from one sim span to its partner).
 *
 * Threads: open, close, apply, the faults and bypass_set come from the owner
 * thread and run their work on the driver's I/O thread (sim_io.c) through a
 * synchronous call; hw_dchan_send sends directly on the socket under the
 * span's fd_lock (a SEQPACKET send is atomic per message); alarms, counters,
 * connected and relay read atomics or take stat_lock, from any thread.
 * Event callbacks run on the I/O thread; a span must not be closed from one.
 *
 * Counters: a once-per-second evaluation (the I/O thread, or a test through
 * hw_sim_eval_second) turns what happened in the second into DS1-MIB
 * seconds: any CRC error, slip, BPV or receive defect (LOS, RED, BLUE) -> ES;
 * >= 320 CRC errors or LOS/RED -> SES; LOS/RED at any time -> UAS.  YELLOW
 * is the far end's defect and counts at the far end.
 */
#include "config.h"
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_MODULE "hw-sim"
#include "log.h"
#include "sim_int.h"

static const struct hw_span_events no_events;

static struct sim_span *sim_span(struct hw_span *span)
{
	return span && span->drv == &hw_sim_driver ? (struct sim_span *)span : NULL;
}

void sim_eval_second(struct sim_span *s)
{
	unsigned cur = atomic_load(&s->alarms), a;

	pthread_mutex_lock(&s->stat_lock);
	a = (s->sec_alarms | cur) & (HW_ALARM_LOS | HW_ALARM_RED | HW_ALARM_BLUE);
	if (s->sec_crc || s->sec_slips || s->sec_bpv || a)
		s->cnt.errored_seconds++;
	if (s->sec_crc >= SIM_SES_CRC || (a & (HW_ALARM_LOS | HW_ALARM_RED)))
		s->cnt.severely_errored_seconds++;
	if (a & (HW_ALARM_LOS | HW_ALARM_RED))
		s->cnt.unavailable_seconds++;
	s->sec_crc = s->sec_slips = s->sec_bpv = 0;
	s->sec_alarms = cur;            /* a defect that goes on counts next second too */
	pthread_mutex_unlock(&s->stat_lock);
}

void hw_sim_eval_second(struct hw_span *span)
{
	struct sim_span *s = sim_span(span);

	if (s)
		sim_eval_second(s);
}

void hw_sim_stats(struct hw_span *span, struct hw_sim_stats *st)
{
	struct sim_span *s = sim_span(span);

	memset(st, 0, sizeof(*st));
	if (!s)
		return;
	pthread_mutex_lock(&s->stat_lock);
	*st = s->dbg;
	pthread_mutex_unlock(&s->stat_lock);
}

static int sim_probe(void)
{
	return 0;               /* always there */
}

/* Owner: listen at the path; replace a stale socket file, refuse a live one. */
static int sim_listen(struct sim_span *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, err;

	memcpy(sa.sun_path, s->path, sizeof(s->path));
	if (lstat(s->path, &st) == 0) {
		int probe, rc, e;

		if (!S_ISSOCK(st.st_mode)) {
			log_warn("span %s: device %s exists and is not a socket", s->base.name, s->path);
			return EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (probe < 0)
			return errno;
		rc = connect(probe, (struct sockaddr *)&sa, sizeof(sa));
		e = errno;
		close(probe);
		if (rc == 0 || e == EAGAIN || e == EPROTOTYPE) {
			log_warn("span %s: device %s: another process listens there", s->base.name, s->path);
			return EADDRINUSE;
		}
		if (e != ECONNREFUSED)
			return e;
		if (unlink(s->path) && errno != ENOENT)
			return errno;
		log_info("span %s: replaced the stale socket %s", s->base.name, s->path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4) || stat(s->path, &st)) {
		err = errno;
		log_warn("span %s: cannot listen at %s: %s", s->base.name, s->path, strerror(err));
		close(fd);
		return err;
	}
	s->sock_dev = st.st_dev;
	s->sock_ino = st.st_ino;
	s->listen_fd = fd;
	return 0;
}

static void sim_free(struct sim_span *s)
{
	if (!s)
		return;
	if (s->listen_fd >= 0) {        /* open failed after listening */
		close(s->listen_fd);
		unlink(s->path);
	}
	pthread_mutex_destroy(&s->fd_lock);
	pthread_mutex_destroy(&s->stat_lock);
	free(s->ring);
	free(s->idle);
	free(s->txbuf);
	free(s->rxbuf);
	free(s);
}

static int sim_span_open(struct hw_span **spanp, const struct hw_span_cfg *cfg,
			 const struct hw_span_events *ev, void *arg)
{
	struct sim_span *s;
	uint8_t idle;
	int err;

	if (!cfg->device || !cfg->device[0]) {
		log_warn("span %s: device: the sim needs a socket path", cfg->name ? cfg->name : "?");
		return EINVAL;
	}
	if (strlen(cfg->device) >= sizeof(s->path)) {
		log_warn("span %s: device %s: longer than %zu characters", cfg->name ? cfg->name : "?",
			 cfg->device, sizeof(s->path) - 1);
		return ENAMETOOLONG;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	s->base.drv = &hw_sim_driver;
	if (cfg->name)
		snprintf(s->base.name, sizeof(s->base.name), "%s", cfg->name);
	else
		snprintf(s->base.name, sizeof(s->base.name), "sim%u", cfg->position);
	s->base.type = cfg->type;
	s->base.frame_ms = cfg->frame_ms ? cfg->frame_ms : HW_FRAME_MS_DEFAULT;
	s->ev = ev ? *ev : no_events;
	s->arg = arg;
	s->attach = cfg->attach;
	snprintf(s->path, sizeof(s->path), "%s", cfg->device);
	s->timeslots = hw_span_timeslots(cfg->type);
	s->samples = hw_samples_per_period(s->base.frame_ms);
	s->period_bytes = (size_t)s->timeslots * s->samples;
	s->period_ns = (uint64_t)s->base.frame_ms * 1000000ULL;
	s->listen_fd = s->conn_fd = -1;
	s->lref = (struct sim_fdref){ s, SIM_FD_LISTEN };
	s->cref = (struct sim_fdref){ s, SIM_FD_CONN };
	s->line_sent = -1;
	atomic_init(&s->alarms, HW_ALARM_LOS | HW_ALARM_RED);
	atomic_init(&s->relay, true);   /* a relay without drive is engaged */
	atomic_init(&s->link_ok, false);
	atomic_init(&s->pulled, false);
	atomic_init(&s->peer_pulled, false);
	atomic_init(&s->tx_seq, 0);
	pthread_mutex_init(&s->fd_lock, NULL);
	pthread_mutex_init(&s->stat_lock, NULL);
	s->rxcap = sizeof(struct sim_hdr) + SIM_MAX_PAYLOAD;
	s->ring = malloc(SIM_RING * s->period_bytes);
	s->idle = malloc(s->period_bytes);
	s->txbuf = malloc(s->period_bytes);
	s->rxbuf = malloc(s->rxcap);
	if (!s->ring || !s->idle || !s->txbuf || !s->rxbuf) {
		err = ENOMEM;
		goto out;
	}
	idle = hw_idle_code(cfg->type);
	memset(s->idle, idle, s->period_bytes);
	memset(s->txbuf, idle, s->period_bytes);        /* sent as is without an audio callback */
	memset(s->ring, idle, SIM_RING * s->period_bytes);
	if (!s->attach) {
		err = sim_listen(s);
		if (err)
			goto out;
	}
	err = sim_io_add(s);
 out:
	if (err) {
		sim_free(s);
		return err;
	}
	log_debug("span %s: open (%s %s, %u ms)", s->base.name, s->attach ? "attached to" : "listening at",
		  s->path, s->base.frame_ms);
	*spanp = &s->base;
	return 0;
}

static void apply_fn(void *arg)
{
	const void **a = arg;
	struct sim_span *s = (struct sim_span *)a[0];
	const struct hw_span_cfg *cfg = a[1];

	if (cfg->name)
		snprintf(s->base.name, sizeof(s->base.name), "%s", cfg->name);
}

/* Framing, line code, CRC-4 and clock mean nothing to the sim; a new name is
 * taken; the socket, the side and the period need a reopen (ENOTSUP). */
static int sim_span_apply(struct hw_span *span, const struct hw_span_cfg *cfg)
{
	struct sim_span *s = sim_span(span);
	unsigned frame_ms = cfg->frame_ms ? cfg->frame_ms : HW_FRAME_MS_DEFAULT;
	const void *a[2] = { s, cfg };

	if (!cfg->device || strcmp(cfg->device, s->path) != 0 || cfg->attach != s->attach ||
	    frame_ms != s->base.frame_ms) {
		log_warn("span %s: a new device, side or frame_ms needs the span reopened", s->base.name);
		return ENOTSUP;
	}
	sim_io_call(apply_fn, a);
	return 0;
}

static void sim_span_close(struct hw_span *span)
{
	struct sim_span *s = sim_span(span);

	if (!s)
		return;
	assert(!sim_io_on_thread());    /* never from an event callback */
	sim_io_remove(s);
	log_debug("span %s: closed", s->base.name);
	sim_free(s);
}

static int sim_dchan_send(struct hw_span *span, const uint8_t *frame, size_t len)
{
	struct sim_span *s = sim_span(span);
	int err;

	if (len == 0 || len > HW_DCHAN_MAX)
		return EINVAL;
	pthread_mutex_lock(&s->fd_lock);
	if (!atomic_load(&s->link_ok)) {
		err = ENOTCONN;
	} else if (atomic_load(&s->pulled) || atomic_load(&s->peer_pulled)) {
		err = -1;               /* onto a dead line: lost, as on a wire */
	} else {
		err = sim_link_send(s, SIM_MSG_DCHAN, frame, len);
		if (err == EAGAIN)
			err = ENOBUFS;  /* the peer has not read for a long while */
		else if (err == EPIPE || err == ECONNRESET)
			err = ENOTCONN;
	}
	pthread_mutex_unlock(&s->fd_lock);
	pthread_mutex_lock(&s->stat_lock);
	if (err == 0)
		s->cnt.dchan_tx++;
	else if (err < 0)
		s->dbg.dchan_lost++;
	pthread_mutex_unlock(&s->stat_lock);
	return err < 0 ? 0 : err;
}

static unsigned sim_alarms(struct hw_span *span)
{
	return atomic_load(&sim_span(span)->alarms);
}

static void sim_counters(struct hw_span *span, struct hw_counters *c)
{
	struct sim_span *s = sim_span(span);

	pthread_mutex_lock(&s->stat_lock);
	*c = s->cnt;
	pthread_mutex_unlock(&s->stat_lock);
}

struct bypass_call {
	struct sim_span *s;
	bool engaged;
	int err;
};

static void bypass_fn(void *arg)
{
	struct bypass_call *c = arg;
	struct sim_span *s = c->s;

	if (s->relay_dead) {
		c->err = EIO;
		return;
	}
	/* Released with a watchdog: every call re-arms it, here and (by the
	 * RELAY message) at the far end. */
	s->relay_deadline = c->engaged ? 0 : sim_relay_deadline(sim_now(), s->relay_wd_ns);
	if (atomic_exchange(&s->relay, c->engaged) != c->engaged || s->relay_deadline) {
		s->relay_dirty = true;
		sim_link_send_relay(s); /* or on the next tick, or after HELLO */
	}
}

static int sim_bypass_set(struct hw_span *span, bool engaged)
{
	struct bypass_call c = { .s = sim_span(span), .engaged = engaged };

	if (c.s->attach)
		return ENOTSUP;         /* the relay is the owner's */
	sim_io_call(bypass_fn, &c);
	if (c.err)
		log_warn("span %s: the bypass relay does not move", c.s->base.name);
	return c.err;
}

struct watchdog_call {
	struct sim_span *s;
	unsigned ms;
};

static void watchdog_fn(void *arg)
{
	struct watchdog_call *c = arg;
	struct sim_span *s = c->s;

	s->relay_wd_ns = (uint64_t)c->ms * 1000000ULL;
	s->relay_deadline = atomic_load(&s->relay) ? 0 : sim_relay_deadline(sim_now(), s->relay_wd_ns);
	s->relay_dirty = true;          /* the far end learns the timeout */
	sim_link_send_relay(s);
}

static int sim_bypass_watchdog(struct hw_span *span, unsigned timeout_ms)
{
	struct watchdog_call c = { .s = sim_span(span), .ms = timeout_ms };

	if (c.s->attach)
		return ENOTSUP;
	sim_io_call(watchdog_fn, &c);
	return 0;
}

struct relay_check_call {
	struct sim_span *s;
	uint64_t now;
};

static void relay_check_fn(void *arg)
{
	struct relay_check_call *c = arg;

	sim_relay_check(c->s, c->now);
}

void hw_sim_test_relay_check(struct hw_span *span, uint64_t now_ns)
{
	struct relay_check_call c = { .s = sim_span(span), .now = now_ns };

	if (c.s)
		sim_io_call(relay_check_fn, &c);
}

struct fault_call {
	struct sim_span *s;
	enum hw_sim_fault f;
	unsigned count;
};

static uint32_t sat_add(uint32_t a, unsigned b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static void fault_fn(void *arg)
{
	struct fault_call *c = arg;
	struct sim_span *s = c->s;
	bool linked = atomic_load(&s->link_ok);

	switch (c->f) {
	case HW_SIM_CABLE_PULL:
		atomic_store(&s->pulled, true);
		s->ring_count = 0;
		break;
	case HW_SIM_CABLE_PLUG:
		atomic_store(&s->pulled, false);
		break;
	case HW_SIM_AIS_ON:
	case HW_SIM_AIS_OFF:
		s->ais = c->f == HW_SIM_AIS_ON;
		break;
	case HW_SIM_RAI_ON:
	case HW_SIM_RAI_OFF:
		s->rai_manual = c->f == HW_SIM_RAI_ON;
		break;
	/* counts need a far end to count them */
	case HW_SIM_CRC_ERRORS:
		if (linked)
			s->pend_crc = sat_add(s->pend_crc, c->count);
		break;
	case HW_SIM_SLIPS:
		if (linked)
			s->pend_slips = sat_add(s->pend_slips, c->count);
		break;
	case HW_SIM_BPV:
		if (linked)
			s->pend_bpv = sat_add(s->pend_bpv, c->count);
		break;
	case HW_SIM_DROP_PERIODS:
		s->drop_periods = sat_add(s->drop_periods, c->count);
		break;
	case HW_SIM_RELAY_DEAD:
		s->relay_dead = c->count != 0;
		break;
	}
	sim_link_update(s);
}

int hw_sim_fault(struct hw_span *span, enum hw_sim_fault f, unsigned count)
{
	struct fault_call c = { .s = sim_span(span), .f = f, .count = count };

	if (!span)
		return EINVAL;
	if (!c.s)
		return ENOTSUP;
	if ((unsigned)f > HW_SIM_RELAY_DEAD)
		return EINVAL;
	log_debug("span %s: fault %d count %u", c.s->base.name, (int)f, count);
	sim_io_call(fault_fn, &c);
	return 0;
}

bool hw_sim_relay_engaged(struct hw_span *span)
{
	struct sim_span *s = sim_span(span);

	return s ? atomic_load(&s->relay) : false;
}

bool hw_sim_connected(struct hw_span *span)
{
	struct sim_span *s = sim_span(span);

	return s ? atomic_load(&s->link_ok) : false;
}

const struct hw_driver hw_sim_driver = {
	.name = "sim",
	.caps = HW_CAP_T1 | HW_CAP_E1 | HW_CAP_PRI | HW_CAP_BYPASS | HW_CAP_FAULTS,
	.probe = sim_probe,
	.span_open = sim_span_open,
	.span_apply = sim_span_apply,
	.span_close = sim_span_close,
	.dchan_send = sim_dchan_send,
	.alarms = sim_alarms,
	.counters = sim_counters,
	.bypass_set = sim_bypass_set,
	.bypass_watchdog = sim_bypass_watchdog,
};
