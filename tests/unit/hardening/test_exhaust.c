/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resource exhaustion: each condition is counted, handled without a crash or a leak, and
 * the stack recovers once the resource is back -- through TCP's own retransmission
 * (RFC 9293 3.8.1 / RFC 6298), since every loss below looks like loss on the wire.
 *  - mbuf pool empty: segments TCP cannot build are counted in drop_no_mbuf;
 *  - TX queue full: the device refuses frames, counted in the txq's tx_drop_full;
 *  - ARP pending queue full: frames past arp_pending_max wait nowhere, counted in
 *    arp_drop_pending_full, and their SYNs are retransmitted after resolution.
 */
#include <string.h>
#include <criterion/criterion.h>
#include <rte_arp.h>
#include <rte_ether.h>

#include "tcp_harness.h"

TestSuite(exhaust, .init = th_setup, .fini = th_teardown);

#define RTO_MS 1000     /* RFC 6298 2.1 initial RTO, the harness's rto_init_ms */

static struct rte_mbuf *held[8192];
static unsigned int n_held;

/* Takes every mbuf but @p leave out of the stack's pool; returns how many it took. */
static unsigned int
drain_pool(struct rte_mempool *mp, unsigned int leave)
{
	unsigned int n = 0;

	while (rte_mempool_avail_count(mp) > leave && n_held < RTE_DIM(held)) {
		held[n_held] = rte_pktmbuf_alloc(mp);
		cr_assert_not_null(held[n_held]);
		n_held++;
		n++;
	}
	return n;
}

static void
refill_pool(void)
{
	for (unsigned int i = 0; i < n_held; i++)
		rte_pktmbuf_free(held[i]);
	n_held = 0;
}

Test(exhaust, empty_pool_drops_are_counted_and_retransmission_recovers)
{
	struct rte_mempool *dpool = sy_test_pool(63);
	struct th_conn cn = { 0 }, cn2 = { .pport = 41000 };
	bool got_data = false, got_synack = false;
	uint8_t d[1000];
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	th_pattern(d, sizeof(d), 9);
	unsigned int taken = drain_pool(TH->pool, 1);   /* one left: the peer's next SYN */
	uint64_t nomb = sy_tcp_stats(TH->tcp)->drop_no_mbuf;

	/* the SYN holds the last mbuf while the stack answers: SYN-ACK cannot be built */
	th_feed(TH, &(struct th_seg){ .src_ip = TH_PEER2_IP, .sport = cn2.pport,
				      .flags = TH_SYN, .seq = 777, .opt = { .mss = 1460 } });
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_SYN_RECEIVED), 1);
	/* that mbuf is back: take it too, then the application sends */
	taken += drain_pool(TH->pool, 0);
	cr_assert_eq(sy_tcp_send(TH->tcp, cn.c, sy_test_mbuf_from(dpool, d, sizeof(d))), 0);
	cr_assert_eq(th_pending(TH), 0, "a frame left with an empty pool");
	cr_assert_geq(sy_tcp_stats(TH->tcp)->drop_no_mbuf, nomb + 2,
		      "drop_no_mbuf %lu", sy_tcp_stats(TH->tcp)->drop_no_mbuf);

	cr_assert_eq(rte_mempool_avail_count(TH->pool), 0);
	cr_assert_gt(taken, 0);
	refill_pool();
	/* both losses are repaired by the retransmission timer (data: the RTO measured on
	 * the handshake; SYN-ACK: the initial RTO, RFC 6298 2.1) */
	for (unsigned int ms = 0; ms <= RTO_MS + TH_SLACK_MS(RTO_MS) &&
	     !(got_data && got_synack); ms++) {
		th_advance_ms(TH, 1);
		while (th_try_pop(TH, &p)) {
			if (p.dst_ip == TH_PEER_IP && p.len == sizeof(d)) {
				cr_assert_eq(p.seq, cn.snd_nxt);
				cr_assert_arr_eq(p.data, d, sizeof(d));
				got_data = true;
			} else if (p.dst_ip == TH_PEER2_IP) {
				cr_assert_eq(p.flags & ~TH_PSH, TH_SYN | TH_ACK);
				cr_assert_eq(p.ack, 778);
				got_synack = true;
				cn2.iss = p.seq;
			}
		}
	}
	cr_assert(got_data && got_synack, "data %d SYN-ACK %d", got_data, got_synack);
	th_peer_send_at(TH, &cn, TH_ACK, cn.rcv_nxt, cn.snd_nxt + sizeof(d), NULL, 0);
	th_feed(TH, &(struct th_seg){ .src_ip = TH_PEER2_IP, .sport = cn2.pport,
				      .flags = TH_ACK, .seq = 778, .ack = cn2.iss + 1 });
	cr_assert_eq(th_app_count(TH, TH_EV_ACCEPTED), 2, "the new connection did not complete");
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_ESTABLISHED), 2);
	sy_test_pool_check_and_free(dpool);
}

