/*
 * dahdi.c -- the "dahdi" HAL driver: T1/E1 PRI spans on DAHDI cards (Digium/
 * Sangoma wct4xxp, wcte13xp, wcte43x, ...) through the DAHDI kernel interface,
 * <dahdi/user.h>: /dev/dahdi/ctl for span and channel configuration and
 * status, one /dev/dahdi/channel file per timeslot (DAHDI_SPECIFY) for data.
 *
 * NOT RUN ON REAL CARDS.  No DAHDI card, kernel module or /dev/dahdi exists
 * where this was written; the ioctl sequence follows dahdi_cfg and Asterisk's
 * chan_dahdi and was checked against dahdi-linux 2.11.1 (Debian's
 * dahdi-source), and the kernel-free half (dahdi_map.c) is unit-tested.  Run
 * it on a card before trusting it.
 *
 * What it does:
 *  - probe(): opens /dev/dahdi/ctl and asks DAHDI_SPANSTAT for any span;
 *    ENODEV when there is none (nothing is configured or left open).
 *  - span_open(): DAHDI span number = cfg->position.  DAHDI_SPANCONFIG
 *    (framing, line code, CRC-4, sync: line clock -> 1, internal -> 0),
 *    DAHDI_CHANCONFIG per timeslot (B: DAHDI_SIG_CLEAR, D: DAHDI_SIG_HDLCFCS),
 *    DAHDI_STARTUP; then opens every channel: the D channel with
 *    DAHDI_SET_BUFINFO (32 x 1024, immediate), B channels with
 *    DAHDI_SET_BLOCKSIZE = 8 * frame_ms and DAHDI_AUDIOMODE 0 (we move the
 *    companded bytes untouched: no gains, echo canceller or conferencing).
 *    The span's first channel number comes from DAHDI_GET_PARAMS on ctl.
 *  - One I/O thread per span polls all its channel fds.  B-channel blocks
 *    are gathered into one channel-major period (hw.h) and handed to
 *    ev->audio; the tx period it fills is written back per channel.  A
 *    period is complete when every B channel delivered its block, or half a
 *    period after the first one did (missing ones are idle code, counted in
 *    rx_missing).  D-channel reads carry the frame plus 2 FCS bytes (DAHDI
 *    keeps them, see dahdi_int.h): we strip them; dchan_send queues the frame
 *    to the I/O thread, which writes it with 2 placeholder bytes that DAHDI
 *    overwrites with the FCS.
 *  - Alarms: DAHDI queues DAHDI_EVENT_ALARM / _NOALARM on every channel only
 *    when the span goes into or out of alarm (any -> none), so the thread
 *    also reads DAHDI_SPANSTAT once a second, which catches YELLOW <-> RED
 *    changes.  Pending events make read()/write() fail with ELAST; the
 *    thread drains them with DAHDI_GETEVENT.
 *  - Counters: DAHDI_SPANSTAT's bpvcount + cvcount (line code violations),
 *    crc4count (CRC-6 on T1 ESF or CRC-4 on E1), fecount + fascount
 *    (framing errors), and "Timing slips:" from /proc/dahdi/<span> (the
 *    kernel counts slips but DAHDI_SPANSTAT does not carry them).  ES/SES/UAS
 *    are computed once a second as DS1-MIB defines (dahdi_map.c): DAHDI has
 *    only `errsec`, filled by a few drivers and with no SES or UAS.
 *
 * What it cannot do (yet):
 *  - CAS (robbed bit, E1 CAS, MFC/R2): ENOTSUP.
 *  - No bypass relay: DAHDI has no standard ioctl for one, so no
 *    HW_CAP_BYPASS.
 *  - Hardware HDLC (DAHDI_SIG_HARDHDLC, which some cards prefer) is not
 *    used; the D channel runs DAHDI's software HDLC.
 *  - The span number is cfg->position as DAHDI numbers spans across all
 *    cards; spans must be assigned (DAHDI's default auto-assignment).  A span
 *    also listed in /etc/dahdi/system.conf is reconfigured by us on open.
 *  - span_apply() changes framing, line code, CRC-4 and clock live; a new
 *    frame_ms or position needs close + open (ENOTSUP).
 *  - Closing a span leaves it running (no DAHDI_SHUTDOWN), so a restart of
 *    the daemon does not drop framing towards the far end.
 *  - If the card stops delivering audio altogether, no period is delivered
 *    (there is no clock to pace idle periods with); alarms still come.
 *
 * Threads: open/apply/close and dchan_send/alarms/counters on the owner
 * thread; the event callbacks on this span's I/O thread.  `lock` guards what
 * both touch: alarms, counters, the D-channel send queue and `stop`.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "dahdi"
#include "log.h"
#include "dahdi.h"
#include "dahdi_int.h"
#include "rt.h"

#define DAHDI_DEV_DEFAULT "/dev/dahdi"
#define DAHDI_TXQ 16            /* D-channel frames queued to the I/O thread */

