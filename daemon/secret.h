/*
 * secret.h -- random tokens and password hashing (yescrypt through libcrypt).
 * Any thread: nothing here keeps state.
 */
#ifndef TG_SECRET_H
#define TG_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_HASH_LEN 256

/* n random bytes from the kernel (getrandom); EIO if it fails. */
int secret_random(void *buf, size_t n);
/* A random string of len characters from an unambiguous alphabet, for
 * generated passwords (no 0/O, 1/l/I).  out has room for len + 1. */
int secret_password(char *out, size_t len);
/* 2*nbytes hex characters of randomness, for session and API tokens. */
int secret_token_hex(char *out, size_t nbytes);
/* yescrypt hash of pw into out (SECRET_HASH_LEN). */
int secret_hash_password(const char *pw, char *out, size_t outlen);
/* Does pw match the stored hash?  Constant time in the comparison. */
bool secret_verify_password(const char *pw, const char *hash);
/* SHA-256 of s as 64 lowercase hex characters (out has 65): how API tokens
 * are stored.  Tokens carry 192 random bits, so a fast hash is enough. */
int secret_sha256_hex(const char *s, char *out);
/* Constant-time comparison of two NUL-terminated strings. */
bool secret_equal(const char *a, const char *b);

#endif
