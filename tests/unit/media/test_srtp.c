/*
 * test_srtp.c -- SDES key text (RFC 4568) both ways including Lync's MKI
 * form, SRTP and SRTCP round trips for every suite with and without MKI,
 * tampered and replayed packets rejected, wrong MKI rejected.
 */
#include "config.h"
#include <string.h>

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
