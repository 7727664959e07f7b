/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtsp_msg.c - see rtsp_msg.h. */
#include "proto/rtsp_msg.h"

#include "proto/sdp.h"
#include "util/http.h"
#include "util/md5.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const method_names[] = {
	"", "OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER",
	"SET_PARAMETER", "ANNOUNCE", "RECORD", "REDIRECT",
};

const char *rtsp_method_name(int m)
{
	return m > 0 && m < (int)(sizeof method_names / sizeof method_names[0]) ?
	       method_names[m] : "";
}

/* Copy a header value into dst[cap]; -EINVAL when it does not fit. */
static int copy_value(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		return -EINVAL;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int is_name(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && !strncasecmp(s, name, n);
}

/* Where the fields we read go (NULL: not read here). */
struct fields {
	char *cseq, *session, *transport, *auth;
	size_t auth_cap;
	const char *auth_name;      /* "Authorization" or "WWW-Authenticate" */
	unsigned long *content_length;
};

/* One header field "Name: value" (RFC 2326 4.2); unknown ones are skipped. */
static int header(const struct fields *f, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n), *v;
	size_t nl, vl, i;

	if (!colon || colon == s)
		return -EINVAL;
	nl = (size_t)(colon - s);
	for (i = 0; i < nl; i++)
		if (!http_tchar((unsigned char)s[i]))
			return -EINVAL;
	v = colon + 1;
	vl = n - nl - 1;
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	for (i = 0; i < vl; i++)        /* 15.1: no CTLs in field values */
		if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
			return -EINVAL;
	if (is_name(s, nl, "CSeq")) {
		if (!vl)
			return -EINVAL;
		for (i = 0; i < vl; i++)
			if (v[i] < '0' || v[i] > '9')
				return -EINVAL;
		return copy_value(f->cseq, RTSP_CSEQ_MAX, v, vl);
	}
	if (is_name(s, nl, "Session")) {
		const char *semi = memchr(v, ';', vl);

		return copy_value(f->session, RTSP_SESSION_MAX, v,
				  semi ? (size_t)(semi - v) : vl);
	}
	if (f->transport && is_name(s, nl, "Transport"))
		return copy_value(f->transport, RTSP_TRANSPORT_MAX, v, vl);
	if (is_name(s, nl, f->auth_name)) {
		/* several challenges: Digest is the one we answer */
		if (!strncasecmp(f->auth, "Digest ", 7))
			return 0;
		return copy_value(f->auth, f->auth_cap, v, vl);
	}
	if (is_name(s, nl, "Content-Length")) {
		unsigned long cl = 0;

		if (!vl || vl > 9)
			return -EINVAL;
		for (i = 0; i < vl; i++) {
			if (v[i] < '0' || v[i] > '9')
				return -EINVAL;
			cl = cl * 10 + (unsigned long)(v[i] - '0');
		}
		*f->content_length = cl;
	}
	return 0;
}

/* The end of the head in buf[0..n) (RFC 2326 6: an empty line), or NULL. */
static const char *head_end(const char *buf, size_t n)
{
	size_t i, lim = n < RTSP_HEAD_MAX ? n : RTSP_HEAD_MAX;

	for (i = 0; i < lim; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < lim && buf[i + 1] == '\n')
			return buf + i + 2;
		if (i + 2 < lim && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return buf + i + 3;
	}
	return NULL;
}

/* The first line's end (its CR or LF) and the next line's start. */
static const char *line_end(const char *p, const char *end, const char **next)
{
	const char *eol = memchr(p, '\n', (size_t)(end - p));

	*next = eol + 1;
	return eol > p && eol[-1] == '\r' ? eol - 1 : eol;
}

/* 4.2 header fields from p to the empty line; folded lines continue the
 * last field (none we read is ever folded by a client). */
static int headers(const struct fields *f, const char *p, const char *end)
{
	const char *line, *next;
	int ret;

	for (; p < end; p = next) {
		line = line_end(p, end, &next);
		if (line == p)
			break;
		if (*p == ' ' || *p == '\t')
			continue;
		ret = header(f, p, (size_t)(line - p));
		if (ret)
			return ret;
	}
	return 0;
}