struct dahdi_chan {
	int fd;                 /* -1: not open, or gone */
	unsigned pos;           /* timeslot, 1..31 */
	bool dchan;
	bool got;               /* B: rx holds this period's block */
	uint8_t *rx, *tx;       /* B: one block each */
};

struct dahdi_txframe {
	size_t len;             /* frame + DAHDI_FCS_LEN */
	uint8_t buf[HW_DCHAN_MAX + DAHDI_FCS_LEN];
};

struct dahdi_span {
	struct hw_span base;    /* first: the HAL's part */
	struct hw_span_events ev;       /* a copy: the caller's is borrowed */
	void *arg;
	struct hw_span_cfg cfg; /* name and device point into the strings below */
	char dev[PATH_MAX];
	int spanno, basechan;
	struct dahdi_lineconfig lc;
	int linecompat;
	unsigned nts, dpos, samples;
	uint8_t idle;
	int ctl;
	int wake;               /* eventfd: stop, or frames queued */
	struct dahdi_chan ch[HW_MAX_TIMESLOTS];
	uint8_t *rxp, *txp;     /* one period each, channel-major */
	pthread_t thread;
	bool thread_started;

	pthread_mutex_t lock;
	bool stop;                      /* lock */
	unsigned alarms;                /* lock */
	struct dahdi_perf perf;         /* lock */
	struct hw_counters io;          /* lock: periods and D-channel frames */
	struct dahdi_txframe txq[DAHDI_TXQ];    /* lock */
	unsigned txq_head, txq_n;       /* lock */

	/* I/O thread only */
	unsigned seen;          /* alarm bits seen since the last tick */
	bool period_open;
	uint64_t period_deadline, next_tick;
	uint64_t hdlc_errors, tx_drops;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void dev_path(char *buf, size_t len, const char *dev, const char *leaf)
{
	snprintf(buf, len, "%s/%s", dev, leaf);
}

/* "LOS,RED": a private copy of hal.c's hw_alarm_names(), for the log. */
static const char *alarm_str(unsigned a, char *buf, size_t len)
{
	static const char *const names[] = { "LOS", "RED", "BLUE", "YELLOW" };
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 4 && used < len; i++)
		if (a & (1u << i))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i]);
	return a ? buf : "none";
}

/* ---- probe ---- */

