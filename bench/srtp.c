/*
 * srtp.c -- `make bench` (and bench/srtp_ir.sh): where one SRTP packet's time
 * goes, AES_CM_128_HMAC_SHA1_80 on a 172-byte G.711 20 ms RTP packet, built
 * up layer by layer so each layer's share is the difference of two lines:
 *   - the crypto alone, as srtp_nettle.c uses it: AES-128 counter mode over
 *     the 160-byte payload, HMAC-SHA1 over header + payload + ROC;
 *   - libsrtp2's protect with the null cipher and null auth (its own
 *     per-packet work: stream lookup, index and replay database, key
 *     limit, MKI), then with AES-CM and null auth, then the full suite;
 *   - the full suite through media_srtp_protect/unprotect (daemon/media/srtp.c),
 *     which is what every RTP packet of an SRTP call pays once each way.
 * Each case runs on 1 context (hot in the cache), on 1,000 (each packet on
 * the next context in turn, as 1,000 calls send: the others' state has
 * pushed it out of L1/L2, it comes from L3) and on 20,000 (from DRAM: what
 * a packet meets on a machine where other work keeps the caches full).
 *
 * Time: CPU time of this thread (CLOCK_THREAD_CPUTIME_ID) per operation,
 * minimum and median of RUNS runs.  On a shared machine the minimum is the
 * steadier figure.  Instruction counts, which load does not change:
 * bench/srtp_ir.sh runs this under callgrind (TG_BENCH_IR=1: fewer
 * rounds, one dump per case).  Under valgrind nettle sees no SHA-NI (valgrind
 * hides it), so SHA-1 is counted in its plain x86-64 code: far more
 * instructions than the SHA-NI code a real run uses.
 *
 * Usage: bench/srtp [CASE]  (a case name prefix, e.g. "full": only those)
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/hmac.h>
#include <srtp2/srtp.h>
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_DUMP_STATS_AT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#define CALLGRIND_TOGGLE_COLLECT ((void)0)
#endif
/* callgrind counts only inside IR_ON ... IR_OFF (--collect-atstart=no) */
#define IR_ON(side) do { if ((side) == ir_side) CALLGRIND_TOGGLE_COLLECT; } while (0)
#define IR_OFF(side) IR_ON(side)

#include "media_int.h"
#include "bench_util.h"

#define RUNS 7
#define BATCH 1000
#define PKT 172
#define CAP (PKT + 64)

enum kind { K_NULL, K_AES, K_FULL };

static unsigned rounds = 100;   /* BATCH packets each: 100,000 operations a run */
static const char *only;
static int ir_side;             /* 0 protect (and crypto), 1 unprotect: what callgrind counts */

static void key_of(uint8_t *k, unsigned i, unsigned len)
{
	for (unsigned b = 0; b < len; b++)
		k[b] = (uint8_t)(i * 7 + b * 13 + (i >> 8));
}

static srtp_t ctx_new(enum kind kd, unsigned i, bool outbound)
{
	srtp_policy_t pol;
	uint8_t key[46];
	srtp_t ctx = NULL;

	memset(&pol, 0, sizeof(pol));
	if (kd == K_NULL)
		srtp_crypto_policy_set_null_cipher_hmac_null(&pol.rtp);
	else if (kd == K_AES)
		srtp_crypto_policy_set_aes_cm_128_null_auth(&pol.rtp);
	else
		srtp_crypto_policy_set_rtp_default(&pol.rtp);
	srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 128;
	key_of(key, i, sizeof(key));
	pol.key = key;
	if (srtp_create(&ctx, &pol) != srtp_err_status_ok) {
		fprintf(stderr, "bench/srtp: srtp_create failed\n");
		exit(1);
	}
	return ctx;
}

/* Packet k of round r goes through context CTX(r, k): all contexts in
 * turn, so with more contexts than a batch each is cold when its turn comes. */
#define CTX(r, k) (((size_t)(r) * BATCH + (k)) % nctx)

static void rtp_packet(uint8_t *buf, uint16_t seq, uint32_t ssrc)
{
	static uint8_t pl[160];
	struct media_rtp_pkt p = { .pt = 8, .seq = seq, .ts = 160u * seq, .ssrc = ssrc,
				   .payload = pl, .plen = sizeof(pl) };

	if (!pl[1])
		for (unsigned i = 0; i < sizeof(pl); i++)
			pl[i] = (uint8_t)(0xd5 ^ (i * 29));
	media_rtp_write(buf, CAP, &p);
}