int rtsp_parse_request(const char *buf, size_t n, struct rtsp_req *r)
{
	const char *end = head_end(buf, n), *line, *next, *sp1, *sp2;
	struct fields f = { r->cseq, r->session, r->transport, r->auth, sizeof r->auth,
			    "Authorization", &r->content_length };
	size_t i, ml, ul;
	int m, ret;

	if (!end)
		return n >= RTSP_HEAD_MAX ? -E2BIG : 0;
	memset(r, 0, sizeof *r);
	/* 6.1: Request-Line = Method SP Request-URI SP RTSP-Version CRLF */
	line = line_end(buf, end, &next);
	sp1 = memchr(buf, ' ', (size_t)(line - buf));
	if (!sp1)
		return -EINVAL;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(line - sp1 - 1));
	if (!sp2)
		return -EINVAL;
	ml = (size_t)(sp1 - buf);
	ul = (size_t)(sp2 - sp1 - 1);
	if (!ml || ml > 32 || !ul)
		return -EINVAL;
	for (i = 0; i < ml; i++)
		if (!http_tchar((unsigned char)buf[i]))
			return -EINVAL;
	for (i = 0; i < ul; i++)
		if ((unsigned char)sp1[1 + i] <= 0x20 || (unsigned char)sp1[1 + i] > 0x7e)
			return -EINVAL;
	if ((size_t)(line - sp2 - 1) < 5 || memcmp(sp2 + 1, "RTSP/", 5))
		return -EINVAL;         /* not RTSP at all */
	r->version_ok = (size_t)(line - sp2 - 1) == 8 && !memcmp(sp2 + 1, "RTSP/1.0", 8);
	for (m = 1; m < (int)(sizeof method_names / sizeof method_names[0]); m++)
		if (strlen(method_names[m]) == ml && !memcmp(buf, method_names[m], ml))
			r->method = m;
	if (ul >= sizeof r->uri)
		return -ENAMETOOLONG;
	memcpy(r->uri, sp1 + 1, ul);
	r->uri[ul] = '\0';
	ret = headers(&f, next, end);
	return ret ? ret : (int)(end - buf);
}

int rtsp_parse_response(const char *buf, size_t n, struct rtsp_resp *r)
{
	const char *end = head_end(buf, n), *line, *next;
	struct fields f = { r->cseq, r->session, NULL, r->challenge, sizeof r->challenge,
			    "WWW-Authenticate", &r->content_length };
	int ret;

	if (!end)
		return n >= RTSP_HEAD_MAX ? -E2BIG : 0;
	memset(r, 0, sizeof *r);
	/* 7.1: Status-Line = RTSP-Version SP Status-Code SP Reason-Phrase */
	line = line_end(buf, end, &next);
	if (line - buf < 12 || memcmp(buf, "RTSP/1.0 ", 9) || buf[12] != ' ' ||
	    buf[9] < '1' || buf[9] > '5' || buf[10] < '0' || buf[10] > '9' ||
	    buf[11] < '0' || buf[11] > '9')
		return -EINVAL;
	r->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	ret = headers(&f, next, end);
	return ret ? ret : (int)(end - buf);
}

long rtsp_interleaved(const char *in, size_t n, size_t *skip)
{
	size_t used;

	if (!*skip) {
		if (in[0] != '$')
			return -1;
		if (n < 4)
			return 0;
		*skip = 4 + ((size_t)(uint8_t)in[2] << 8 | (uint8_t)in[3]);
	}
	used = *skip < n ? *skip : n;
	*skip -= used;
	return (long)used;
}

/* The path of a URI: "rtsp://host[:port]/a/b?q" -> "a/b"; a relative
 * "a/b" or "/a/b" too.  Trailing slashes and the query are left out. */
static size_t uri_path(const char *uri, const char **path)
{
	const char *p = uri, *q;
	size_t n;

	if (!strncasecmp(p, "rtsp://", 7) || !strncasecmp(p, "rtspu://", 8)) {
		p = strchr(p + 7, '/');
		if (!p)
			p = "";
	}
	while (*p == '/')
		p++;
	q = strchr(p, '?');
	n = q ? (size_t)(q - p) : strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	*path = p;
	return n;
}

