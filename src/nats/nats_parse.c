/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nats_parse.c - see nats_parse.h.
 *
 * States follow the protocol: the operation name, its arguments up to
 * CRLF, then (MSG/HMSG only) the payload and its CRLF.  Every unexpected
 * byte goes to the one `err:` exit, which makes the state sticky.
 */
#include "nats/nats_parse.h"

#include <string.h>

#define NATS_PAYLOAD_LIMIT (64u << 20) /* nats-server's hard max_payload */

enum {
	S_OP_START, S_OP_NAME, S_ARG, S_EOL,
	S_PAYLOAD, S_PAYLOAD_CR, S_PAYLOAD_LF, S_ERROR,
};

static const struct {
	char name[5];
	int op, has_args, is_hmsg;
} ops[] = {
	{ "INFO", NATS_OP_INFO, 1, 0 },
	{ "MSG", NATS_OP_MSG, 1, 0 },
	{ "HMSG", NATS_OP_MSG, 1, 1 },
	{ "PING", NATS_OP_PING, 0, 0 },
	{ "PONG", NATS_OP_PONG, 0, 0 },
	{ "+OK", NATS_OP_OK, 0, 0 },
	{ "-ERR", NATS_OP_ERR, 1, 0 },
};

void nats_parse_init(struct nats_parser *p, uint8_t *buf, size_t cap,
		     nats_event_fn fn, void *arg)
{
	memset(p, 0, sizeof *p - sizeof p->line);
	p->buf = buf;
	p->cap = cap;
	p->fn = fn;
	p->arg = arg;
}

void nats_parse_reset(struct nats_parser *p)
{
	p->state = S_OP_START;
	p->len = p->need = p->got = p->hdr_len = 0;
	p->skipping = 0;
}

/* Operation names are case-insensitive (nats.c accepts "ping" too). */
static int match_op(struct nats_parser *p)
{
	size_t i, j;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		for (j = 0; j < p->len; j++) {
			char c = p->line[j];

			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (c != ops[i].name[j])
				break;
		}
		if (j == p->len && ops[i].name[j] == '\0') {
			p->op = ops[i].op;
			p->is_hmsg = ops[i].is_hmsg;
			return ops[i].has_args;
		}
	}
	return -1;
}

/* Strict decimal: 1..19 digits, nothing else. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 19)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (!n)
		return -1;
	*out = v;
	return 0;
}

/* Split the MSG/HMSG arguments (NUL-terminated in line[]) and set up the
 * payload phase.  MSG: subject sid [reply] bytes; HMSG: subject sid
 * [reply] header_bytes total_bytes. */
static int msg_args(struct nats_parser *p)
{
	char *tok[6], *s = p->line;
	int n = 0, base;
	uint64_t sid, total, hdr = 0;

	while (*s) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		if (n == 6)
			return -1;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	base = p->is_hmsg ? 4 : 3;
	if (n != base && n != base + 1)
		return -1;
	if (parse_u64(tok[1], &sid) || parse_u64(tok[n - 1], &total))
		return -1;
	if (p->is_hmsg && parse_u64(tok[n - 2], &hdr))
		return -1;
	if (total > NATS_PAYLOAD_LIMIT || hdr > total)
		return -1;
	memset(&p->msg, 0, sizeof p->msg);
	p->msg.op = NATS_OP_MSG;
	p->msg.subject = tok[0];
	p->msg.subject_len = strlen(tok[0]);
	if (n == base + 1) {
		p->msg.reply = tok[2];
		p->msg.reply_len = strlen(tok[2]);
	}
	p->msg.sid = sid;
	p->need = (size_t)total;
	p->hdr_len = (size_t)hdr;
	p->got = 0;
	p->skipping = p->need > p->cap;
	return 0;
}

/* A whole control line is in line[0..len): act on it.  Returns -1 on
 * malformed input, else what the callback returned. */
static int dispatch(struct nats_parser *p)
{
	struct nats_event ev;

	while (p->len && (p->line[p->len - 1] == ' ' || p->line[p->len - 1] == '\t'))
		p->len--;
	p->line[p->len] = '\0';
	memset(&ev, 0, sizeof ev);
	ev.op = (enum nats_op)p->op;
	switch (p->op) {
	case NATS_OP_MSG:
		if (msg_args(p))
			return -1;
		p->state = p->need ? S_PAYLOAD : S_PAYLOAD_CR;
		return 0;
	case NATS_OP_INFO:
		if (!p->len)
			return -1;
		ev.text = p->line;
		ev.text_len = p->len;
		break;
	case NATS_OP_ERR:
		/* -ERR 'Unknown Protocol Operation' */
		ev.text = p->line;
		ev.text_len = p->len;
		if (ev.text_len >= 2 && ev.text[0] == '\'' && ev.text[ev.text_len - 1] == '\'') {
			ev.text++;
			ev.text_len -= 2;
		}
		break;
	default:
		break;
	}
	p->state = S_OP_START;
	p->len = 0;
	return p->fn ? p->fn(p->arg, &ev) : 0;
}

static int deliver(struct nats_parser *p)
{
	p->state = S_OP_START;
	p->len = 0;
	if (p->skipping) {
		p->skipped++;
		p->skipping = 0;
		return 0;
	}
	p->msg.hdr = p->hdr_len ? p->buf : NULL;
	p->msg.hdr_len = p->hdr_len;
	p->msg.data = p->buf + p->hdr_len;
	p->msg.len = p->need - p->hdr_len;
	return p->fn ? p->fn(p->arg, &p->msg) : 0;
}

