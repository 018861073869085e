/*
 * media_int.h -- the media module's internals: RTP/RTCP wire formats and
 * receive statistics (rtp.c, rtcp.c), codec state (codec.c), RFC 4733
 * (dtmf.c), SRTP contexts (srtp.c), the jitter buffer (jb.c), the echo
 * canceller (ec.c), and the engine/session structs (engine.c, session.c).
 * Only daemon/media and its unit tests include this.
 */
#ifndef TG_MEDIA_INT_H
#define TG_MEDIA_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "media.h"

#define MEDIA_RTP_HDR 12
#define MEDIA_MAX_FRAME 480             /* samples: 60 ms at 8 kHz */
#define MEDIA_MAX_PKT 1500

/* ---- rtp.c: packets and RFC 3550 appendix A receive statistics ---- */

struct media_rtp_pkt {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts, ssrc;
	const uint8_t *payload;
	size_t plen;
};

/* EBADMSG on anything that is not a well-formed RTP version 2 packet. */
int    media_rtp_parse(const uint8_t *buf, size_t len, struct media_rtp_pkt *p);
/* Header + payload into buf (cap bytes); 0 if it does not fit. */
size_t media_rtp_write(uint8_t *buf, size_t cap, const struct media_rtp_pkt *p);
/* RFC 5761 section 4: RTCP on a muxed port has PT 192..223 in byte 1. */
bool   media_rtp_is_rtcp(const uint8_t *buf, size_t len);

struct media_rx_seq {                   /* RFC 3550 A.1 and A.8 */
	bool init;
	uint16_t max_seq;
	uint32_t cycles, base_seq, bad_seq;
	uint32_t received, expected_prior, received_prior;
	int32_t transit;
	bool have_transit;
	double jitter;                  /* in timestamp units */
};

void     media_rx_seq_reset(struct media_rx_seq *s);
/* Account one packet's sequence number; false: drop it (a jump not yet
 * confirmed by a second packet, RFC 3550 A.1). */
bool     media_rx_seq_update(struct media_rx_seq *s, uint16_t seq);
/* A.8: arrival in timestamp units of the same clock as ts. */
void     media_rx_jitter(struct media_rx_seq *s, uint32_t arrival, uint32_t ts);
uint32_t media_rx_ext_max(const struct media_rx_seq *s);
uint32_t media_rx_expected(const struct media_rx_seq *s);
int32_t  media_rx_lost(const struct media_rx_seq *s);
/* Fraction lost since the last call (8-bit fixed point), for an RR block. */
uint8_t  media_rx_fraction(struct media_rx_seq *s);

/* ---- rtcp.c: SR/RR + SDES compound packets, reports in ---- */

struct media_rtcp_report {              /* one report block */
	uint32_t ssrc;
	uint8_t fraction;
	int32_t lost;
	uint32_t ext_max, jitter, lsr, dlsr;
};

struct media_rtcp_out {
	uint32_t ssrc;
	bool sr;                        /* we sent RTP since the last report */
	uint64_t ntp;                   /* now, NTP 32.32 */
	uint32_t rtp_ts;
	uint32_t packets, octets;
	bool have_block;
	struct media_rtcp_report block;
	const char *cname;
};

struct media_rtcp_in {
	bool have_sr;
	uint32_t sr_ssrc, sr_ntp_mid;   /* middle 32 bits of the SR's NTP time */
	bool have_block;                /* a block about `want_ssrc` */
	struct media_rtcp_report block;
	bool bye;
};

size_t media_rtcp_build(uint8_t *buf, size_t cap, const struct media_rtcp_out *o);
/* EBADMSG on a malformed compound packet. */
int    media_rtcp_parse(const uint8_t *buf, size_t len, uint32_t want_ssrc,
			struct media_rtcp_in *in);
/* RTT in ms from a block's LSR/DLSR and the NTP time it arrived; <0 if none. */
double media_rtcp_rtt_ms(const struct media_rtcp_report *b, uint64_t ntp_now);

/* ---- codec.c ---- */

struct media_codec_state {
	enum media_codec codec;
	void *g722e, *g722d;            /* spandsp states (opaque) */
};

int    media_codec_init(struct media_codec_state *c, enum media_codec codec);
void   media_codec_fini(struct media_codec_state *c);
uint8_t media_codec_static_pt(enum media_codec c);
/* 8 kHz linear in, payload out: all three codecs make one byte per 8 kHz
 * sample (G.722 codes 16 kHz at 4 bits/sample) and tick RTP time once. */
size_t media_codec_encode(struct media_codec_state *c, const int16_t *pcm, size_t n, uint8_t *out);
size_t media_codec_decode(struct media_codec_state *c, const uint8_t *in, size_t len, int16_t *pcm);

/* ---- dtmf.c: RFC 4733 telephone-event ---- */

int  media_dtmf_event_code(char digit);         /* -1 if not a DTMF digit */
char media_dtmf_event_digit(int code);          /* 0 if none */

