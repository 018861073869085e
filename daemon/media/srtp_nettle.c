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
 * arithmetic on nettle (GnuTLS's crypto library, AES-NI when the CPU has it)
 * with key schedules expanded once per key and nothing allocated per packet.
 * The packet format, key derivation and replay handling stay libsrtp2's.
 *
 * libsrtp2 runs each type's self-test (RFC 3711 B.2, RFC 6188 7 and RFC 2202
 * vectors below) before it accepts the replacement; a failure keeps NSS.
 * The SRTP key stream: counter = (salt || 0x0000) XOR iv, AES of successive
 * counters (RFC 3711 4.1.1); a keystream may be consumed over several
 * encrypt calls after one set_iv (libsrtp2's KDF and prefix output do).
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/hmac.h>
#include <nettle/macros.h>
#include <nettle/memxor.h>
#include <srtp2/srtp.h>
#include <srtp2/cipher.h>
#include <srtp2/auth.h>

#include "media_int.h"

struct icm {
	union {
		struct aes128_ctx a128;
		struct aes256_ctx a256;
	} aes;
	nettle_cipher_func *enc;
	unsigned key_len;               /* AES key without the salt: 16 or 32 */
	uint8_t salt[16];               /* 14 salt bytes, then 0x0000 */
	uint8_t ctr[16];
	uint8_t ks[16];                 /* key stream of the last partial block */
	unsigned ks_left;               /* unused bytes at the end of ks */
};

struct hmac {
	struct hmac_sha1_ctx h;
	bool dirty;                     /* data absorbed since the last digest */
};

static const srtp_cipher_type_t icm128_type, icm256_type;
static const srtp_auth_type_t mac_type;

static srtp_err_status_t icm_alloc(srtp_cipher_t **cp, int key_len, int tag_len)
{
	const srtp_cipher_type_t *type;
	srtp_cipher_t *c;
	struct icm *st;

	(void)tag_len;
	if (key_len == SRTP_AES_ICM_128_KEY_LEN_WSALT)
		type = &icm128_type;
	else if (key_len == SRTP_AES_ICM_256_KEY_LEN_WSALT)
		type = &icm256_type;
	else
		return srtp_err_status_bad_param;
	c = calloc(1, sizeof(*c));
	st = calloc(1, sizeof(*st));
	if (!c || !st) {
		free(c);
		free(st);
		return srtp_err_status_alloc_fail;
	}
	st->key_len = (unsigned)key_len - SRTP_SALT_LEN;
	c->type = type;
	c->state = st;
	c->key_len = key_len;
	c->algorithm = type->id;
	*cp = c;
	return srtp_err_status_ok;
}

static srtp_err_status_t icm_dealloc(srtp_cipher_t *c)
{
	if (c) {
		/* key schedule and key stream */
		memset(c->state, 0, sizeof(struct icm));
		free(c->state);
		free(c);
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

	(void)dir;
	for (unsigned i = 0; i < 16; i++)
		st->ctr[i] = st->salt[i] ^ iv[i];
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
	srtp_auth_t *a;
	struct hmac *st;

	if (key_len < 0 || key_len > SHA1_DIGEST_SIZE || out_len < 0 || out_len > SHA1_DIGEST_SIZE)
		return srtp_err_status_bad_param;
	a = calloc(1, sizeof(*a));
	st = calloc(1, sizeof(*st));
	if (!a || !st) {
		free(a);
		free(st);
		return srtp_err_status_alloc_fail;
	}
	a->type = &mac_type;
	a->state = st;
	a->out_len = out_len;
	a->key_len = key_len;
	a->prefix_len = 0;
	*ap = a;
	return srtp_err_status_ok;
}

static srtp_err_status_t mac_dealloc(srtp_auth_t *a)
{
	if (a) {
		memset(a->state, 0, sizeof(struct hmac));
		free(a->state);
		free(a);
	}
	return srtp_err_status_ok;
}

static srtp_err_status_t mac_init(void *state, const uint8_t *key, int key_len)
{
	struct hmac *st = state;

	hmac_sha1_set_key(&st->h, (size_t)key_len, key);
	st->dirty = false;
	return srtp_err_status_ok;
}

static srtp_err_status_t mac_start(void *state)
{
	struct hmac *st = state;
	uint8_t scratch[SHA1_DIGEST_SIZE];

	/* a digest resets nettle's context to the keyed inner state */
	if (st->dirty)
		hmac_sha1_digest(&st->h, sizeof(scratch), scratch);
	st->dirty = false;
	return srtp_err_status_ok;
}

static srtp_err_status_t mac_update(void *state, const uint8_t *buf, int len)
{
	struct hmac *st = state;

	hmac_sha1_update(&st->h, (size_t)len, buf);
	st->dirty = true;
	return srtp_err_status_ok;
}

static srtp_err_status_t mac_compute(void *state, const uint8_t *buf, int len,
				      int tag_len, uint8_t *tag)
{
	struct hmac *st = state;

	if (tag_len < 0 || tag_len > SHA1_DIGEST_SIZE)
		return srtp_err_status_bad_param;
	hmac_sha1_update(&st->h, (size_t)len, buf);
	hmac_sha1_digest(&st->h, (size_t)tag_len, tag);
	st->dirty = false;
	return srtp_err_status_ok;
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

/* After srtp_init(); libsrtp2 self-tests each type before taking it.  Each
 * type stands alone, so a refused one leaves that type on NSS: correct,
 * only slower. */
int media_srtp_nettle_install(void)
{
	if (srtp_replace_cipher_type(&icm128_type, SRTP_AES_ICM_128) != srtp_err_status_ok)
		return -1;
	if (srtp_replace_cipher_type(&icm256_type, SRTP_AES_ICM_256) != srtp_err_status_ok ||
	    srtp_replace_auth_type(&mac_type, SRTP_HMAC_SHA1) != srtp_err_status_ok)
		return -1;
	return 0;
}
