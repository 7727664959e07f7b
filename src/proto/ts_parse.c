/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ts_parse.c - see ts_parse.h.  Sections of ITU-T H.222.0. */
#include "proto/ts_parse.h"

#include "proto/ts.h"
#include "util/bytes.h"

#include <errno.h>
#include <string.h>

enum { CC_PAT, CC_PMT, CC_VIDEO };

void ts_parser_init(struct ts_parser *p, uint8_t *buf, size_t cap, ts_pes_fn fn, void *opaque)
{
	memset(p, 0, sizeof *p);
	p->pmt_pid = p->pcr_pid = p->pid = -1;
	p->cc[0] = p->cc[1] = p->cc[2] = -1;
	p->buf = buf;
	p->cap = cap;
	p->fn = fn;
	p->opaque = opaque;
}

static void deliver(struct ts_parser *p)
{
	if (!p->in_pes)
		return;
	p->in_pes = 0;
	if (p->want && p->len != p->want) {
		p->st.bad_pes++;        /* shorter than its PES_packet_length */
		return;
	}
	p->cur.data = p->buf;
	p->cur.size = p->len;
	p->st.pes++;
	if (p->fn)
		p->fn(p->opaque, &p->cur);
}

/* 2.4.3.7: 4-bit prefix, 3 + 15 + 15 bits, each group ending in a marker. */
static const uint8_t *get_time(const uint8_t *q, const uint8_t *end, unsigned prefix,
			       uint64_t *t)
{
	uint8_t b[5];

	q = get_bytes(q, end, b, 5);
	if (!q || b[0] >> 4 != prefix || !(b[0] & 1) || !(b[2] & 1) || !(b[4] & 1))
		return NULL;
	*t = (uint64_t)(b[0] >> 1 & 7) << 30 | (uint64_t)(rd_be16(b + 1) >> 1) << 15 |
	     rd_be16(b + 3) >> 1;
	return q;
}

/* A PES packet starts (2.4.3.6): its header must be in this packet. */
static int pes_start(struct ts_parser *p, const uint8_t *q, const uint8_t *end)
{
	uint32_t prefix = 0;
	uint16_t len = 0;
	uint8_t sid = 0, f1 = 0, f2 = 0, hl = 0;
	const uint8_t *h;
	size_t n;

	q = get_be24(q, end, &prefix);
	q = get_u8(q, end, &sid);
	q = get_be16(q, end, &len);
	q = get_u8(q, end, &f1);
	q = get_u8(q, end, &f2);
	q = get_u8(q, end, &hl);
	if (!q || prefix != 1 || (f1 & 0xc0) != 0x80 || (f2 & 0xc0) == 0x40 ||
	    !bytes_fit(q, end, hl) || (len && len < 3u + hl))
		return -EINVAL;
	h = q;
	q += hl;
	memset(&p->cur, 0, sizeof p->cur);
	p->cur.stream_id = sid;
	if (f2 & 0x80) {
		p->cur.has_pts = 1;
		if (!get_time(h, q, f2 & 0x40 ? 3 : 2, &p->cur.pts))
			return -EINVAL;
	}
	if (f2 & 0x40) {
		p->cur.has_dts = 1;
		if (!get_time(h + 5, q, 1, &p->cur.dts))
			return -EINVAL;
	}
	p->want = len ? len - 3u - hl : 0;
	n = (size_t)(end - q);
	if (n > p->cap || (p->want && n > p->want)) {
		p->st.overflow += n > p->cap;
		return -EINVAL;
	}
	memcpy(p->buf, q, n);
	p->len = n;
	p->in_pes = 1;
	p->cur.psi_before = p->psi_seen;
	p->psi_seen = 0;
	return 0;
}

/* A PAT or PMT alone in this packet's payload (2.4.4). */
static int psi(struct ts_parser *p, int pid, const uint8_t *q, const uint8_t *end)
{
	uint8_t ptr = 0, tid = 0;
	uint16_t sl = 0, v = 0, pil = 0;
	const uint8_t *s, *e;

	q = get_u8(q, end, &ptr);                      /* pointer_field */
	q = get_skip(q, end, ptr);
	s = q;
	q = get_u8(q, end, &tid);
	q = get_be16(q, end, &sl);
	if (!q || !(sl & 0x8000) || (sl & 0xfff) < 9 || !bytes_fit(q, end, sl & 0xfff))
		return -EINVAL;
	e = q + (sl & 0xfff);
	if (ts_crc32(s, (size_t)(e - s)) != 0)         /* CRC_32 included: 0 (Annex A) */
		return -EINVAL;
	e -= 4;
	q = get_skip(q, e, 5);  /* id, version/current_next, section numbers */
	if (pid == TS_PID_PAT) {
		if (tid != 0x00)
			return -EINVAL;
		while (q && q < e) {
			uint16_t prog = 0;

			q = get_be16(q, e, &prog);
			q = get_be16(q, e, &v);
			if (q && prog)
				p->pmt_pid = v & 0x1fff;
		}
		if (!q)
			return -EINVAL;
		p->st.pat++;
		if (p->have_pat_pcr && p->have_pcr && p->last_pcr - p->pat_pcr > p->st.max_psi_gap)
			p->st.max_psi_gap = p->last_pcr - p->pat_pcr;
		p->pat_pcr = p->last_pcr;
		p->have_pat_pcr = p->have_pcr;
		return 0;
	}
	if (tid != 0x02)
		return -EINVAL;
	q = get_be16(q, e, &v);                         /* PCR_PID */
	q = get_be16(q, e, &pil);
	q = get_skip(q, e, pil & 0xfff);
	if (!q)
		return -EINVAL;
	p->pcr_pid = v & 0x1fff;
	while (q && q < e) {
		uint8_t type = 0;
		uint16_t epid = 0, il = 0;

		q = get_u8(q, e, &type);
		q = get_be16(q, e, &epid);
		q = get_be16(q, e, &il);
		q = get_skip(q, e, il & 0xfff);
		if (q && p->pid < 0 && (type == TS_TYPE_H264 || type == TS_TYPE_H265)) {
			p->pid = epid & 0x1fff;
			p->stream_type = type;
		}
	}
	if (!q)
		return -EINVAL;
	p->st.pmt++;
	p->psi_seen = 1;
	return 0;
}

