/*
 * codec.c -- PCMU, PCMA and G.722 through spandsp.  Everything inside the
 * engine is 8 kHz linear audio, the TDM side's rate.  G.722 runs in
 * spandsp's G722_SAMPLE_RATE_8000 mode: the encoder takes the 8 kHz signal
 * as the QMF's lower sub-band (upper band silent) and the decoder returns
 * the lower sub-band only, which is the 16 kHz wideband signal band-limited
 * to 4 kHz and decimated -- the resampling a TDM leg needs, without a
 * separate filter, and bit-compatible with any G.722 peer (tested against
 * spandsp's own 16 kHz decoder).  One payload byte is one 8 kHz sample and
 * one RTP timestamp tick for all three (RFC 3551 4.5.2: G.722's RTP clock
 * is 8000 Hz).
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <spandsp.h>

#include "media_int.h"

static const struct {
	const char *name;
	uint8_t pt;
} codecs[MEDIA_CODEC__COUNT] = {
	[MEDIA_CODEC_NONE] = { "none", 255 },
	[MEDIA_CODEC_PCMU] = { "PCMU", 0 },
	[MEDIA_CODEC_PCMA] = { "PCMA", 8 },
	[MEDIA_CODEC_G722] = { "G722", 9 },
};

const char *media_codec_name(enum media_codec c)
{
	return (unsigned)c < MEDIA_CODEC__COUNT ? codecs[c].name : "none";
}

enum media_codec media_codec_by_name(const char *name)
{
	for (int c = 1; c < MEDIA_CODEC__COUNT; c++)
		if (name && strcasecmp(name, codecs[c].name) == 0)
			return (enum media_codec)c;
	return MEDIA_CODEC_NONE;
}

int media_codec_list_parse(const char *list, enum media_codec *v, size_t max, size_t *np,
			   char *err, size_t errlen)
{
	const char *p = list ? list : "";
	size_t n = 0;

	*np = 0;
	while (*p) {
		char name[16];
		size_t k = strcspn(p, ",");
		enum media_codec c;

		while (k && (*p == ' ' || *p == '\t')) {
			p++;
			k--;
		}
		while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
			k--;
		if (!k || k >= sizeof(name)) {
			snprintf(err, errlen, "an empty or overlong name in \"%s\"", list);
			return EINVAL;
		}
		memcpy(name, p, k);
		name[k] = '\0';
		if (!strcasecmp(name, "telephone-event") || !strcasecmp(name, "CN")) {
			snprintf(err, errlen, "%s is not listed: telephone-event (RFC 4733) is always "
				 "offered and CN (RFC 3389) accepted when the far end offers it", name);
			return EINVAL;
		}
		c = media_codec_by_name(name);
		if (c == MEDIA_CODEC_NONE) {
			snprintf(err, errlen, "%s is not a codec the media engine has (PCMU, PCMA, G722)",
				 name);
			return EINVAL;
		}
		for (size_t i = 0; i < n; i++)
			if (v[i] == c) {
				snprintf(err, errlen, "%s is listed twice", media_codec_name(c));
				return EINVAL;
			}
		if (n >= max) {
			snprintf(err, errlen, "too many codecs");
			return EINVAL;
		}
		v[n++] = c;
		p += strcspn(p, ",");
		if (*p == ',' && !*++p) {
			snprintf(err, errlen, "a trailing comma in \"%s\"", list);
			return EINVAL;
		}
	}
	if (!n) {
		snprintf(err, errlen, "at least one codec is needed (PCMU, PCMA, G722)");
		return EINVAL;
	}
	*np = n;
	return 0;
}

uint8_t media_codec_static_pt(enum media_codec c)
{
	return (unsigned)c < MEDIA_CODEC__COUNT ? codecs[c].pt : 255;
}

int media_codec_init(struct media_codec_state *c, enum media_codec codec)
{
	memset(c, 0, sizeof(*c));
	if (codec <= MEDIA_CODEC_NONE || codec >= MEDIA_CODEC__COUNT)
		return EINVAL;
	c->codec = codec;
	if (codec == MEDIA_CODEC_G722) {
		c->g722e = g722_encode_init(NULL, 64000, G722_SAMPLE_RATE_8000);
		c->g722d = g722_decode_init(NULL, 64000, G722_SAMPLE_RATE_8000);
		if (!c->g722e || !c->g722d) {
			media_codec_fini(c);
			return ENOMEM;
		}
	}
	return 0;
}

void media_codec_fini(struct media_codec_state *c)
{
	if (c->g722e)
		g722_encode_free(c->g722e);
	if (c->g722d)
		g722_decode_free(c->g722d);
	c->g722e = c->g722d = NULL;
	c->codec = MEDIA_CODEC_NONE;
}

size_t media_codec_encode(struct media_codec_state *c, const int16_t *pcm, size_t n, uint8_t *out)
{
	switch (c->codec) {
	case MEDIA_CODEC_PCMU:
		for (size_t i = 0; i < n; i++)
			out[i] = linear_to_ulaw(pcm[i]);
		return n;
	case MEDIA_CODEC_PCMA:
		for (size_t i = 0; i < n; i++)
			out[i] = linear_to_alaw(pcm[i]);
		return n;
	case MEDIA_CODEC_G722:
		return (size_t)g722_encode(c->g722e, out, pcm, (int)n);
	default:
		return 0;
	}
}

size_t media_codec_decode(struct media_codec_state *c, const uint8_t *in, size_t len, int16_t *pcm)
{
	switch (c->codec) {
	case MEDIA_CODEC_PCMU:
		for (size_t i = 0; i < len; i++)
			pcm[i] = ulaw_to_linear(in[i]);
		return len;
	case MEDIA_CODEC_PCMA:
		for (size_t i = 0; i < len; i++)
			pcm[i] = alaw_to_linear(in[i]);
		return len;
	case MEDIA_CODEC_G722:
		return (size_t)g722_decode(c->g722d, pcm, in, (int)len);
	default:
		return 0;
	}
}
