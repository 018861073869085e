/*
 * ec.c -- the line echo canceller for TDM legs: speexdsp's MDF canceller
 * (Debian's spandsp prints to stdout for every sample in echo_can_update(),
 * see DEPENDENCIES.md 2c, so it is not used).  One frame per TDM period; the
 * tail is 32-128 ms.  A 2100 Hz answer tone with phase reversals (V.25 ANSam
 * or ANS/PR, G.168 disabling tone: a modem or fax needs a transparent path)
 * detected by spandsp's modem_connect_tones_rx switches the canceller off
 * for the rest of the call.  Called by the TDM clock owner under the
 * session's lock.
 */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <spandsp.h>
#include <speex/speex_echo.h>

#include "media_int.h"

static void tone_cb(void *arg, int code, int level, int delay)
{
	struct media_ec *ec = arg;

	if (code == MODEM_CONNECT_TONES_ANS_PR || code == MODEM_CONNECT_TONES_ANSAM_PR)
		ec->tone_seen = true;
}

int media_ec_init(struct media_ec *ec, unsigned frame, unsigned tail_ms)
{
	int rate = 8000;

	memset(ec, 0, sizeof(*ec));
	if (!frame || frame > MEDIA_MAX_FRAME)
		return EINVAL;
	if (!tail_ms)
		tail_ms = 64;
	if (tail_ms < 16 || tail_ms > 256)
		return EINVAL;
	ec->frame = frame;
	ec->st = speex_echo_state_init((int)frame, (int)(tail_ms * 8));
	ec->ans = modem_connect_tones_rx_init(NULL, MODEM_CONNECT_TONES_ANS_PR, tone_cb, ec);
	if (!ec->st || !ec->ans) {
		media_ec_fini(ec);
		return ENOMEM;
	}
	speex_echo_ctl(ec->st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	return 0;
}

void media_ec_fini(struct media_ec *ec)
{
	if (ec->st)
		speex_echo_state_destroy(ec->st);
	if (ec->ans)
		modem_connect_tones_rx_free(ec->ans);
	ec->st = ec->ans = NULL;
}

void media_ec_process(struct media_ec *ec, const int16_t *near, const int16_t *far,
		      int16_t *out, size_t n)
{
	if (ec->disabled || !ec->st || n != ec->frame) {
		if (out != near)
			memcpy(out, near, n * sizeof(*out));
		return;
	}
	speex_echo_cancellation(ec->st, near, far, out);
}

bool media_ec_tone(struct media_ec *ec, const int16_t *a, size_t n)
{
	if (ec->tone_seen || !ec->ans)
		return ec->tone_seen;
	modem_connect_tones_rx(ec->ans, a, (int)n);
	if (ec->tone_seen)
		ec->disabled = true;
	return ec->tone_seen;
}
