/*
 * secret.c -- see secret.h.  Password hashes use libcrypt's yescrypt ("$y$")
 * with the library's default cost; verification hashes the candidate with the
 * stored setting and compares in constant time.  crypt_rn() writes into a
 * caller-owned struct crypt_data (about 32 KiB), so it lives on the heap.
 */
#include "config.h"
#include <crypt.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "secret.h"

int secret_random(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return EIO;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int secret_password(char *out, size_t len)
{
	static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	const size_t na = sizeof(alphabet) - 1;         /* 57 */

	for (size_t i = 0; i < len; i++) {
		unsigned char b;

		/* rejection sampling keeps the choice uniform: 228 = 4 * 57 */
		do {
			if (secret_random(&b, 1))
				return EIO;
		} while (b >= 228);
		out[i] = alphabet[b % na];
	}
	out[len] = '\0';
	return 0;
}

int secret_token_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[64];

	if (nbytes > sizeof(buf))
		return EINVAL;
	if (secret_random(buf, nbytes))
		return EIO;
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hex[buf[i] >> 4];
		out[2 * i + 1] = hex[buf[i] & 15];
	}
	out[2 * nbytes] = '\0';
	return 0;
}

int secret_hash_password(const char *pw, char *out, size_t outlen)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int rc = 0;

	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, setting, sizeof(setting)))
		return errno ? errno : EINVAL;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return ENOMEM;
	h = crypt_rn(pw, setting, cd, sizeof(*cd));
	if (!h || h[0] == '*')
		rc = EINVAL;
	else if (strlen(h) >= outlen)
		rc = ENOSPC;
	else
		strcpy(out, h);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

bool secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = (unsigned char)(la != lb);

	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return diff == 0 && lb > 0;
}

bool secret_verify_password(const char *pw, const char *hash)
{
	struct crypt_data *cd;
	const char *h;
	bool ok = false;

	if (!hash || hash[0] != '$')
		return false;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	h = crypt_rn(pw, hash, cd, sizeof(*cd));
	if (h && h[0] != '*')
		ok = secret_equal(h, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

int secret_sha256_hex(const char *s, char *out)
{
	unsigned char d[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, s, strlen(s), d) < 0)
		return EIO;
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return 0;
}
