/*
 * media.h -- the media engine: RTP/RTCP legs (SRTP with SDES), G.711/G.722
 * codecs and transcoding, RFC 4733 and in-band DTMF, an adaptive jitter
 * buffer with PLC toward TDM, a line echo canceller for TDM legs, quality
 * statistics, and SDP offer/answer helpers for audio.
 *
 * Threads: an engine runs one media thread (epoll) that owns the RTP/RTCP
 * sockets: it receives, relays between bridged RTP legs, and sends RTCP every
 * few seconds on every leg (also on hold).  The main thread creates, updates
 * and destroys sessions; results come back as events on a queue whose eventfd
 * the main thread registers with its su_root.  TDM audio is clocked by the
 * span: the HAL's I/O thread hands each period to media_span_audio() (or one
 * channel's linear audio to media_session_audio_io()), which plays out of the
 * jitter buffer and sends RTP at the span's 8 kHz clock, so far-end clock
 * drift never accumulates.
 *
 * Nothing here logs key material.
 */
#ifndef TG_MEDIA_H
#define TG_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct media_engine;                    /* opaque: media_int.h */
struct media_session;                   /* one RTP leg */

enum media_codec {
	MEDIA_CODEC_NONE = 0,
	MEDIA_CODEC_PCMU,               /* G.711 mu-law, PT 0 */
	MEDIA_CODEC_PCMA,               /* G.711 A-law, PT 8 */
	MEDIA_CODEC_G722,               /* G.722 64 kbit/s, PT 9 (RTP clock 8000) */
	MEDIA_CODEC__COUNT
};

enum media_dir {                        /* our direction, as in our own SDP */
	MEDIA_DIR_INACTIVE = 0,
	MEDIA_DIR_SENDONLY = 1,
	MEDIA_DIR_RECVONLY = 2,
	MEDIA_DIR_SENDRECV = 3,
};

enum media_srtp_suite {
	MEDIA_SRTP_NONE = 0,
	MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
	MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32,
	MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80,
	MEDIA_SRTP_AES_256_CM_HMAC_SHA1_32,
	MEDIA_SRTP__COUNT
};

enum media_srtp_mode {                  /* per trunk */
	MEDIA_SRTP_OFF = 0,             /* RTP/AVP, no crypto lines */
	MEDIA_SRTP_OPTIONAL,            /* RTP/AVP with crypto lines (Lync "supported") */
	MEDIA_SRTP_REQUIRED,            /* RTP/SAVP; no crypto, no call */
};

#define MEDIA_SRTP_KEY_MAX 46           /* 32-byte AES-256 key + 14-byte salt */

/* One SDES master key (RFC 4568 key-params), ours or the far end's. */
struct media_srtp_key {
	enum media_srtp_suite suite;
	unsigned tag;                   /* the a=crypto tag it came with */
	uint8_t key[MEDIA_SRTP_KEY_MAX];/* master key then master salt */
	unsigned key_len;               /* 30 (AES-128) or 46 (AES-256) */
	unsigned lifetime_log2;         /* "|2^31": 31; 0 = not given */
	uint32_t mki;                   /* MKI value ... */
	unsigned mki_len;               /* ... in this many bytes; 0 = no MKI */
};

struct media_engine_cfg {
	const char *bind_addr;          /* local IP for RTP, e.g. "127.0.0.1" */
	uint16_t port_min, port_max;    /* RTP port range; RTP even, RTCP odd */
	unsigned rtcp_interval_ms;      /* 0 = 5000 (Lync drops a call after 30 s without) */
	bool threaded;                  /* false: the caller drives media_engine_poll() */
};

struct media_session_cfg {
	uint64_t cookie;                /* opaque, returned in events (call/leg id) */
	struct sockaddr_storage remote; /* RTP peer; ss_family AF_UNSPEC = not known yet */
	uint16_t remote_rtcp_port;      /* 0: RTP port + 1 (or the RTP port with rtcp_mux) */
	bool rtcp_mux;                  /* RFC 5761: RTP and RTCP share the RTP port */
	enum media_codec codec;
	uint8_t pt;                     /* payload type of `codec` on this leg */
	uint8_t te_pt;                  /* telephone-event PT; 0 = none */
	uint8_t cn_pt;                  /* CN PT (13); 0 = none */
	unsigned ptime_ms;              /* 10, 20, 30 (0 = 20) */
	enum media_dir dir;
	bool latch;                     /* symmetric RTP: follow the source of valid RTP
					 * (media bypass: accept any address) */
	unsigned rtp_timeout_ms;        /* 0 = never report RTP timeout */
	bool timeout_on_hold;           /* also report it while we do not receive */
	struct media_srtp_key srtp_tx;  /* our key; suite NONE = plain RTP */
	struct media_srtp_key srtp_rx;  /* the far end's key */
	unsigned jb_min_ms, jb_max_ms;  /* jitter buffer bounds; 0 = 20 / 200 */
	bool echo_cancel;               /* TDM legs */
	unsigned ec_tail_ms;            /* 0 = 64 */
	bool inband_dtmf;               /* detect DTMF in TDM audio, send RFC 4733 */
};