static int dahdi_probe(void)
{
	struct dahdi_spaninfo si;
	int fd, found = 0;

	fd = open(DAHDI_DEV_DEFAULT "/ctl", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return ENODEV;  /* no module loaded (ENOENT), or not ours to open */
	/* Span numbers can have holes (spans assigned by hand). */
	for (int n = 1; n <= DAHDI_MAX_SPANS && !found; n++) {
		memset(&si, 0, sizeof(si));
		si.spanno = n;
		if (ioctl(fd, DAHDI_SPANSTAT, &si) == 0)
			found = 1;
	}
	close(fd);
	return found ? 0 : ENODEV;
}

/* ---- status ---- */

static int read_spanstat(struct dahdi_span *s, struct dahdi_spaninfo *si)
{
	memset(si, 0, sizeof(*si));
	si->spanno = s->spanno;
	return ioctl(s->ctl, DAHDI_SPANSTAT, si) == 0 ? 0 : errno;
}

static uint32_t read_slips(const struct dahdi_span *s)
{
	char path[64], buf[8192];
	uint32_t slips = 0;
	ssize_t n;
	int fd;

	/* /proc/dahdi is DAHDI's, not under cfg->device. */
	snprintf(path, sizeof(path), "/proc/dahdi/%d", s->spanno);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return s->perf.last.slips;      /* keep the last: no phantom reset */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return s->perf.last.slips;
	buf[n] = '\0';
	/* Absent means 0: the line is printed only when there are slips. */
	(void)dahdi_proc_timing_slips(buf, &slips);
	return slips;
}

/* I/O thread: re-read the span's alarms and report a change. */
static void update_alarms(struct dahdi_span *s, const struct dahdi_spaninfo *si)
{
	unsigned alarms = dahdi_alarms_to_hw(si->alarms), old;
	char a[64], b[64];

	pthread_mutex_lock(&s->lock);
	old = s->alarms;
	s->alarms = alarms;
	pthread_mutex_unlock(&s->lock);
	s->seen |= alarms;
	if (alarms == old)
		return;
	log_info("%s: span %d alarms %s (were %s)", s->base.name, s->spanno,
		 alarm_str(alarms, a, sizeof(a)), alarm_str(old, b, sizeof(b)));
	if (s->ev.alarm)
		s->ev.alarm(s->arg, alarms, old);
}

static void refresh_alarms(struct dahdi_span *s)
{
	struct dahdi_spaninfo si;

	if (read_spanstat(s, &si) == 0)
		update_alarms(s, &si);
}

/* I/O thread, once a second: alarms, and the DS1-MIB second. */
static void tick(struct dahdi_span *s)
{
	struct dahdi_spaninfo si;
	struct dahdi_raw raw;
	unsigned seen;

	if (read_spanstat(s, &si) != 0)
		return;
	update_alarms(s, &si);
	dahdi_raw_from_spaninfo(&raw, &si, read_slips(s));
	seen = s->seen;
	pthread_mutex_lock(&s->lock);
	dahdi_perf_second(&s->perf, &raw, seen, s->alarms);
	s->seen = s->alarms;
	pthread_mutex_unlock(&s->lock);
}

/* I/O thread: take every pending event off a channel; ELAST from read() or
 * write() means there are some. */
static void drain_events(struct dahdi_span *s, struct dahdi_chan *c)
{
	bool alarm = false;
	int e;

	for (int i = 0; i < 64; i++) {  /* bounded: never spin on a sick card */
		e = DAHDI_EVENT_NONE;
		if (ioctl(c->fd, DAHDI_GETEVENT, &e) != 0 || e == DAHDI_EVENT_NONE)
			break;
		switch (e) {
		case DAHDI_EVENT_ALARM:
		case DAHDI_EVENT_NOALARM:
			alarm = true;
			break;
		case DAHDI_EVENT_BADFCS:
		case DAHDI_EVENT_ABORT:
		case DAHDI_EVENT_OVERRUN:
			s->hdlc_errors++;       /* the frame is dropped by DAHDI */
			log_debug("%s: TS%u HDLC event %d", s->base.name, c->pos, e);
			break;
		case DAHDI_EVENT_REMOVED:
			log_err("%s: TS%u: channel removed by DAHDI (card gone?)", s->base.name, c->pos);
			break;
		default:
			log_debug("%s: TS%u event %d", s->base.name, c->pos, e);
			break;
		}
	}
	if (alarm)
		refresh_alarms(s);
}

/* ---- audio ---- */

static void period_complete(struct dahdi_span *s)
{
	const uint8_t *rx[HW_MAX_TIMESLOTS];
	uint8_t *tx[HW_MAX_TIMESLOTS];
	bool missing = false;

	for (unsigned i = 0; i < s->nts; i++) {
		struct dahdi_chan *c = &s->ch[i];

		rx[i] = !c->dchan && c->got ? c->rx : NULL;
		tx[i] = c->dchan ? NULL : c->tx;
		if (!c->dchan && !c->got)
			missing = true;
	}
	dahdi_period_gather(s->rxp, rx, s->nts, s->samples, s->idle);
	memset(s->txp, s->idle, (size_t)s->nts * s->samples);
	if (s->ev.audio)
		s->ev.audio(s->arg, s->rxp, s->txp, s->samples);
	dahdi_period_scatter(s->txp, tx, s->nts, s->samples);
	for (unsigned i = 0; i < s->nts; i++) {
		struct dahdi_chan *c = &s->ch[i];

		c->got = false;
		if (c->dchan || c->fd < 0)
			continue;
		if (write(c->fd, c->tx, s->samples) != (ssize_t)s->samples) {
			if (errno == ELAST)
				drain_events(s, c);
			s->tx_drops++;  /* DAHDI plays idle for the gap */
		}
	}
	s->period_open = false;
	pthread_mutex_lock(&s->lock);
	s->io.rx_periods++;
	s->io.tx_periods++;
	s->io.rx_missing += missing;
	pthread_mutex_unlock(&s->lock);
}

static void bchan_readable(struct dahdi_span *s, struct dahdi_chan *c)
{
	ssize_t n;

	/* A second block before the period is complete: that period is as
	 * complete as it gets (a lagging channel plays idle). */
	if (c->got)
		period_complete(s);
	n = read(c->fd, c->rx, s->samples);
	if (n < 0) {
		if (errno == ELAST)
			drain_events(s, c);
		return;
	}
	if ((size_t)n < s->samples)
		memset(c->rx + n, s->idle, s->samples - (size_t)n);
	c->got = true;
	if (!s->period_open) {
		unsigned half = s->base.frame_ms / 2;

		s->period_open = true;
		s->period_deadline = now_ms() + (half < 5 ? 5 : half);
	}
}

static bool period_full(const struct dahdi_span *s)
{
	for (unsigned i = 0; i < s->nts; i++)
		if (!s->ch[i].dchan && s->ch[i].fd >= 0 && !s->ch[i].got)
			return false;
	return true;
}

/* ---- D channel ---- */

static void dchan_readable(struct dahdi_span *s, struct dahdi_chan *c)
{
	uint8_t buf[DAHDI_DCHAN_BUFSIZE];

	for (int i = 0; i < DAHDI_DCHAN_NUMBUFS; i++) {
		ssize_t n = read(c->fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == ELAST)
				drain_events(s, c);
			return;         /* EAGAIN: all read */
		}
		/* DAHDI returns frame + FCS; drop runts and what we cannot carry. */
		if (n <= DAHDI_FCS_LEN || (size_t)n - DAHDI_FCS_LEN > HW_DCHAN_MAX) {
			s->hdlc_errors++;
			continue;
		}
		pthread_mutex_lock(&s->lock);
		s->io.dchan_rx++;
		pthread_mutex_unlock(&s->lock);
		if (s->ev.dchan)
			s->ev.dchan(s->arg, buf, (size_t)n - DAHDI_FCS_LEN);
	}
}