int rtsp_uri_target(const char *uri, const char *name)
{
	const char *p;
	size_t n = uri_path(uri, &p), nl = strlen(name);

	if (!strcmp(uri, "*"))
		return RTSP_T_ANY;
	if (n == nl && !memcmp(p, name, n))
		return RTSP_T_STREAM;
	/* a=control:trackID=0 resolved against Content-Base, or sent bare */
	if (n == nl + 10 && !memcmp(p, name, nl) && !memcmp(p + nl, "/trackID=0", 10))
		return RTSP_T_TRACK;
	if (n == 9 && !memcmp(p, "trackID=0", 9))
		return RTSP_T_TRACK;
	return RTSP_T_NONE;
}

/* "a" or "a-b" (numbers < 65536); *b = a + 1 when absent. */
static int port_pair(const char *s, size_t n, unsigned *a, unsigned *b)
{
	char tmp[16], *e1, *e2;
	unsigned long x, y;

	if (!n || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (tmp[0] < '0' || tmp[0] > '9')
		return -1;
	x = strtoul(tmp, &e1, 10);
	y = x + 1;
	if (*e1 == '-') {
		if (e1[1] < '0' || e1[1] > '9')
			return -1;
		y = strtoul(e1 + 1, &e2, 10);
		e1 = e2;
	}
	if (*e1 || x > 65535 || y > 65535)
		return -1;
	*a = (unsigned)x;
	*b = (unsigned)y;
	return 0;
}

/* One transport spec (no commas): 0 when usable. */
static int one_spec(const char *s, size_t n, int allow_udp, int allow_tcp,
		    struct rtsp_transport *t)
{
	const char *e = s + n, *p, *semi;
	int have_ports = 0, have_ch = 0;
	size_t k;

	memset(t, 0, sizeof *t);
	semi = memchr(s, ';', n);
	k = semi ? (size_t)(semi - s) : n;
	/* 12.39: transport-protocol/profile[/lower-transport] */
	if (is_name(s, k, "RTP/AVP") || is_name(s, k, "RTP/AVP/UDP"))
		t->tcp = 0;
	else if (is_name(s, k, "RTP/AVP/TCP"))
		t->tcp = 1;
	else
		return -1;
	for (p = semi ? semi + 1 : e; p < e; p = semi ? semi + 1 : e) {
		const char *eq;
		size_t pl;

		semi = memchr(p, ';', (size_t)(e - p));
		pl = semi ? (size_t)(semi - p) : (size_t)(e - p);
		eq = memchr(p, '=', pl);
		k = eq ? (size_t)(eq - p) : pl;
		if (is_name(p, k, "multicast"))
			return -1;              /* unicast only */
		if (is_name(p, k, "client_port") && eq) {
			if (port_pair(eq + 1, pl - k - 1, &t->rtp_port, &t->rtcp_port))
				return -1;
			have_ports = 1;
		} else if (is_name(p, k, "interleaved") && eq) {
			unsigned a, b;

			if (port_pair(eq + 1, pl - k - 1, &a, &b) || a > 255 || b > 255)
				return -1;
			t->ch_rtp = (int)a;
			t->ch_rtcp = (int)b;
			have_ch = 1;
		} else if (is_name(p, k, "mode") && eq) {
			const char *v = eq + 1;
			size_t vl = pl - k - 1;

			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
				v++, vl -= 2;
			if (is_name(v, vl, "record") || is_name(v, vl, "receive"))
				t->record = 1;
			else if (!is_name(v, vl, "play"))
				return -1;
		}
	}
	if (t->tcp) {
		if (!allow_tcp)
			return -1;
		if (!have_ch)
			t->ch_rtp = 0, t->ch_rtcp = 1;
		return 0;
	}
	return allow_udp && have_ports && t->rtp_port ? 0 : -1;
}

int rtsp_transport_pick(const char *v, int allow_udp, int allow_tcp,
			struct rtsp_transport *t)
{
	const char *p = v, *comma;

	for (; *p; p = comma ? comma + 1 : p + strlen(p)) {
		size_t n;

		while (*p == ' ')
			p++;
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		while (n && p[n - 1] == ' ')
			n--;
		if (!one_spec(p, n, allow_udp, allow_tcp, t))
			return 0;
	}
	return -1;
}

const char *rtsp_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Request Entity Too Large";
	case 414: return "Request-URI Too Large";
	case 453: return "Not Enough Bandwidth";
	case 454: return "Session Not Found";
	case 455: return "Method Not Valid in This State";
	case 459: return "Aggregate Operation Not Allowed";
	case 461: return "Unsupported Transport";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "RTSP Version Not Supported";
	default: return "Unknown";
	}
}