enum media_event_type {
	MEDIA_EV_DTMF,                  /* a digit arrived (once per digit) */
	MEDIA_EV_RTP_TIMEOUT,           /* no RTP for rtp_timeout_ms */
	MEDIA_EV_ANSWER_TONE,           /* 2100 Hz with phase reversals: EC disabled */
	MEDIA_EV_LATCHED,               /* media now flows from a new source address */
};

enum media_dtmf_source { MEDIA_DTMF_RFC4733, MEDIA_DTMF_INBAND };

struct media_event {
	enum media_event_type type;
	uint64_t cookie;
	char digit;                     /* DTMF: 0-9 * # A-D */
	enum media_dtmf_source source;
	unsigned duration_ms;           /* DTMF: as far as known (0 = still on) */
};

struct media_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	int64_t  lost;                  /* RFC 3550 cumulative lost (expected - received) */
	uint64_t expected;
	uint64_t late, concealed_ms, dropped_ms;  /* jitter buffer */
	uint64_t bad_packets;           /* malformed RTP/RTCP, wrong PT */
	uint64_t foreign_packets;       /* from an address we do not accept */
	uint64_t srtp_fail;             /* authentication or replay failures */
	uint64_t rtcp_rx, rtcp_tx;
	double   jitter_ms;             /* RFC 3550 interarrival jitter */
	unsigned jb_delay_ms, jb_max_delay_ms;
	double   rtt_ms;                /* from RTCP LSR/DLSR; 0 = none yet */
	double   remote_loss_pct;       /* fraction lost the far end reports */
	double   r_factor, mos;         /* E-model estimate */
};

/* Engine.  media_engine_create() binds nothing; sessions take ports. */
int  media_engine_create(struct media_engine **ep, const struct media_engine_cfg *cfg);
void media_engine_destroy(struct media_engine *e);       /* stops the thread */
/* Unthreaded engines: wait up to timeout_ms for packets and run due timers. */
int  media_engine_poll(struct media_engine *e, int timeout_ms);
/* Events for the main thread: register the fd (readable when events wait). */
int  media_engine_event_fd(const struct media_engine *e);
size_t media_engine_events_take(struct media_engine *e, struct media_event *ev, size_t max);

/* Sessions (main thread).  Takes an even RTP port (RTCP = port + 1). */
int  media_session_create(struct media_session **sp, struct media_engine *e,
			  const struct media_session_cfg *cfg);
/* Re-INVITE: new remote, direction (hold), codec, keys (re-keying). */
int  media_session_update(struct media_session *s, const struct media_session_cfg *cfg);
void media_session_destroy(struct media_session *s);
uint16_t media_session_local_port(const struct media_session *s);
void media_session_stats(struct media_session *s, struct media_stats *st);
/* Send one RFC 4733 digit (in-band on a leg without telephone-event). */
int  media_session_send_dtmf(struct media_session *s, char digit, unsigned duration_ms);

/* TDM legs: run the line echo canceller with this tail (32..128 ms; 0 =
 * off) on the session's TDM audio, whatever cfg.echo_cancel says; kept
 * over media_session_update().  The span's setting, set by the call core
 * when it bridges the session to a B channel.  Main thread. */
void media_session_set_echo(struct media_session *s, unsigned tail_ms);

/* Anchored SIP<->SIP: relay (same codec) or transcode between a and b. */
int  media_bridge_rtp(struct media_session *a, struct media_session *b);
void media_unbridge(struct media_session *s);

/* TDM: one period of one channel's 8 kHz linear audio.  `in` came from the
 * channel (sent as RTP), `out` is filled for the channel (from the jitter
 * buffer).  Called by whoever owns the 8 kHz clock, once per period. */
int  media_session_audio_io(struct media_session *s, const int16_t *in, int16_t *out, size_t n);
/* TDM: attach a session to timeslot `ts` (1-based) of the span known as
 * `span_key` (the span's instance number); media_span_audio() does the rest. */
int  media_bridge_tdm(struct media_session *s, uint64_t span_key, unsigned ts);
/* TDM to TDM (a PRI<->PRI call: no RTP leg): each of the two B channels'
 * periods (media_span_audio) carry the other's audio, converted between
 * mu-law and A-law when the spans differ, one period late.  EBUSY if either
 * end is cross-connected already.  unbridge_tdm removes the cross-connect
 * that has this end.  Main thread. */
