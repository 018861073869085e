/*
 * srtp_nettle.c -- AES-ICM (AES-CM) and HMAC-SHA1 for libsrtp2 on nettle.
 *
 * Debian's libsrtp2 2.5 is built against NSS.  Its AES-ICM set_iv() destroys
 * and creates a PK11 context for every packet (PK11_CreateContextBySymKey,
 * with NSS's locks and allocations), and its HMAC goes through
 * PK11_DigestBegin/Op/Final: an SRTP protect or unprotect of a 172-byte RTP
 * packet costs 2-8 us, most of it NSS bookkeeping, not AES (docs/media.md,
 * "Performance").  libsrtp2's crypto kernel lets an application replace a
 * cipher or auth type (srtp_replace_cipher_type / srtp_replace_auth_type,
 * public in <srtp2/cipher.h> and <srtp2/auth.h>): these types do the same
 * arithmetic on nettle (GnuTLS's crypto library, AES-NI and SHA-NI when the
 * CPU has them) with key schedules expanded once per key and nothing
 * allocated per packet.  The packet format, key derivation and replay
 * handling stay libsrtp2's.
 *
 * At 1,000 calls most of a packet's SRTP time is cache misses, not
 * arithmetic: every packet finds its call's SRTP state evicted by the other
 * calls' (docs/media.md, "Performance").  So the state is kept small and in
 * one piece:
 *   - each cipher and auth is one allocation, libsrtp2's srtp_cipher_t /
 *     srtp_auth_t header first and our state right behind it (5 cache
 *     lines for AES-128 with its key schedule, 3 for HMAC).  Plain calloc:
 *     aligned_alloc's 64-byte alignment left holes in the heap that
 *     libsrtp2's own small allocations then filled, scattering each
 *     stream's state, and made a cold packet twice as slow (bench/srtp);
 *   - HMAC-SHA1 keeps only the two SHA-1 states after the key's ipad and
 *     opad blocks (RFC 2104, computed once per key) and runs the packet
 *     through nettle's sha1_compress: no 312-byte hmac_sha1_ctx to copy
 *     twice a packet;
 *   - before libsrtp2 walks its own structures for a packet (context,
 *     stream list, stream, session keys, cipher: each a cache miss that
 *     waits for the one before), media_srtp_protect/unprotect prefetch
 *     that context's HMAC state, the last thing the packet reads, which
 *     srtp_create() allocated here (media_srtp_nettle_created() hands its
 *     address over): that miss overlaps libsrtp2's instead of following
 *     them.  Prefetching the cipher's lines as well measured slower
 *     (bench/srtp, 20,000 contexts): they are read at once anyway.
 *
 * libsrtp2 runs each type's self-test (RFC 3711 B.2, RFC 6188 7 and RFC 2202
 * vectors below) before it accepts the replacement; a failure keeps NSS.
 * The SRTP key stream: counter = (salt || 0x0000) XOR iv, AES of successive
 * counters (RFC 3711 4.1.1); a keystream may be consumed over several
 * encrypt calls after one set_iv (libsrtp2's KDF and prefix output do).
 */
#include "config.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/macros.h>
#include <nettle/memxor.h>
#include <nettle/sha1.h>
#include <nettle/version.h>
#include <srtp2/srtp.h>
#include <srtp2/cipher.h>
#include <srtp2/auth.h>

#include "media_int.h"

/* sha1_compress is public from nettle 3.8 on (configure checks) */
#if NETTLE_VERSION_MAJOR < 3 || (NETTLE_VERSION_MAJOR == 3 && NETTLE_VERSION_MINOR < 8)
#error "srtp_nettle.c needs nettle >= 3.8 (nettle_sha1_compress)"
#endif

#define LINE 64                         /* cache line */

struct icm {
	/* with the srtp_cipher_t before it: the first cache line */
	nettle_cipher_func *enc;
	uint8_t ctr[16];
	uint8_t salt[16];               /* 14 salt bytes, then 0x0000 */
	/* the key schedule: 3 more lines for AES-128, 4 for AES-256 */
	union {
		struct aes128_ctx a128;
		struct aes256_ctx a256;
	} aes;
	uint8_t ks[16];                 /* key stream of the last partial block */
	unsigned ks_left;               /* unused bytes at the end of ks */
	unsigned key_len;               /* AES key without the salt: 16 or 32 */
};

struct icm_block {
	srtp_cipher_t c;
	struct icm st;
};