Test(exhaust, tx_queue_full_is_counted_and_the_lost_segment_is_retransmitted)
{
	struct th_conn cn = { 0 };
	uint8_t d[500];
	struct th_pkt p;

	th_open_passive(TH, &cn, NULL, 0);
	th_pattern(d, sizeof(d), 4);
	struct sy_tcp_conn_info ci;
	cr_assert_eq(sy_tcp_conn_info(TH->tcp, cn.c, &ci), 0);
	TH->wire.refuse = 1000;                 /* the device takes nothing */
	th_app_send(TH, cn.c, d, sizeof(d));
	cr_assert_eq(th_pending(TH), 0);
	cr_assert_eq(TH->txq.tx_drop_full, 1, "tx_drop_full %lu", TH->txq.tx_drop_full);
	TH->wire.refuse = 0;
	uint64_t t = th_expect_within(TH, RTO_MS + TH_SLACK_MS(RTO_MS), &p, TH_ACK, cn.snd_nxt,
				      cn.rcv_nxt);
	/* RFC 6298 5.1: the timer was started when the (lost) segment was sent */
	cr_assert_geq(t, ci.rto_ms - 1, "retransmitted after %lu ms, RTO %u", t, ci.rto_ms);
	cr_assert_eq(p.len, sizeof(d));
	cr_assert_arr_eq(p.data, d, sizeof(d));
	th_peer_send_at(TH, &cn, TH_ACK, cn.rcv_nxt, cn.snd_nxt + sizeof(d), NULL, 0);
	th_advance_ms(TH, 3 * RTO_MS);
	th_expect_none(TH);                       /* acknowledged: nothing more to repair */
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}

#define P3_IP SY_TEST_IPV4(192, 0, 2, 4)       /* on-link, no ARP entry */
#define N_CONN 20                              /* more than arp_pending_max (16) */

static const struct rte_ether_addr p3_mac = { .addr_bytes = { 2, 0, 0, 0, 0, 4 } };

static void
feed_arp_reply(struct th *h)
{
	uint8_t f[RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr)];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eth + 1);
	const struct rte_ether_addr *lmac = &sy_net_conf(h->net)->mac;

	memset(f, 0, sizeof(f));
	eth->dst_addr = *lmac;
	eth->src_addr = p3_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_sha = p3_mac;
	a->arp_data.arp_sip = rte_cpu_to_be_32(P3_IP);
	a->arp_data.arp_tha = *lmac;
	a->arp_data.arp_tip = rte_cpu_to_be_32(TH_LOCAL_IP);
	th_feed_mbuf(h, sy_test_mbuf_from(h->pool, f, sizeof(f)));
}

/* Pops every SYN to P3 waiting; answers each with a SYN-ACK; returns how many. */
static unsigned int
answer_syns(struct th *h, uint32_t *seen)
{
	unsigned int n = 0;
	struct th_pkt p;

	while (th_try_pop(h, &p)) {
		if (p.dst_ip != P3_IP || p.flags != TH_SYN)
			continue;
		cr_assert_geq(p.sport, 41000);
		cr_assert_lt(p.sport, 41000 + N_CONN);
		if (!(*seen & (1u << (p.sport - 41000))))
			n++;
		*seen |= 1u << (p.sport - 41000);
		th_feed(h, &(struct th_seg){ .src_ip = P3_IP, .sport = TH_LPORT, .dport = p.sport,
					     .flags = TH_SYN | TH_ACK, .seq = 5000,
					     .ack = p.seq + 1, .opt = { .mss = 1460 } });
	}
	return n;
}

