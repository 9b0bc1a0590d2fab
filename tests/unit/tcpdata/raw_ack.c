/* SPDX-License-Identifier: BSD-3-Clause */
/* See raw_ack.h. */
#include <string.h>
#include <criterion/criterion.h>
#include <rte_tcp.h>

#include "raw_ack.h"

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void
raw_ack_pop(struct raw_ack *r)
{
	struct rte_mbuf *m = sy_test_wire_pop(&TH->wire, &TH->txq);
	const uint8_t *f, *o;
	uint32_t hl, ol, i = 0;

	cr_assert_not_null(m, "no frame");
	f = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(f + 14 + 20);
	hl = (th->data_off >> 4) * 4u;
	memset(r, 0, sizeof(*r));
	r->seq = rte_be_to_cpu_32(th->sent_seq);
	r->ack = rte_be_to_cpu_32(th->recv_ack);
	r->flags = th->tcp_flags;
	r->len = (uint16_t)(m->pkt_len - 14 - 20 - hl);
	o = (const uint8_t *)(th + 1);
	ol = hl - 20;
	while (i < ol) {
		if (o[i] == 0)
			break;
		if (o[i] == 1) {
			i++;
			continue;
		}
		cr_assert(i + 1 < ol && o[i + 1] >= 2, "malformed option list");
		if (o[i] == 5) {
			r->nblk = (o[i + 1] - 2u) / 8;
			for (uint32_t k = 0; k < r->nblk && k < 4; k++) {
				r->blk[k][0] = get32(o + i + 2 + 8 * k);
				r->blk[k][1] = get32(o + i + 6 + 8 * k);
			}
		}
		i += o[i + 1];
	}
	rte_pktmbuf_free(m);
}