static void dchan_write_queued(struct dahdi_span *s)
{
	struct dahdi_chan *c = &s->ch[s->dpos - 1];
	struct dahdi_txframe f;

	for (;;) {
		ssize_t n;

		pthread_mutex_lock(&s->lock);
		if (!s->txq_n) {
			pthread_mutex_unlock(&s->lock);
			return;
		}
		f = s->txq[s->txq_head];
		s->txq_head = (s->txq_head + 1) % DAHDI_TXQ;
		s->txq_n--;
		pthread_mutex_unlock(&s->lock);
		if (c->fd < 0)
			continue;
		n = write(c->fd, f.buf, f.len);
		if (n < 0 && errno == ELAST) {
			drain_events(s, c);
			n = write(c->fd, f.buf, f.len);
		}
		if (n != (ssize_t)f.len) {
			/* Q.921 retransmits; a lost frame is no worse than a bad FCS. */
			log_warn("%s: D-channel write: %s", s->base.name, n < 0 ? strerror(errno) : "short");
			continue;
		}
		pthread_mutex_lock(&s->lock);
		s->io.dchan_tx++;
		pthread_mutex_unlock(&s->lock);
	}
}

/* ---- the I/O thread ---- */

static void *io_thread(void *arg)
{
	struct dahdi_span *s = arg;
	struct pollfd pfd[1 + HW_MAX_TIMESLOTS];
	struct dahdi_chan *pch[1 + HW_MAX_TIMESLOTS];
	unsigned n = 0;
	struct dahdi_spaninfo si;

	rt_thread_enter(s->base.name);
	pfd[n].fd = s->wake;
	pfd[n].events = POLLIN;
	pch[n++] = NULL;
	for (unsigned i = 0; i < s->nts; i++) {
		pfd[n].fd = s->ch[i].fd;
		pfd[n].events = POLLIN | POLLPRI;
		pch[n++] = &s->ch[i];
	}
	/* Say where we start from (old = 0: nothing was reported before). */
	if (read_spanstat(s, &si) == 0)
		update_alarms(s, &si);
	s->next_tick = now_ms() + 1000;

	for (;;) {
		uint64_t t = now_ms(), until = s->next_tick;
		int timeout;

		if (s->period_open && s->period_deadline < until)
			until = s->period_deadline;
		timeout = until > t ? (int)(until - t) : 0;
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			log_err("%s: poll: %s", s->base.name, strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			uint64_t v;
			bool stop;

			(void)!read(s->wake, &v, sizeof(v));
			pthread_mutex_lock(&s->lock);
			stop = s->stop;
			pthread_mutex_unlock(&s->lock);
			if (stop)
				break;
			dchan_write_queued(s);
		}
		for (unsigned i = 1; i < n; i++) {
			struct dahdi_chan *c = pch[i];
			short re = pfd[i].revents;

			if (!re)
				continue;
			if (re & (POLLERR | POLLHUP | POLLNVAL)) {
				/* Unregistered under us (card removed): stop polling it. */
				log_err("%s: TS%u: channel failed (revents 0x%x), no longer used",
					s->base.name, c->pos, (unsigned)re);
				pfd[i].fd = -1;
				close(c->fd);
				c->fd = -1;
				continue;
			}
			if (re & POLLPRI)
				drain_events(s, c);
			if (re & POLLIN) {
				if (c->dchan)
					dchan_readable(s, c);
				else
					bchan_readable(s, c);
			}
		}
		t = now_ms();
		if (s->period_open && (period_full(s) || t >= s->period_deadline))
			period_complete(s);
		if (t >= s->next_tick) {
			tick(s);
			s->next_tick += 1000;
			if (s->next_tick <= t)  /* we were stopped for long: no catch-up burst */
				s->next_tick = t + 1000;
		}
	}
	return NULL;
}

