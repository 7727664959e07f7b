/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zmtp.c - ZMTP 3.0/3.1 subscriber session, NULL mechanism (zmtp.h).
 *
 * Wire forms (23/ZMTP, 37/ZMTP):
 *
 *   greeting  FF 00 00 00 00 00 00 00 01 7F   signature (padding: libzmq
 *             03 mm                           writes a ZMTP 1.0 length 1)
 *             "NULL" 00 x16                   mechanism, 20 bytes
 *             00                              as-server
 *             00 x31                          filler
 *   frame     flags (MORE 01, LONG 02, COMMAND 04), size: 1 byte, or
 *             8 bytes big-endian with LONG, then the body
 *   command   name-len (1), name, data
 *   READY     properties: name-len (1), name, value-len (4, BE), value
 *   PING      ttl (2, BE), context (0..16)  -> PONG context     (3.1)
 *   ERROR     reason-len (1), reason
 *   SUBSCRIBE 3.0: the message 01 topic; 3.1: the command "SUBSCRIBE" topic
 */
#include "ipc/zmtp.h"

#include "util/bytes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const reasons[] = {
	"ok", "not a ZMTP 3 greeting", "ZMTP major version below 3",
	"security mechanism is not NULL", "malformed frame", "bad handshake",
	"peer is not a PUB/XPUB socket", "peer sent ERROR", "peer does not read",
};

const char *zmtp_reason_str(int r)
{
	return r <= 0 && -r < (int)(sizeof reasons / sizeof reasons[0]) ? reasons[-r] : "?";
}

void zmtp_greeting_build(uint8_t out[ZMTP_GREETING_SIZE], unsigned minor)
{
	memset(out, 0, ZMTP_GREETING_SIZE);
	out[0] = 0xFF;
	out[8] = 0x01;
	out[9] = 0x7F;
	out[10] = 3;
	out[11] = (uint8_t)minor;
	memcpy(out + 12, "NULL", 4);
}

int zmtp_greeting_parse(const uint8_t *b, size_t n, struct zmtp_greeting *g)
{
	if (n < ZMTP_GREETING_SIZE || b[0] != 0xFF || !(b[9] & 1))
		return ZMTP_BAD_SIGNATURE;
	g->major = b[10];
	g->minor = b[11];
	if (g->major < 3)
		return ZMTP_BAD_VERSION;
	memcpy(g->mechanism, b + 12, ZMTP_MECH_SIZE);
	g->mechanism[ZMTP_MECH_SIZE] = 0;
	g->as_server = b[32];
	/* the mechanism is NUL-padded: "NULL" then 16 zero bytes */
	if (strcmp(g->mechanism, "NULL") || memcmp(b + 16, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16))
		return ZMTP_BAD_MECHANISM;
	return ZMTP_OK;
}

size_t zmtp_frame_build(uint8_t *buf, size_t cap, unsigned flags,
			const void *body, size_t len)
{
	uint8_t *p = buf, *end = buf + cap;

	if (len > 255)
		flags |= ZMTP_F_LONG;
	else
		flags &= ~(unsigned)ZMTP_F_LONG;
	p = put_u8(p, end, (uint8_t)flags);
	p = flags & ZMTP_F_LONG ? put_be64(p, end, len) : put_u8(p, end, (uint8_t)len);
	p = put_bytes(p, end, body, len);
	return p ? (size_t)(p - buf) : 0;
}

/* A command body: name-len, name, then data pieces. */
static size_t cmd_build(uint8_t *buf, size_t cap, const char *name,
			const void *data, size_t len)
{
	uint8_t body[ZMTP_OUT_MAX], *p = body, *end = body + sizeof body;
	size_t nl = strlen(name);

	p = put_u8(p, end, (uint8_t)nl);
	p = put_bytes(p, end, name, nl);
	p = put_bytes(p, end, data, len);
	return p ? zmtp_frame_build(buf, cap, ZMTP_F_COMMAND, body, (size_t)(p - body)) : 0;
}

size_t zmtp_ready_build(uint8_t *buf, size_t cap, const char *socket_type)
{
	uint8_t prop[64], *p = prop, *end = prop + sizeof prop;
	size_t tl = strlen(socket_type);

	p = put_u8(p, end, 11);
	p = put_bytes(p, end, "Socket-Type", 11);
	p = put_be32(p, end, (uint32_t)tl);
	p = put_bytes(p, end, socket_type, tl);
	return p ? cmd_build(buf, cap, "READY", prop, (size_t)(p - prop)) : 0;
}

size_t zmtp_subscribe_build(uint8_t *buf, size_t cap, const void *topic,
			    size_t len, int as_command)
{
	uint8_t body[256];

	if (as_command)
		return cmd_build(buf, cap, "SUBSCRIBE", topic, len);
	if (len + 1 > sizeof body)
		return 0;
	body[0] = 0x01;
	memcpy(body + 1, topic, len);
	return zmtp_frame_build(buf, cap, 0, body, len + 1);
}

