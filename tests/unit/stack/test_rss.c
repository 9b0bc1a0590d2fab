/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software RSS must agree with the Toeplitz hash NICs compute, bit for bit: the test
 * vectors are Microsoft's "Verifying the RSS Hash Calculation" (IPv4 with TCP ports),
 * which every RSS NIC is validated against.
 */
#include <criterion/criterion.h>
#include <rte_random.h>

#include "sy_rss.h"
#include "sy_test.h"

static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static struct sy_rss_map map;

static void
setup(void)
{
	uint16_t reta[128];

	sy_test_eal_init();
	for (unsigned int i = 0; i < RTE_DIM(reta); i++)
		reta[i] = (uint16_t)(i % 4);
	cr_assert_eq(sy_rss_map_init(&map, ms_key, sizeof(ms_key), reta, 128, SOCKET_ID_ANY), 0);
}

static void
teardown(void)
{
	sy_rss_map_free(&map);
}

TestSuite(rss, .init = setup, .fini = teardown);

#define IP(a, b, c, d) rte_cpu_to_be_32(SY_TEST_IPV4(a, b, c, d))
#define PORT(p) rte_cpu_to_be_16(p)

Test(rss, microsoft_ipv4_tcp_vectors)
{
	/* source, destination, expected hash */
	cr_assert_eq(sy_rss_hash(&map, IP(66, 9, 149, 187), IP(161, 142, 100, 80), PORT(2794),
				 PORT(1766)), 0x51ccc178);
	cr_assert_eq(sy_rss_hash(&map, IP(199, 92, 111, 2), IP(65, 69, 140, 83), PORT(14230),
				 PORT(4739)), 0xc626b0ea);
	cr_assert_eq(sy_rss_hash(&map, IP(24, 19, 198, 95), IP(12, 22, 207, 184), PORT(12898),
				 PORT(38024)), 0x5c2b394a);
	cr_assert_eq(sy_rss_hash(&map, IP(38, 27, 205, 30), IP(209, 142, 163, 6), PORT(48228),
				 PORT(2217)), 0xafc7327f);
	cr_assert_eq(sy_rss_hash(&map, IP(153, 39, 163, 191), IP(202, 188, 127, 2), PORT(44251),
				 PORT(1303)), 0x10e828a2);
}

Test(rss, cached_part_and_port_table_agree_with_a_fresh_hash_for_every_port)
{
	struct sy_rss_map fresh;
	uint16_t reta[1] = { 0 };

	cr_assert_eq(sy_rss_map_init(&fresh, ms_key, sizeof(ms_key), reta, 1, SOCKET_ID_ANY), 0);
	for (uint32_t p = 0; p < 65536; p += 97) {
		uint32_t a = sy_rss_hash(&map, IP(198, 18, 0, 1), IP(198, 18, 0, 7), PORT(80),
					 PORT(p));

		fresh.c_valid = false;   /* no cache: recomputes the address part */
		cr_assert_eq(a, sy_rss_hash(&fresh, IP(198, 18, 0, 1), IP(198, 18, 0, 7), PORT(80),
					    PORT(p)), "port %u", p);
	}
	sy_rss_map_free(&fresh);
}

Test(rss, queue_is_the_redirection_table_entry_of_the_hash)
{
	uint32_t h = sy_rss_hash(&map, IP(66, 9, 149, 187), IP(161, 142, 100, 80), PORT(2794),
				 PORT(1766));

	cr_assert_eq(sy_rss_queue(&map, IP(66, 9, 149, 187), IP(161, 142, 100, 80), PORT(2794),
				  PORT(1766)), (h % 128) % 4);
}