/* ---- open / apply / close ---- */

static void span_free(struct dahdi_span *s)
{
	if (s->thread_started) {
		uint64_t one = 1;

		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_mutex_unlock(&s->lock);
		(void)!write(s->wake, &one, sizeof(one));
		pthread_join(s->thread, NULL);
	}
	for (unsigned i = 0; i < HW_MAX_TIMESLOTS; i++) {
		if (s->ch[i].fd >= 0)
			close(s->ch[i].fd);
		free(s->ch[i].rx);
		free(s->ch[i].tx);
	}
	if (s->wake >= 0)
		close(s->wake);
	if (s->ctl >= 0)
		close(s->ctl);
	free(s->rxp);
	free(s->txp);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* The span's first channel number: the channel at position 1 of our span.
 * O(channels) ioctls, once per open. */
static int find_basechan(struct dahdi_span *s)
{
	for (int c = 1; c <= DAHDI_MAX_CHANNELS; c++) {
		struct dahdi_params p;

		memset(&p, 0, sizeof(p));
		p.channo = c;
		if (ioctl(s->ctl, DAHDI_GET_PARAMS, &p) != 0)
			continue;
		if (p.spanno == s->spanno && p.chanpos == 1) {
			s->basechan = c;
			return 0;
		}
	}
	return ENODEV;
}

static int configure_span(struct dahdi_span *s)
{
	struct dahdi_chanconfig cc[HW_MAX_TIMESLOTS];
	unsigned n;
	int err, sp = s->spanno;

	err = dahdi_cfg_chanconfig(&s->cfg, s->basechan, cc, &n);
	if (err)
		return err;
	if (ioctl(s->ctl, DAHDI_SPANCONFIG, &s->lc) != 0) {
		err = errno;
		log_err("%s: DAHDI_SPANCONFIG span %d lineconfig 0x%x: %s",
			s->base.name, sp, s->lc.lineconfig, strerror(err));
		return err;
	}
	for (unsigned i = 0; i < n; i++) {
		if (ioctl(s->ctl, DAHDI_CHANCONFIG, &cc[i]) != 0) {
			err = errno;
			log_err("%s: DAHDI_CHANCONFIG channel %d (TS%u): %s",
				s->base.name, cc[i].chan, i + 1, strerror(err));
			return err;
		}
	}
	if (ioctl(s->ctl, DAHDI_STARTUP, &sp) != 0) {
		err = errno;
		log_err("%s: DAHDI_STARTUP span %d: %s", s->base.name, sp, strerror(err));
		return err;
	}
	return 0;
}

static int open_chan(struct dahdi_span *s, struct dahdi_chan *c)
{
	char path[PATH_MAX + 16];
	int channo = s->basechan + (int)c->pos - 1, err;

	dev_path(path, sizeof(path), s->dev, "channel");
	c->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0)
		return errno == ENOENT ? ENODEV : errno;
	if (ioctl(c->fd, DAHDI_SPECIFY, &channo) != 0)
		goto fail;
	if (c->dchan) {
		struct dahdi_bufferinfo bi;

		memset(&bi, 0, sizeof(bi));
		bi.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
		bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
		bi.numbufs = DAHDI_DCHAN_NUMBUFS;
		bi.bufsize = DAHDI_DCHAN_BUFSIZE;
		if (ioctl(c->fd, DAHDI_SET_BUFINFO, &bi) != 0)
			goto fail;
		return 0;
	}
	{
		int bs = (int)s->samples, audio = 0;

		if (ioctl(c->fd, DAHDI_SET_BLOCKSIZE, &bs) != 0 ||
		    ioctl(c->fd, DAHDI_AUDIOMODE, &audio) != 0)
			goto fail;
	}
	c->rx = malloc(s->samples);
	c->tx = malloc(s->samples);
	if (!c->rx || !c->tx)
		return ENOMEM;
	/* One idle block queued ahead: a period of slack for the tx path. */
	memset(c->tx, s->idle, s->samples);
	(void)!write(c->fd, c->tx, s->samples);
	return 0;
 fail:
	err = errno;
	log_err("%s: channel %d (TS%u): %s", s->base.name, channo, c->pos, strerror(err));
	return err;
}

