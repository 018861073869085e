/*
 * test_static.c -- resolving URLs under the web root (web/static.c).
 */
#include "config.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "web_int.h"

int test_static_serves_files_inside_root(void);
int test_static_refuses_traversal(void);
int test_static_refuses_symlink_out_of_root(void);
int test_static_mime_types(void);

static int make_tree(char *root, size_t len)
{
	char p[PATH_MAX], real[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/www", test_tmpdir());
	if (mkdir(p, 0755))
		return errno;
	if (!realpath(p, real))
		return errno;
	snprintf(root, len, "%s", real);
	snprintf(p, sizeof(p), "%s/index.html", root);
	if (!(f = fopen(p, "w")))
		return errno;
	fputs("<html></html>", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/sub", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sub/index.html", root);
	if (!(f = fopen(p, "w")))
		return errno;
	fclose(f);
	snprintf(p, sizeof(p), "%s/secret.txt", test_tmpdir());
	if (!(f = fopen(p, "w")))
		return errno;
	fputs("outside", f);
	fclose(f);
	return 0;
}

int test_static_serves_files_inside_root(void)
{
	char root[PATH_MAX], out[PATH_MAX], want[PATH_MAX + 32];
	int err;

	err = make_tree(root, sizeof(root));
	TEST_ERR(err);
	TEST_ASSERT(web_static_path(root, "/", out, sizeof(out)));
	snprintf(want, sizeof(want), "%s/index.html", root);
	TEST_STREQ(want, out);
	TEST_ASSERT(web_static_path(root, "/index.html", out, sizeof(out)));
	TEST_ASSERT(web_static_path(root, "/sub", out, sizeof(out)));
	snprintf(want, sizeof(want), "%s/sub/index.html", root);
	TEST_STREQ(want, out);
	TEST_ASSERT(web_static_path(root, "/sub/./index.html", out, sizeof(out)));
	TEST_ASSERT(!web_static_path(root, "/missing.html", out, sizeof(out)));
	TEST_ASSERT(!web_static_path("", "/index.html", out, sizeof(out)));   /* no UI installed */
 out:
	return err;
}

int test_static_refuses_traversal(void)
{
	static const char *const bad[] = {
		"/../secret.txt", "/sub/../../secret.txt", "/..", "/sub/..", "..",
		"/..\\secret.txt", "secret.txt", "/%2e%2e/secret.txt",
	};
	char root[PATH_MAX], out[PATH_MAX];
	int err;

	err = make_tree(root, sizeof(root));
	TEST_ERR(err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (web_static_path(root, bad[i], out, sizeof(out)))
			printf("# served %s as %s\n", bad[i], out);
		TEST_ASSERT(!web_static_path(root, bad[i], out, sizeof(out)));
	}
 out:
	return err;
}

int test_static_refuses_symlink_out_of_root(void)
{
	char root[PATH_MAX], out[PATH_MAX], link[PATH_MAX + 16], target[PATH_MAX];
	int err;

	err = make_tree(root, sizeof(root));
	TEST_ERR(err);
	snprintf(link, sizeof(link), "%s/leak.txt", root);
	snprintf(target, sizeof(target), "%s/secret.txt", test_tmpdir());
	TEST_ERR(symlink(target, link) ? errno : 0);
	TEST_ASSERT(!web_static_path(root, "/leak.txt", out, sizeof(out)));
	/* a sibling folder whose name starts with the root's must not pass the prefix test */
	snprintf(link, sizeof(link), "%s/up", root);
	snprintf(target, sizeof(target), "%s", test_tmpdir());
	TEST_ERR(symlink(target, link) ? errno : 0);
	TEST_ASSERT(!web_static_path(root, "/up/secret.txt", out, sizeof(out)));
 out:
	return err;
}

int test_static_mime_types(void)
{
	int err = 0;

	TEST_STREQ("text/html; charset=utf-8", web_mime_type("/a/index.html"));
	TEST_STREQ("text/css; charset=utf-8", web_mime_type("style.CSS"));
	TEST_STREQ("text/javascript; charset=utf-8", web_mime_type("app.js"));
	TEST_STREQ("image/svg+xml", web_mime_type("favicon.svg"));
	TEST_STREQ("application/octet-stream", web_mime_type("/a.b/noext"));
	TEST_STREQ("application/octet-stream", web_mime_type("file.exe"));
 out:
	return err;
}
