/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop's ARP sharing: with RSS, ARP replies reach queue 0 only, yet every
 * worker resolves its own next hops, so a reply received by one worker must teach every
 * other worker of the port (and release the frames they hold for that neighbour), while
 * a request is answered once, by the worker that received it.
 */
#include <string.h>
#include <criterion/criterion.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_ring.h>

#include "sy_test.h"
#include "sy_worker.h"

#define LOCAL_IP SY_TEST_IPV4(192, 0, 2, 1)
#define PEER_IP SY_TEST_IPV4(192, 0, 2, 2)

static const struct rte_ether_addr our_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct rte_ether_addr peer_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };

struct fixture {
	struct rte_mempool *pool;
	struct sy_worker w[2];
	struct sy_test_wire wire[2];
};

static struct fixture fx;

static void
setup(void)
{
	struct sy_net_conf nc;

	sy_test_eal_init();
	memset(&fx, 0, sizeof(fx));
	fx.pool = sy_test_pool(1023);
	sy_net_conf_defaults(&nc);
	nc.mac = our_mac;
	nc.addr_first = rte_cpu_to_be_32(LOCAL_IP);
	nc.addr_count = 1;
	nc.prefix_len = 24;
	nc.mtu = 1500;
	for (int i = 0; i < 2; i++) {
		struct sy_worker *w = &fx.w[i];
		char name[32];

		w->queue_id = (uint16_t)i;
		w->pool = fx.pool;
		sy_clock_init_virtual(&w->clock, 1000000);
		sy_test_wire_attach(&fx.wire[i], &w->txq);
		w->net = sy_net_create(&nc, &w->txq, fx.pool, SOCKET_ID_ANY);
		cr_assert_not_null(w->net);
		snprintf(name, sizeof(name), "test_arp_inbox%d", i);
		w->arp_inbox = rte_ring_create(name, 64, SOCKET_ID_ANY, RING_F_SC_DEQ);
		cr_assert_not_null(w->arp_inbox);
	}
	fx.w[0].arp_peers[fx.w[0].n_arp_peers++] = fx.w[1].arp_inbox;
	fx.w[1].arp_peers[fx.w[1].n_arp_peers++] = fx.w[0].arp_inbox;
}

static void
teardown(void)
{
	for (int i = 0; i < 2; i++) {
		struct sy_worker *w = &fx.w[i];
		struct rte_mbuf *m;

		while (rte_ring_dequeue(w->arp_inbox, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->arp_inbox);
		sy_net_free(w->net);
		sy_test_wire_clear(&fx.wire[i], &w->txq);
	}
	sy_test_pool_check_and_free(fx.pool);
}

TestSuite(worker_arp, .init = setup, .fini = teardown);

/* An ARP frame from the peer (RFC 826 layout). */
static struct rte_mbuf *
arp_frame(uint16_t op)
{
	uint8_t f[RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr)];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);

	memset(f, 0, sizeof(f));
	eh->dst_addr = op == RTE_ARP_OP_REPLY ? our_mac :
		       (struct rte_ether_addr){ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	eh->src_addr = peer_mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	ah->arp_data.arp_sha = peer_mac;
	ah->arp_data.arp_sip = rte_cpu_to_be_32(PEER_IP);
	ah->arp_data.arp_tha = op == RTE_ARP_OP_REPLY ? our_mac : (struct rte_ether_addr){ 0 };
	ah->arp_data.arp_tip = rte_cpu_to_be_32(LOCAL_IP);
	return sy_test_mbuf_from(fx.pool, f, sizeof(f));
}

/* Worker 1 sends a UDP-less ICMP-sized payload to the peer: it must resolve first. */
static void
worker1_sends_to_peer(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fx.pool);

	cr_assert_not_null(m);
	memset(rte_pktmbuf_append(m, 8), 0, 8);
	cr_assert_eq(sy_net_output(fx.w[1].net, m, rte_cpu_to_be_32(LOCAL_IP),
				   rte_cpu_to_be_32(PEER_IP), IPPROTO_ICMP, 1000), 0);
}

static uint16_t
frame_ethertype(const struct rte_mbuf *m)
{
	return rte_be_to_cpu_16(rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type);
}

Test(worker_arp, reply_received_by_one_worker_teaches_the_other_and_releases_its_frames)
{
	struct rte_mbuf *reply = arp_frame(RTE_ARP_OP_REPLY), *f;
	struct rte_ether_addr mac;

	worker1_sends_to_peer();
	f = sy_test_wire_pop(&fx.wire[1], &fx.w[1].txq);
	cr_assert_not_null(f, "worker 1 sends an ARP request first");
	cr_assert_eq(frame_ethertype(f), RTE_ETHER_TYPE_ARP);
	rte_pktmbuf_free(f);
	cr_assert_eq(sy_test_wire_count(&fx.wire[1], &fx.w[1].txq), 0, "the frame waits");

	sy_worker_input(&fx.w[0], &reply, 1);   /* the reply lands on queue 0 */
	cr_assert_eq(fx.w[0].stats.arp_shared, 1);
	cr_assert_eq(sy_net_arp_lookup(fx.w[0].net, rte_cpu_to_be_32(PEER_IP), &mac), 0);

	sy_worker_arp_inbox(&fx.w[1]);
	cr_assert_eq(fx.w[1].stats.arp_from_peers, 1);
	cr_assert_eq(sy_net_arp_lookup(fx.w[1].net, rte_cpu_to_be_32(PEER_IP), &mac), 0);
	cr_assert(rte_is_same_ether_addr(&mac, &peer_mac));
	f = sy_test_wire_pop(&fx.wire[1], &fx.w[1].txq);
	cr_assert_not_null(f, "worker 1's waiting frame leaves once it learned the MAC");
	cr_assert_eq(frame_ethertype(f), RTE_ETHER_TYPE_IPV4);
	cr_assert(rte_is_same_ether_addr(&rte_pktmbuf_mtod(f, struct rte_ether_hdr *)->dst_addr,
					 &peer_mac));
	rte_pktmbuf_free(f);
}