long zmtp_prop_find(const uint8_t *props, size_t n, const char *name,
		    const uint8_t **val)
{
	const uint8_t *p = props, *end = props + n, *nm;
	size_t want = strlen(name);
	uint8_t nl;
	uint32_t vl;

	while (p < end) {
		p = get_u8(p, end, &nl);
		if (!p || !nl || !bytes_fit(p, end, nl))
			return -2;
		nm = p;
		p = get_be32(p + nl, end, &vl);
		if (!p || !bytes_fit(p, end, vl))
			return -2;
		/* property names are case-insensitive (23/ZMTP) */
		if (nl == want && !strncasecmp((const char *)nm, name, nl)) {
			*val = p;
			return (long)vl;
		}
		p += vl;
	}
	return -1;
}

static int queue(struct zmtp_sub *s, size_t n)
{
	if (!n)
		return ZMTP_OUT_FULL;
	s->out_len += n;
	return 0;
}

void zmtp_sub_init(struct zmtp_sub *s, unsigned minor, uint8_t *buf, size_t cap)
{
	memset(s, 0, sizeof *s);
	s->minor = minor > 1 ? 1 : minor;
	s->msg = buf;
	s->msg_cap = cap;
	zmtp_greeting_build(s->out, s->minor);
	s->out_len = ZMTP_GREETING_SIZE;
}

void zmtp_sub_sent(struct zmtp_sub *s, size_t n)
{
	if (n >= s->out_len) {
		s->out_len = 0;
		return;
	}
	memmove(s->out, s->out + n, s->out_len - n);
	s->out_len -= n;
}

/* The peer's greeting is complete: settle the version, queue READY and
 * the subscription to everything. */
static int on_greeting(struct zmtp_sub *s)
{
	int r = zmtp_greeting_parse(s->greet, sizeof s->greet, &s->peer);

	if (r < 0)
		return r;
	/* a higher peer speaks our version (23/ZMTP "Version Negotiation") */
	if (s->peer.major == 3 && s->peer.minor < s->minor)
		s->minor = s->peer.minor;
	s->phase = ZMTP_HANDSHAKE;
	r = queue(s, zmtp_ready_build(s->out + s->out_len, sizeof s->out - s->out_len, "SUB"));
	if (!r)
		r = queue(s, zmtp_subscribe_build(s->out + s->out_len, sizeof s->out - s->out_len,
						  "", 0, s->sub_command && s->minor >= 1));
	return r;
}

static int is_cmd(const uint8_t *c, size_t n, const char *name)
{
	size_t l = strlen(name);

	return n >= 1 + l && c[0] == l && !memcmp(c + 1, name, l);
}

/* A complete command frame in s->cmd (the first min(size, CMD_MAX) bytes). */
static int on_command(struct zmtp_sub *s)
{
	size_t n = s->size < ZMTP_CMD_MAX ? (size_t)s->size : ZMTP_CMD_MAX;
	const uint8_t *c = s->cmd, *v;
	long vl;

	if (n < 1 || n < 1u + c[0] || !c[0])
		return ZMTP_BAD_FRAME;
	if (is_cmd(c, n, "ERROR"))
		return ZMTP_PEER_ERROR;
	if (s->phase == ZMTP_HANDSHAKE) {
		if (!is_cmd(c, n, "READY"))
			return ZMTP_BAD_HANDSHAKE;
		vl = zmtp_prop_find(c + 6, n - 6, "Socket-Type", &v);
		if (vl < 0)
			return ZMTP_BAD_HANDSHAKE;
		if (!((vl == 3 && !memcmp(v, "PUB", 3)) || (vl == 4 && !memcmp(v, "XPUB", 4))))
			return ZMTP_BAD_SOCKET_TYPE;
		memcpy(s->peer_type, v, (size_t)vl);
		s->peer_type[vl] = 0;
		s->phase = ZMTP_OPEN;
		return 0;
	}
	if (is_cmd(c, n, "PING")) {
		/* ttl (2 bytes), then up to 16 bytes of context to echo */
		size_t ctx = n >= 7 ? n - 7 : 0;

		if (ctx > 16)
			ctx = 16;
		s->pings++;
		return queue(s, cmd_build(s->out + s->out_len, sizeof s->out - s->out_len,
					  "PONG", c + 7, ctx));
	}
	return 0;   /* PONG, SUBSCRIBE, CANCEL, a second READY, unknown: ignored */
}