struct res {
	double min_ns, med_ns;
};

static void report(const char *name, unsigned nctx, const double *v)
{
	double s[RUNS];

	memcpy(s, v, sizeof(s));
	qsort(s, RUNS, sizeof(*s), bench_cmp_double);
	printf("%-34s %5u ctx: %7.0f ns/op min, %7.0f median\n", name, nctx, s[0], s[RUNS / 2]);
	fflush(stdout);
}

static bool want(const char *name)
{
	return !only || strncmp(name, only, strlen(only)) == 0;
}

/* ---- the crypto alone, as srtp_nettle.c calls it ---- */

static __attribute__((noinline)) double run_aes(struct aes128_ctx *aes, unsigned nctx, uint8_t (*pkts)[CAP])
{
	double t0 = bench_cpu_now();
	uint8_t ctr[16] = { 0 };

	IR_ON(0);
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned k = 0; k < BATCH; k++) {
			ctr[13] = (uint8_t)r;
			ctr[15] = 0;
			ctr_crypt(&aes[CTX(r, k)], (nettle_cipher_func *)aes128_encrypt, 16, ctr,
				  160, pkts[k] + 12, pkts[k] + 12);
		}
	IR_OFF(0);
	return bench_cpu_now() - t0;
}

static __attribute__((noinline)) double run_hmac(struct hmac_sha1_ctx *h, unsigned nctx, uint8_t (*pkts)[CAP])
{
	double t0 = bench_cpu_now();
	uint32_t roc = 0;

	IR_ON(0);
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned k = 0; k < BATCH; k++) {
			struct hmac_sha1_ctx *c = &h[CTX(r, k)];

			hmac_sha1_update(c, PKT, pkts[k]);
			hmac_sha1_update(c, 4, (uint8_t *)&roc);
			hmac_sha1_digest(c, 10, pkts[k] + PKT);
		}
	IR_OFF(0);
	return bench_cpu_now() - t0;
}

/* HMAC-SHA1 over 176 bytes is at least 4 SHA-1 blocks (3 inner, 1 outer). */
static __attribute__((noinline)) double run_sha1_4(struct hmac_sha1_ctx *h, unsigned nctx, uint8_t (*pkts)[CAP])
{
	double t0 = bench_cpu_now();

	IR_ON(0);
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned k = 0; k < BATCH; k++) {
			uint32_t *st = h[CTX(r, k)].state.state;

			nettle_sha1_compress(st, pkts[k]);
			nettle_sha1_compress(st, pkts[k] + 64);
			nettle_sha1_compress(st, pkts[k] + 108);
			nettle_sha1_compress(st, pkts[k] + 108);
		}
	IR_OFF(0);
	return bench_cpu_now() - t0;
}

static void crypto_alone(unsigned nctx)
{
	struct aes128_ctx *aes = calloc(nctx, sizeof(*aes));
	struct hmac_sha1_ctx *h = calloc(nctx, sizeof(*h));
	uint8_t (*pkts)[CAP] = calloc(BATCH, CAP), key[20];
	double v[RUNS];

	for (unsigned i = 0; i < nctx; i++) {
		key_of(key, i, sizeof(key));
		aes128_set_encrypt_key(&aes[i], key);
		hmac_sha1_set_key(&h[i], sizeof(key), key);
	}
	for (unsigned k = 0; k < BATCH; k++)
		rtp_packet(pkts[k], (uint16_t)k, 0x10000 + k);
	if (want("aes") && !ir_side) {
		for (int i = 0; i < RUNS; i++)
			v[i] = run_aes(aes, nctx, pkts) * 1e9 / ((double)rounds * BATCH);
		CALLGRIND_DUMP_STATS_AT(nctx == 1 ? "aes-ctr-160 1" : "aes-ctr-160 1000");
		report("aes-ctr-160 (nettle ctr_crypt)", nctx, v);
	}
	if (want("hmac") && !ir_side) {
		for (int i = 0; i < RUNS; i++)
			v[i] = run_hmac(h, nctx, pkts) * 1e9 / ((double)rounds * BATCH);
		CALLGRIND_DUMP_STATS_AT(nctx == 1 ? "hmac-sha1-176 1" : "hmac-sha1-176 1000");
		report("hmac-sha1-176 (nettle hmac)", nctx, v);
	}
	if (want("sha1") && !ir_side) {
		for (int i = 0; i < RUNS; i++)
			v[i] = run_sha1_4(h, nctx, pkts) * 1e9 / ((double)rounds * BATCH);
		CALLGRIND_DUMP_STATS_AT(nctx == 1 ? "sha1-compress x4 1" : "sha1-compress x4 1000");
		report("sha1-compress x4 (the HMAC floor)", nctx, v);
	}
	free(aes);
	free(h);
	free(pkts);
}