struct media_te_tx {                    /* one event being sent */
	bool active, ending;
	uint8_t code;
	uint32_t ts;                    /* the event's RTP timestamp (its start) */
	uint32_t duration;              /* sent so far, timestamp units */
	uint32_t total;                 /* 0 = until media_te_tx_stop() */
	unsigned end_left;              /* end packets still to send (3) */
	bool marker;
	char queue[32];                 /* digits waiting, with their durations */
	uint16_t qdur[32];
	unsigned qlen;
};

/* Queue a digit of duration_ms (0 = until stopped). */
int  media_te_tx_queue(struct media_te_tx *t, char digit, unsigned duration_ms);
void media_te_tx_stop(struct media_te_tx *t, uint32_t min_duration);
/* Called once per frame of `frame` timestamp units at RTP time `now_ts`:
 * writes up to 3 event payloads (4 bytes each) into pl, returns how many
 * (0: nothing to send, audio goes out instead). */
unsigned media_te_tx_frame(struct media_te_tx *t, uint32_t now_ts, uint32_t frame,
			   uint8_t pl[][4], uint32_t *ts, bool *marker);

struct media_te_rx {
	bool have;
	uint32_t ts;
	uint8_t code;
	bool ended;
	uint16_t last_seq;
};
/* One telephone-event packet: returns the digit when a new event starts
 * (exactly once per event, however many packets repeat it), else 0;
 * *end_duration is set (timestamp units) when the event's first end packet
 * arrives. */
char media_te_rx_packet(struct media_te_rx *r, const struct media_rtp_pkt *p,
			uint32_t *end_duration, bool *bad);

/* ---- srtp.c ---- */

struct media_srtp {
	void *ctx;                      /* srtp_t */
	void *rtcp_ctx;                 /* srtp_t for SRTCP of _32 suites with MKI */
	const void *warm;               /* ctx's RTP HMAC state, to prefetch (srtp_nettle.c) */
	bool mki;
	unsigned tag_len;
	uint8_t mki_id[4];
};

int  media_srtp_start(struct media_srtp *s, const struct media_srtp_key *k, bool outbound);
void media_srtp_stop(struct media_srtp *s);
/* In place; buf must have SRTP_MAX_TRAILER_LEN (144) spare bytes. */
int  media_srtp_protect(struct media_srtp *s, uint8_t *buf, int *len, bool rtcp);
int  media_srtp_unprotect(struct media_srtp *s, uint8_t *buf, int *len, bool rtcp);
/* "nettle" (srtp_nettle.c's AES-CM and HMAC-SHA1) or "libsrtp2" (its own, NSS on Debian) */
const char *media_srtp_crypto_backend(void);
int  media_srtp_nettle_install(void);
void media_srtp_nettle_created(const void **warm);     /* after each srtp_create() */
void media_srtp_nettle_warm(const void *warm);
bool media_srtp_key_equal(const struct media_srtp_key *a, const struct media_srtp_key *b);
unsigned media_srtp_suite_key_len(enum media_srtp_suite s);
enum media_srtp_suite media_srtp_suite_by_name(const char *name);

/* ---- jb.c: adaptive jitter buffer, clocked by the reader ---- */

#define MEDIA_JB_SLOTS 64

struct media_jb_pkt {
	uint32_t ts;
	uint16_t seq;
	uint16_t len;
	bool cn;
	uint8_t data[MEDIA_MAX_FRAME];
};

struct media_jb {
	struct media_codec_state *codec;        /* borrowed: the session's decoder */
	void *plc;                              /* spandsp plc_state_t */
	struct media_jb_pkt pkt[MEDIA_JB_SLOTS];/* sorted by ts, pkt[0] oldest */
	unsigned n;
	bool playing;
	uint32_t play_ts;                       /* RTP time of the next sample out */
	int16_t cur[MEDIA_MAX_FRAME];           /* decoded packet being played */
	uint32_t cur_ts;
	unsigned cur_len;
	bool cur_valid;
	unsigned min_samples, max_samples, target;
	unsigned win_min, win_pulls;            /* smallest depth in this window */
	unsigned cn_level;                      /* -dBov of the last CN; 0 = none */
	void *noise;                            /* spandsp noise_state_t at cn_level */
	unsigned noise_level;                   /* the level it was made for */
	uint32_t noise_seed;
	uint64_t late, concealed, dropped, underruns, overflows; /* samples or packets */
	unsigned max_depth;
};

int  media_jb_init(struct media_jb *jb, struct media_codec_state *codec,
		   unsigned min_ms, unsigned max_ms);
void media_jb_fini(struct media_jb *jb);
void media_jb_reset(struct media_jb *jb);
/* A received packet (payload bytes, or a CN payload with cn set). */
void media_jb_put(struct media_jb *jb, uint16_t seq, uint32_t ts, const uint8_t *pl,
		  size_t len, bool cn);
/* n samples of 8 kHz audio out (the caller's clock). */
void media_jb_get(struct media_jb *jb, int16_t *out, size_t n);
/* Samples buffered ahead of the play point. */
unsigned media_jb_depth(const struct media_jb *jb);
/* Adapt the target delay to the measured jitter (timestamp units). */
void media_jb_set_jitter(struct media_jb *jb, double jitter_ts);