struct mac {
	uint32_t inner[5], outer[5];    /* SHA-1 state after key^ipad, key^opad */
	uint32_t h[5];                  /* the inner hash running */
	uint32_t blocks;                /* 64-byte blocks in h, the ipad one too */
	unsigned fill;                  /* bytes waiting in buf */
	uint8_t buf[SHA1_BLOCK_SIZE];
};

struct mac_block {
	srtp_auth_t a;
	struct mac st;
};

static const srtp_cipher_type_t icm128_type, icm256_type;
static const srtp_auth_type_t mac_type;

/* The first auth allocated on this thread since the last srtp_create()
 * ended: that create's RTP auth (srtp_stream_alloc allocates RTP cipher,
 * RTP auth, RTCP cipher, RTCP auth).  Only ever prefetched: a wrong or
 * stale address costs a useless prefetch, never a fault or a wrong
 * result. */
static _Thread_local const void *made;

static srtp_err_status_t icm_alloc(srtp_cipher_t **cp, int key_len, int tag_len)
{
	const srtp_cipher_type_t *type;
	struct icm_block *b;

	(void)tag_len;
	if (key_len == SRTP_AES_ICM_128_KEY_LEN_WSALT)
		type = &icm128_type;
	else if (key_len == SRTP_AES_ICM_256_KEY_LEN_WSALT)
		type = &icm256_type;
	else
		return srtp_err_status_bad_param;
	if (!(b = calloc(1, sizeof(*b))))
		return srtp_err_status_alloc_fail;
	b->st.key_len = (unsigned)key_len - SRTP_SALT_LEN;
	b->c.type = type;
	b->c.state = &b->st;
	b->c.key_len = key_len;
	b->c.algorithm = type->id;
	*cp = &b->c;
	return srtp_err_status_ok;
}

static srtp_err_status_t icm_dealloc(srtp_cipher_t *c)
{
	struct icm_block *b = (struct icm_block *)c;

	if (b) {
		explicit_bzero(b, sizeof(*b));  /* key schedule and key stream */
		free(b);
	}
	return srtp_err_status_ok;
}

static srtp_err_status_t icm_init(void *state, const uint8_t *key)
{
	struct icm *st = state;

	if (st->key_len == 16) {
		aes128_set_encrypt_key(&st->aes.a128, key);
		st->enc = (nettle_cipher_func *)aes128_encrypt;
	} else {
		aes256_set_encrypt_key(&st->aes.a256, key);
		st->enc = (nettle_cipher_func *)aes256_encrypt;
	}
	memset(st->salt, 0, sizeof(st->salt));
	memcpy(st->salt, key + st->key_len, SRTP_SALT_LEN);
	memcpy(st->ctr, st->salt, sizeof(st->ctr));
	st->ks_left = 0;
	return srtp_err_status_ok;
}

static srtp_err_status_t icm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
	struct icm *st = state;
	uint64_t a[2], b[2];

	(void)dir;
	memcpy(a, st->salt, 16);
	memcpy(b, iv, 16);
	a[0] ^= b[0];
	a[1] ^= b[1];
	memcpy(st->ctr, a, 16);
	st->ks_left = 0;
	return srtp_err_status_ok;
}

/* Encryption and decryption are the same XOR with the key stream. */
static srtp_err_status_t icm_crypt(void *state, uint8_t *buf, unsigned *len)
{
	struct icm *st = state;
	size_t n = *len, take, bulk;

	/* RFC 3711 keeps the block counter in 16 bits: 2^16 blocks at most */
	if (n > 0xffffu * 16u)
		return srtp_err_status_terminus;
	take = n < st->ks_left ? n : st->ks_left;
	if (take) {
		memxor(buf, st->ks + 16 - st->ks_left, take);
		st->ks_left -= (unsigned)take;
		buf += take;
		n -= take;
	}
	bulk = n & ~(size_t)15;
	if (bulk) {
		ctr_crypt(&st->aes, st->enc, 16, st->ctr, bulk, buf, buf);
		buf += bulk;
		n -= bulk;
	}
	if (n) {
		st->enc(&st->aes, 16, st->ks, st->ctr);
		INCREMENT(16, st->ctr);
		memxor(buf, st->ks, n);
		st->ks_left = 16 - (unsigned)n;
	}
	return srtp_err_status_ok;
}

static srtp_err_status_t mac_alloc(srtp_auth_t **ap, int key_len, int out_len)
{
	struct mac_block *b;

	/* keys longer than a block would be hashed first (RFC 2104); SRTP's
	 * are 20 bytes */
	if (key_len < 0 || key_len > SHA1_BLOCK_SIZE || out_len < 0 || out_len > SHA1_DIGEST_SIZE)
		return srtp_err_status_bad_param;
	if (!(b = calloc(1, sizeof(*b))))
		return srtp_err_status_alloc_fail;
	b->a.type = &mac_type;
	b->a.state = &b->st;
	b->a.out_len = out_len;
	b->a.key_len = key_len;
	b->a.prefix_len = 0;
	if (!made)
		made = b;
	*ap = &b->a;
	return srtp_err_status_ok;
}

