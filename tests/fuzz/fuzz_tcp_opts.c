/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the TCP option parser (lib/tcp/options.c, declared in lib/tcp/tcb.h)
 * on an arbitrary option area of 0..40 bytes (RFC 9293 3.1: data offset 15 words at most),
 * then the writers on values taken from the parse. The input is copied to a buffer of
 * exactly its size, so AddressSanitizer catches a read one byte past the area.
 * Invariants checked (abort() on violation):
 *   - a list the parser accepts yields a window shift <= 14 (RFC 7323 2.3) and at most 4
 *     SACK blocks;
 *   - the writers stay within TCP_OPTS_MAX bytes, write a multiple of 4, and what they
 *     write parses back to the same values.
 */
#include <stdlib.h>
#include <string.h>

#include "tcb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_roundtrip(const struct tcp_opts *o, uint16_t tflags)
{
	uint8_t buf[TCP_OPTS_MAX + 8];
	struct tcp_opts back;
	uint32_t n = tcp_opts_write_syn(buf, o->mss ? o->mss : 536, tflags, o->wscale,
					o->tsval, o->tsecr);

	if (n > TCP_OPTS_MAX || n % 4 != 0 || tcp_opts_parse(buf, n, &back) != 0)
		abort();
	if ((back.present & TOPT_MSS) == 0 || back.mss != (o->mss ? o->mss : 536))
		abort();
	if ((tflags & TF_TS) && ((back.present & TOPT_TS) == 0 || back.tsval != o->tsval ||
				 back.tsecr != o->tsecr))
		abort();
	if ((tflags & TF_WS) && ((back.present & TOPT_WS) == 0 || back.wscale != o->wscale))
		abort();
	if ((tflags & TF_SACK) && (back.present & TOPT_SACKOK) == 0)
		abort();
	n = tcp_opts_write_ts(buf, o->tsval, o->tsecr);
	if (n != TCP_TS_OPT_LEN || tcp_opts_parse(buf, n, &back) != 0 ||
	    (back.present & TOPT_TS) == 0 || back.tsval != o->tsval || back.tsecr != o->tsecr)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_opts o;

	if (size == 0)
		return 0;
	/* first byte: which of MSS/WS/SACK/TS the writers get; the rest: the option area */
	uint16_t tflags = data[0] & (TF_TS | TF_SACK | TF_WS);
	size_t len = size - 1 > 40 ? 40 : size - 1;
	uint8_t *area = malloc(len ? len : 1);

	if (area == NULL)
		return 0;
	memcpy(area, data + 1, len);
	memset(&o, 0xa5, sizeof(o));       /* the parser must not rely on a zeroed struct */
	if (tcp_opts_parse(area, (uint32_t)len, &o) == 0) {
		if (((o.present & TOPT_WS) && o.wscale > 14) ||
		    ((o.present & TOPT_SACK) && (o.sack_blocks == 0 || o.sack_blocks > 4)))
			abort();
		struct tcp_opts w = { 0 };

		w.mss = (o.present & TOPT_MSS) ? o.mss : 0;
		w.wscale = (o.present & TOPT_WS) ? o.wscale : 0;
		if (o.present & TOPT_TS) {
			w.tsval = o.tsval;
			w.tsecr = o.tsecr;
		}
		check_roundtrip(&w, tflags);
	}
	free(area);
	return 0;
}