/* ---- ec.c: speexdsp echo canceller + answer tone detector ---- */

struct media_ec {
	void *st;                       /* SpeexEchoState */
	unsigned frame;
	void *ans;                      /* spandsp modem_connect_tones_rx_state_t */
	bool disabled, tone_seen;
};

int  media_ec_init(struct media_ec *ec, unsigned frame, unsigned tail_ms);
void media_ec_fini(struct media_ec *ec);
/* near: what came from the line (with echo); far: what we sent to it in the
 * same period; out: near less the echo.  n must equal the frame size. */
void media_ec_process(struct media_ec *ec, const int16_t *near, const int16_t *far,
		      int16_t *out, size_t n);
/* Feed audio to the 2100 Hz-with-phase-reversals detector; true once seen. */
bool media_ec_tone(struct media_ec *ec, const int16_t *a, size_t n);

/* ---- engine.c / session.c ---- */

struct media_sock {
	struct media_session *s;
	int fd;
	bool rtcp;
};

struct media_session {
	struct media_engine *e;
	struct media_session *next, *dead_next;
	bool dead;
	pthread_mutex_t lock;           /* everything below; media thread, clock owner, API */
	struct media_session_cfg cfg;
	uint16_t port;
	struct media_sock rtp, rtcp;

	/* send side */
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;                    /* RTP time of the next frame we send */
	uint32_t sent_packets, sent_octets;
	bool sent_since_report;
	struct media_codec_state enc, dec;
	int16_t acc[MEDIA_MAX_FRAME];   /* 8 kHz audio gathered for the next packet */
	unsigned acc_n;
	struct media_te_tx te_tx;
	struct media_srtp srtp_tx, srtp_rx;

	/* receive side */
	bool have_src;
	uint32_t rx_ssrc;
	struct sockaddr_storage src;    /* where RTP comes from (latched) */
	struct media_rx_seq rxs;
	struct media_te_rx te_rx;
	/* Made when first needed (session.c, jb_need): by a packet to be
	 * played toward TDM or the first TDM period.  An RTP leg bridged to
	 * another, or one no RTP has reached, has none: the buffer (32 KiB
	 * with its PLC) was most of a held SIP<->SIP call's memory. */
	struct media_jb *jb;
	uint64_t last_rx_us;
	bool timeout_reported;

	/* RTCP */
	uint64_t next_rtcp_us;
	uint32_t lsr;                   /* middle 32 bits of the last SR's NTP */
	uint64_t lsr_at_ntp;            /* when it arrived */

	/* TDM side */
	bool tdm;
	void *dtmf_rx, *dtmf_tx;        /* spandsp: detector on TDM audio, generator toward TDM */
	void *dtmf_gen;                 /* generator toward RTP (a leg without events) */
	char inband_digit;
	uint32_t inband_start_ts;
	struct media_ec ec;
	bool ec_on;
	unsigned ec_span_tail;          /* media_session_set_echo(); 0 = cfg's choice */
	int16_t *ec_far;

	/* RTP<->RTP bridge */
	struct media_session *peer;
	bool relay_ts_set;
	uint32_t relay_ts_off, relay_in_ssrc;

	struct media_stats st;
};

struct media_tdm_span {
	uint64_t key;
	struct media_session *chan[32];
};

/* A TDM-to-TDM cross-connect (PRI<->PRI calls): what end i hears waits in
 * q[i] (linear samples) until the other end's next period plays it. */
#define MEDIA_XC_FIFO 2048              /* samples: 256 ms at 8 kHz, far more than needed */
struct media_xc {
	uint64_t key[2];
	unsigned ts[2];
	struct {
		int16_t buf[MEDIA_XC_FIFO];
		unsigned head, len;
	} q[2];
};

#define MEDIA_EVQ 1024

struct media_engine {
	struct media_engine_cfg cfg;
	char bind_addr[64];
	int epfd, evfd, wakefd;
	pthread_t thread;
	bool running, stop;
	pthread_mutex_t lock;           /* session list, ports, bridges */
	struct media_session *sessions, *dead;
	uint16_t port_next;
	uint64_t next_tick_us;

	pthread_mutex_t evlock;
	struct media_event evq[MEDIA_EVQ];
	unsigned evhead, evcount;
	uint64_t ev_dropped;

	pthread_mutex_t tdmlock;
	struct media_xc *xcs;           /* under tdmlock */
	unsigned nxcs;
	struct media_tdm_span *spans;
	unsigned nspans;
};

uint64_t media_now_us(void);
uint64_t media_ntp_now(void);
void media_post_event(struct media_engine *e, const struct media_event *ev);
/* Session internals shared between session.c and engine.c. */
void media_session_rx(struct media_session *s, bool rtcp_sock);
void media_session_tick(struct media_session *s, uint64_t now_us);
void media_session_free(struct media_session *s);
/* Drop the jitter buffer of a session no TDM clock reads (s->lock held). */
void media_session_jb_drop(struct media_session *s);
int  media_session_send_rtp(struct media_session *s, uint8_t pt, bool marker,
			    uint32_t ts, const uint8_t *pl, size_t plen);

#endif