static srtp_err_status_t mac_dealloc(srtp_auth_t *a)
{
	if (a) {
		explicit_bzero(a, sizeof(struct mac_block));
		free(a);
	}
	return srtp_err_status_ok;
}

static srtp_err_status_t mac_start(void *state)
{
	struct mac *m = state;

	memcpy(m->h, m->inner, sizeof(m->h));
	m->blocks = 1;
	m->fill = 0;
	return srtp_err_status_ok;
}

static srtp_err_status_t mac_init(void *state, const uint8_t *key, int key_len)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	struct mac *m = state;
	uint8_t pad[SHA1_BLOCK_SIZE];

	memset(pad, 0x36, sizeof(pad));
	memxor(pad, key, (size_t)key_len);
	memcpy(m->inner, iv, sizeof(iv));
	nettle_sha1_compress(m->inner, pad);
	memset(pad, 0x5c, sizeof(pad));
	memxor(pad, key, (size_t)key_len);
	memcpy(m->outer, iv, sizeof(iv));
	nettle_sha1_compress(m->outer, pad);
	explicit_bzero(pad, sizeof(pad));
	return mac_start(m);
}

static srtp_err_status_t mac_update(void *state, const uint8_t *p, int len)
{
	struct mac *m = state;
	size_t n = len > 0 ? (size_t)len : 0;

	if (m->fill) {
		size_t take = SHA1_BLOCK_SIZE - m->fill < n ? SHA1_BLOCK_SIZE - m->fill : n;

		memcpy(m->buf + m->fill, p, take);
		m->fill += (unsigned)take;
		p += take;
		n -= take;
		if (m->fill < SHA1_BLOCK_SIZE)
			return srtp_err_status_ok;
		nettle_sha1_compress(m->h, m->buf);
		m->blocks++;
		m->fill = 0;
	}
	for (; n >= SHA1_BLOCK_SIZE; n -= SHA1_BLOCK_SIZE, p += SHA1_BLOCK_SIZE) {
		nettle_sha1_compress(m->h, p);
		m->blocks++;
	}
	if (n) {
		memcpy(m->buf, p, n);
		m->fill = (unsigned)n;
	}
	return srtp_err_status_ok;
}

/* SHA-1's padding: 0x80, zeros, the message length in bits (64-bit big
 * endian) at the end of the last block. */
static srtp_err_status_t mac_compute(void *state, const uint8_t *p, int len,
				      int tag_len, uint8_t *tag)
{
	struct mac *m = state;
	uint64_t bits;
	uint8_t blk[SHA1_BLOCK_SIZE], digest[SHA1_DIGEST_SIZE];
	uint32_t o[5];

	if (tag_len < 0 || tag_len > SHA1_DIGEST_SIZE)
		return srtp_err_status_bad_param;
	mac_update(m, p, len);
	bits = ((uint64_t)m->blocks * SHA1_BLOCK_SIZE + m->fill) * 8;
	m->buf[m->fill++] = 0x80;
	if (m->fill > SHA1_BLOCK_SIZE - 8) {
		memset(m->buf + m->fill, 0, SHA1_BLOCK_SIZE - m->fill);
		nettle_sha1_compress(m->h, m->buf);
		m->fill = 0;
	}
	memset(m->buf + m->fill, 0, SHA1_BLOCK_SIZE - 8 - m->fill);
	WRITE_UINT64(m->buf + SHA1_BLOCK_SIZE - 8, bits);
	nettle_sha1_compress(m->h, m->buf);
	/* outer: H(key^opad || inner digest), one block */
	for (unsigned i = 0; i < 5; i++)
		WRITE_UINT32(blk + 4 * i, m->h[i]);
	blk[SHA1_DIGEST_SIZE] = 0x80;
	memset(blk + SHA1_DIGEST_SIZE + 1, 0, SHA1_BLOCK_SIZE - 8 - SHA1_DIGEST_SIZE - 1);
	WRITE_UINT64(blk + SHA1_BLOCK_SIZE - 8, (uint64_t)(SHA1_BLOCK_SIZE + SHA1_DIGEST_SIZE) * 8);
	memcpy(o, m->outer, sizeof(o));
	nettle_sha1_compress(o, blk);
	for (unsigned i = 0; i < 5; i++)
		WRITE_UINT32(digest + 4 * i, o[i]);
	memcpy(tag, digest, (size_t)tag_len);
	return mac_start(m);
}