static int dahdi_span_open(struct hw_span **spanp, const struct hw_span_cfg *cfg,
			   const struct hw_span_events *ev, void *arg)
{
	struct dahdi_lineconfig lc;
	struct dahdi_spaninfo si;
	struct dahdi_span *s;
	struct dahdi_raw raw;
	char msg[256], path[PATH_MAX + 16];
	unsigned frame_ms = cfg->frame_ms ? cfg->frame_ms : HW_FRAME_MS_DEFAULT;
	int err;

	/* Everything that needs no device first: a bad config touches nothing. */
	err = dahdi_cfg_lineconfig(cfg, &lc, msg, sizeof(msg));
	if (err) {
		log_err("%s", msg);
		return err;
	}
	if (frame_ms % 10 || frame_ms > 40) {
		log_err("%s: frame_ms %u: 10, 20, 30 or 40", cfg->name ? cfg->name : "span", cfg->frame_ms);
		return EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	s->ctl = s->wake = -1;
	for (unsigned i = 0; i < HW_MAX_TIMESLOTS; i++)
		s->ch[i].fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	s->base.drv = &hw_dahdi_driver;
	snprintf(s->base.name, sizeof(s->base.name), "%s", cfg->name ? cfg->name : "dahdi");
	s->base.type = cfg->type;
	s->base.frame_ms = frame_ms;
	if (ev)
		s->ev = *ev;
	s->arg = arg;
	snprintf(s->dev, sizeof(s->dev), "%s", cfg->device ? cfg->device : DAHDI_DEV_DEFAULT);
	s->cfg = *cfg;
	s->cfg.name = s->base.name;
	s->cfg.device = s->dev;
	s->cfg.frame_ms = frame_ms;
	s->lc = lc;
	s->spanno = lc.span;
	s->nts = dahdi_timeslots(cfg->type);
	s->dpos = dahdi_dchan_pos(cfg->type);
	s->idle = dahdi_idle_code(cfg->type);
	s->samples = 8 * frame_ms;

	dev_path(path, sizeof(path), s->dev, "ctl");
	s->ctl = open(path, O_RDWR | O_CLOEXEC);
	if (s->ctl < 0) {
		err = errno == ENOENT ? ENODEV : errno;
		log_err("%s: %s: %s", s->base.name, path, strerror(errno));
		goto out;
	}
	err = read_spanstat(s, &si);
	if (err) {
		log_err("%s: DAHDI span %d: %s", s->base.name, s->spanno, strerror(err));
		err = ENODEV;
		goto out;
	}
	err = dahdi_span_fits(&si, cfg, &lc, msg, sizeof(msg));
	if (err) {
		log_err("%s", msg);
		goto out;
	}
	s->linecompat = si.linecompat;
	err = find_basechan(s);
	if (err) {
		log_err("%s: DAHDI span %d: no channels found", s->base.name, s->spanno);
		goto out;
	}
	err = configure_span(s);
	if (err)
		goto out;
	for (unsigned i = 0; i < s->nts; i++) {
		s->ch[i].pos = i + 1;
		s->ch[i].dchan = i + 1 == s->dpos;
		err = open_chan(s, &s->ch[i]);
		if (err)
			goto out;
	}
	s->rxp = malloc((size_t)s->nts * s->samples);
	s->txp = malloc((size_t)s->nts * s->samples);
	if (!s->rxp || !s->txp) {
		err = ENOMEM;
		goto out;
	}
	/* Counters start from now: "since the span was opened". */
	err = read_spanstat(s, &si);
	if (err)
		goto out;
	dahdi_raw_from_spaninfo(&raw, &si, read_slips(s));
	dahdi_perf_init(&s->perf, dahdi_perf_mode(cfg), &raw);
	s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake < 0) {
		err = errno;
		goto out;
	}
	err = pthread_create(&s->thread, NULL, io_thread, s);
	if (err)
		goto out;
	s->thread_started = true;
	log_info("%s: DAHDI span %d (%s, channels %d-%d) open, %u ms periods",
		 s->base.name, s->spanno, si.desc, s->basechan,
		 s->basechan + (int)s->nts - 1, frame_ms);
 out:
	if (err)
		span_free(s);
	else
		*spanp = &s->base;
	return err;
}