/* The current frame's body is complete.  1: a data frame for the caller. */
static int frame_end(struct zmtp_sub *s)
{
	if (s->flags & ZMTP_F_COMMAND)
		return on_command(s);
	if (s->phase != ZMTP_OPEN)
		return ZMTP_BAD_HANDSHAKE;   /* data before READY */
	s->msg_size = s->size;
	s->msg_len = s->size < s->msg_cap ? (size_t)s->size : s->msg_cap;
	s->msg_more = s->flags & ZMTP_F_MORE;
	return 1;
}

int zmtp_sub_input(struct zmtp_sub *s, const uint8_t *p, size_t n, size_t *used)
{
	size_t i = 0, take, keep, cap;
	uint8_t *dst;
	int r = 0;

	*used = 0;
	if (s->phase == ZMTP_DEAD)
		return ZMTP_BAD_FRAME;
	while (i < n || (s->phase != ZMTP_GREET && s->fstate == 2 && s->got == s->size)) {
		if (s->phase == ZMTP_GREET) {
			/* the first byte alone: a non-ZMTP peer is refused on it */
			take = s->greet_n ? ZMTP_GREETING_SIZE - s->greet_n : 1;
			if (take > n - i)
				take = n - i;
			memcpy(s->greet + s->greet_n, p + i, take);
			s->greet_n += (unsigned)take;
			i += take;
			if (s->greet[0] != 0xFF)
				r = ZMTP_BAD_SIGNATURE;
			else if (s->greet_n == ZMTP_GREETING_SIZE)
				r = on_greeting(s);
			if (r < 0)
				goto dead;
			continue;
		}
		switch (s->fstate) {
		case 0:
			s->flags = p[i++];
			if ((s->flags & ZMTP_F_COMMAND) && (s->flags & ZMTP_F_MORE)) {
				r = ZMTP_BAD_FRAME;
				goto dead;
			}
			s->hdr_need = s->flags & ZMTP_F_LONG ? 8 : 1;
			s->hdr_n = 0;
			s->fstate = 1;
			break;
		case 1:
			s->hdr[s->hdr_n++] = p[i++];
			if (s->hdr_n < s->hdr_need)
				break;
			if (s->hdr_need == 1)
				s->size = s->hdr[0];
			else
				s->size = ((uint64_t)s->hdr[0] << 56) | ((uint64_t)s->hdr[1] << 48) |
					  ((uint64_t)s->hdr[2] << 40) | ((uint64_t)s->hdr[3] << 32) |
					  ((uint64_t)s->hdr[4] << 24) | ((uint64_t)s->hdr[5] << 16) |
					  ((uint64_t)s->hdr[6] << 8) | s->hdr[7];
			if (s->size >> 63) {
				r = ZMTP_BAD_FRAME;
				goto dead;
			}
			s->got = 0;
			s->fstate = 2;
			break;
		default:
			take = n - i;
			if (take > s->size - s->got)
				take = (size_t)(s->size - s->got);
			dst = s->flags & ZMTP_F_COMMAND ? s->cmd : s->msg;
			cap = s->flags & ZMTP_F_COMMAND ? ZMTP_CMD_MAX : s->msg_cap;
			if (s->got < cap) {
				keep = cap - (size_t)s->got < take ? cap - (size_t)s->got : take;
				memcpy(dst + s->got, p + i, keep);
			}
			s->got += take;
			i += take;
			if (s->got < s->size)
				break;
			s->fstate = 0;
			r = frame_end(s);
			if (r < 0)
				goto dead;
			if (r == 1) {
				*used = i;
				return 1;
			}
			break;
		}
	}
	*used = i;
	return 0;
dead:
	s->phase = ZMTP_DEAD;
	*used = i;
	return r;
}

int zmtp_endpoint_parse(const char *uri, struct zmtp_endpoint *e)
{
	const char *h, *colon, *close;
	char *endp;
	unsigned long port;
	size_t hl;

	memset(e, 0, sizeof *e);
	if (!strncmp(uri, "ipc://", 6)) {
		hl = strlen(uri + 6);
		if (!hl || hl >= sizeof e->addr)
			return -EINVAL;
		e->transport = ZMTP_IPC;
		memcpy(e->addr, uri + 6, hl + 1);
		return 0;
	}
	if (strncmp(uri, "tcp://", 6))
		return -EINVAL;
	h = uri + 6;
	if (*h == '[') {
		close = strchr(h, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		h++;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(h, ':');
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - h);
	}
	if (!hl || hl >= sizeof e->addr || colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	errno = 0;
	port = strtoul(colon + 1, &endp, 10);
	if (*endp || errno || port == 0 || port > 65535)
		return -EINVAL;
	e->transport = ZMTP_TCP;
	memcpy(e->addr, h, hl);
	e->addr[hl] = 0;
	e->port = (unsigned)port;
	return 0;
}