/* RFC 3711 B.2 (AES-128) and RFC 6188 7.1 (AES-256): key stream for index 0. */
static const uint8_t icm128_key[30] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
};
static const uint8_t icm128_ks[32] = {
	0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b, 0x4e, 0xb4,
	0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab,
};
static const uint8_t icm256_key[46] = {
	0x57, 0xf8, 0x2f, 0xe3, 0x61, 0x3f, 0xd1, 0x70, 0xa8, 0x5e, 0xc9, 0x3c, 0x40, 0xb1, 0xf0, 0x92,
	0x2e, 0xc4, 0xcb, 0x0d, 0xc0, 0x25, 0xb5, 0x82, 0x72, 0x14, 0x7c, 0xc4, 0x38, 0x94, 0x4a, 0x98,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
};
static const uint8_t icm256_ks[32] = {
	0x92, 0xbd, 0xd2, 0x8a, 0x93, 0xc3, 0xf5, 0x25, 0x11, 0xc6, 0x77, 0xd0, 0x8b, 0x55, 0x15, 0xa4,
	0x9d, 0xa7, 0x1b, 0x23, 0x78, 0xa8, 0x54, 0xf6, 0x70, 0x50, 0x75, 0x6d, 0xed, 0x16, 0x5b, 0xac,
};
static const uint8_t zeros[32];
static uint8_t zero_iv[16];             /* libsrtp2's test case wants it writable */

static const srtp_cipher_test_case_t icm128_test = {
	sizeof(icm128_key), icm128_key, zero_iv, sizeof(zeros), zeros,
	sizeof(icm128_ks), icm128_ks, 0, NULL, 0, NULL,
};
static const srtp_cipher_test_case_t icm256_test = {
	sizeof(icm256_key), icm256_key, zero_iv, sizeof(zeros), zeros,
	sizeof(icm256_ks), icm256_ks, 0, NULL, 0, NULL,
};

/* RFC 2202 test case 1 */
static const uint8_t mac_key[20] = {
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};
static const uint8_t mac_data[8] = { 'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e' };
static const uint8_t mac_tag[20] = {
	0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
	0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00,
};
static const srtp_auth_test_case_t mac_test = {
	sizeof(mac_key), mac_key, sizeof(mac_data), mac_data, sizeof(mac_tag), mac_tag, NULL,
};

static const srtp_cipher_type_t icm128_type = {
	icm_alloc, icm_dealloc, icm_init, NULL, icm_crypt, icm_crypt, icm_set_iv, NULL,
	"AES-128 counter mode (nettle)", &icm128_test, SRTP_AES_ICM_128,
};
static const srtp_cipher_type_t icm256_type = {
	icm_alloc, icm_dealloc, icm_init, NULL, icm_crypt, icm_crypt, icm_set_iv, NULL,
	"AES-256 counter mode (nettle)", &icm256_test, SRTP_AES_ICM_256,
};
static const srtp_auth_type_t mac_type = {
	mac_alloc, mac_dealloc, mac_init, mac_compute, mac_update, mac_start,
	"HMAC-SHA1 (nettle)", &mac_test, SRTP_HMAC_SHA1,
};

/* The end of one srtp_create() (or self-test) on this thread: its RTP
 * auth block goes to *warm (NULL when it is not ours). */
void media_srtp_nettle_created(const void **warm)
{
	if (warm)
		*warm = made;
	made = NULL;
}

/* A packet is coming: ask for its HMAC state's cache lines now. */
void media_srtp_nettle_warm(const void *warm)
{
	for (unsigned i = 0; i < sizeof(struct mac_block); i += LINE)
		__builtin_prefetch((const char *)warm + i);
}

/* After srtp_init(); libsrtp2 self-tests each type before taking it.  Each
 * type stands alone, so a refused one leaves that type on NSS: correct,
 * only slower. */
int media_srtp_nettle_install(void)
{
	int rc = 0;

	if (srtp_replace_cipher_type(&icm128_type, SRTP_AES_ICM_128) != srtp_err_status_ok ||
	    srtp_replace_cipher_type(&icm256_type, SRTP_AES_ICM_256) != srtp_err_status_ok ||
	    srtp_replace_auth_type(&mac_type, SRTP_HMAC_SHA1) != srtp_err_status_ok)
		rc = -1;
	media_srtp_nettle_created(NULL);
	return rc;
}
