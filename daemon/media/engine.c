/*
 * engine.c -- the media engine: RTP/RTCP port pairs from a configured range,
 * one epoll loop (on its own thread, or driven by media_engine_poll() in
 * tests and tools) that drains session sockets and runs a 20 ms tick for
 * RTCP and RTP timeouts, the event queue back to the main thread (an
 * eventfd the main thread registers with its su_root), and the span table
 * that routes a HAL audio period to the sessions bridged to its timeslots.
 *
 * Sessions die in two steps: media_session_destroy() unhooks one under the
 * engine lock and parks it on a dead list; the loop frees the dead after the
 * epoll batch that may still name them.  Locks, outermost first: engine
 * lock, then a session's lock; tdmlock, then a session's lock; evlock last.
 */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <spandsp.h>

#define LOG_MODULE "media"
#include "log.h"
#include "media_int.h"
#include "rt.h"

#define TICK_US 20000

uint64_t media_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t media_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* NTP era 0 starts 70 years before the Unix epoch */
	return ((uint64_t)ts.tv_sec + 2208988800ull) << 32 |
		(uint64_t)(((double)ts.tv_nsec / 1e9) * 4294967296.0);
}

static uint32_t rand32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = (uint32_t)rand() ^ (uint32_t)media_now_us();
	return v;
}

void media_post_event(struct media_engine *e, const struct media_event *ev)
{
	uint64_t one = 1;

	pthread_mutex_lock(&e->evlock);
	if (e->evcount == MEDIA_EVQ) {
		e->ev_dropped++;        /* main thread stalled: say so in stats */
	} else {
		e->evq[(e->evhead + e->evcount) % MEDIA_EVQ] = *ev;
		e->evcount++;
	}
	pthread_mutex_unlock(&e->evlock);
	if (write(e->evfd, &one, sizeof(one)) < 0) {
		/* counter saturated: the fd is readable anyway */
	}
}

int media_engine_event_fd(const struct media_engine *e)
{
	return e->evfd;
}

size_t media_engine_events_take(struct media_engine *e, struct media_event *ev, size_t max)
{
	uint64_t v;
	size_t n = 0;

	if (read(e->evfd, &v, sizeof(v)) < 0) {
		/* nothing pending (EAGAIN) */
	}
	pthread_mutex_lock(&e->evlock);
	while (n < max && e->evcount) {
		ev[n++] = e->evq[e->evhead];
		e->evhead = (e->evhead + 1) % MEDIA_EVQ;
		e->evcount--;
	}
	pthread_mutex_unlock(&e->evlock);
	if (n == max) {                 /* more may wait: keep the fd readable */
		uint64_t one = 1;

		if (write(e->evfd, &one, sizeof(one)) < 0) {
			/* saturated: readable anyway */
		}
	}
	return n;
}

static void free_dead(struct media_engine *e)
{
	while (e->dead) {
		struct media_session *s = e->dead;

		e->dead = s->dead_next;
		media_session_free(s);
	}
}

