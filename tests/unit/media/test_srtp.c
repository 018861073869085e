/*
 * test_srtp.c -- SDES key text (RFC 4568) both ways including Lync's MKI
 * form, SRTP and SRTCP round trips for every suite with and without MKI,
 * tampered and replayed packets rejected, wrong MKI rejected; our crypto
 * (srtp_nettle.c) against libsrtp2's own, packet for packet.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/sha2.h>

#include "media_fixture.h"
#include "media_int.h"
#include "test.h"

int test_media_srtp_crypto_line_parses_lync_mki_form(void)
{
	/* 30 bytes of key+salt in base64 (40 chars) */
	static const char lync[] = "2 AES_CM_128_HMAC_SHA1_80 "
		"inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1";
	struct media_srtp_key k, k2;
	char buf[200];
	int err = 0;

	TEST_ERR(media_srtp_crypto_parse(&k, lync));
	TEST_EQ(2, k.tag);
	TEST_EQ(MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, k.suite);
	TEST_EQ(30, k.key_len);
	TEST_EQ(31, k.lifetime_log2);
	TEST_EQ(1, k.mki);
	TEST_EQ(1, k.mki_len);
	TEST_ERR(media_srtp_crypto_format(&k, buf, sizeof(buf)));
	TEST_STREQ(lync, buf);
	/* MKI without a lifetime, decimal lifetime, no extras */
	TEST_ERR(media_srtp_crypto_parse(&k2, "1 AES_CM_128_HMAC_SHA1_32 "
		"inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|7:2"));
	TEST_EQ(7, k2.mki);
	TEST_EQ(2, k2.mki_len);
	TEST_EQ(0, k2.lifetime_log2);
	TEST_ERR(media_srtp_crypto_parse(&k2, "1 AES_CM_128_HMAC_SHA1_80 "
		"inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|1048576"));
	TEST_EQ(20, k2.lifetime_log2);
	/* unknown suite, short key, MKI value too big for its length */
	TEST_EQ(ENOTSUP, media_srtp_crypto_parse(&k2, "1 F8_128_HMAC_SHA1_80 inline:AAAA"));
	TEST_EQ(EINVAL, media_srtp_crypto_parse(&k2, "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA"));
	TEST_EQ(EINVAL, media_srtp_crypto_parse(&k2, "1 AES_CM_128_HMAC_SHA1_80 "
		"inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|256:1"));
	/* AES-256 keys are 46 bytes */
	TEST_ERR(media_srtp_key_random(&k2, MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, 3, 0, 0));
	TEST_EQ(46, k2.key_len);
	TEST_ERR(media_srtp_crypto_format(&k2, buf, sizeof(buf)));
	TEST_ERR(media_srtp_crypto_parse(&k, buf));
	TEST_ASSERT(media_srtp_key_equal(&k, &k2));
 out:
	return err;
}

static int round_trip(enum media_srtp_suite suite, unsigned mki_len)
{
	struct media_srtp_key k;
	struct media_srtp tx = { 0 }, rx = { 0 };
	uint8_t pkt[172 + 200], copy[172 + 200], pl[160];
	struct media_rtp_pkt p = { .pt = 0, .ssrc = 0xabcdef01, .payload = pl, .plen = 160 };
	int len, len2, err = 0;

	memset(pl, 0x55, sizeof(pl));
	TEST_ERR(media_srtp_key_random(&k, suite, 1, mki_len, 1));
	TEST_ERR(media_srtp_start(&tx, &k, true));
	TEST_ERR(media_srtp_start(&rx, &k, false));
	for (uint16_t seq = 1; seq < 5; seq++) {
		p.seq = seq;
		p.ts = 160u * seq;
		len = (int)media_rtp_write(pkt, sizeof(pkt), &p);
		TEST_ERR(media_srtp_protect(&tx, pkt, &len, false));
		TEST_EQ(172 + mki_len + (suite == MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32 ||
					 suite == MEDIA_SRTP_AES_256_CM_HMAC_SHA1_32 ? 4 : 10), len);
		TEST_ASSERT(memcmp(pkt + 12, pl, 160) != 0);    /* encrypted */
		memcpy(copy, pkt, (size_t)len);
		len2 = len;
		TEST_ERR(media_srtp_unprotect(&rx, pkt, &len, false));
		TEST_EQ(172, len);
		TEST_ASSERT(memcmp(pkt + 12, pl, 160) == 0);
		/* the same packet again is a replay */
		TEST_EQ(EALREADY, media_srtp_unprotect(&rx, copy, &len2, false));
	}
	/* a flipped payload bit fails authentication */
	p.seq = 9;
	len = (int)media_rtp_write(pkt, sizeof(pkt), &p);
	TEST_ERR(media_srtp_protect(&tx, pkt, &len, false));
	pkt[40] ^= 1;
	TEST_EQ(EBADMSG, media_srtp_unprotect(&rx, pkt, &len, false));
	/* SRTCP */
	{
		struct media_rtcp_out o = { .ssrc = 0xabcdef01, .cname = "x" };
		struct media_rtcp_in in;

		len = (int)media_rtcp_build(pkt, 200, &o);
		TEST_ERR(media_srtp_protect(&tx, pkt, &len, true));
		TEST_ERR(media_srtp_unprotect(&rx, pkt, &len, true));
		TEST_ERR(media_rtcp_parse(pkt, (size_t)len, 0, &in));
	}
 out:
	media_srtp_stop(&tx);
	media_srtp_stop(&rx);
	return err;
}

