/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The profile loader: every shipped profile loads, and every kind of mistake is refused
 * with -EINVAL and a message that names the file, the section and the key, so that a user
 * can fix the profile from the message alone.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <rte_ethdev.h>

#include "sy_port.h"

static char tmpdir[] = "/tmp/sy_port_test_XXXXXX";
static char path[512];
static char err[SY_PORT_ERR_LEN];
static struct sy_port_conf conf;

static void
tmp_setup(void)
{
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/p.ini", tmpdir);
}

static void
tmp_teardown(void)
{
	unlink(path);
	rmdir(tmpdir);
}

TestSuite(profile, .init = tmp_setup, .fini = tmp_teardown);

/* A minimal valid profile, with one line replaced or added by each test. */
#define BASE_PORT "[port]\ndriver = net_null\ndevice = net_null0\n"
#define BASE_IP "[ip]\naddress = 198.18.0.1\nprefix_len = 15\n"

static int
load_text(const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return sy_port_conf_load(path, &conf, err, sizeof(err));
}

static void
expect_einval(const char *text, const char *section, const char *key)
{
	int rc = load_text(text);

	cr_assert_eq(rc, -EINVAL, "rc %d for:\n%s", rc, text);
	cr_assert_not_null(strstr(err, path), "no file name in '%s'", err);
	cr_assert_not_null(strstr(err, section), "no section %s in '%s'", section, err);
	if (key != NULL)
		cr_assert_not_null(strstr(err, key), "no key %s in '%s'", key, err);
}

Test(profile, every_shipped_profile_loads)
{
	const char *root = getenv("SY_SOURCE_ROOT");
	char dir[512], file[1024];
	unsigned int n = 0;

	cr_assert_not_null(root, "SY_SOURCE_ROOT not set");
	snprintf(dir, sizeof(dir), "%s/drivers-config", root);
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".ini") != 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
		int rc = sy_port_conf_load(file, &conf, err, sizeof(err));
		cr_expect_eq(rc, 0, "%s: %s", e->d_name, err);
		n++;
	}
	closedir(d);
	cr_assert_geq(n, 8, "only %u profiles found", n);
}

Test(profile, minimal_profile_gets_documented_defaults)
{
	cr_assert_eq(load_text(BASE_PORT BASE_IP), 0, "%s", err);
	cr_assert_eq(conf.driver, SY_PORT_DRV_NULL);
	cr_assert_str_eq(conf.device, "net_null0");
	cr_assert_eq(conf.rx_desc, 1024);
	cr_assert_eq(conf.tx_desc, 1024);
	cr_assert_eq(conf.mtu, 1500);
	cr_assert_eq(conf.rx_queues, 0, "auto");
	cr_assert_eq(conf.rss_key_len, 0, "symmetric default");
	cr_assert_eq(conf.rss_hf, RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP);
	cr_assert_not(conf.mac_set);
	cr_assert_eq(conf.ip.addr_first, htonl(0xc6120001));
	cr_assert_eq(conf.ip.addr_count, 1);
	cr_assert_eq(conf.ip.prefix_len, 15);
	cr_assert_eq(conf.ip.gateway, 0);
	cr_assert_eq(conf.ip.arp_timeout_s, 60);
	cr_assert_eq(conf.ip.arp_retry_ms, 1000);
	cr_assert_eq(conf.ip.arp_retries, 3);
	cr_assert_eq(conf.ip.arp_pending_max, 16);
	cr_assert_eq(conf.ip.arp_table_size, 1024);
	cr_assert_eq(conf.mbufs, 32767);
	cr_assert_eq(conf.mbuf_cache, 256);
	cr_assert_eq(conf.data_room, 2176);
	cr_assert_eq(conf.main_lcore, 0);
	cr_assert_eq(conf.worker_count, 1);
	cr_assert_eq(conf.worker_lcores[0], 1);
	cr_assert_not(conf.has_peer);
}