int  media_bridge_tdm_tdm(struct media_engine *e, uint64_t key_a, unsigned ts_a, uint64_t key_b,
			  unsigned ts_b);
void media_unbridge_tdm(struct media_engine *e, uint64_t key, unsigned ts);
/* The HAL's audio callback: a whole span period, channel-major companded
 * bytes (mu-law if ulaw, else A-law); bridged timeslots get their session's
 * (or their cross-connected channel's) audio in tx, others are left
 * untouched.  HAL I/O thread. */
void media_span_audio(struct media_engine *e, uint64_t span_key, bool ulaw,
		      const uint8_t *rx, uint8_t *tx, unsigned timeslots, unsigned samples);

/* Codecs and names. */
const char *media_codec_name(enum media_codec c);        /* "PCMU", ... */
enum media_codec media_codec_by_name(const char *name);  /* NONE if unknown */
/* "PCMU,PCMA,G722" (a trunk's preference list, any case, spaces allowed)
 * into v[0..*np); EINVAL with the reason in err for an unknown or repeated
 * name, telephone-event or CN (not listed: they are negotiated by
 * themselves), or an empty list. */
int  media_codec_list_parse(const char *list, enum media_codec *v, size_t max, size_t *np,
			    char *err, size_t errlen);
const char *media_srtp_suite_name(enum media_srtp_suite s);
/* Make a random key for suite (our side of SDES). */
int  media_srtp_key_random(struct media_srtp_key *k, enum media_srtp_suite suite,
			   unsigned tag, unsigned mki_len, uint32_t mki);
/* a=crypto value <-> key ("1 AES_CM_128_HMAC_SHA1_80 inline:...|2^31|1:1").
 * The text holds the key: never log it. */
int  media_srtp_crypto_parse(struct media_srtp_key *k, const char *value);
int  media_srtp_crypto_format(const struct media_srtp_key *k, char *buf, size_t cap);

/* SDP (RFC 3264 offer/answer for one audio stream). */
struct media_sdp_local {
	const char *addr;               /* our IPv4/IPv6 address */
	uint16_t port;                  /* our RTP port */
	const enum media_codec *codecs; /* preference order */
	size_t ncodecs;
	uint8_t te_pt;                  /* offer telephone-event with this PT; 0 = no */
	bool cn;                        /* offer CN (PT 13) */
	unsigned ptime_ms;              /* 0 = leave out */
	bool rtcp_mux;                  /* offer/accept rtcp-mux */
	enum media_dir dir;
	enum media_srtp_mode srtp;
	const struct media_srtp_key *keys; /* offer: one per suite, in preference order */
	size_t nkeys;                   /* answer: keys[i] is used for the suite chosen */
	size_t noffer_keys;             /* offer only the first N keys; 0 = all */
	uint64_t sess_id, sess_version;
};

struct media_sdp_neg {                  /* what was agreed */
	char remote_addr[64];
	struct sockaddr_storage remote; /* RTP address; port 0 = media rejected */
	uint16_t remote_rtcp_port;
	bool rtcp_mux;
	enum media_codec codec;
	uint8_t pt, te_pt, cn_pt;
	unsigned ptime_ms;
	enum media_dir dir;             /* ours, after mirroring the far end's */
	bool srtp;
	struct media_srtp_key tx_key, rx_key;   /* ours, the far end's */
	/* After EPROTO from media_sdp_answer: the SIP Warning code (RFC 3261
	 * 20.43) for the 488 -- 305 "incompatible media format" when no codec
	 * is common, 304 "media type not available" otherwise (no usable audio
	 * stream, SRTP required without an acceptable crypto line, RTP/SAVP
	 * while SRTP is off). */
	unsigned warning;
};

/* Our offer into buf. */
int media_sdp_offer(const struct media_sdp_local *l, char *buf, size_t cap);
/* Answer an offer: choose codec and crypto, fill neg, write the answer.
 * EPROTO (err says why) when nothing is acceptable: answer 488. */
int media_sdp_answer(const char *offer, const struct media_sdp_local *l,
		     struct media_sdp_neg *neg, char *buf, size_t cap, char *err, size_t errlen);
/* The far end's answer to our offer `l`: fill neg. */
int media_sdp_parse_answer(const char *answer, const struct media_sdp_local *l,
			   struct media_sdp_neg *neg, char *err, size_t errlen);
/* Session config from a negotiation (codec, PTs, remote, keys). */
void media_sdp_neg_to_cfg(const struct media_sdp_neg *neg, struct media_session_cfg *cfg);

/* E-model (ITU-T G.107, simplified): R from one-way delay and loss. */
double media_emodel_r(enum media_codec c, double delay_ms, double loss_pct);
double media_r_to_mos(double r);

#endif