static int dahdi_span_apply(struct hw_span *hs, const struct hw_span_cfg *cfg)
{
	struct dahdi_span *s = (struct dahdi_span *)hs;
	struct dahdi_lineconfig lc;
	struct dahdi_spaninfo si;
	unsigned frame_ms = cfg->frame_ms ? cfg->frame_ms : HW_FRAME_MS_DEFAULT;
	char msg[256];
	int err, sp;

	err = dahdi_cfg_lineconfig(cfg, &lc, msg, sizeof(msg));
	if (err) {
		log_err("%s", msg);
		return err;
	}
	if (cfg->type != s->cfg.type)
		return EINVAL;
	if (frame_ms != s->base.frame_ms || (int)cfg->position != s->spanno) {
		log_warn("%s: a new frame_ms or position needs the span closed and opened", s->base.name);
		return ENOTSUP;
	}
	if (lc.lineconfig == s->lc.lineconfig && lc.sync == s->lc.sync)
		return 0;
	memset(&si, 0, sizeof(si));
	si.totalchans = (int)s->nts;
	si.linecompat = s->linecompat;
	err = dahdi_span_fits(&si, cfg, &lc, msg, sizeof(msg));
	if (err) {
		log_err("%s", msg);
		return err;
	}
	/* On a running span the card driver re-applies the line setup. */
	if (ioctl(s->ctl, DAHDI_SPANCONFIG, &lc) != 0) {
		err = errno;
		log_err("%s: DAHDI_SPANCONFIG: %s", s->base.name, strerror(err));
		return err;
	}
	sp = s->spanno;
	(void)ioctl(s->ctl, DAHDI_STARTUP, &sp);        /* 0 when already running */
	s->lc = lc;
	s->cfg.framing = cfg->framing;
	s->cfg.line_code = cfg->line_code;
	s->cfg.crc4 = cfg->crc4;
	s->cfg.clock = cfg->clock;
	pthread_mutex_lock(&s->lock);
	s->perf.mode = dahdi_perf_mode(cfg);
	pthread_mutex_unlock(&s->lock);
	log_info("%s: DAHDI span %d reconfigured (lineconfig 0x%x, sync %d)",
		 s->base.name, s->spanno, lc.lineconfig, lc.sync);
	return 0;
}