/* ---- authentication ------------------------------------------------- */

size_t rtsp_auth_challenge(char *buf, size_t cap, int kind, const char *realm,
			   const char *nonce)
{
	int n = kind == RTSP_AUTH_DIGEST ?
		snprintf(buf, cap, "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", "
			 "algorithm=MD5\r\n", realm, nonce) :
		snprintf(buf, cap, "WWW-Authenticate: Basic realm=\"%s\"\r\n", realm);

	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* Equal without an early exit (the response digest is a secret's image). */
static int same(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

/* RFC 7616 3.4: find key="value" or key=value in a Digest parameter list;
 * the value (quotes removed) into out[cap].  0, or -1 when absent. */
static int digest_param(const char *s, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);

	while (*s) {
		const char *k, *ke, *v, *ve;

		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		k = s;
		while (*s && *s != '=' && *s != ',')
			s++;
		if (*s != '=')
			continue;
		ke = s;
		v = ++s;
		if (*v == '"') {
			v++;
			ve = strchr(v, '"');
			if (!ve)
				return -1;
			s = ve + 1;
		} else {
			ve = v + strcspn(v, ", \t");
			s = ve;
		}
		if ((size_t)(ke - k) == kl && !strncasecmp(k, key, kl)) {
			if ((size_t)(ve - v) >= cap)
				return -1;
			memcpy(out, v, (size_t)(ve - v));
			out[ve - v] = '\0';
			return 0;
		}
	}
	return -1;
}

/* RFC 7616 3.4.1: the response for user:pass (pass = userpass after the
 * first ':'); qop NULL for the RFC 2069 form.  0, or -1 when too long. */
static int digest_hex(const char *userpass, const char *realm, const char *nonce,
		      const char *method, const char *uri, const char *qop, const char *nc,
		      const char *cnonce, char out[33])
{
	const char *colon = strchr(userpass, ':');
	char ha1[33], ha2[33], tmp[1024];
	int n;

	if (!colon)
		return -1;
	/* HA1 = MD5(user:realm:password), HA2 = MD5(method:uri) */
	n = snprintf(tmp, sizeof tmp, "%.*s:%s:%s", (int)(colon - userpass), userpass, realm,
		     colon + 1);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -1;
	md5_hex(tmp, (size_t)n, ha1);
	n = snprintf(tmp, sizeof tmp, "%s:%s", method, uri);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -1;
	md5_hex(tmp, (size_t)n, ha2);
	if (qop)        /* MD5(HA1:nonce:nc:cnonce:qop:HA2) */
		n = snprintf(tmp, sizeof tmp, "%s:%s:%s:%s:%s:%s", ha1, nonce, nc, cnonce, qop,
			     ha2);
	else            /* MD5(HA1:nonce:HA2) */
		n = snprintf(tmp, sizeof tmp, "%s:%s:%s", ha1, nonce, ha2);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -1;
	md5_hex(tmp, (size_t)n, out);
	return 0;
}

static int digest_ok(const char *userpass, const char *realm, const char *nonce,
		     const char *method, const char *params)
{
	char user[128], rlm[128], non[128], uri[RTSP_URI_MAX], resp[40], qop[16], nc[16];
	char cnonce[128], alg[16], want[33];
	const char *colon = strchr(userpass, ':');
	size_t ul = colon ? (size_t)(colon - userpass) : 0;
	int i, has_qop;

	if (!colon || digest_param(params, "username", user, sizeof user) ||
	    digest_param(params, "realm", rlm, sizeof rlm) ||
	    digest_param(params, "nonce", non, sizeof non) ||
	    digest_param(params, "uri", uri, sizeof uri) ||
	    digest_param(params, "response", resp, sizeof resp) || strlen(resp) != 32)
		return 0;
	if (!digest_param(params, "algorithm", alg, sizeof alg) && strcasecmp(alg, "MD5"))
		return 0;
	if (strlen(user) != ul || memcmp(user, userpass, ul) || strcmp(rlm, realm) ||
	    strcmp(non, nonce))
		return 0;
	has_qop = !digest_param(params, "qop", qop, sizeof qop);
	if (has_qop && (strcasecmp(qop, "auth") || digest_param(params, "nc", nc, sizeof nc) ||
			digest_param(params, "cnonce", cnonce, sizeof cnonce)))
		return 0;
	if (digest_hex(userpass, realm, nonce, method, uri, has_qop ? qop : NULL, nc, cnonce,
		       want))
		return 0;
	for (i = 0; i < 32; i++)
		if (resp[i] >= 'A' && resp[i] <= 'F')
			resp[i] = (char)(resp[i] - 'A' + 'a');
	return same(resp, want, 32);
}

size_t rtsp_auth_answer(char *buf, size_t cap, const char *challenge, const char *userpass,
			const char *method, const char *uri, const char *cnonce)
{
	const char *colon = strchr(userpass, ':');
	int n = -1;

	if (!colon)
		return 0;
	if (!strncasecmp(challenge, "Digest ", 7)) {
		char realm[128], nonce[128], qop[64], opaque[128], resp[33];
		int auth_qop = !digest_param(challenge + 7, "qop", qop, sizeof qop) &&
			       strstr(qop, "auth");
		int has_opaque = !digest_param(challenge + 7, "opaque", opaque, sizeof opaque);

		if (digest_param(challenge + 7, "realm", realm, sizeof realm) ||
		    digest_param(challenge + 7, "nonce", nonce, sizeof nonce) ||
		    digest_hex(userpass, realm, nonce, method, uri, auth_qop ? "auth" : NULL,
			       "00000001", cnonce, resp))
			return 0;
		n = snprintf(buf, cap, "Authorization: Digest username=\"%.*s\", realm=\"%s\", "
			     "nonce=\"%s\", uri=\"%s\", response=\"%s\"", (int)(colon - userpass),
			     userpass, realm, nonce, uri, resp);
		if (auth_qop && n >= 0 && (size_t)n < cap)
			n += snprintf(buf + n, cap - (size_t)n, ", qop=auth, nc=00000001, "
				      "cnonce=\"%s\"", cnonce);
		if (has_opaque && n >= 0 && (size_t)n < cap)
			n += snprintf(buf + n, cap - (size_t)n, ", opaque=\"%s\"", opaque);
		if (n >= 0 && (size_t)n < cap)
			n += snprintf(buf + n, cap - (size_t)n, "\r\n");
	} else if (!strncasecmp(challenge, "Basic", 5)) {
		uint8_t b64[1400], *e;
		size_t ul = strlen(userpass);

		if ((ul + 2) / 3 * 4 >= sizeof b64)
			return 0;
		e = put_base64(b64, b64 + sizeof b64, (const uint8_t *)userpass, ul);
		n = snprintf(buf, cap, "Authorization: Basic %.*s\r\n", (int)(e - b64),
			     (const char *)b64);
	}
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

int rtsp_auth_ok(int kind, const char *userpass, const char *realm, const char *nonce,
		 const char *method, const char *hdr)
{
	if (kind == RTSP_AUTH_NONE)
		return 1;
	if (kind == RTSP_AUTH_BASIC && !strncasecmp(hdr, "Basic ", 6)) {
		/* RFC 7617 2: base64(user:pass) */
		uint8_t want[1400];
		size_t ul = strlen(userpass), gl;
		const char *got = hdr + 6;
		uint8_t *e;

		while (*got == ' ')
			got++;
		gl = strcspn(got, " ");
		if ((ul + 2) / 3 * 4 >= sizeof want)
			return 0;
		e = put_base64(want, want + sizeof want, (const uint8_t *)userpass, ul);
		return e && (size_t)(e - want) == gl && same((const char *)want, got, gl);
	}
	if (kind == RTSP_AUTH_DIGEST && !strncasecmp(hdr, "Digest ", 7))
		return digest_ok(userpass, realm, nonce, method, hdr + 7);
	return 0;
}