Test(worker_arp, request_is_answered_once_and_not_shared)
{
	struct rte_mbuf *req = arp_frame(RTE_ARP_OP_REQUEST), *f;

	sy_worker_input(&fx.w[0], &req, 1);
	cr_assert_eq(fx.w[0].stats.arp_shared, 0);
	cr_assert_eq(rte_ring_count(fx.w[1].arp_inbox), 0);
	f = sy_test_wire_pop(&fx.wire[0], &fx.w[0].txq);
	cr_assert_not_null(f, "the receiving worker answers");
	cr_assert_eq(frame_ethertype(f), RTE_ETHER_TYPE_ARP);
	rte_pktmbuf_free(f);
	sy_worker_arp_inbox(&fx.w[1]);
	cr_assert_eq(sy_test_wire_count(&fx.wire[1], &fx.w[1].txq), 0, "no second answer");
}

Test(worker_arp, full_peer_inbox_drops_the_copy_and_counts_it)
{
	struct rte_mbuf *filler[64];
	unsigned int n = 0;

	/* fill worker 1's inbox (a 64-slot ring holds 63) */
	while (n < RTE_DIM(filler) && rte_ring_free_count(fx.w[1].arp_inbox) > 0) {
		filler[n] = arp_frame(RTE_ARP_OP_REPLY);
		cr_assert_eq(rte_ring_enqueue(fx.w[1].arp_inbox, filler[n]), 0);
		n++;
	}
	struct rte_mbuf *reply = arp_frame(RTE_ARP_OP_REPLY);

	sy_worker_input(&fx.w[0], &reply, 1);
	cr_assert_eq(fx.w[0].stats.arp_share_drop, 1);
	cr_assert_eq(fx.w[0].stats.arp_shared, 0);
}

/*
 * Only replies the receiving worker itself would learn from are copied to the others:
 * a forged or stray reply must not cost a copy per worker (and must not teach them).
 */
static void
assert_reply_not_shared(struct rte_mbuf *reply, const char *why)
{
	struct rte_ether_addr mac;

	sy_worker_input(&fx.w[0], &reply, 1);
	cr_assert_eq(fx.w[0].stats.arp_shared, 0, "%s: not shared", why);
	cr_assert_eq(rte_ring_count(fx.w[1].arp_inbox), 0, "%s: inbox empty", why);
	cr_assert_neq(sy_net_arp_lookup(fx.w[1].net, rte_cpu_to_be_32(PEER_IP), &mac), 0,
		      "%s: the other worker learned nothing", why);
}

static struct rte_arp_ipv4 *
arp_data(struct rte_mbuf *m)
{
	return &rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN)->arp_data;
}

Test(worker_arp, reply_claiming_our_address_is_not_shared)
{
	struct rte_mbuf *reply = arp_frame(RTE_ARP_OP_REPLY);

	arp_data(reply)->arp_sip = rte_cpu_to_be_32(LOCAL_IP);
	assert_reply_not_shared(reply, "sender is our address");
	cr_assert_eq(sy_net_stats(fx.w[0].net)->arp_drop_bad_sender, 1);
}

Test(worker_arp, reply_from_a_group_mac_is_not_shared)
{
	struct rte_mbuf *reply = arp_frame(RTE_ARP_OP_REPLY);

	arp_data(reply)->arp_sha.addr_bytes[0] |= 0x01;
	assert_reply_not_shared(reply, "multicast sender hardware address");
}

/* A neighbour may answer to the broadcast address; every worker must still learn it. */
Test(worker_arp, broadcast_reply_is_learned_and_shared)
{
	struct rte_mbuf *reply = arp_frame(RTE_ARP_OP_REPLY);
	struct rte_ether_addr mac;

	memset(&rte_pktmbuf_mtod(reply, struct rte_ether_hdr *)->dst_addr, 0xff,
	       RTE_ETHER_ADDR_LEN);
	sy_worker_input(&fx.w[0], &reply, 1);
	cr_assert_eq(fx.w[0].stats.arp_shared, 1);
	sy_worker_arp_inbox(&fx.w[1]);
	cr_assert_eq(sy_net_arp_lookup(fx.w[1].net, rte_cpu_to_be_32(PEER_IP), &mac), 0);
	cr_assert(rte_is_same_ether_addr(&mac, &peer_mac));
}

Test(worker_arp, reply_with_an_unspecified_sender_address_is_not_shared)
{
	struct rte_mbuf *reply = arp_frame(RTE_ARP_OP_REPLY);

	arp_data(reply)->arp_sip = 0;
	assert_reply_not_shared(reply, "sender address 0.0.0.0");
}

Test(worker_arp, reply_to_another_mac_or_malformed_is_not_shared)
{
	struct rte_mbuf *reply = arp_frame(RTE_ARP_OP_REPLY);

	rte_pktmbuf_mtod(reply, struct rte_ether_hdr *)->dst_addr.addr_bytes[5] ^= 0x10;
	assert_reply_not_shared(reply, "Ethernet destination not our MAC");
	reply = arp_frame(RTE_ARP_OP_REPLY);
	rte_pktmbuf_mtod_offset(reply, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN)->arp_plen = 6;
	assert_reply_not_shared(reply, "protocol address length 6");
	reply = arp_frame(RTE_ARP_OP_REPLY);
	rte_pktmbuf_trim(reply, 1);
	assert_reply_not_shared(reply, "truncated by one byte");
}
