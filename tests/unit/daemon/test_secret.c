/*
 * test_secret.c -- password hashing, generated passwords and tokens.
 */
#include "config.h"
#include <ctype.h>
#include <stdio.h>

#include "secret.h"
#include "test.h"

int test_secret_password_hash_verifies_and_rejects(void);
int test_secret_generated_password_uses_unambiguous_alphabet(void);
int test_secret_token_hex_is_random_hex(void);
int test_secret_equal_compares_whole_strings(void);

int test_secret_password_hash_verifies_and_rejects(void)
{
	char h1[SECRET_HASH_LEN], h2[SECRET_HASH_LEN];
	int err;

	err = secret_hash_password("correct horse", h1, sizeof(h1));
	TEST_ERR(err);
	err = secret_hash_password("correct horse", h2, sizeof(h2));
	TEST_ERR(err);
	TEST_ASSERT(strncmp(h1, "$y$", 3) == 0);        /* yescrypt */
	TEST_ASSERT(strcmp(h1, h2) != 0);               /* salted */
	TEST_ASSERT(secret_verify_password("correct horse", h1));
	TEST_ASSERT(secret_verify_password("correct horse", h2));
	TEST_ASSERT(!secret_verify_password("correct horsE", h1));
	TEST_ASSERT(!secret_verify_password("", h1));
	TEST_ASSERT(!secret_verify_password("correct horse", "plaintext"));
	TEST_ASSERT(!secret_verify_password("correct horse", ""));
 out:
	return err;
}

int test_secret_generated_password_uses_unambiguous_alphabet(void)
{
	char a[17], b[17];
	int err;

	err = secret_password(a, 16);
	TEST_ERR(err);
	err = secret_password(b, 16);
	TEST_ERR(err);
	TEST_EQ(16, strlen(a));
	TEST_ASSERT(strcmp(a, b) != 0);
	for (const char *p = a; *p; p++) {
		TEST_ASSERT(isalnum((unsigned char)*p));
		TEST_ASSERT(!strchr("0O1lI", *p));
	}
 out:
	return err;
}

int test_secret_token_hex_is_random_hex(void)
{
	char a[65], b[65];
	int err;

	err = secret_token_hex(a, 32);
	TEST_ERR(err);
	err = secret_token_hex(b, 32);
	TEST_ERR(err);
	TEST_EQ(64, strlen(a));
	TEST_EQ(64, strspn(a, "0123456789abcdef"));
	TEST_ASSERT(strcmp(a, b) != 0);
	TEST_EQ(EINVAL, secret_token_hex(a, 65));
 out:
	return err;
}

int test_secret_equal_compares_whole_strings(void)
{
	int err = 0;

	TEST_ASSERT(secret_equal("abc", "abc"));
	TEST_ASSERT(!secret_equal("abc", "abd"));
	TEST_ASSERT(!secret_equal("abc", "abcd"));
	TEST_ASSERT(!secret_equal("abcd", "abc"));
	TEST_ASSERT(!secret_equal("", ""));             /* an empty secret never matches */
	TEST_ASSERT(!secret_equal("a", ""));
 out:
	return err;
}