int test_media_srtp_round_trips_every_suite_with_and_without_mki(void)
{
	int err = 0;

	for (int s = 1; s < MEDIA_SRTP__COUNT; s++) {
		TEST_ERR(round_trip((enum media_srtp_suite)s, 0));
		TEST_ERR(round_trip((enum media_srtp_suite)s, 1));
		TEST_ERR(round_trip((enum media_srtp_suite)s, 4));
	}
 out:
	return err;
}

int test_media_srtp_wrong_key_or_mki_is_rejected(void)
{
	struct media_srtp_key k, other;
	struct media_srtp tx = { 0 }, rx = { 0 }, rx2 = { 0 };
	uint8_t pkt[400], pl[160] = { 0 };
	struct media_rtp_pkt p = { .pt = 0, .seq = 1, .ssrc = 7, .payload = pl, .plen = 160 };
	int len, err = 0;

	TEST_ERR(media_srtp_key_random(&k, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 1, 1));
	other = k;
	other.mki = 2;                  /* same key, another MKI */
	TEST_ERR(media_srtp_start(&tx, &k, true));
	TEST_ERR(media_srtp_start(&rx, &other, false));
	len = (int)media_rtp_write(pkt, sizeof(pkt), &p);
	TEST_ERR(media_srtp_protect(&tx, pkt, &len, false));
	TEST_EQ(EBADMSG, media_srtp_unprotect(&rx, pkt, &len, false));
	TEST_ERR(media_srtp_key_random(&other, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 1, 1));
	TEST_ERR(media_srtp_start(&rx2, &other, false));
	len = (int)media_rtp_write(pkt, sizeof(pkt), &p);
	p.seq = 2;
	len = (int)media_rtp_write(pkt, sizeof(pkt), &p);
	TEST_ERR(media_srtp_protect(&tx, pkt, &len, false));
	TEST_EQ(EBADMSG, media_srtp_unprotect(&rx2, pkt, &len, false));
 out:
	media_srtp_stop(&tx);
	media_srtp_stop(&rx);
	media_srtp_stop(&rx2);
	return err;
}

/* libsrtp2's own reference packets (its test/srtp_driver.c srtp_validate and
 * the AES-256 variant): what any SRTP stack must produce for this key, SSRC
 * 0xcafebabe, sequence 0x1234.  Run on whichever crypto the process uses
 * (nettle, srtp_nettle.c, unless TG_SRTP_CRYPTO=libsrtp2): wire compatible. */
static int known_answer(enum media_srtp_suite suite, const uint8_t *key, const uint8_t *want)
{
	static const uint8_t plain[28] = {
		0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe,
		0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
		0xab, 0xab, 0xab, 0xab,
	};
	struct media_srtp_key k = { .suite = suite, .tag = 1 };
	struct media_srtp tx = { 0 }, rx = { 0 };
	uint8_t pkt[28 + 64];
	int len = 28, err = 0;

	k.key_len = media_srtp_suite_key_len(suite);
	memcpy(k.key, key, k.key_len);
	memcpy(pkt, plain, sizeof(plain));
	TEST_ERR(media_srtp_start(&tx, &k, true));
	TEST_ERR(media_srtp_start(&rx, &k, false));
	TEST_ERR(media_srtp_protect(&tx, pkt, &len, false));
	TEST_EQ(38, len);
	TEST_ASSERT(memcmp(pkt, want, 38) == 0);
	TEST_ERR(media_srtp_unprotect(&rx, pkt, &len, false));
	TEST_EQ(28, len);
	TEST_ASSERT(memcmp(pkt, plain, 28) == 0);
 out:
	media_srtp_stop(&tx);
	media_srtp_stop(&rx);
	return err;
}

int test_media_srtp_matches_reference_packets(void)
{
	static const uint8_t key128[30] = {
		0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
		0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
	};
	static const uint8_t want128[38] = {
		0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe,
		0x4e, 0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15,
		0x94, 0x9d, 0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb,
	};
	static const uint8_t key256[46] = {
		0xf0, 0xf0, 0x49, 0x14, 0xb5, 0x13, 0xf2, 0x76, 0x3a, 0x1b, 0x1f, 0xa1, 0x30, 0xf1, 0x0e, 0x29,
		0x98, 0xf6, 0xf6, 0xe4, 0x3e, 0x43, 0x09, 0xd1, 0xe6, 0x22, 0xa0, 0xe3, 0x32, 0xb9, 0xf1, 0xb6,
		0x3b, 0x04, 0x80, 0x3d, 0xe5, 0x1e, 0xe7, 0xc9, 0x64, 0x23, 0xab, 0x5b, 0x78, 0xd2,
	};
	static const uint8_t want256[38] = {
		0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe,
		0xf1, 0xd9, 0xde, 0x17, 0xff, 0x25, 0x1f, 0xf1, 0xaa, 0x00, 0x77, 0x74,
		0xb0, 0xb4, 0xb4, 0x0d, 0xa0, 0x8d, 0x9d, 0x9a, 0x5b, 0x3a, 0x55, 0xd8, 0x87, 0x3b,
	};
	const char *want = getenv("TG_SRTP_CRYPTO");
	int err = 0;

	/* the fast path is really in use (libsrtp2 accepted it after its self-tests) */
	TEST_STREQ(want && strcmp(want, "libsrtp2") == 0 ? "libsrtp2" : "nettle",
		   media_srtp_crypto_backend());
	TEST_ERR(known_answer(MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, key128, want128));
	TEST_ERR(known_answer(MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, key256, want256));
 out:
	return err;
}

