/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP options: parse MSS (RFC 9293 3.7.1), window scale, timestamps (RFC 7323 2, 3),
 * SACK-permitted and SACK blocks (RFC 2018) on every segment, and write the options of
 * SYN / SYN-ACK and the timestamp option of every segment once negotiated.
 *
 * The parser never reads past the option area given to it (data offset * 4 - 20 bytes).
 * A length byte of 0 or 1, or an option running past the area, makes the whole list
 * malformed: the caller drops the segment (drop_bad_options). Options with a known kind
 * but the wrong length are ignored, as RFC 9293 3.1 asks for unknown options; SYN-only
 * options are only honoured by the caller on SYN segments.
 */
#include <string.h>
#include <rte_byteorder.h>

#include "tcb.h"

#define OPT_EOL     0
#define OPT_NOP     1
#define OPT_MSS     2
#define OPT_WS      3
#define OPT_SACKOK  4
#define OPT_SACK    5
#define OPT_TS      8

static inline uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void
opt_one(const uint8_t *p, uint8_t kind, uint8_t olen, struct tcp_opts *o)
{
	switch (kind) {
	case OPT_MSS:
		if (olen == 4) {
			o->present |= TOPT_MSS;
			o->mss = (uint16_t)((p[2] << 8) | p[3]);
		}
		break;
	case OPT_WS:
		if (olen == 3) {
			o->present |= TOPT_WS;
			/* RFC 7323 2.3: a shift above 14 is used as 14 */
			o->wscale = p[2] > 14 ? 14 : p[2];
		}
		break;
	case OPT_SACKOK:
		if (olen == 2)
			o->present |= TOPT_SACKOK;
		break;
	case OPT_TS:
		if (olen == 10) {
			o->present |= TOPT_TS;
			o->tsval = get32(p + 2);
			o->tsecr = get32(p + 6);
		}
		break;
	case OPT_SACK:
		if (olen >= 10 && (olen - 2) % 8 == 0) {
			uint8_t n = (olen - 2) / 8;

			o->present |= TOPT_SACK;
			o->sack_blocks = n > 4 ? 4 : n;
			for (uint8_t i = 0; i < o->sack_blocks; i++) {
				o->sack[i][0] = get32(p + 2 + 8 * i);
				o->sack[i][1] = get32(p + 6 + 8 * i);
			}
		}
		break;
	default:
		break;
	}
}

/* NOP NOP TS 10, the layout of RFC 7323 Appendix A that we and Linux put on every segment */
static const uint8_t aligned_ts[4] = { OPT_NOP, OPT_NOP, OPT_TS, 10 };

/* @return 0, or -EINVAL for a malformed list. */
int
tcp_opts_parse(const uint8_t *p, uint32_t len, struct tcp_opts *o)
{
	uint32_t i = 0;

	o->present = 0;
	o->sack_blocks = 0;
	/* fast path for the usual data segment's options: exactly the aligned timestamp */
	if (len == 12 && memcmp(p, aligned_ts, sizeof(aligned_ts)) == 0) {
		o->present = TOPT_TS;
		o->tsval = get32(p + 4);
		o->tsecr = get32(p + 8);
		return 0;
	}
	while (i < len) {
		uint8_t kind = p[i];

		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;          /* kind without a length byte */
		uint8_t olen = p[i + 1];

		if (olen < 2 || i + olen > len)
			return -EINVAL;
		opt_one(p + i, kind, olen, o);
		i += olen;
	}
	return 0;
}

/*
 * SYN and SYN-ACK options in the order Linux uses, 4-byte aligned:
 * MSS(4) [SACKOK+TS(12) | NOP NOP TS(12) | NOP NOP SACKOK(4)] [NOP WS(4)] -> at most 20.
 */
uint32_t
tcp_opts_write_syn(uint8_t *p, uint16_t mss, uint16_t tflags, uint8_t wscale,
		   uint32_t tsval, uint32_t tsecr)
{
	uint32_t n = 0;

	p[n++] = OPT_MSS;
	p[n++] = 4;
	p[n++] = mss >> 8;
	p[n++] = mss & 0xff;
	if (tflags & TF_TS) {
		if (tflags & TF_SACK) {
			p[n++] = OPT_SACKOK;
			p[n++] = 2;
		} else {
			p[n++] = OPT_NOP;
			p[n++] = OPT_NOP;
		}
		p[n++] = OPT_TS;
		p[n++] = 10;
		put32(p + n, tsval);
		put32(p + n + 4, tsecr);
		n += 8;
	} else if (tflags & TF_SACK) {
		p[n++] = OPT_NOP;
		p[n++] = OPT_NOP;
		p[n++] = OPT_SACKOK;
		p[n++] = 2;
	}
	if (tflags & TF_WS) {
		p[n++] = OPT_NOP;
		p[n++] = OPT_WS;
		p[n++] = 3;
		p[n++] = wscale;
	}
	return n;
}

/* NOP NOP TS: the 12 bytes every segment carries once timestamps are negotiated. */
uint32_t
tcp_opts_write_ts(uint8_t *p, uint32_t tsval, uint32_t tsecr)
{
	p[0] = OPT_NOP;
	p[1] = OPT_NOP;
	p[2] = OPT_TS;
	p[3] = 10;
	put32(p + 4, tsval);
	put32(p + 8, tsecr);
	return TCP_TS_OPT_LEN;
}

/*
 * RFC 2018 3: NOP NOP SACK(5) with @p n blocks of [left, right) edges: 4 + 8n bytes; with
 * the 12 timestamp bytes at most 3 blocks fit in the 40 bytes of options.
 */
uint32_t
tcp_opts_write_sack(uint8_t *p, const uint32_t blocks[][2], uint32_t n)
{
	p[0] = OPT_NOP;
	p[1] = OPT_NOP;
	p[2] = OPT_SACK;
	p[3] = (uint8_t)(2 + 8 * n);
	for (uint32_t i = 0; i < n; i++) {
		put32(p + 4 + 8 * i, blocks[i][0]);
		put32(p + 8 + 8 * i, blocks[i][1]);
	}
	return 4 + 8 * n;
}
