/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_msg.c - RTMP handshake, control and command bodies (see rtmp_msg.h). */
#include "proto/rtmp_msg.h"
#include "util/url.h"

#include "util/bytes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEN_OR_ENOSPC(p, out) ((p) ? (int)((p) - (out)) : -ENOSPC)

/* ---- handshake --------------------------------------------------------- */

/* xorshift32: filler for the 1528 "random" bytes; not security relevant. */
static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* 5.2.3: time (4), zero (4), random (1528).  Bytes 4-7 zero selects the
 * simple handshake on every examined server (docs/protocols.md §1.1). */
int rtmp_hs_c0c1(uint8_t *out, size_t cap, uint32_t time_ms, uint32_t seed)
{
	uint8_t *p = out, *end = out + cap;
	int i;

	p = put_u8(p, end, RTMP_VERSION);
	p = put_be32(p, end, time_ms);
	p = put_be32(p, end, 0);
	if (!bytes_fit(p, end, RTMP_HS_SIZE - 8))
		return -ENOSPC;
	for (i = 0; i < RTMP_HS_SIZE - 8; i += 4) {
		uint32_t r = xorshift32(&seed);

		memcpy(p + i, &r, 4);
	}
	return 1 + RTMP_HS_SIZE;
}

int rtmp_hs_s0s1s2(uint8_t *out, size_t cap, const uint8_t *c1,
		   uint32_t time_ms, uint32_t seed)
{
	int n = rtmp_hs_c0c1(out, cap, time_ms, seed);

	if (n < 0 || !bytes_fit(out + n, out + cap, RTMP_HS_SIZE))
		return -ENOSPC;
	memcpy(out + n, c1, RTMP_HS_SIZE);
	return n + RTMP_HS_SIZE;
}

/* ---- control ----------------------------------------------------------- */

int rtmp_ctl_u32(uint8_t *out, size_t cap, uint32_t v)
{
	uint8_t *p = put_be32(out, out + cap, v);

	return LEN_OR_ENOSPC(p, out);
}

int rtmp_ctl_peer_bw(uint8_t *out, size_t cap, uint32_t v, int limit)
{
	uint8_t *p = put_be32(out, out + cap, v);

	p = put_u8(p, out + cap, (uint8_t)limit);
	return LEN_OR_ENOSPC(p, out);
}

int rtmp_ctl_user(uint8_t *out, size_t cap, uint16_t event, uint32_t v)
{
	uint8_t *p = put_be16(out, out + cap, event);

	p = put_be32(p, out + cap, v);
	return LEN_OR_ENOSPC(p, out);
}

/* ---- commands ---------------------------------------------------------- */

/* 7.2.1.1 connect; E-RTMP properties per docs/protocols.md §2.6: we announce
 * what we send (videoFourCcInfoMap hvc1 = CanEncode 0x02) and no
 * capsEx features; the reply is never required to mention them. */
int rtmp_cmd_connect(uint8_t *out, size_t cap, double txn,
		     const struct rtmp_connect_params *c)
{
	uint8_t *p = out, *end = out + cap;

	p = amf0_put_string(p, end, "connect");
	p = amf0_put_number(p, end, txn);
	p = amf0_put_object_start(p, end);
	p = amf0_put_prop_string(p, end, "app", c->app);
	p = amf0_put_prop_string(p, end, "type", "nonprivate");
	p = amf0_put_prop_string(p, end, "flashVer", c->flashver ? c->flashver :
				 "FMLE/3.0 (compatible; cvmmap-streamer)");
	p = amf0_put_prop_string(p, end, "tcUrl", c->tcurl);
	if (c->fourcc_hvc1) {
		p = amf0_put_key(p, end, "fourCcList");
		p = amf0_put_strict_array_start(p, end, 1);
		p = amf0_put_string(p, end, "hvc1");
		p = amf0_put_key(p, end, "videoFourCcInfoMap");
		p = amf0_put_object_start(p, end);
		p = amf0_put_prop_number(p, end, "hvc1", 2);
		p = amf0_put_object_end(p, end);
		p = amf0_put_prop_number(p, end, "capsEx", 0);
	}
	p = amf0_put_object_end(p, end);
	return LEN_OR_ENOSPC(p, out);
}

int rtmp_cmd_simple(uint8_t *out, size_t cap, const char *name, double txn,
		    const char *arg)
{
	uint8_t *p = out, *end = out + cap;

	p = amf0_put_string(p, end, name);
	p = amf0_put_number(p, end, txn);
	p = amf0_put_null(p, end);
	if (arg)
		p = amf0_put_string(p, end, arg);
	return LEN_OR_ENOSPC(p, out);
}

/* 7.2.2.6 publish(txn, null, publishingName, publishingType). */
int rtmp_cmd_publish(uint8_t *out, size_t cap, double txn, const char *name,
		     const char *type)
{
	int n = rtmp_cmd_simple(out, cap, "publish", txn, name);
	uint8_t *p;

	if (n < 0)
		return n;
	p = amf0_put_string(out + n, out + cap, type);
	return LEN_OR_ENOSPC(p, out);
}

int rtmp_cmd_delete_stream(uint8_t *out, size_t cap, double txn, double sid)
{
	uint8_t *p = out, *end = out + cap;

	p = amf0_put_string(p, end, "deleteStream");
	p = amf0_put_number(p, end, txn);
	p = amf0_put_null(p, end);
	p = amf0_put_number(p, end, sid);
	return LEN_OR_ENOSPC(p, out);
}