/* ---- libsrtp2 layer by layer ---- */

/* One run: rounds x BATCH protects (and, unprotect, as many unprotects) on
 * nctx contexts; the CPU time of each side goes to *tp and *tu. */
static void run_srtp(srtp_t *tx, srtp_t *rx, unsigned nctx, uint8_t (*pkts)[CAP], int *lens,
		     uint16_t *seq, size_t *round, bool unprotect, double *tp, double *tu)
{
	for (unsigned r = 0; r < rounds; r++, ++*round) {
		double t0;

		for (unsigned k = 0; k < BATCH; k++) {
			size_t c = CTX(*round, k);

			rtp_packet(pkts[k], seq[c]++, 0x10000 + (uint32_t)c);
			lens[k] = PKT;
		}
		t0 = bench_cpu_now();
		IR_ON(0);
		for (unsigned k = 0; k < BATCH; k++)
			if (srtp_protect_mki(tx[CTX(*round, k)], pkts[k], &lens[k], 0, 0) != srtp_err_status_ok)
				abort();
		IR_OFF(0);
		*tp += bench_cpu_now() - t0;
		if (!unprotect)
			continue;
		t0 = bench_cpu_now();
		IR_ON(1);
		for (unsigned k = 0; k < BATCH; k++)
			if (srtp_unprotect_mki(rx[CTX(*round, k)], pkts[k], &lens[k], 0) != srtp_err_status_ok)
				abort();
		IR_OFF(1);
		*tu += bench_cpu_now() - t0;
	}
}

static void srtp_layers(enum kind kd, const char *name, unsigned nctx)
{
	srtp_t *tx = calloc(nctx, sizeof(*tx)), *rx = calloc(nctx, sizeof(*rx));
	uint8_t (*pkts)[CAP] = calloc(BATCH, CAP);
	int *lens = calloc(BATCH, sizeof(*lens));
	uint16_t *seq = calloc(nctx, sizeof(*seq));
	double vp[RUNS], vu[RUNS], ops = (double)rounds * BATCH;
	size_t round = 0;
	char label[64];
	bool un = kd == K_FULL;

	if (!want(name) || (ir_side && !un))
		goto out;
	for (unsigned i = 0; i < nctx; i++) {
		tx[i] = ctx_new(kd, i, true);
		rx[i] = ctx_new(kd, i, false);
		seq[i] = 1;
	}
	/* warm: every context has seen its SSRC (libsrtp2 clones the stream) */
	ir_side += 2;
	run_srtp(tx, rx, nctx, pkts, lens, seq, &round, true, &vp[0], &vu[0]);
	ir_side -= 2;
	for (int i = 0; i < RUNS; i++) {
		vp[i] = vu[i] = 0;
		run_srtp(tx, rx, nctx, pkts, lens, seq, &round, un, &vp[i], &vu[i]);
		vp[i] *= 1e9 / ops;
		vu[i] *= 1e9 / ops;
	}
	snprintf(label, sizeof(label), "%s %s %u", name, ir_side ? "unprotect" : "protect", nctx);
	CALLGRIND_DUMP_STATS_AT(label);
	snprintf(label, sizeof(label), "%s protect", name);
	report(label, nctx, vp);
	if (un) {
		snprintf(label, sizeof(label), "%s unprotect", name);
		report(label, nctx, vu);
	}
	for (unsigned i = 0; i < nctx; i++) {
		srtp_dealloc(tx[i]);
		srtp_dealloc(rx[i]);
	}
 out:
	free(tx);
	free(rx);
	free(pkts);
	free(lens);
	free(seq);
}

