/*
 * test_sdp.c -- SDP offer/answer: our offer parses back, an answer to it
 * agrees, a Lync-style offer (many codecs, stereo G.722, two crypto lines
 * with MKI, a=rtcp) gets a sensible answer, SRTP modes, hold, failures.
 */
#include "config.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/sdp.h>

#include "media_fixture.h"
#include "media_int.h"
#include "test.h"

static const enum media_codec pref[] = { MEDIA_CODEC_PCMU, MEDIA_CODEC_PCMA, MEDIA_CODEC_G722 };

static void local(struct media_sdp_local *l, struct media_srtp_key *keys, enum media_srtp_mode mode)
{
	memset(l, 0, sizeof(*l));
	l->addr = "127.0.0.1";
	l->port = 40000;
	l->codecs = pref;
	l->ncodecs = 3;
	l->te_pt = 101;
	l->cn = true;
	l->ptime_ms = 20;
	l->dir = MEDIA_DIR_SENDRECV;
	l->srtp = mode;
	l->sess_id = 42;
	l->sess_version = 1;
	media_srtp_key_random(&keys[0], MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 0, 0);
	media_srtp_key_random(&keys[1], MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32, 2, 0, 0);
	l->keys = keys;
	l->nkeys = 2;
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

int test_media_sdp_offer_parses_and_answer_agrees(void)
{
	struct media_srtp_key ka[2], kb[2];
	struct media_sdp_local a, b;
	struct media_sdp_neg nb, na;
	char offer[2048], answer[2048], e[200] = "";
	su_home_t *home = su_home_new(sizeof(su_home_t));
	sdp_parser_t *p = NULL;
	int err = 0;

	local(&a, ka, MEDIA_SRTP_OPTIONAL);
	local(&b, kb, MEDIA_SRTP_OPTIONAL);
	a.rtcp_mux = b.rtcp_mux = true;
	b.port = 41000;
	b.codecs = pref + 1;            /* B prefers PCMA, then G.722 */
	b.ncodecs = 2;
	TEST_ERR(media_sdp_offer(&a, offer, sizeof(offer)));
	/* sofia-sip's parser and printer accept it */
	p = sdp_parse(home, offer, (issize_t)strlen(offer), 0);
	TEST_ASSERT(p && !sdp_parsing_error(p));
	TEST_CONTAINS(offer, "m=audio 40000 RTP/AVP 0 8 9 101 13\r\n");
	TEST_CONTAINS(offer, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:");
	TEST_CONTAINS(offer, "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:");
	TEST_CONTAINS(offer, "a=rtcp-mux\r\n");

	TEST_ERR(media_sdp_answer(offer, &b, &nb, answer, sizeof(answer), e, sizeof(e)));
	TEST_EQ(MEDIA_CODEC_PCMA, nb.codec);
	TEST_EQ(8, nb.pt);
	TEST_EQ(101, nb.te_pt);
	TEST_EQ(13, nb.cn_pt);
	TEST_EQ(20, nb.ptime_ms);
	TEST_ASSERT(nb.rtcp_mux);
	TEST_EQ(MEDIA_DIR_SENDRECV, nb.dir);
	TEST_EQ(40000, port_of(&nb.remote));
	TEST_ASSERT(nb.srtp);
	TEST_EQ(1, nb.tx_key.tag);      /* the offerer's first suite we can do */
	TEST_ASSERT(media_srtp_key_equal(&nb.rx_key, &ka[0]));
	TEST_CONTAINS(answer, "m=audio 41000 RTP/AVP 8 101 13\r\n");

	err = media_sdp_parse_answer(answer, &a, &na, e, sizeof(e));
	if (err)
		printf("# %s\n", e);
	TEST_ERR(err);
	TEST_EQ(MEDIA_CODEC_PCMA, na.codec);
	TEST_EQ(41000, port_of(&na.remote));
	TEST_ASSERT(na.srtp);
	TEST_ASSERT(media_srtp_key_equal(&na.tx_key, &ka[0]));
	TEST_ASSERT(media_srtp_key_equal(&na.rx_key, &nb.tx_key));
	TEST_ASSERT(media_srtp_key_equal(&nb.rx_key, &na.tx_key));
 out:
	if (p)
		sdp_parser_free(p);
	su_home_unref(home);
	return err;
}

static const char lync_offer[] =
	"v=0\r\n"
	"o=- 0 1 IN IP4 192.0.2.10\r\n"
	"s=session\r\n"
	"c=IN IP4 192.0.2.10\r\n"
	"b=CT:99980\r\n"
	"t=0 0\r\n"
	"m=audio 50012 RTP/AVP 117 104 114 9 112 111 0 8 116 115 4 97 13 118 101\r\n"
	"a=candidate:1 1 UDP 2130706431 192.0.2.10 50012 typ host\r\n"
	"a=x-ssrc-range:2000-2000\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1\r\n"
	"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31\r\n"
	"a=maxptime:200\r\n"
	"a=rtcp:50013\r\n"
	"a=rtpmap:117 G722/8000/2\r\n"
	"a=rtpmap:104 SILK/16000\r\n"
	"a=rtpmap:114 x-msrta/16000\r\n"
	"a=fmtp:114 bitrate=29000\r\n"
	"a=rtpmap:9 G722/8000\r\n"
	"a=rtpmap:112 G7221/16000\r\n"
	"a=fmtp:112 bitrate=24000\r\n"
	"a=rtpmap:111 SIREN/16000\r\n"
	"a=fmtp:111 bitrate=16000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:116 AAL2-G726-32/8000\r\n"
	"a=rtpmap:115 x-msrta/8000\r\n"
	"a=fmtp:115 bitrate=11800\r\n"
	"a=rtpmap:4 G723/8000\r\n"
	"a=rtpmap:97 RED/8000\r\n"
	"a=rtpmap:13 CN/8000\r\n"
	"a=rtpmap:118 CN/16000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=encryption:optional\r\n";

int test_media_sdp_answers_a_lync_offer_with_crypto_and_mki(void)
{
	static const enum media_codec wide[] = { MEDIA_CODEC_G722, MEDIA_CODEC_PCMU };
	struct media_srtp_key keys[2];
	struct media_sdp_local l;
	struct media_sdp_neg n;
	struct media_session_cfg cfg;
	char answer[2048], e[200] = "";
	int err = 0;

	local(&l, keys, MEDIA_SRTP_OPTIONAL);
	l.codecs = wide;
	l.ncodecs = 2;
	l.rtcp_mux = true;
	TEST_ERR(media_sdp_answer(lync_offer, &l, &n, answer, sizeof(answer), e, sizeof(e)));
	/* mono G.722 (9), never the stereo one (117) */
	TEST_EQ(MEDIA_CODEC_G722, n.codec);
	TEST_EQ(9, n.pt);
	TEST_EQ(101, n.te_pt);
	TEST_EQ(13, n.cn_pt);
	TEST_EQ(50013, n.remote_rtcp_port);
	TEST_ASSERT(!n.rtcp_mux);       /* not offered */
	TEST_STREQ("192.0.2.10", n.remote_addr);
	/* the first crypto line, its MKI kept; ours answers with tag 2 */
	TEST_ASSERT(n.srtp);
	TEST_EQ(2, n.rx_key.tag);
	TEST_EQ(1, n.rx_key.mki);
	TEST_EQ(1, n.rx_key.mki_len);
	TEST_EQ(2, n.tx_key.tag);
	TEST_CONTAINS(answer, "m=audio 40000 RTP/AVP 9 101 13\r\n");
	TEST_CONTAINS(answer, "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:");
	TEST_ASSERT(!strstr(answer, "a=crypto:3"));
	TEST_ASSERT(!strstr(answer, "a=rtcp-mux"));
	media_sdp_neg_to_cfg(&n, &cfg);
	TEST_EQ(9, cfg.pt);
	TEST_EQ(50013, cfg.remote_rtcp_port);
	TEST_ASSERT(media_srtp_key_equal(&cfg.srtp_rx, &n.rx_key));
	/* with SRTP off we answer plain RTP to the same (RTP/AVP) offer */
	local(&l, keys, MEDIA_SRTP_OFF);
	TEST_ERR(media_sdp_answer(lync_offer, &l, &n, answer, sizeof(answer), e, sizeof(e)));
	TEST_ASSERT(!n.srtp);
	TEST_ASSERT(!strstr(answer, "a=crypto"));
	TEST_EQ(MEDIA_CODEC_PCMU, n.codec);
 out:
	return err;
}

int test_media_sdp_srtp_modes_hold_and_refusals(void)
{
	struct media_srtp_key ka[2], kb[2];
	struct media_sdp_local a, b;
	struct media_sdp_neg n;
	char offer[2048], answer[2048], e[200] = "";
	int err = 0;

	/* required: RTP/SAVP; an answerer with SRTP off refuses it */
	local(&a, ka, MEDIA_SRTP_REQUIRED);
	local(&b, kb, MEDIA_SRTP_OFF);
	TEST_ERR(media_sdp_offer(&a, offer, sizeof(offer)));
	TEST_CONTAINS(offer, "RTP/SAVP");
	TEST_EQ(EPROTO, media_sdp_answer(offer, &b, &n, answer, sizeof(answer), e, sizeof(e)));
	TEST_CONTAINS(e, "SRTP");
	TEST_EQ(304, n.warning);        /* the 488's Warning: media type not available */
	/* required answerer, plain offer: refused */
	local(&a, ka, MEDIA_SRTP_OFF);
	local(&b, kb, MEDIA_SRTP_REQUIRED);
	TEST_ERR(media_sdp_offer(&a, offer, sizeof(offer)));
	TEST_ASSERT(!strstr(offer, "a=crypto"));
	TEST_EQ(EPROTO, media_sdp_answer(offer, &b, &n, answer, sizeof(answer), e, sizeof(e)));
	/* a suite we have no key for is skipped, the next is taken */
	local(&a, ka, MEDIA_SRTP_OPTIONAL);
	local(&b, kb, MEDIA_SRTP_OPTIONAL);
	b.nkeys = 1;
	b.keys = &kb[1];                /* only _32 */
	TEST_ERR(media_sdp_offer(&a, offer, sizeof(offer)));
	TEST_ERR(media_sdp_answer(offer, &b, &n, answer, sizeof(answer), e, sizeof(e)));
	TEST_EQ(MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32, n.tx_key.suite);
	TEST_EQ(2, n.tx_key.tag);
	/* hold: their sendonly is our recvonly; inactive stays inactive */
	local(&a, ka, MEDIA_SRTP_OFF);
	local(&b, kb, MEDIA_SRTP_OFF);
	a.dir = MEDIA_DIR_SENDONLY;
	TEST_ERR(media_sdp_offer(&a, offer, sizeof(offer)));
	TEST_CONTAINS(offer, "a=sendonly\r\n");
	TEST_ERR(media_sdp_answer(offer, &b, &n, answer, sizeof(answer), e, sizeof(e)));
	TEST_EQ(MEDIA_DIR_RECVONLY, n.dir);
	TEST_CONTAINS(answer, "a=recvonly\r\n");
	a.dir = MEDIA_DIR_INACTIVE;
	TEST_ERR(media_sdp_offer(&a, offer, sizeof(offer)));
	TEST_ERR(media_sdp_answer(offer, &b, &n, answer, sizeof(answer), e, sizeof(e)));
	TEST_EQ(MEDIA_DIR_INACTIVE, n.dir);
	/* no common codec; garbage; no audio */
	TEST_EQ(EPROTO, media_sdp_answer("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n",
		&b, &n, answer, sizeof(answer), e, sizeof(e)));
	TEST_CONTAINS(e, "codec");
	TEST_EQ(305, n.warning);        /* incompatible media format */
	/* the answerer's preference list decides among what is offered */
	{
		static const enum media_codec g722_pcma[] = { MEDIA_CODEC_G722, MEDIA_CODEC_PCMA };

		b.codecs = g722_pcma;
		b.ncodecs = 2;
		TEST_ERR(media_sdp_answer("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			"t=0 0\r\nm=audio 4000 RTP/AVP 0 8 9\r\n", &b, &n, answer, sizeof(answer), e,
			sizeof(e)));
		TEST_EQ(MEDIA_CODEC_G722, n.codec);
		TEST_EQ(0, n.warning);
		TEST_EQ(EPROTO, media_sdp_answer("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", &b, &n, answer,
			sizeof(answer), e, sizeof(e)));
		TEST_EQ(305, n.warning);
	}
	TEST_EQ(EPROTO, media_sdp_answer("hello", &b, &n, answer, sizeof(answer), e, sizeof(e)));
	TEST_EQ(EPROTO, media_sdp_answer("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=video 4000 RTP/AVP 96\r\n", &b, &n, answer, sizeof(answer), e, sizeof(e)));
	/* too small a buffer */
	TEST_EQ(ENOSPC, media_sdp_offer(&a, offer, 100));
 out:
	return err;
}