/* 7.2.1.1: _result(txn, properties, information). */
int rtmp_cmd_connect_result(uint8_t *out, size_t cap, double txn)
{
	uint8_t *p = out, *end = out + cap;

	p = amf0_put_string(p, end, "_result");
	p = amf0_put_number(p, end, txn);
	p = amf0_put_object_start(p, end);
	p = amf0_put_prop_string(p, end, "fmsVer", "FMS/3,0,1,123");
	p = amf0_put_prop_number(p, end, "capabilities", 31);
	p = amf0_put_object_end(p, end);
	p = amf0_put_object_start(p, end);
	p = amf0_put_prop_string(p, end, "level", "status");
	p = amf0_put_prop_string(p, end, "code", "NetConnection.Connect.Success");
	p = amf0_put_prop_string(p, end, "description", "Connection succeeded.");
	p = amf0_put_prop_number(p, end, "objectEncoding", 0);
	p = amf0_put_object_end(p, end);
	return LEN_OR_ENOSPC(p, out);
}

int rtmp_cmd_number_result(uint8_t *out, size_t cap, double txn, double v)
{
	uint8_t *p = out, *end = out + cap;

	p = amf0_put_string(p, end, "_result");
	p = amf0_put_number(p, end, txn);
	p = amf0_put_null(p, end);
	p = amf0_put_number(p, end, v);
	return LEN_OR_ENOSPC(p, out);
}

/* 7.2.2: onStatus(0, null, {level, code, description}). */
int rtmp_cmd_on_status(uint8_t *out, size_t cap, const char *level,
		       const char *code, const char *desc)
{
	uint8_t *p = out, *end = out + cap;

	p = amf0_put_string(p, end, "onStatus");
	p = amf0_put_number(p, end, 0);
	p = amf0_put_null(p, end);
	p = amf0_put_object_start(p, end);
	p = amf0_put_prop_string(p, end, "level", level);
	p = amf0_put_prop_string(p, end, "code", code);
	p = amf0_put_prop_string(p, end, "description", desc);
	p = amf0_put_object_end(p, end);
	return LEN_OR_ENOSPC(p, out);
}

int rtmp_cmd_parse(const uint8_t *p, size_t n, struct rtmp_cmd *c)
{
	const uint8_t *end = p + n;

	c->n = 0;
	c->txn = -1;
	while (p < end && c->n < RTMP_CMD_MAX_VALS) {
		if (!(p = amf0_get(p, end, &c->v[c->n])))
			return -EINVAL;
		c->n++;
	}
	if (c->n < 1 || c->v[0].type != AMF0_STRING)
		return -EINVAL;
	if (c->n >= 2 && c->v[1].type == AMF0_NUMBER)
		c->txn = c->v[1].num;
	return 0;
}

int rtmp_cmd_is(const struct rtmp_cmd *c, const char *s)
{
	return c->n > 0 && amf0_streq(&c->v[0], s);
}

int rtmp_cmd_status(const struct rtmp_cmd *c, char *level, size_t llen,
		    char *code, size_t clen)
{
	struct amf0_val v;
	int i;

	if (llen)
		level[0] = '\0';
	if (clen)
		code[0] = '\0';
	for (i = c->n - 1; i >= 2; i--) {
		if (c->v[i].type != AMF0_OBJECT)
			continue;
		if (amf0_find(&c->v[i], "level", &v) == 0)
			amf0_strcpy(&v, level, llen);
		if (amf0_find(&c->v[i], "code", &v) == 0)
			amf0_strcpy(&v, code, clen);
		return 0;
	}
	return -1;
}

/* ---- URL --------------------------------------------------------------- */

static int copy_span(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int rtmp_url_parse(const char *url, struct rtmp_url *u)
{
	const char *path, *q, *slash = NULL, *s;
	struct url p;

	memset(u, 0, sizeof *u);
	/* credentials are not used (nor logged) */
	if (url_parse(url, &p) || strcmp(p.scheme, "rtmp") || *p.rest != '/' ||
	    copy_span(u->host, sizeof u->host, p.host, strlen(p.host)))
		return -EINVAL;
	u->port = p.port ? p.port : 1935;
	path = p.rest + 1;
	q = path + strcspn(path, "?");
	for (s = path; s < q; s++)
		if (*s == '/')
			slash = s;
	if (!slash || slash == path || !slash[1] || slash + 1 == q)
		return -EINVAL;
	if (copy_span(u->app, sizeof u->app, path, (size_t)(slash - path)) ||
	    copy_span(u->stream, sizeof u->stream, slash + 1, strlen(slash + 1)))
		return -EINVAL;
	if (snprintf(u->tcurl, sizeof u->tcurl, strchr(u->host, ':') ?
		     "rtmp://[%s]:%u/%s" : "rtmp://%s:%u/%s",
		     u->host, u->port, u->app) >= (int)sizeof u->tcurl)
		return -EINVAL;
	return 0;
}

void rtmp_url_redact(const char *url, char *out, size_t cap)
{
	const char *h = url, *path, *at, *end, *last;
	if (!cap)
		return;
	if (strncmp(url, "rtmp://", 7) == 0)
		h = url + 7;
	path = strchr(h, '/');
	at = strchr(h, '@');
	if (at && (!path || at < path))
		h = at + 1;
	/* The stream name is the key on YouTube, Twitch and most CDNs: keep
	 * host, port and app, hide everything after the app's last '/'. */
	end = h + strcspn(h, "?");
	for (last = end; last > h && last[-1] != '/'; last--)
		;
	if (last == h) /* no path: nothing secret but a query */
		snprintf(out, cap, "rtmp://%.*s%s", (int)(end - h), h, *end ? "?***" : "");
	else
		snprintf(out, cap, "rtmp://%.*s***", (int)(last - h), h);
}