/* The continuity counter (2.4.3.3): +1 with a payload, the same without;
 * a discontinuity_indicator restarts it. */
static void check_cc(struct ts_parser *p, int i, unsigned cc, int payload, int disc)
{
	if (p->cc[i] >= 0 && !disc &&
	    (unsigned)(payload ? (p->cc[i] + 1) & 15 : p->cc[i]) != cc)
		p->st.cc_errors++;
	p->cc[i] = (int)cc;
}

int ts_parse_packet(struct ts_parser *p, const uint8_t *pkt)
{
	const uint8_t *q = pkt + 4, *end = pkt + TS_PACKET;
	unsigned pid = (unsigned)(pkt[1] & 0x1f) << 8 | pkt[2], afc = pkt[3] >> 4 & 3;
	unsigned cc = pkt[3] & 15;
	int pusi = pkt[1] & 0x40, disc = 0, rai = 0, has_pcr = 0, i = -1;
	uint64_t pcr = 0;

	p->st.packets++;
	if (pkt[0] != 0x47 || (pkt[1] & 0x80) || afc == 0)
		goto bad;
	if (afc & 2) {                                  /* 2.4.3.4 adaptation_field */
		size_t al = *q++;

		if (al > 183 || (afc == 2 && al != 183) || (afc == 3 && al > 182))
			goto bad;
		if (al) {
			disc = q[0] & 0x80;
			rai = q[0] & 0x40;
			if (q[0] & 0x10) {
				if (al < 7)
					goto bad;
				pcr = (uint64_t)rd_be32(q + 1) << 1 | q[5] >> 7;
				has_pcr = 1;
			}
		}
		q += al;
		if (afc == 2)
			p->st.af_only++;
	}
	if (has_pcr && (int)pid == p->pcr_pid) {
		if (p->have_pcr && pcr < p->last_pcr)
			p->st.pcr_backwards++;
		else if (p->have_pcr && pcr - p->last_pcr > p->st.max_pcr_gap)
			p->st.max_pcr_gap = pcr - p->last_pcr;
		p->last_pcr = pcr;
		p->have_pcr = 1;
		p->st.pcr++;
	}
	if (pid == TS_PID_PAT)
		i = CC_PAT;
	else if ((int)pid == p->pmt_pid)
		i = CC_PMT;
	else if ((int)pid == p->pid)
		i = CC_VIDEO;
	if (i < 0)
		return 0;
	check_cc(p, i, cc, afc & 1, disc);
	if (!(afc & 1))
		return 0;
	if (i != CC_VIDEO) {
		if (pusi && psi(p, (int)pid, q, end) < 0) {
			p->st.bad_psi++;
			return -EINVAL;
		}
		return 0;
	}
	if (pusi) {
		deliver(p);
		if (pes_start(p, q, end) < 0) {
			p->st.bad_pes++;
			return -EINVAL;
		}
		p->cur.rai = rai != 0;
		p->cur.has_pcr = has_pcr;
		p->cur.pcr = pcr;
	} else if (p->in_pes) {
		size_t n = (size_t)(end - q);

		if (n > p->cap - p->len) {
			p->st.overflow++;
			p->in_pes = 0;
			return -EINVAL;
		}
		if (p->want && p->len + n > p->want) {
			p->st.bad_pes++;
			p->in_pes = 0;
			return -EINVAL;
		}
		memcpy(p->buf + p->len, q, n);
		p->len += n;
	}
	if (p->in_pes && p->want && p->len == p->want)
		deliver(p);
	return 0;
bad:
	p->st.bad_packets++;
	return -EINVAL;
}

size_t ts_parse(struct ts_parser *p, const uint8_t *data, size_t n)
{
	size_t used = 0;

	for (; n - used >= TS_PACKET; used += TS_PACKET)
		ts_parse_packet(p, data + used);
	return used;
}

void ts_parse_flush(struct ts_parser *p)
{
	deliver(p);
}