Test(profile, values_are_read_in_their_units)
{
	int rc = load_text("[port]\ndriver = pci\ndevice = 0000:3b:00.0\nrx_desc = 2048\n"
			   "mac = 02:00:00:00:00:0a\nrx_queues = 4\nrss_hash = ipv4 udp,tcp\n"
			   "rss_key = " "6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a"
			   "6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a\n"
			   "offload_tso = yes\npromiscuous = on\n"
			   "[ip]\naddress = 10.1.2.3\naddress_count = 4\nprefix_len = 24\n"
			   "gateway = 10.1.2.254\n[lcores]\nmain = 2\nworkers = 4-5,8\n");

	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(conf.driver, SY_PORT_DRV_PCI);
	cr_assert_eq(conf.rx_desc, 2048);
	cr_assert(conf.mac_set);
	cr_assert_eq(conf.mac.addr_bytes[5], 0x0a);
	cr_assert_eq(conf.rx_queues, 4);
	cr_assert_eq(conf.rss_hf, RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_UDP |
		     RTE_ETH_RSS_NONFRAG_IPV4_TCP);
	cr_assert_eq(conf.rss_key_len, 40);
	cr_assert_eq(conf.rss_key[0], 0x6d);
	cr_assert_eq(conf.rss_key[39], 0x5a);
	cr_assert(conf.want_tso);
	cr_assert(conf.promiscuous);
	cr_assert_eq(conf.ip.gateway, htonl(0x0a0102fe));
	cr_assert_eq(conf.worker_count, 3);
	cr_assert_eq(conf.worker_lcores[0], 4);
	cr_assert_eq(conf.worker_lcores[1], 5);
	cr_assert_eq(conf.worker_lcores[2], 8);
	char list[64];
	cr_assert_eq(sy_port_conf_lcore_list(&conf, list, sizeof(list)), 0);
	cr_assert_str_eq(list, "2,4,5,8");
}

Test(profile, ring_pair_peer_swaps_addresses)
{
	struct sy_port_conf peer;
	int rc = load_text("[port]\ndriver = net_ring_pair\ndevice = p0\nmac = 02:00:00:00:00:01\n"
			   BASE_IP "[peer]\naddress = 198.18.0.2\naddress_count = 16\n"
			   "mac = 02:00:00:00:00:02\n");

	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(conf.has_peer);
	cr_assert_eq(sy_port_conf_peer(&conf, &peer), 0);
	cr_assert_eq(peer.ip.addr_first, htonl(0xc6120002));
	cr_assert_eq(peer.ip.addr_count, 16);
	cr_assert_eq(peer.ip.prefix_len, 15, "prefix shared with [ip]");
	cr_assert_eq(peer.mac.addr_bytes[5], 2);
	cr_assert_eq(peer.peer_ip.addr_first, htonl(0xc6120001));
	cr_assert_eq(peer.peer_mac.addr_bytes[5], 1);
}

Test(profile, unknown_key_is_refused)
{
	expect_einval(BASE_PORT "rx_descs = 512\n" BASE_IP, "[port]", "rx_descs");
}

Test(profile, unknown_section_is_refused)
{
	expect_einval(BASE_PORT BASE_IP "[tcp]\nrto_min_ms = 200\n", "[tcp]", NULL);
}

Test(profile, missing_required_key_is_refused)
{
	expect_einval("[port]\ndriver = net_null\n" BASE_IP, "[port]", "device");
	expect_einval(BASE_PORT "[ip]\nprefix_len = 24\n", "[ip]", "address");
}

Test(profile, missing_required_section_is_refused)
{
	expect_einval(BASE_PORT, "[ip]", NULL);
}

Test(profile, bad_number_is_refused)
{
	expect_einval(BASE_PORT "rx_desc = 1k\n" BASE_IP, "[port]", "rx_desc");
	expect_einval(BASE_PORT "tx_desc = -64\n" BASE_IP, "[port]", "tx_desc");
	expect_einval(BASE_PORT BASE_IP "arp_retries = three\n", "[ip]", "arp_retries");
}

Test(profile, out_of_range_is_refused_with_the_range)
{
	expect_einval(BASE_PORT "rx_desc = 70000\n" BASE_IP, "[port]", "rx_desc");
	cr_assert_not_null(strstr(err, "out of range (64..32768)"), "%s", err);
	expect_einval(BASE_PORT "mtu = 67\n" BASE_IP, "[port]", "mtu");
	expect_einval(BASE_PORT BASE_IP "[mempool]\ncache_per_lcore = 513\n", "[mempool]",
		      "cache_per_lcore");
	expect_einval(BASE_PORT "[ip]\naddress = 198.18.0.1\nprefix_len = 33\n", "[ip]",
		      "prefix_len");
}

Test(profile, bad_ip_is_refused)
{
	expect_einval(BASE_PORT "[ip]\naddress = 198.18.0.256\nprefix_len = 15\n", "[ip]",
		      "address");
	expect_einval(BASE_PORT "[ip]\naddress = 224.0.0.1\nprefix_len = 15\n", "[ip]",
		      "address");
	expect_einval(BASE_PORT BASE_IP "gateway = 10.0.0.1\n", "[ip]", "gateway");
}

