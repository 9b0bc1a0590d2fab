/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bulk TCP throughput between two synack stacks, each on its own lcore: the product's
 * path (lib/port's in-memory ring pair, lib/stack workers and their loop), the in-memory
 * analogue of iperf3 between two namespaces over a veth pair, where the sender and the
 * receiver also run on one core each. The sender stack runs on lcore 1, the receiver
 * stack on the main lcore 0; frames cross between the cores by pointer through the pair's
 * SP/SC rings, and both share one mbuf pool (lib/port).
 *
 *   bench_bulk_2core [bytes_per_run [copy|zc [mtu [tso]]]]   default 1 GiB, copy, 1500
 *
 * copy: the engine copies every segment's payload from the send queue into the frame;
 * zc: tx_zerocopy_min = SY_TCP_ZC_MIN_DEFAULT, payloads are referenced by indirect mbufs.
 * tso: [port] offload_tso, segments of up to 45 MSS that the pair carries whole, as a veth
 * pair carries the kernel's GSO packets to a GRO receiver. MTU 9000: copy uses 10 KiB
 * mbufs (one mbuf per frame), zc chains the pool's 2 KiB mbufs; TSO with copy uses 16 KiB
 * mbufs (four per 64 KiB segment). Every page of the pool is touched before the runs, and
 * an untimed warm-up run goes first.
 * The sending application writes one static 64 000-byte buffer again and again (as
 * iperf3 writes the same 128 KiB buffer), handing TCP a reference to it (an indirect
 * mbuf made by rte_pktmbuf_clone()), not a copy: so in copy mode the payload is copied
 * once, by TCP into the frame, as the kernel copies once from the user's buffer into its
 * skbs. The
 * receiving application copies what it gets into a 128 KiB buffer and frees the frames
 * (synack hands it the frames' mbufs), as iperf3 reads into its buffer.
 *
 * Per run it prints, as JSON: wall-clock Gbit/s of the pair, and for each side the TSC
 * cycles of its busy loop iterations (struct sy_worker_stats busy_cycles: iterations that
 * received or sent) per byte, and what that is as Gbit/s of one fully busy core.
 * The profile is drivers-config/mem_pair.ini (trusted_link: no checksums, as veth).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_memcpy.h>

#include "sy_port.h"
#include "sy_stack.h"
#include "sy_tcp.h"
#include "bulk_conf.h"

#define PORT 5001
#define MAXC 8
#define SENDER_LCORE 1
#define WRITE_BYTES 64000    /* one write of the application (iperf3: 128 KiB) */
#define READ_BYTES (128u << 10)   /* the receiver's buffer (iperf3's) */

static volatile bool stop;
static struct sy_port pa, pb;
static struct sy_stack sa, sb;
static struct rte_mempool *app_pool;
static struct rte_mbuf *payload;   /* the application's static buffer, WRITE_BYTES */

/* sender state: touched only by the sender's lcore while a run is on */
static sy_conn_t conns[MAXC];
static int up[MAXC], nconn, opened;
static uint64_t to_send[MAXC];
static rte_be32_t src_ip, dst_ip;
/* receiver state: touched only by the main lcore */
static uint64_t received, want;

/*
 * The receiving application reads every byte into its buffer, as iperf3's recv() has the
 * kernel copy each byte out to it: the one copy on each side that the kernel makes too.
 */
static void
on_data(void *u, sy_conn_t c, struct rte_mbuf *m)
{
	static uint8_t rbuf[READ_BYTES];
	static uint32_t at;

	RTE_SET_USED(u);
	RTE_SET_USED(c);
	received += m->pkt_len;
	for (const struct rte_mbuf *s = m; s != NULL; s = s->next)
		for (uint32_t off = 0, n; off < s->data_len; off += n, at = (at + n) % READ_BYTES) {
			n = RTE_MIN((uint32_t)s->data_len - off, READ_BYTES - at);
			rte_memcpy(rbuf + at, rte_pktmbuf_mtod_offset(s, const uint8_t *, off), n);
		}
	rte_pktmbuf_free(m);
	if (received >= want)
		stop = true;
}
static void on_connected(void *u, sy_conn_t c) { RTE_SET_USED(c); up[(uintptr_t)u] = 1; }
static void *on_accepted(void *u, sy_conn_t c) { RTE_SET_USED(c); return u; }
static void on_closed(void *u, sy_conn_t c, enum sy_tcp_close_reason w)
{
	RTE_SET_USED(u);
	RTE_SET_USED(c);
	RTE_SET_USED(w);
}

static const struct sy_tcp_ops ops = { .accepted = on_accepted, .connected = on_connected,
				       .data = on_data, .closed = on_closed };

/* Writes one byte per 4 KiB page of a pool's memory chunk (faults every page in). */
static void
touch_chunk(struct rte_mempool *mp, void *opaque, struct rte_mempool_memhdr *memhdr,
	    unsigned int idx)
{
	volatile uint8_t *p = memhdr->addr;

	RTE_SET_USED(mp);
	RTE_SET_USED(opaque);
	RTE_SET_USED(idx);
	for (size_t off = 0; off < memhdr->len; off += 4096)
		p[off] = p[off];
}

/* The sending application, once per loop iteration of the sender worker. */
static void
sender_poll(void *app, struct sy_worker *w)
{
	RTE_SET_USED(app);
	for (; opened < nconn; opened++)
		if (sy_tcp_connect(w->tcp, src_ip, 0, dst_ip, rte_cpu_to_be_16(PORT), &ops,
				   (void *)(uintptr_t)opened, &conns[opened]) < 0)
			exit(1);
	for (int k = 0; k < nconn; k++)
		while (up[k] && to_send[k] > 0) {
			uint32_t space = sy_tcp_send_space(w->tcp, conns[k]);
			uint32_t len = (uint32_t)RTE_MIN(to_send[k], (uint64_t)WRITE_BYTES);
			struct rte_mbuf *m;

			if (space < len)    /* wait for room for a whole write, as iperf3 blocks */
				break;
			m = rte_pktmbuf_clone(payload, w->pool);
			if (m == NULL)
				return;
			rte_pktmbuf_trim(m, (uint16_t)(WRITE_BYTES - len));
			if (sy_tcp_send(w->tcp, conns[k], m) < 0) {
				rte_pktmbuf_free(m);
				return;
			}
			to_send[k] -= len;
		}
}

static int
stacks_up(const char *profile, int zc, uint16_t mtu, bool tso)
{
	struct sy_port_conf conf, peer;
	struct sy_tcp_conf tc;
	char err[SY_PORT_ERR_LEN];

	if (sy_port_conf_load(profile, &conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_bulk_2core: %s\n", err);
		return -1;
	}
	conf.mtu = mtu;
	conf.want_tso = tso;
	if (mtu > 1500 && !zc) {   /* one mbuf per jumbo frame */
		conf.data_room = 10240 + RTE_PKTMBUF_HEADROOM;
		conf.mbufs = 12287;
	}
	if (tso && !zc) {          /* a 64 KiB segment copied into four mbufs, not 32 */
		conf.data_room = 16384 + RTE_PKTMBUF_HEADROOM;
		conf.mbufs = 12287;
	}
	bulk_tcp_conf(&tc, mtu);
	tc.tx_zerocopy_min = zc ? SY_TCP_ZC_MIN_DEFAULT : 0;
	if (sy_port_start_pair(&pa, &pb, &conf, 1, err, sizeof(err)) < 0 ||
	    sy_port_conf_peer(&conf, &peer) < 0 ||
	    sy_stack_create(&sa, "snd", &pa, &conf, &tc, &stop, NULL, err, sizeof(err)) < 0 ||
	    sy_stack_create(&sb, "rcv", &pb, &peer, &tc, &stop, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_bulk_2core: %s\n", err);
		return -1;
	}
	src_ip = conf.ip.addr_first;
	dst_ip = peer.ip.addr_first;
	if (sy_net_arp_add_static(sa.workers[0]->net, dst_ip, &pb.mac) < 0 ||
	    sy_net_arp_add_static(sb.workers[0]->net, src_ip, &pa.mac) < 0 ||
	    sy_tcp_listen(sb.workers[0]->tcp, dst_ip, rte_cpu_to_be_16(PORT), 64, &ops, NULL) < 0)
		return -1;
	sa.workers[0]->app_poll = sender_poll;
	return 0;
}

static void
run(int n, uint64_t bytes, bool report)
{
	struct sy_worker *ws = sa.workers[0], *wr = sb.workers[0];
	uint64_t bs = ws->stats.busy_cycles, br = wr->stats.busy_cycles;
	const struct sy_tcp_stats *st = sy_tcp_stats(ws->tcp);
	uint64_t rt = st->data_retrans, zs = st->tx_zc_segs, ts = st->tx_tso_segs;
	/* where a retransmitted segment was lost: a full ring, an empty pool */
	uint64_t df = ws->stats.tx_drop_full + wr->stats.tx_drop_full;
	uint64_t dm = st->drop_no_mbuf + sy_tcp_stats(wr->tcp)->drop_no_mbuf;
	uint64_t t0, t1;
	double sec, hz = (double)rte_get_tsc_hz(), cs, cr;

	nconn = n;
	opened = 0;
	for (int k = 0; k < n; k++) {
		up[k] = 0;
		to_send[k] = bytes / n;
	}
	want = (bytes / n) * n;
	received = 0;
	stop = false;
	t0 = rte_rdtsc();
	rte_eal_remote_launch(sy_worker_main, ws, SENDER_LCORE);
	sy_worker_main(wr);
	t1 = rte_rdtsc();
	rte_eal_wait_lcore(SENDER_LCORE);
	for (int k = 0; k < n; k++)   /* the sender's lcore is done: main may use its engine */
		sy_tcp_abort(ws->tcp, conns[k]);
	for (int i = 0; i < 1000; i++) {
		sy_worker_iterate(ws);
		sy_worker_iterate(wr);
	}
	sec = (double)(t1 - t0) / hz;
	cs = (double)(ws->stats.busy_cycles - bs) / (double)want;
	cr = (double)(wr->stats.busy_cycles - br) / (double)want;
	if (!report)
		return;
	printf("%s{\"conns\": %d, \"bytes\": %" PRIu64 ", \"seconds\": %.4f, \"gbit_s\": %.3f, "
	       "\"sender_cycles_per_byte\": %.3f, \"receiver_cycles_per_byte\": %.3f, "
	       "\"sender_busy_core_gbit_s\": %.3f, \"receiver_busy_core_gbit_s\": %.3f, "
	       "\"retrans\": %" PRIu64 ", \"tx_zc_segs\": %" PRIu64 ", \"tx_tso_segs\": %"
	       PRIu64 ", \"tx_drop_full\": %" PRIu64 ", \"drop_no_mbuf\": %" PRIu64 "}",
	       n == 1 ? "" : ", ", n, want, sec, (double)want * 8 / sec / 1e9, cs, cr,
	       hz * 8 / cs / 1e9, hz * 8 / cr / 1e9, st->data_retrans - rt, st->tx_zc_segs - zs,
	       st->tx_tso_segs - ts, ws->stats.tx_drop_full + wr->stats.tx_drop_full - df,
	       st->drop_no_mbuf + sy_tcp_stats(wr->tcp)->drop_no_mbuf - dm);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "--no-pci", "--no-shconf", "-m", "1024",
			"-l", "0,1", "--log-level=error", "--no-telemetry" };
	uint64_t bytes = argc > 1 ? strtoull(argv[1], NULL, 0) : (1ull << 30);
	int zc = argc > 2 && strcmp(argv[2], "zc") == 0;
	uint16_t mtu = argc > 3 ? (uint16_t)RTE_MIN(strtoul(argv[3], NULL, 0), 9000ul) : 1500;
	bool tso = argc > 4 && strcmp(argv[4], "tso") == 0;
	const char *profile = getenv("SY_BULK_PROFILE");
	int rc = 0;

	if (rte_eal_init(RTE_DIM(eal), eal) < 0 || rte_lcore_count() < 2)
		return 2;
	if (stacks_up(profile != NULL ? profile : BULK_PROFILE, zc, mtu, tso) < 0)
		return 2;
	/* the buffer lives in a pool of its own: one mbuf holds the whole write */
	app_pool = rte_pktmbuf_pool_create("bulk_app", 1, 0, 0,
					   RTE_PKTMBUF_HEADROOM + WRITE_BYTES, SOCKET_ID_ANY);
	payload = app_pool != NULL ? rte_pktmbuf_alloc(app_pool) : NULL;
	if (payload == NULL)
		return 2;
	memset(rte_pktmbuf_append(payload, WRITE_BYTES), 0x5a, WRITE_BYTES);
	/*
	 * Without hugepages the pool's 4 KiB pages fault in on first touch: touch them all
	 * now, or the first timed run pays for it (copy at MTU 9000 measured 57-62 Gbit/s
	 * instead of 91-93); then one untimed run warms caches and branch predictors.
	 */
	rte_mempool_mem_iter(sa.workers[0]->pool, touch_chunk, NULL);
	run(MAXC, bytes / 4, false);
	printf("{\"bench\": \"bulk\", \"path\": \"ring pair, sender and receiver stacks on "
	       "one lcore each\", \"tx\": \"%s\", \"mtu\": %u, \"tso\": %s, "
	       "\"tsc_hz\": %" PRIu64 ", \"runs\": [", zc ? "zerocopy" : "copy", mtu,
	       tso ? "true" : "false", rte_get_tsc_hz());
	run(1, bytes, true);
	run(MAXC, bytes, true);
	printf("]}\n");
	sy_stack_free(&sa);
	sy_stack_free(&sb);
	rte_pktmbuf_free(payload);      /* after the stacks: their queues referred to it */
	rte_mempool_free(app_pool);
	if (sy_port_stop(&pa) < 0 || sy_port_stop(&pb) < 0) {
		fprintf(stderr, "bench_bulk_2core: mbufs not back in the pool\n");
		rc = 1;
	}
	rte_eal_cleanup();
	return rc;
}
