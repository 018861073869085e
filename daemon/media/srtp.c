/*
 * srtp.c -- SRTP/SRTCP through libsrtp2 with SDES keys (RFC 4568): the
 * crypto suites, the a=crypto key-params text (inline:KEY||LIFETIME|MKI:LEN),
 * and one libsrtp2 session per direction.  A key with an MKI goes in through
 * srtp_policy_t.keys (libsrtp2 >= 2.1) and packets are protected and checked
 * with the *_mki calls, so peers such as Lync that put `|1:1` on their keys
 * interoperate.  Nothing here logs a key; the text forms hold key material.
 * libsrtp2 contexts are not thread-safe: the owning session's lock covers them.
 */
#include "config.h"
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <srtp2/srtp.h>
#include <sofia-sip/base64.h>

#include "media_int.h"

static const struct {
	const char *name;
	unsigned key_len, tag_len;
	void (*rtp)(srtp_crypto_policy_t *);
	void (*rtcp)(srtp_crypto_policy_t *);
} suites[MEDIA_SRTP__COUNT] = {
	[MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 30, 10,
		srtp_crypto_policy_set_rtp_default,
		srtp_crypto_policy_set_rtp_default },
	/* RFC 4568 6.2: _32 shortens the SRTP tag only; SRTCP keeps 80 bits */
	[MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 30, 4,
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
		srtp_crypto_policy_set_rtp_default },
	/* RFC 6188 */
	[MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80] = { "AES_256_CM_HMAC_SHA1_80", 46, 10,
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80,
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80 },
	[MEDIA_SRTP_AES_256_CM_HMAC_SHA1_32] = { "AES_256_CM_HMAC_SHA1_32", 46, 4,
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32,
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80 },
};

static pthread_once_t srtp_once = PTHREAD_ONCE_INIT;
static int srtp_init_rc;
static const char *srtp_crypto = "libsrtp2";

/* AES-CM and HMAC-SHA1 on nettle (srtp_nettle.c) instead of the NSS types
 * Debian's libsrtp2 ships; TG_SRTP_CRYPTO=libsrtp2 keeps libsrtp2's own
 * (for benchmarks: bench/media.c compares both). */
static void srtp_init_once(void)
{
	const char *want = getenv("TG_SRTP_CRYPTO");

	srtp_init_rc = srtp_init() == srtp_err_status_ok ? 0 : EIO;
	if (!srtp_init_rc && !(want && strcmp(want, "libsrtp2") == 0) &&
	    media_srtp_nettle_install() == 0)
		srtp_crypto = "nettle";
}

const char *media_srtp_crypto_backend(void)
{
	pthread_once(&srtp_once, srtp_init_once);
	return srtp_crypto;
}

const char *media_srtp_suite_name(enum media_srtp_suite s)
{
	return s > MEDIA_SRTP_NONE && s < MEDIA_SRTP__COUNT ? suites[s].name : "none";
}

enum media_srtp_suite media_srtp_suite_by_name(const char *name)
{
	for (int s = 1; s < MEDIA_SRTP__COUNT; s++)
		if (strcasecmp(name, suites[s].name) == 0)
			return (enum media_srtp_suite)s;
	return MEDIA_SRTP_NONE;
}

unsigned media_srtp_suite_key_len(enum media_srtp_suite s)
{
	return s > MEDIA_SRTP_NONE && s < MEDIA_SRTP__COUNT ? suites[s].key_len : 0;
}

bool media_srtp_key_equal(const struct media_srtp_key *a, const struct media_srtp_key *b)
{
	return a->suite == b->suite && a->key_len == b->key_len &&
		memcmp(a->key, b->key, a->key_len) == 0 &&
		a->mki == b->mki && a->mki_len == b->mki_len;
}

