/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Byte-exact bulk transfer: two stacks over the fault-injecting wire send a deterministic
 * stream each way at the same time on one connection, then close; both SHA-256 digests of
 * what was sent must equal those of what arrived, both sides must close NORMAL, and both
 * pools must be whole. Loss applies to both directions (data and ACKs), with reordering,
 * duplication and corruption on top (corrupt frames must be caught by checksums).
 */
#include <criterion/criterion.h>

#include "xfer.h"
#include "tcb.h"

#define MiB (1024ull * 1024ull)

static struct xf X;

/* Zero-copy transmit on both sides (0: copy), and the applications' mbuf size (0: 1900). */
static uint32_t zc_min, app_seg;
static bool tso;          /* segmentation offload on both sides (carried whole) */

static void
run(uint32_t loss_ppm, uint64_t bytes, uint64_t seed)
{
	struct sy_wire_conf wc;
	const uint64_t b[2] = { bytes, bytes };

	sy_wire_conf_defaults(&wc);
	wc.seed = seed;
	wc.delay_us = 50;
	wc.drop_ppm = loss_ppm;
	if (loss_ppm > 0) {
		wc.dup_ppm = loss_ppm / 2;
		wc.reorder_ppm = loss_ppm;
		wc.corrupt_ppm = loss_ppm / 10;
	}
	xf_create_tso(&X, &wc, NULL, tso);
	X.app_seg = app_seg;
	if (zc_min != 0)
		for (int i = 0; i < 2; i++)
			cr_assert_eq(sy_tcp_set_tx_zerocopy(X.s[i].tcp, true, zc_min), 0);
	xf_run(&X, b, 3600ull * 1000000);
	xf_assert_exact(&X);
	if (loss_ppm > 0) {
		const struct sy_wire_stats *w0 = sy_wire_stats(X.wire, 0);
		const struct sy_wire_stats *w1 = sy_wire_stats(X.wire, 1);

		cr_assert(w0->dropped > 0 && w1->dropped > 0 && w0->duplicated > 0 &&
			  w0->reordered > 0 && w0->corrupted > 0, "the wire did no harm");
	}
	cr_log_info("loss %u ppm, %lu MiB each way: %lu steps, virtual %.3f s, "
		    "retrans %lu+%lu, fast %lu+%lu, rto %lu+%lu, corrupted %lu",
		    loss_ppm, (unsigned long)(bytes / MiB), X.steps, sy_clock_us(&X.clock) / 1e6 - 1,
		    sy_tcp_stats(X.s[0].tcp)->data_retrans, sy_tcp_stats(X.s[1].tcp)->data_retrans,
		    sy_tcp_stats(X.s[0].tcp)->fast_retrans, sy_tcp_stats(X.s[1].tcp)->fast_retrans,
		    sy_tcp_stats(X.s[0].tcp)->rto_events, sy_tcp_stats(X.s[1].tcp)->rto_events,
		    sy_wire_stats(X.wire, 0)->corrupted + sy_wire_stats(X.wire, 1)->corrupted);
	if (tso)
		cr_assert(sy_tcp_stats(X.s[0].tcp)->tx_tso_segs > 0 &&
			  sy_tcp_stats(X.s[1].tcp)->tx_tso_segs > 0, "no TSO segment was sent");
	xf_destroy(&X);
}

TestSuite(transfer, .timeout = 300);

Test(transfer, clean_wire_64mib_each_way_arrives_byte_exact)
{
	run(0, 64 * MiB, 1);
}

Test(transfer, loss_1pct_reorder_dup_64mib_each_way_arrives_byte_exact)
{
	run(10000, 64 * MiB, 2);
}

Test(transfer, loss_5pct_reorder_dup_64mib_each_way_arrives_byte_exact)
{
	run(50000, 64 * MiB, 3);
}

Test(transfer, loss_10pct_reorder_dup_64mib_each_way_arrives_byte_exact)
{
	run(100000, 64 * MiB, 4);
}

/*
 * Zero-copy transmit: segments reference the send queue through indirect mbufs. The
 * applications' mbufs of 1001 bytes put odd-length pieces inside segments, which the
 * receiver's exact chain checksum must accept (with DPDK 22.11's chain verify, segments
 * whose partial sums carry were dropped as corrupt and the transfer stalled); loss,
 * duplication and reordering make the
 * retransmissions attach the same queued data again. Pools whole at the end means every
 * reference was dropped.
 * The lossy runs also check the receiver's cuts of chained frames (input_sync.c uses
 * tcp_chain_adj()/tcp_chain_trim(): rte_pktmbuf_adj()/_trim() fail on a cut beyond the
 * first/last segment, which lost data after RCV.NXT had moved).
 */
Test(transfer, zerocopy_clean_wire_64mib_each_way_arrives_byte_exact)
{
	zc_min = 1;
	app_seg = 0;
	run(0, 64 * MiB, 5);
}

Test(transfer, zerocopy_odd_mbufs_loss_5pct_16mib_each_way_arrives_byte_exact)
{
	zc_min = 1;
	app_seg = 1001;
	run(50000, 16 * MiB, 6);
}

Test(transfer, zerocopy_even_mbufs_loss_10pct_16mib_each_way_arrives_byte_exact)
{
	zc_min = 1;
	app_seg = 600;
	run(100000, 16 * MiB, 7);
}

/*
 * TSO on both sides: data leaves in segments of up to 45 MSS that the wire carries whole
 * (so a loss takes a whole burst), retransmissions are one MSS, the receivers take
 * segments above their MSS. Copy and zero copy.
 */
Test(transfer, tso_loss_5pct_reorder_dup_16mib_each_way_arrives_byte_exact)
{
	tso = true;
	run(50000, 16 * MiB, 8);
}

Test(transfer, tso_zerocopy_clean_wire_64mib_each_way_arrives_byte_exact)
{
	tso = true;
	zc_min = 1;
	run(0, 64 * MiB, 9);
}

Test(transfer, tso_zerocopy_odd_mbufs_loss_1pct_16mib_each_way_arrives_byte_exact)
{
	tso = true;
	zc_min = 1;
	app_seg = 1001;
	run(10000, 16 * MiB, 10);
}