int media_engine_poll(struct media_engine *e, int timeout_ms)
{
	struct epoll_event evs[64];
	uint64_t now;
	int n;

	n = epoll_wait(e->epfd, evs, 64, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : errno;
	pthread_mutex_lock(&e->lock);
	for (int i = 0; i < n; i++) {
		struct media_sock *ms = evs[i].data.ptr;

		if (!ms) {              /* the wake fd */
			uint64_t v;

			if (read(e->wakefd, &v, sizeof(v)) < 0) {
				/* spurious */
			}
			continue;
		}
		if (!ms->s->dead)
			media_session_rx(ms->s, ms->rtcp);
	}
	now = media_now_us();
	if (now >= e->next_tick_us) {
		for (struct media_session *s = e->sessions; s; s = s->next)
			media_session_tick(s, now);
		e->next_tick_us = now + TICK_US;
	}
	free_dead(e);
	pthread_mutex_unlock(&e->lock);
	return 0;
}

static void *engine_thread(void *arg)
{
	struct media_engine *e = arg;

	rt_thread_enter("media engine");
	while (!__atomic_load_n(&e->stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = media_now_us(), due;
		int wait;

		pthread_mutex_lock(&e->lock);
		due = e->next_tick_us;
		pthread_mutex_unlock(&e->lock);
		wait = due > now ? (int)((due - now + 999) / 1000) : 0;
		media_engine_poll(e, wait);
	}
	return NULL;
}

static void wake(struct media_engine *e)
{
	uint64_t one = 1;

	if (write(e->wakefd, &one, sizeof(one)) < 0) {
		/* saturated: the loop wakes anyway */
	}
}

int media_engine_create(struct media_engine **ep, const struct media_engine_cfg *cfg)
{
	struct media_engine *e;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	int err = 0;

	if (!cfg->bind_addr || cfg->port_min < 1024 || cfg->port_max < cfg->port_min + 1)
		return EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return ENOMEM;
	e->cfg = *cfg;
	strncpy(e->bind_addr, cfg->bind_addr, sizeof(e->bind_addr) - 1);
	e->cfg.bind_addr = e->bind_addr;
	e->port_next = (uint16_t)(cfg->port_min + (rand32() % (cfg->port_max - cfg->port_min + 1)));
	pthread_mutex_init(&e->lock, NULL);
	pthread_mutex_init(&e->evlock, NULL);
	pthread_mutex_init(&e->tdmlock, NULL);
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	e->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->epfd < 0 || e->evfd < 0 || e->wakefd < 0 ||
	    epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->wakefd, &ev) < 0) {
		err = errno ? errno : EIO;
		goto out;
	}
	e->next_tick_us = media_now_us() + TICK_US;
	if (cfg->threaded) {
		err = pthread_create(&e->thread, NULL, engine_thread, e);
		if (!err) {
			e->running = true;
			pthread_setname_np(e->thread, "media");
		}
	}
 out:
	if (err) {
		media_engine_destroy(e);
		return err;
	}
	*ep = e;
	return 0;
}

void media_engine_destroy(struct media_engine *e)
{
	if (!e)
		return;
	if (e->running) {
		__atomic_store_n(&e->stop, true, __ATOMIC_RELEASE);
		wake(e);
		pthread_join(e->thread, NULL);
		e->running = false;
	}
	while (e->sessions)
		media_session_destroy(e->sessions);
	free_dead(e);
	if (e->epfd >= 0)
		close(e->epfd);
	if (e->evfd >= 0)
		close(e->evfd);
	if (e->wakefd >= 0)
		close(e->wakefd);
	free(e->spans);
	free(e->xcs);
	pthread_mutex_destroy(&e->lock);
	pthread_mutex_destroy(&e->evlock);
	pthread_mutex_destroy(&e->tdmlock);
	free(e);
}