int media_srtp_key_random(struct media_srtp_key *k, enum media_srtp_suite suite,
			  unsigned tag, unsigned mki_len, uint32_t mki)
{
	unsigned len = media_srtp_suite_key_len(suite);
	size_t got = 0;

	if (!len || mki_len > 4)
		return EINVAL;
	memset(k, 0, sizeof(*k));
	while (got < len) {
		ssize_t r = getrandom(k->key + got, len - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		got += (size_t)r;
	}
	k->suite = suite;
	k->tag = tag;
	k->key_len = len;
	k->mki_len = mki_len;
	k->mki = mki;
	return 0;
}

/* "1 AES_CM_128_HMAC_SHA1_80 inline:<base64>[|2^31|1:1]" (RFC 4568 9.1);
 * a lifetime may also be decimal; several inline keys are not supported. */
int media_srtp_crypto_parse(struct media_srtp_key *k, const char *v)
{
	char suite[64], kp[256], *p, *life = NULL, *mki = NULL, raw[64];
	unsigned tag;
	isize_t n;
	int used = 0;

	memset(k, 0, sizeof(*k));
	if (sscanf(v, "%u %63s inline:%255s%n", &tag, suite, kp, &used) != 3)
		return EINVAL;
	k->suite = media_srtp_suite_by_name(suite);
	if (k->suite == MEDIA_SRTP_NONE)
		return ENOTSUP;
	if ((p = strchr(kp, ';')))      /* a second inline key: not supported */
		*p = 0;
	if ((p = strchr(kp, '|'))) {
		*p++ = 0;
		if (strchr(p, '|')) {   /* lifetime|mki */
			life = p;
			mki = strchr(p, '|');
			*mki++ = 0;
		} else if (strchr(p, ':')) {
			mki = p;
		} else {
			life = p;
		}
	}
	n = base64_d(raw, sizeof(raw), kp);
	if (n != (isize_t)media_srtp_suite_key_len(k->suite))
		goto bad;
	memcpy(k->key, raw, (size_t)n);
	k->key_len = (unsigned)n;
	memset(raw, 0, sizeof(raw));
	k->tag = tag;
	if (life && *life) {
		if (strncmp(life, "2^", 2) == 0) {
			unsigned l = (unsigned)strtoul(life + 2, NULL, 10);

			if (l == 0 || l > 48)
				goto bad;
			k->lifetime_log2 = l;
		} else {
			unsigned long long l = strtoull(life, NULL, 10);
			unsigned b = 0;

			while (b < 63 && (1ull << (b + 1)) <= l)
				b++;
			k->lifetime_log2 = b;
		}
	}
	if (mki && *mki) {
		unsigned long val, len;
		char *colon = strchr(mki, ':');

		if (!colon)
			goto bad;
		val = strtoul(mki, NULL, 10);
		len = strtoul(colon + 1, NULL, 10);
		/* values up to 32 bits in 1..4 bytes; longer MKIs are legal
		 * but no peer we know sends them */
		if (len < 1 || len > 4 || (len < 4 && val >> (8 * len)))
			goto bad;
		k->mki = (uint32_t)val;
		k->mki_len = (unsigned)len;
	}
	return 0;
 bad:
	memset(k, 0, sizeof(*k));
	return EINVAL;
}

int media_srtp_crypto_format(const struct media_srtp_key *k, char *buf, size_t cap)
{
	char b64[128], life[16] = "", mki[32] = "";
	int n;

	if (!media_srtp_suite_key_len(k->suite) || k->key_len != media_srtp_suite_key_len(k->suite))
		return EINVAL;
	base64_e(b64, sizeof(b64), (void *)k->key, k->key_len);
	if (k->lifetime_log2)
		snprintf(life, sizeof(life), "|2^%u", k->lifetime_log2);
	if (k->mki_len)
		snprintf(mki, sizeof(mki), "|%" PRIu32 ":%u", k->mki, k->mki_len);
	n = snprintf(buf, cap, "%u %s inline:%s%s%s", k->tag, suites[k->suite].name,
		     b64, life, mki);
	memset(b64, 0, sizeof(b64));
	return n < 0 || (size_t)n >= cap ? ENOSPC : 0;
}

static int create(srtp_t *ctx, const struct media_srtp_key *k, bool outbound,
		  void (*rtp)(srtp_crypto_policy_t *), uint8_t *mki_id, const void **warm)
{
	srtp_policy_t pol;
	srtp_master_key_t mk, *mkp[1];
	srtp_err_status_t st;

	memset(&pol, 0, sizeof(pol));
	rtp(&pol.rtp);
	suites[k->suite].rtcp(&pol.rtcp);
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 128;
	pol.allow_repeat_tx = 0;
	if (k->mki_len) {
		for (unsigned i = 0; i < k->mki_len; i++)
			mki_id[i] = (uint8_t)(k->mki >> (8 * (k->mki_len - 1 - i)));
		mk.key = (unsigned char *)k->key;
		mk.mki_id = mki_id;
		mk.mki_size = k->mki_len;
		mkp[0] = &mk;
		pol.keys = mkp;
		pol.num_master_keys = 1;
	} else {
		pol.key = (unsigned char *)k->key;
	}
	st = srtp_create(ctx, &pol);
	media_srtp_nettle_created(warm);
	return st == srtp_err_status_ok ? 0 : EINVAL;
}

int media_srtp_start(struct media_srtp *s, const struct media_srtp_key *k, bool outbound)
{
	srtp_t ctx = NULL, rtcp = NULL;
	int err;

	memset(s, 0, sizeof(*s));
	if (k->suite == MEDIA_SRTP_NONE)
		return 0;
	if (k->key_len != media_srtp_suite_key_len(k->suite))
		return EINVAL;
	pthread_once(&srtp_once, srtp_init_once);
	if (srtp_init_rc)
		return srtp_init_rc;
	err = create(&ctx, k, outbound, suites[k->suite].rtp, s->mki_id, &s->warm);
	/* libsrtp2 2.5 finds an SRTCP packet's MKI by the SRTP tag length:
	 * with a _32 suite (4-byte SRTP tag, 10-byte SRTCP tag) it looks in
	 * the wrong place and fails every SRTCP packet with bad_mki.  SRTCP
	 * keys do not depend on the SRTP policy (RFC 3711 4.3: own labels),
	 * so a second context whose SRTP side is _80 handles SRTCP. */
	if (!err && k->mki_len && suites[k->suite].tag_len != 10)
		err = create(&rtcp, k, outbound, suites[k->suite].rtcp, s->mki_id, NULL);
	if (err) {
		if (ctx)
			srtp_dealloc(ctx);
		return err;
	}
	s->ctx = ctx;
	s->rtcp_ctx = rtcp;
	s->mki = k->mki_len > 0;
	s->tag_len = suites[k->suite].tag_len;
	return 0;
}

void media_srtp_stop(struct media_srtp *s)
{
	if (s->ctx)
		srtp_dealloc(s->ctx);
	if (s->rtcp_ctx)
		srtp_dealloc(s->rtcp_ctx);
	s->ctx = s->rtcp_ctx = NULL;
}

int media_srtp_protect(struct media_srtp *s, uint8_t *buf, int *len, bool rtcp)
{
	srtp_err_status_t st;

	if (!s->ctx)
		return 0;
	if (!rtcp && s->warm)
		media_srtp_nettle_warm(s->warm);
	st = rtcp ? srtp_protect_rtcp_mki(s->rtcp_ctx ? s->rtcp_ctx : s->ctx, buf, len, s->mki, 0)
		  : srtp_protect_mki(s->ctx, buf, len, s->mki, 0);
	return st == srtp_err_status_ok ? 0 : EIO;
}

int media_srtp_unprotect(struct media_srtp *s, uint8_t *buf, int *len, bool rtcp)
{
	srtp_err_status_t st;

	if (!s->ctx)
		return 0;
	if (!rtcp && s->warm)
		media_srtp_nettle_warm(s->warm);
	st = rtcp ? srtp_unprotect_rtcp_mki(s->rtcp_ctx ? s->rtcp_ctx : s->ctx, buf, len, s->mki)
		  : srtp_unprotect_mki(s->ctx, buf, len, s->mki);
	if (st == srtp_err_status_ok)
		return 0;
	return st == srtp_err_status_replay_fail || st == srtp_err_status_replay_old ? EALREADY : EBADMSG;
}
