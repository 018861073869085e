/*
 * tls.c -- the HTTPS listener's certificate.  An admin may configure one
 * (tls_cert/tls_key in the bootstrap file); otherwise the daemon makes a
 * self-signed one at first start (ECDSA P-256, SHA-256, ten years, the host
 * name and "localhost" as names) and keeps it in the state folder, so a
 * browser that was told to trust it keeps trusting it across restarts.
 * GnuTLS, as libmicrohttpd uses it.  Main thread, at start.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#define LOG_MODULE "web"
#include "log.h"
#include "secret.h"
#include "web.h"

static int write_pem(const char *path, const gnutls_datum_t *d, mode_t mode)
{
	char tmp[4200];
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return errno;
	if (write(fd, d->data, d->size) != (ssize_t)d->size || fsync(fd))
		rc = errno ? errno : EIO;
	close(fd);
	if (!rc && rename(tmp, path))
		rc = errno;
	if (rc)
		unlink(tmp);
	return rc;
}

static int make_selfsigned(const char *cert_path, const char *key_path, char *err, size_t errlen)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kpem = { 0 }, cpem = { 0 };
	unsigned char serial[16];
	char host[256] = "trunkgate";
	time_t now = time(NULL);
	int g, rc = 0;

	gethostname(host, sizeof(host) - 1);
	if (secret_random(serial, sizeof(serial)))
		return EIO;
	serial[0] &= 0x7f;              /* a positive number */
	if ((g = gnutls_x509_privkey_init(&key)) ||
	    (g = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
					      GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) ||
	    (g = gnutls_x509_crt_init(&crt)) ||
	    (g = gnutls_x509_crt_set_version(crt, 3)) ||
	    (g = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) ||
	    (g = gnutls_x509_crt_set_activation_time(crt, now - 3600)) ||
	    (g = gnutls_x509_crt_set_expiration_time(crt, now + 3650L * 86400)) ||
	    (g = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, host,
					       (unsigned)strlen(host))) ||
	    (g = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
					       "trunkgate (self-signed)", 23)) ||
	    (g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, host,
						      (unsigned)strlen(host), GNUTLS_FSAN_SET)) ||
	    (g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
						      GNUTLS_FSAN_APPEND)) ||
	    (g = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) ||
	    (g = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) ||
	    (g = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) ||
	    (g = gnutls_x509_crt_set_key(crt, key)) ||
	    (g = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) ||
	    (g = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kpem)) ||
	    (g = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem))) {
		snprintf(err, errlen, "cannot make a self-signed certificate: %s", gnutls_strerror(g));
		rc = EIO;
	}
	if (!rc && (rc = write_pem(key_path, &kpem, 0600)))
		snprintf(err, errlen, "cannot write %s: %s", key_path, strerror(rc));
	if (!rc && (rc = write_pem(cert_path, &cpem, 0644)))
		snprintf(err, errlen, "cannot write %s: %s", cert_path, strerror(rc));
	if (!rc)
		log_info("made a self-signed certificate for %s in %s (replace it with your own: "
			 "tls_cert/tls_key)", host, cert_path);
	gnutls_free(kpem.data);
	gnutls_free(cpem.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return rc;
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	long n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < 1 << 20 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (!buf)
		snprintf(err, errlen, "%s: empty, too big or unreadable", path);
	fclose(f);
	return buf;
}

/* Does the key match the certificate, and do both parse? */
static int check_pair(const char *cert, const char *key, const char *cert_path, char *err,
		      size_t errlen)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t c = { (unsigned char *)cert, (unsigned)strlen(cert) };
	gnutls_datum_t k = { (unsigned char *)key, (unsigned)strlen(key) };
	int g;

	if (gnutls_certificate_allocate_credentials(&cred))
		return ENOMEM;
	g = gnutls_certificate_set_x509_key_mem(cred, &c, &k, GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (g < 0) {
		snprintf(err, errlen, "%s and its key: %s", cert_path, gnutls_strerror(g));
		return EINVAL;
	}
	return 0;
}

int web_tls_load(const char *cert_path, const char *key_path, char **certp, char **keyp,
		 char *err, size_t errlen)
{
	struct stat st;
	int rc;

	*certp = *keyp = NULL;
	if (stat(cert_path, &st) && errno == ENOENT && stat(key_path, &st) && errno == ENOENT) {
		rc = make_selfsigned(cert_path, key_path, err, errlen);
		if (rc)
			return rc;
	}
	*certp = read_file(cert_path, err, errlen);
	*keyp = *certp ? read_file(key_path, err, errlen) : NULL;
	rc = *keyp ? check_pair(*certp, *keyp, cert_path, err, errlen) : EINVAL;
	if (rc) {
		free(*certp);
		if (*keyp)
			explicit_bzero(*keyp, strlen(*keyp));
		free(*keyp);
		*certp = *keyp = NULL;
	}
	return rc;
}
