/*
 * static.c -- the admin UI's files from the web root.  A path is served only
 * if, after resolving every "..", symlink and percent-escape (MHD has already
 * decoded the URL), it is a regular file inside the web root; anything else
 * is a 404 that does not say why.  HTTP threads.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MODULE "web"
#include "log.h"
#include "web_int.h"

static const struct {
	const char *ext;
	const char *type;
} mime[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "ico", "image/x-icon" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "woff2", "font/woff2" },
	{ "yaml", "application/yaml" },
	{ "mib", "text/plain; charset=utf-8" },
};

const char *web_mime_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');

	if (dot && (!slash || dot > slash)) {
		for (size_t i = 0; i < sizeof(mime) / sizeof(mime[0]); i++)
			if (strcasecmp(dot + 1, mime[i].ext) == 0)
				return mime[i].type;
	}
	return "application/octet-stream";
}

bool web_static_path(const char *root, const char *url, char *out, size_t outlen)
{
	char joined[PATH_MAX + 16], real[PATH_MAX];
	size_t rootlen = strlen(root);
	struct stat st;

	if (!root[0] || url[0] != '/' || strstr(url, "/../") || strstr(url, "\\") ||
	    (strlen(url) >= 3 && strcmp(url + strlen(url) - 3, "/..") == 0))
		return false;
	if ((size_t)snprintf(joined, sizeof(joined), "%s%s", root, url) >= sizeof(joined))
		return false;
	if (joined[strlen(joined) - 1] == '/')
		strncat(joined, "index.html", sizeof(joined) - strlen(joined) - 1);
	if (!realpath(joined, real))
		return false;
	if (stat(real, &st) == 0 && S_ISDIR(st.st_mode)) {
		strncat(real, "/index.html", sizeof(real) - strlen(real) - 1);
		if (stat(real, &st) != 0)
			return false;
	}
	/* the resolved file must sit strictly inside the root */
	if (strncmp(real, root, rootlen) != 0 || real[rootlen] != '/')
		return false;
	if (stat(real, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	if (strlen(real) >= outlen)
		return false;
	strcpy(out, real);
	return true;
}

enum MHD_Result web_static(struct web_req *r)
{
	struct MHD_Response *resp;
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (!web_static_path(r->web->web_root, r->url, path, sizeof(path)))
		return web_reply_error(r, 404, "not_found", NULL, "not found");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return web_reply_error(r, 404, "not_found", NULL, "not found");
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);   /* owns fd now */
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", web_mime_type(path));
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	return web_queue(r, 200, resp);
}