/* Every suite, without MKI and with 1- and 4-byte MKIs, over RTP packets of
 * 12..340 bytes (empty payload to 328 bytes: every HMAC-SHA1 padding case,
 * one to six SHA-1 blocks, AES-CM key stream ending mid-block) and SRTCP
 * packets of 8..340 bytes: protected by our crypto, every output byte goes
 * into one SHA-256, compared with the digest libsrtp2's own crypto gives
 * (TG_SRTP_CRYPTO=libsrtp2 runs this very test on it).  Each packet also
 * unprotects back to its plaintext. */
static int sweep(struct sha256_ctx *h, enum media_srtp_suite suite, unsigned mki_len)
{
	struct media_srtp_key k = { .suite = suite, .tag = 1, .mki_len = mki_len,
				    .mki = mki_len ? 0x01020304u >> (8 * (4 - mki_len)) : 0 };
	struct media_srtp tx = { 0 }, rx = { 0 };
	uint8_t pkt[340 + 64], plain[340];
	int err = 0;

	k.key_len = media_srtp_suite_key_len(suite);
	for (unsigned i = 0; i < k.key_len; i++)
		k.key[i] = (uint8_t)(0x5a ^ (i * 37) ^ suite);
	TEST_ERR(media_srtp_start(&tx, &k, true));
	TEST_ERR(media_srtp_start(&rx, &k, false));
	for (unsigned len = 12; len <= 340; len++) {
		int n = (int)len;

		for (unsigned i = 0; i < len; i++)
			plain[i] = (uint8_t)(i * 7 + len);
		plain[0] = 0x80;                        /* V=2, no padding, X or CSRCs */
		plain[1] = 0x08;                        /* PT 8 */
		plain[2] = (uint8_t)(len >> 8);         /* sequence = len */
		plain[3] = (uint8_t)len;
		memcpy(plain + 8, "\xca\xfe\xba\xbe", 4);
		memcpy(pkt, plain, len);
		TEST_ERR(media_srtp_protect(&tx, pkt, &n, false));
		sha256_update(h, (size_t)n, pkt);
		TEST_ERR(media_srtp_unprotect(&rx, pkt, &n, false));
		TEST_EQ(len, n);
		TEST_ASSERT(memcmp(pkt, plain, len) == 0);
	}
	for (unsigned len = 8; len <= 340; len += 4) {
		int n = (int)len;

		for (unsigned i = 0; i < len; i++)
			plain[i] = (uint8_t)(i * 11 + len);
		plain[0] = 0x80;                        /* V=2, RC 0 */
		plain[1] = 200;                         /* SR */
		plain[2] = (uint8_t)((len / 4 - 1) >> 8);
		plain[3] = (uint8_t)(len / 4 - 1);
		memcpy(plain + 4, "\xca\xfe\xba\xbe", 4);
		memcpy(pkt, plain, len);
		TEST_ERR(media_srtp_protect(&tx, pkt, &n, true));
		sha256_update(h, (size_t)n, pkt);
		TEST_ERR(media_srtp_unprotect(&rx, pkt, &n, true));
		TEST_EQ(len, n);
		TEST_ASSERT(memcmp(pkt, plain, len) == 0);
	}
 out:
	media_srtp_stop(&tx);
	media_srtp_stop(&rx);
	return err;
}

int test_media_srtp_matches_libsrtp2_over_every_length_suite_and_mki(void)
{
	/* SHA-256 of all outputs, from libsrtp2 2.5.0's own crypto (NSS on
	 * Debian): TG_SRTP_CRYPTO=libsrtp2 tests/unit/selftest libsrtp2_over */
	static const char want[] = "4095e99f9713be746c50eacaccdf6bdcb8cd2f5e41eed23f7271f0277e1ac24c";
	struct sha256_ctx h;
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	int err = 0;

	sha256_init(&h);
	for (int s = 1; s < MEDIA_SRTP__COUNT; s++) {
		TEST_ERR(sweep(&h, (enum media_srtp_suite)s, 0));
		TEST_ERR(sweep(&h, (enum media_srtp_suite)s, 1));
		TEST_ERR(sweep(&h, (enum media_srtp_suite)s, 4));
	}
	sha256_digest(&h, sizeof(d), d);
	for (unsigned i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	TEST_STREQ(want, hex);
 out:
	return err;
}