Test(exhaust, arp_pending_full_is_counted_and_syn_retransmission_recovers)
{
	const struct sy_net_stats *ns = sy_net_stats(TH->net);
	uint32_t seen = 0;
	sy_conn_t c;

	for (unsigned int i = 0; i < N_CONN; i++)
		cr_assert_eq(sy_tcp_connect(TH->tcp, rte_cpu_to_be_32(TH_LOCAL_IP),
					    rte_cpu_to_be_16(41000 + i), rte_cpu_to_be_32(P3_IP),
					    rte_cpu_to_be_16(TH_LPORT), &TH->ops, &TH->app, &c), 0);
	cr_assert_eq(ns->arp_pending_queued, 16);
	cr_assert_eq(ns->arp_drop_pending_full, N_CONN - 16);
	cr_assert_eq(ns->arp_tx_request, 1);
	while (th_try_pop(TH, NULL))     /* nothing but the ARP request (skipped) */
		cr_assert(false, "an IPv4 frame left before the next hop resolved");

	feed_arp_reply(TH);
	cr_assert_eq(answer_syns(TH, &seen), 16, "held SYNs not sent on resolution");
	cr_assert_eq(th_app_count(TH, TH_EV_CONNECTED), 16);
	/* the SYNs dropped at the full queue are retransmitted at the initial RTO */
	th_advance_ms(TH, RTO_MS + TH_SLACK_MS(RTO_MS));
	cr_assert_eq(answer_syns(TH, &seen), N_CONN - 16);
	cr_assert_eq(th_app_count(TH, TH_EV_CONNECTED), N_CONN);
	cr_assert_eq(sy_tcp_count(TH->tcp, SY_TCP_ESTABLISHED), N_CONN);
}

/*
 * The out-of-order queue at its bound (docs/tcp.md: at most TCP_RQ_RANGES disjoint runs):
 * runs beyond it are dropped and counted (drop_ooo), nothing is delivered out of order,
 * and when the hole is filled and the peer retransmits what was dropped, every byte
 * arrives exactly once and in order.
 */
#define OOO_SEG 100
#define OOO_RUNS 24       /* more than TCP_RQ_RANGES (16) */

Test(exhaust, out_of_order_queue_at_its_bound_drops_counted_and_recovers)
{
	static uint8_t data[OOO_SEG * (2 * OOO_RUNS + 1)];
	struct th_conn cn = { 0 };
	uint32_t base;

	th_pattern(data, sizeof(data), 11);
	th_open_passive(TH, &cn, NULL, 0);
	base = cn.rcv_nxt;
	/* runs at segment 2, 4, 6, ...: each one a separate hole above RCV.NXT */
	for (unsigned int i = 1; i <= OOO_RUNS; i++)
		th_peer_send_at(TH, &cn, TH_ACK, base + 2 * i * OOO_SEG, cn.snd_nxt,
				data + 2 * i * OOO_SEG, OOO_SEG);
	sy_test_wire_clear(&TH->wire, &TH->txq);     /* the duplicate ACKs */
	cr_assert_gt(sy_tcp_stats(TH->tcp)->drop_ooo, 0, "no run dropped past the bound");
	cr_assert_eq(TH->app.data_len, 0, "data delivered out of order");
	/* the peer fills every hole, then retransmits everything the queue dropped */
	for (unsigned int i = 0; i < 2 * OOO_RUNS + 1; i++)
		th_peer_send_at(TH, &cn, TH_ACK, base + i * OOO_SEG, cn.snd_nxt,
				data + i * OOO_SEG, OOO_SEG);
	cr_assert_eq(TH->app.data_len, sizeof(data), "delivered %u of %zu bytes",
		     TH->app.data_len, sizeof(data));
	cr_assert_eq(memcmp(TH->app.data, data, sizeof(data)), 0, "bytes differ");
	cr_assert_eq(sy_tcp_conn_state(TH->tcp, cn.c), SY_TCP_ESTABLISHED);
}
