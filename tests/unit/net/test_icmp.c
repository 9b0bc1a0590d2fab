/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP (RFC 792, RFC 1122 3.2.2): echo reply, checksum and type checks. */
#include <string.h>
#include <criterion/criterion.h>

#include "net_test.h"

TestSuite(icmp, .init = net_test_setup, .fini = net_test_teardown);

static void
expect_echo_reply(const uint8_t *req, size_t req_len, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + RTE_ETHER_HDR_LEN;
	const uint8_t *ic = ip + 20;
	size_t icmp_len = req_len - ETH_IP_LEN;

	cr_assert_eq(len, req_len);
	cr_assert_eq(memcmp(f, &peer_mac, 6), 0, "back to the requester's MAC");
	cr_assert_eq(memcmp(f + 6, &our_mac, 6), 0);
	cr_assert_eq(f[12], 0x08);
	cr_assert_eq(f[13], 0x00);
	cr_assert_eq(ip[0], 0x45);
	cr_assert_eq((ip[2] << 8 | ip[3]), 20 + icmp_len, "total length");
	cr_assert_eq(ip[8], 64, "TTL");
	cr_assert_eq(ip[9], IPPROTO_ICMP);
	cr_assert_eq(memcmp(ip + 12, req + RTE_ETHER_HDR_LEN + 16, 4), 0, "src = asked address");
	cr_assert_eq(memcmp(ip + 16, req + RTE_ETHER_HDR_LEN + 12, 4), 0, "dst = requester");
	cr_assert_eq(cksum16(ip, 20, 0), 0, "IPv4 header checksum");
	cr_assert_eq(ic[0], 0, "type echo reply");
	cr_assert_eq(ic[1], 0, "code 0");
	/* RFC 792: identifier, sequence number and data returned unchanged */
	cr_assert_eq(memcmp(ic + 4, req + ETH_IP_LEN + 4, icmp_len - 4), 0);
	cr_assert_eq(cksum16(ic, icmp_len, 0), 0, "ICMP checksum over the whole message");
}

Test(icmp, echo_request_gets_exact_reply)
{
	uint8_t b[FRAME_MAX], f[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 0x4242, 7, 56);

	cr_assert_eq(feed(b, len), SY_NET_RX_CONSUMED);
	expect_echo_reply(b, len, f, pop(f));
	cr_assert_eq(st()->icmp_rx_echo_request, 1);
	cr_assert_eq(st()->icmp_tx_echo_reply, 1);
	cr_assert_eq(drops_total(), 0);
}

Test(icmp, reply_checksum_is_right_for_many_identifiers)
{
	/* the incremental update (RFC 1624) has edge cases near 0x0000/0xffff */
	for (uint32_t id = 0; id < 65536; id += 251) {
		uint8_t b[FRAME_MAX], f[FRAME_MAX];
		size_t len = frame_icmp_echo(b, (uint16_t)id, (uint16_t)(id * 3), id % 9);

		feed(b, len);
		expect_echo_reply(b, len, f, pop(f));
	}
}

Test(icmp, echo_to_every_local_address_is_answered_from_it)
{
	uint8_t b[FRAME_MAX], f[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 1, 1, 8);

	ip_of(b)->dst_addr = OUR_LAST;
	fix_ip_cksum(b);
	feed(b, len);
	expect_echo_reply(b, len, f, pop(f));
}

Test(icmp, padded_request_gets_unpadded_reply)
{
	uint8_t b[FRAME_MAX], f[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 1, 1, 0);   /* 42 bytes: NIC pads to 60 */

	memset(b + len, 0xee, 60 - len);
	feed(b, 60);
	expect_echo_reply(b, len, f, pop(f));
}

Test(icmp, bad_checksum_is_dropped)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 1, 1, 32);

	b[len - 1] ^= 0x01;   /* a payload byte: only a whole-message check sees it */
	feed(b, len);
	cr_assert_eq(st()->icmp_drop_bad_csum, 1);
	cr_assert_eq(drops_total(), 1);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
}

Test(icmp, message_shorter_than_header_is_dropped)
{
	uint8_t b[FRAME_MAX];
	uint8_t part[8] = { 8, 0, 0xf7, 0xff, 0, 0, 0, 0 };

	for (size_t n = 0; n < 8; n++) {
		size_t len = frame_ipv4(b, IPPROTO_ICMP, PEER_IP, OUR_IP, part, n);

		feed(b, len);
	}
	cr_assert_eq(st()->icmp_drop_truncated, 8);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
}

Test(icmp, other_types_are_counted_and_dropped)
{
	const uint8_t types[] = { 0, 3, 5, 11, 13, 42 };

	for (size_t i = 0; i < RTE_DIM(types); i++) {
		uint8_t b[FRAME_MAX], icmp[8] = { types[i], 0, 0, 0, 0, 1, 0, 1 };
		uint16_t c = cksum16(icmp, 8, 0);

		icmp[2] = c >> 8;
		icmp[3] = c & 0xff;
		feed(b, frame_ipv4(b, IPPROTO_ICMP, PEER_IP, OUR_IP, icmp, 8));
	}
	cr_assert_eq(st()->icmp_drop_type, RTE_DIM(types));
	cr_assert_eq(st()->icmp_rx_echo_request, 0);
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
}

Test(icmp, multi_segment_request_gets_valid_reply)
{
	uint8_t b[FRAME_MAX], f[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 9, 9, 301);   /* odd length: byte-swapped sums */

	for (size_t split = ETH_IP_LEN + 8; split < len; split += 37) {
		sy_net_input(fx.net, mbuf_split(b, len, split), T0);
		expect_echo_reply(b, len, f, pop(f));
	}
}

Test(icmp, request_with_headers_split_is_dropped_counted)
{
	uint8_t b[FRAME_MAX];
	size_t len = frame_icmp_echo(b, 9, 9, 64);

	for (size_t split = 1; split < ETH_IP_LEN + 8; split++)
		sy_net_input(fx.net, mbuf_split(b, len, split), T0);
	cr_assert_eq(st()->rx_drop_hdr_split, ETH_IP_LEN + 7);
	cr_assert_eq(st()->icmp_rx_echo_request, ETH_IP_LEN + 7, "validated before the drop");
	cr_assert_eq(sy_test_wire_count(&fx.wire, &fx.txq), 0);
}