int nats_parse(struct nats_parser *p, const uint8_t *data, size_t n)
{
	const uint8_t *b = data, *end = data + n;
	int r;

	while (b < end) {
		uint8_t c = *b;

		switch (p->state) {
		case S_OP_START:
			p->len = 0;
			p->state = S_OP_NAME;
			/* fall through */
		case S_OP_NAME:
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
				r = match_op(p);
				if (r < 0 || (r == 1 && c != ' ' && c != '\t'))
					goto err;
				p->len = 0;
				if (c == '\n') {
					if ((r = dispatch(p)) < 0)
						goto err;
					if (r)
						return r;
				} else {
					p->state = c == '\r' ? S_EOL : S_ARG;
				}
			} else {
				if (p->len >= 4 || c < 0x21 || c > 0x7e)
					goto err;
				p->line[p->len++] = (char)c;
			}
			b++;
			break;
		case S_ARG:
			b++;
			if (c == '\r') {
				p->state = S_EOL;
				break;
			}
			if (c == '\n')
				goto line;
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				goto err;
			if (!p->len && (c == ' ' || c == '\t'))
				break;
			if (p->len >= NATS_LINE_MAX - 1)
				goto err;
			p->line[p->len++] = (char)c;
			break;
		case S_EOL:
			b++;
			if (c != '\n')
				goto err;
		line:
			if ((r = dispatch(p)) < 0)
				goto err;
			if (r)
				return r;
			break;
		case S_PAYLOAD: {
			size_t take = p->need - p->got;

			if (take > (size_t)(end - b))
				take = (size_t)(end - b);
			if (!p->skipping)
				memcpy(p->buf + p->got, b, take);
			p->got += take;
			b += take;
			if (p->got == p->need)
				p->state = S_PAYLOAD_CR;
			break;
		}
		case S_PAYLOAD_CR:
			if (c != '\r')
				goto err;
			p->state = S_PAYLOAD_LF;
			b++;
			break;
		case S_PAYLOAD_LF:
			if (c != '\n')
				goto err;
			b++;
			if ((r = deliver(p)))
				return r;
			break;
		default:
			return NATS_EPROTO;
		}
	}
	return 0;
err:
	p->state = S_ERROR;
	return NATS_EPROTO;
}

/* ---- a tiny JSON scanner for INFO ------------------------------------ */

static const char *ws(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

/* s at an opening quote: return the byte after the closing one. */
static const char *str_end(const char *s, const char *e)
{
	for (s++; s < e; s++) {
		if (*s == '\\')
			s++;
		else if (*s == '"')
			return s + 1;
	}
	return NULL;
}

/* Skip one value of any kind (nested objects/arrays by depth). */
static const char *value_end(const char *s, const char *e)
{
	int depth = 0;

	if (s >= e)
		return NULL;
	if (*s == '"')
		return str_end(s, e);
	if (*s != '{' && *s != '[') {
		while (s < e && !strchr(",}] \t\r\n", *s))
			s++;
		return s;
	}
	for (; s < e; s++) {
		if (*s == '"') {
			if (!(s = str_end(s, e)))
				return NULL;
			s--;
		} else if (*s == '{' || *s == '[') {
			depth++;
		} else if ((*s == '}' || *s == ']') && --depth == 0) {
			return s + 1;
		}
	}
	return NULL;
}

static int key_is(const char *k, const char *ke, const char *want)
{
	size_t n = strlen(want);

	return (size_t)(ke - k) == n + 2 && !memcmp(k + 1, want, n);
}

int nats_info_parse(const char *json, size_t n, struct nats_info *out)
{
	const char *s = json, *e = json + n;

	memset(out, 0, sizeof *out);
	s = ws(s, e);
	if (s >= e || *s++ != '{')
		return -1;
	for (;;) {
		const char *k, *ke, *v, *ve;

		s = ws(s, e);
		if (s < e && *s == '}')
			return 0;
		if (s >= e || *s != '"' || !(ke = str_end(s, e)))
			return -1;
		k = s;
		s = ws(ke, e);
		if (s >= e || *s++ != ':')
			return -1;
		v = ws(s, e);
		if (!(ve = value_end(v, e)) || ve == v)
			return -1;
		if (key_is(k, ke, "max_payload")) {
			uint64_t x = 0;
			const char *d;

			for (d = v; d < ve && *d >= '0' && *d <= '9' && x < (1ull << 40); d++)
				x = x * 10 + (uint64_t)(*d - '0');
			out->max_payload = x;
		} else if (key_is(k, ke, "auth_required")) {
			out->auth_required = *v == 't';
		} else if (key_is(k, ke, "headers")) {
			out->headers = *v == 't';
		} else if (key_is(k, ke, "server_id") && *v == '"') {
			size_t m = (size_t)(ve - v) - 2;

			if (m >= sizeof out->server_id)
				m = sizeof out->server_id - 1;
			memcpy(out->server_id, v + 1, m);
			out->server_id[m] = '\0';
		}
		s = ws(ve, e);
		if (s < e && *s == ',') {
			s++;
			continue;
		}
		return s < e && *s == '}' ? 0 : -1;
	}
}

int nats_hdr_status(const uint8_t *hdr, size_t n)
{
	/* "NATS/1.0" [SP 3DIGIT [SP description]] CRLF (ADR-4) */
	int code = 0;
	size_t i;

	if (n < 12 || memcmp(hdr, "NATS/1.0 ", 9))
		return 0;
	for (i = 9; i < 12; i++) {
		if (hdr[i] < '0' || hdr[i] > '9')
			return 0;
		code = code * 10 + (hdr[i] - '0');
	}
	return code;
}