/* ---- what the daemon calls: media_srtp_protect/unprotect ---- */

static void daemon_path(unsigned nctx)
{
	struct media_srtp *tx = calloc(nctx, sizeof(*tx)), *rx = calloc(nctx, sizeof(*rx));
	uint8_t (*pkts)[CAP] = calloc(BATCH, CAP);
	int *lens = calloc(BATCH, sizeof(*lens));
	uint16_t *seq = calloc(nctx, sizeof(*seq));
	double vp[RUNS], vu[RUNS], ops = (double)rounds * BATCH;
	size_t round = 0;

	if (!want("media_srtp"))
		goto out;
	for (unsigned i = 0; i < nctx; i++) {
		struct media_srtp_key k = { .suite = MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, .tag = 1 };

		k.key_len = media_srtp_suite_key_len(k.suite);
		key_of(k.key, i, k.key_len);
		if (media_srtp_start(&tx[i], &k, true) || media_srtp_start(&rx[i], &k, false))
			abort();
		seq[i] = 1;
	}
	for (int i = -1; i < RUNS; i++) {      /* run -1 warms */
		double tp = 0, tu = 0;

		for (unsigned r = 0; r < rounds; r++) {
			double t0;

			for (unsigned k = 0; k < BATCH; k++) {
				size_t c = CTX(round, k);

				rtp_packet(pkts[k], seq[c]++, 0x10000 + (uint32_t)c);
				lens[k] = PKT;
			}
			t0 = bench_cpu_now();
			if (i >= 0)
				IR_ON(0);
			for (unsigned k = 0; k < BATCH; k++)
				if (media_srtp_protect(&tx[CTX(round, k)], pkts[k], &lens[k], false))
					abort();
			if (i >= 0)
				IR_OFF(0);
			tp += bench_cpu_now() - t0;
			t0 = bench_cpu_now();
			if (i >= 0)
				IR_ON(1);
			for (unsigned k = 0; k < BATCH; k++)
				if (media_srtp_unprotect(&rx[CTX(round, k)], pkts[k], &lens[k], false))
					abort();
			if (i >= 0)
				IR_OFF(1);
			tu += bench_cpu_now() - t0;
			round++;
		}
		if (i < 0)
			continue;
		vp[i] = tp * 1e9 / ops;
		vu[i] = tu * 1e9 / ops;
	}
	{
		char label[64];

		snprintf(label, sizeof(label), "media_srtp %s %u", ir_side ? "unprotect" : "protect", nctx);
		CALLGRIND_DUMP_STATS_AT(label);
	}
	report("media_srtp_protect", nctx, vp);
	report("media_srtp_unprotect", nctx, vu);
	for (unsigned i = 0; i < nctx; i++) {
		media_srtp_stop(&tx[i]);
		media_srtp_stop(&rx[i]);
	}
 out:
	free(tx);
	free(rx);
	free(pkts);
	free(lens);
	free(seq);
}

int main(int argc, char **argv)
{
	/* hot; 1,000 calls (the SRTP state in L3); 20,000 (in DRAM, as on a
	 * machine whose caches other work keeps filling) */
	static const unsigned nctxs[] = { 1, 1000, 20000 };

	if (argc > 1)
		only = argv[1];
	if (getenv("TG_BENCH_IR")) {
		rounds = 2;
		ir_side = atoi(getenv("TG_BENCH_IR")) == 2;   /* 2: count unprotect */
	}
	printf("== SRTP per packet, AES_CM_128_HMAC_SHA1_80, %d-byte RTP (CPU time per operation, "
	       "%d runs of %u; SRTP crypto: %s)\n", PKT, RUNS, rounds * BATCH, media_srtp_crypto_backend());
	for (unsigned n = 0; n < (getenv("TG_BENCH_IR") ? 2u : 3u); n++) {
		crypto_alone(nctxs[n]);
		srtp_layers(K_NULL, "libsrtp2 null cipher+auth", nctxs[n]);
		srtp_layers(K_AES, "libsrtp2 aes-cm, null auth", nctxs[n]);
		srtp_layers(K_FULL, "libsrtp2 aes-cm+hmac-sha1-80", nctxs[n]);
		daemon_path(nctxs[n]);
	}
	return 0;
}