static void dahdi_span_close(struct hw_span *hs)
{
	struct dahdi_span *s = (struct dahdi_span *)hs;

	if (!s)
		return;
	log_info("%s: DAHDI span %d closed (left running)", s->base.name, s->spanno);
	span_free(s);
}

static int dahdi_dchan_send(struct hw_span *hs, const uint8_t *frame, size_t len)
{
	struct dahdi_span *s = (struct dahdi_span *)hs;
	struct dahdi_txframe *f;
	uint64_t one = 1;

	if (!len || len > HW_DCHAN_MAX)
		return EINVAL;
	pthread_mutex_lock(&s->lock);
	if (s->txq_n == DAHDI_TXQ) {
		pthread_mutex_unlock(&s->lock);
		return ENOBUFS;
	}
	f = &s->txq[(s->txq_head + s->txq_n) % DAHDI_TXQ];
	memcpy(f->buf, frame, len);
	memset(f->buf + len, 0, DAHDI_FCS_LEN);         /* DAHDI writes the FCS here */
	f->len = len + DAHDI_FCS_LEN;
	s->txq_n++;
	pthread_mutex_unlock(&s->lock);
	(void)!write(s->wake, &one, sizeof(one));
	return 0;
}

static unsigned dahdi_alarms(struct hw_span *hs)
{
	struct dahdi_span *s = (struct dahdi_span *)hs;
	unsigned a;

	pthread_mutex_lock(&s->lock);
	a = s->alarms;
	pthread_mutex_unlock(&s->lock);
	return a;
}

static void dahdi_counters(struct hw_span *hs, struct hw_counters *c)
{
	struct dahdi_span *s = (struct dahdi_span *)hs;

	pthread_mutex_lock(&s->lock);
	*c = s->io;
	dahdi_perf_counters(&s->perf, c);
	pthread_mutex_unlock(&s->lock);
}

const struct hw_driver hw_dahdi_driver = {
	.name = "dahdi",
	/* No HW_CAP_BYPASS: DAHDI has no standard relay ioctl. */
	.caps = HW_CAP_T1 | HW_CAP_E1 | HW_CAP_PRI,
	.probe = dahdi_probe,
	.span_open = dahdi_span_open,
	.span_apply = dahdi_span_apply,
	.span_close = dahdi_span_close,
	.dchan_send = dahdi_dchan_send,
	.alarms = dahdi_alarms,
	.counters = dahdi_counters,
	.bypass_set = NULL,
};