static int open_udp(const struct media_engine *e, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (strchr(e->bind_addr, ':')) {
		struct sockaddr_in6 *a = (void *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (inet_pton(AF_INET6, e->bind_addr, &a->sin6_addr) != 1)
			return -EINVAL;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (void *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		if (inet_pton(AF_INET, e->bind_addr, &a->sin_addr) != 1)
			return -EINVAL;
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/* An even RTP port and the odd one above it, both free; engine lock held.
 * An even port_max is the last RTP port (rtp_ports = 16384-32766 ends with
 * the pair 32766/32767), an odd one the last RTCP port.  O(range) in the
 * worst case, when the range is nearly full. */
static int take_ports(struct media_engine *e, struct media_session *s)
{
	unsigned lo = (e->cfg.port_min + 1u) & ~1u, hi = e->cfg.port_max;
	unsigned pairs = (hi - lo + 2) / 2;

	if (!pairs)
		return EADDRNOTAVAIL;
	for (unsigned i = 0; i < pairs; i++) {
		unsigned p = lo + 2 * ((((unsigned)e->port_next - lo) / 2 + i) % pairs);
		int a = open_udp(e, (uint16_t)p), b;

		if (a == -EINVAL)
			return EINVAL;
		if (a < 0)
			continue;
		b = open_udp(e, (uint16_t)(p + 1));
		if (b < 0) {
			close(a);
			continue;
		}
		s->rtp.fd = a;
		s->rtcp.fd = b;
		s->port = (uint16_t)p;
		e->port_next = (uint16_t)(p + 2 > hi ? lo : p + 2);
		return 0;
	}
	return EADDRNOTAVAIL;
}

static int apply_cfg(struct media_session *s, const struct media_session_cfg *cfg, bool first)
{
	const struct media_session_cfg *old = &s->cfg;
	struct media_session_cfg c = *cfg;
	int err = 0;

	if (!c.ptime_ms)
		c.ptime_ms = 20;
	if (c.ptime_ms % 10 || c.ptime_ms > 60)
		return EINVAL;
	if (c.codec <= MEDIA_CODEC_NONE || c.codec >= MEDIA_CODEC__COUNT || c.pt > 127 || c.te_pt > 127)
		return EINVAL;
	if (first || c.codec != old->codec) {
		media_codec_fini(&s->enc);
		media_codec_fini(&s->dec);
		if ((err = media_codec_init(&s->enc, c.codec)) ||
		    (err = media_codec_init(&s->dec, c.codec)))
			return err;
		if (s->jb)
			media_jb_reset(s->jb);
		s->acc_n = 0;
	}
	if (first || !media_srtp_key_equal(&c.srtp_tx, &old->srtp_tx)) {
		media_srtp_stop(&s->srtp_tx);
		if ((err = media_srtp_start(&s->srtp_tx, &c.srtp_tx, true)))
			return err;
	}
	if (first || !media_srtp_key_equal(&c.srtp_rx, &old->srtp_rx)) {
		media_srtp_stop(&s->srtp_rx);
		if ((err = media_srtp_start(&s->srtp_rx, &c.srtp_rx, false)))
			return err;
	}
	if (first || c.remote.ss_family != old->remote.ss_family ||
	    memcmp(&c.remote, &old->remote, sizeof(c.remote)) != 0) {
		/* a new far end: new stream, new latch */
		s->have_src = false;
		media_rx_seq_reset(&s->rxs);
		memset(&s->te_rx, 0, sizeof(s->te_rx));
		if (s->jb)
			media_jb_reset(s->jb);
	}
	s->cfg = c;
	s->last_rx_us = media_now_us();
	s->timeout_reported = false;
	return 0;
}

int media_session_create(struct media_session **sp, struct media_engine *e,
			 const struct media_session_cfg *cfg)
{
	struct media_session *s;
	struct epoll_event ev = { .events = EPOLLIN };
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	s->e = e;
	s->rtp.fd = s->rtcp.fd = -1;
	s->rtp.s = s->rtcp.s = s;
	s->rtcp.rtcp = true;
	pthread_mutex_init(&s->lock, NULL);
	s->ssrc = rand32();
	s->seq = (uint16_t)rand32();
	s->ts = rand32();
	err = apply_cfg(s, cfg, true);
	if (err)
		goto out;
	s->next_rtcp_us = media_now_us() + 1000ull * (e->cfg.rtcp_interval_ms ? e->cfg.rtcp_interval_ms : 5000) / 2;
	pthread_mutex_lock(&e->lock);
	err = take_ports(e, s);
	if (!err) {
		ev.data.ptr = &s->rtp;
		if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, s->rtp.fd, &ev) < 0)
			err = errno;
		ev.data.ptr = &s->rtcp;
		if (!err && epoll_ctl(e->epfd, EPOLL_CTL_ADD, s->rtcp.fd, &ev) < 0)
			err = errno;
	}
	if (!err) {
		s->next = e->sessions;
		e->sessions = s;
	}
	pthread_mutex_unlock(&e->lock);
 out:
	if (err) {
		media_session_free(s);
		return err;
	}
	*sp = s;
	return 0;
}

int media_session_update(struct media_session *s, const struct media_session_cfg *cfg)
{
	int err;

	pthread_mutex_lock(&s->e->lock);
	pthread_mutex_lock(&s->lock);
	err = apply_cfg(s, cfg, false);
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_unlock(&s->e->lock);
	return err;
}

uint16_t media_session_local_port(const struct media_session *s)
{
	return s->port;
}

static void tdm_detach(struct media_engine *e, struct media_session *s)
{
	pthread_mutex_lock(&e->tdmlock);
	for (unsigned i = 0; i < e->nspans; i++)
		for (unsigned c = 0; c < 32; c++)
			if (e->spans[i].chan[c] == s)
				e->spans[i].chan[c] = NULL;
	pthread_mutex_unlock(&e->tdmlock);
}

void media_session_destroy(struct media_session *s)
{
	struct media_engine *e;

	if (!s)
		return;
	e = s->e;
	tdm_detach(e, s);
	pthread_mutex_lock(&e->lock);
	for (struct media_session **pp = &e->sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	if (s->peer)
		s->peer->peer = NULL;
	s->peer = NULL;
	epoll_ctl(e->epfd, EPOLL_CTL_DEL, s->rtp.fd, NULL);
	epoll_ctl(e->epfd, EPOLL_CTL_DEL, s->rtcp.fd, NULL);
	s->dead = true;
	s->dead_next = e->dead;
	e->dead = s;
	if (!e->running)
		free_dead(e);
	pthread_mutex_unlock(&e->lock);
}

void media_session_free(struct media_session *s)
{
	if (s->rtp.fd >= 0)
		close(s->rtp.fd);
	if (s->rtcp.fd >= 0)
		close(s->rtcp.fd);
	media_codec_fini(&s->enc);
	media_codec_fini(&s->dec);
	media_srtp_stop(&s->srtp_tx);
	media_srtp_stop(&s->srtp_rx);
	media_session_jb_drop(s);
	media_ec_fini(&s->ec);
	if (s->dtmf_rx)
		dtmf_rx_free(s->dtmf_rx);
	if (s->dtmf_tx)
		dtmf_tx_free(s->dtmf_tx);
	if (s->dtmf_gen)
		dtmf_tx_free(s->dtmf_gen);
	memset(&s->cfg.srtp_tx, 0, sizeof(s->cfg.srtp_tx));
	memset(&s->cfg.srtp_rx, 0, sizeof(s->cfg.srtp_rx));
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Bridged to another RTP leg, a session's jitter buffer goes unused: free
 * one that early RTP made, unless a TDM clock played it (its figures stay). */
static void drop_unplayed_jb(struct media_session *s)
{
	pthread_mutex_lock(&s->lock);
	if (!s->tdm)
		media_session_jb_drop(s);
	pthread_mutex_unlock(&s->lock);
}

int media_bridge_rtp(struct media_session *a, struct media_session *b)
{
	if (a == b || a->e != b->e)
		return EINVAL;
	pthread_mutex_lock(&a->e->lock);
	if (a->peer)
		a->peer->peer = NULL;
	if (b->peer)
		b->peer->peer = NULL;
	a->peer = b;
	b->peer = a;
	drop_unplayed_jb(a);
	drop_unplayed_jb(b);
	pthread_mutex_unlock(&a->e->lock);
	return 0;
}

void media_unbridge(struct media_session *s)
{
	pthread_mutex_lock(&s->e->lock);
	if (s->peer)
		s->peer->peer = NULL;
	s->peer = NULL;
	pthread_mutex_unlock(&s->e->lock);
	tdm_detach(s->e, s);
}

int media_bridge_tdm(struct media_session *s, uint64_t key, unsigned ts)
{
	struct media_engine *e = s->e;
	struct media_tdm_span *sp = NULL;
	int err = 0;

	if (ts < 1 || ts > 31)
		return EINVAL;
	tdm_detach(e, s);
	pthread_mutex_lock(&e->tdmlock);
	for (unsigned i = 0; i < e->nspans && !sp; i++)
		if (e->spans[i].key == key)
			sp = &e->spans[i];
	if (!sp) {
		struct media_tdm_span *n = realloc(e->spans, (e->nspans + 1) * sizeof(*n));

		if (!n) {
			err = ENOMEM;
			goto out;
		}
		e->spans = n;
		sp = &e->spans[e->nspans++];
		memset(sp, 0, sizeof(*sp));
		sp->key = key;
	}
	if (sp->chan[ts])
		err = EBUSY;
	else
		sp->chan[ts] = s;
 out:
	pthread_mutex_unlock(&e->tdmlock);
	return err;
}

/* One period of one end of a cross-connect: keep what it hears for the
 * other end, play what the other end heard (idle until there is some). */
static void xc_period(struct media_xc *xc, unsigned end, bool ulaw, const uint8_t *rx, uint8_t *tx,
		      unsigned timeslots, unsigned samples)
{
	unsigned ts = xc->ts[end], other = 1 - end;
	const uint8_t *r;
	uint8_t *t;

	if (ts < 1 || ts > timeslots)
		return;
	r = rx + (size_t)(ts - 1) * samples;
	t = tx + (size_t)(ts - 1) * samples;
	for (unsigned i = 0; i < samples; i++) {
		unsigned at = (xc->q[end].head + xc->q[end].len) % MEDIA_XC_FIFO;

		xc->q[end].buf[at] = ulaw ? ulaw_to_linear(r[i]) : alaw_to_linear(r[i]);
		if (xc->q[end].len < MEDIA_XC_FIFO)
			xc->q[end].len++;
		else
			xc->q[end].head = (xc->q[end].head + 1) % MEDIA_XC_FIFO;
	}
	/* a span whose clock runs slow must not make the delay grow */
	while (xc->q[end].len > 4 * samples) {
		xc->q[end].head = (xc->q[end].head + 1) % MEDIA_XC_FIFO;
		xc->q[end].len--;
	}
	for (unsigned i = 0; i < samples && xc->q[other].len; i++) {
		int16_t v = xc->q[other].buf[xc->q[other].head];

		xc->q[other].head = (xc->q[other].head + 1) % MEDIA_XC_FIFO;
		xc->q[other].len--;
		t[i] = ulaw ? linear_to_ulaw(v) : linear_to_alaw(v);
	}
}

void media_span_audio(struct media_engine *e, uint64_t key, bool ulaw,
		      const uint8_t *rx, uint8_t *tx, unsigned timeslots, unsigned samples)
{
	struct media_tdm_span *sp = NULL;
	int16_t in[MEDIA_MAX_FRAME], out[MEDIA_MAX_FRAME];

	if (samples > MEDIA_MAX_FRAME)
		return;
	pthread_mutex_lock(&e->tdmlock);
	for (unsigned i = 0; i < e->nspans && !sp; i++)
		if (e->spans[i].key == key)
			sp = &e->spans[i];
	for (unsigned ts = 1; sp && ts <= timeslots && ts < 32; ts++) {
		struct media_session *s = sp->chan[ts];
		const uint8_t *r = rx + (size_t)(ts - 1) * samples;
		uint8_t *t = tx + (size_t)(ts - 1) * samples;

		if (!s)
			continue;
		for (unsigned i = 0; i < samples; i++)
			in[i] = ulaw ? ulaw_to_linear(r[i]) : alaw_to_linear(r[i]);
		if (media_session_audio_io(s, in, out, samples))
			continue;
		for (unsigned i = 0; i < samples; i++)
			t[i] = ulaw ? linear_to_ulaw(out[i]) : linear_to_alaw(out[i]);
	}
	for (unsigned x = 0; x < e->nxcs; x++)
		for (unsigned end = 0; end < 2; end++)
			if (e->xcs[x].key[end] == key)
				xc_period(&e->xcs[x], end, ulaw, rx, tx, timeslots, samples);
	pthread_mutex_unlock(&e->tdmlock);
}

static bool xc_has(const struct media_engine *e, uint64_t key, unsigned ts)
{
	for (unsigned x = 0; x < e->nxcs; x++)
		for (unsigned end = 0; end < 2; end++)
			if (e->xcs[x].key[end] == key && e->xcs[x].ts[end] == ts)
				return true;
	return false;
}

int media_bridge_tdm_tdm(struct media_engine *e, uint64_t key_a, unsigned ts_a, uint64_t key_b,
			 unsigned ts_b)
{
	struct media_xc *n;
	int err = 0;

	if (ts_a < 1 || ts_a > 31 || ts_b < 1 || ts_b > 31 || (key_a == key_b && ts_a == ts_b))
		return EINVAL;
	pthread_mutex_lock(&e->tdmlock);
	if (xc_has(e, key_a, ts_a) || xc_has(e, key_b, ts_b)) {
		err = EBUSY;
	} else if (!(n = realloc(e->xcs, (e->nxcs + 1) * sizeof(*n)))) {
		err = ENOMEM;
	} else {
		e->xcs = n;
		n = &e->xcs[e->nxcs++];
		memset(n, 0, sizeof(*n));
		n->key[0] = key_a;
		n->ts[0] = ts_a;
		n->key[1] = key_b;
		n->ts[1] = ts_b;
	}
	pthread_mutex_unlock(&e->tdmlock);
	return err;
}

void media_unbridge_tdm(struct media_engine *e, uint64_t key, unsigned ts)
{
	pthread_mutex_lock(&e->tdmlock);
	for (unsigned x = 0; x < e->nxcs; x++) {
		const struct media_xc *xc = &e->xcs[x];

		if ((xc->key[0] == key && xc->ts[0] == ts) || (xc->key[1] == key && xc->ts[1] == ts)) {
			e->xcs[x] = e->xcs[--e->nxcs];     /* order does not matter */
			break;
		}
	}
	pthread_mutex_unlock(&e->tdmlock);
}