Test(profile, address_range_leaving_the_prefix_is_refused)
{
	expect_einval(BASE_PORT "[ip]\naddress = 10.0.0.250\nprefix_len = 24\n"
		      "address_count = 10\n", "[ip]", "address_count");
}

Test(profile, bad_mac_is_refused)
{
	expect_einval(BASE_PORT "mac = 02:00:00:00:00\n" BASE_IP, "[port]", "mac");
	expect_einval(BASE_PORT "mac = 01:00:5e:00:00:01\n" BASE_IP, "[port]", "mac");
	expect_einval(BASE_PORT "mac = 02:00:00:00:00:0g\n" BASE_IP, "[port]", "mac");
}

Test(profile, bad_rss_key_is_refused)
{
	expect_einval(BASE_PORT "rss_key = 6d5a6d\n" BASE_IP, "[port]", "rss_key");
	expect_einval(BASE_PORT "rss_key = zz5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a"
		      "6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a\n" BASE_IP, "[port]", "rss_key");
}

Test(profile, bad_enum_and_bool_are_refused)
{
	expect_einval("[port]\ndriver = net_pcap\ndevice = x\n" BASE_IP, "[port]", "driver");
	expect_einval(BASE_PORT "offload_tso = maybe\n" BASE_IP, "[port]", "offload_tso");
	expect_einval(BASE_PORT "rss_hash = ipv4, sctp9\n" BASE_IP, "[port]", "rss_hash");
	expect_einval(BASE_PORT "rx_queues = many\n" BASE_IP, "[port]", "rx_queues");
}

Test(profile, device_of_another_driver_is_refused)
{
	expect_einval("[port]\ndriver = net_tap\ndevice = net_null0\n" BASE_IP, "[port]",
		      "device");
	expect_einval("[port]\ndriver = pci\ndevice = 3b:00.0.1x\n" BASE_IP, "[port]", "device");
	expect_einval("[port]\ndriver = net_memif\ndevice = net_memif0\n" BASE_IP, "[port]",
		      "device");
}

Test(profile, peer_section_only_with_ring_pair)
{
	expect_einval(BASE_PORT BASE_IP "[peer]\naddress = 198.18.0.2\n", "[peer]", NULL);
	expect_einval("[port]\ndriver = net_ring_pair\ndevice = p0\n" BASE_IP, "[peer]", NULL);
	expect_einval("[port]\ndriver = net_ring_pair\ndevice = p0\n" BASE_IP
		      "[peer]\naddress = 198.18.0.1\n", "[peer]", "address");
}

/* Skipping checksums is safe only where frames never leave the process. */
Test(profile, trusted_link_only_on_the_in_process_pair)
{
	expect_einval(BASE_PORT "trusted_link = yes\n" BASE_IP, "[port]", "trusted_link");
	cr_assert_eq(load_text("[port]\ndriver = net_ring_pair\ndevice = p0\n"
			       "trusted_link = yes\n" BASE_IP "[peer]\naddress = 198.18.0.2\n"),
		     0, "%s", err);
	cr_assert(conf.want_trusted_link);
	cr_assert_eq(load_text(BASE_PORT BASE_IP), 0, "%s", err);
	cr_assert(!conf.want_trusted_link, "off unless asked for");
}

Test(profile, duplicate_key_is_refused)
{
	expect_einval(BASE_PORT "mtu = 1500\nmtu = 9000\n" BASE_IP, "[port]", "mtu");
}

Test(profile, mtu_larger_than_an_mbuf_is_refused)
{
	expect_einval(BASE_PORT "mtu = 9000\n" BASE_IP, "[mempool]", "data_room_bytes");
}

Test(profile, workers_and_worker_count_together_are_refused)
{
	expect_einval(BASE_PORT BASE_IP "[lcores]\nworkers = 1-2\nworker_count = 2\n",
		      "[lcores]", "worker_count");
	expect_einval(BASE_PORT BASE_IP "[lcores]\nworkers = 0-1\n", "[lcores]", "workers");
}

Test(profile, missing_file_is_enoent_and_named)
{
	int rc = sy_port_conf_load("/nonexistent/x.ini", &conf, err, sizeof(err));

	cr_assert_eq(rc, -ENOENT);
	cr_assert_not_null(strstr(err, "/nonexistent/x.ini"));
}
