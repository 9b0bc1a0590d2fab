/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Two complete stacks (net + TCP) in one process joined by the fault-injecting wire
 * (lib/wire), with an application on each side that sends a deterministic byte stream and
 * hashes (SHA-256) both what it sent and what it received. One virtual clock drives both
 * stacks and the wire. Used by the byte-exact transfer tests.
 */
#ifndef TCPDATA_XFER_H
#define TCPDATA_XFER_H

#include <stdbool.h>
#include <stdint.h>
#include <sodium.h>

#include "sy_clock.h"
#include "sy_net.h"
#include "sy_tcp.h"
#include "sy_wire.h"

struct xf_side {
	struct rte_mempool *pool;
	struct sy_txq txq;
	struct sy_net *net;
	struct sy_tcp *tcp;
	sy_conn_t c;
	bool up;
	/* the application */
	uint64_t to_send;            /* bytes this side sends */
	uint64_t sent;               /* bytes handed to sy_tcp_send() */
	uint64_t received;
	bool shut;
	bool peer_closed;
	bool closed;
	enum sy_tcp_close_reason why;
	struct sy_wire_rng gen;      /* the byte stream */
	crypto_hash_sha256_state h_sent;
	crypto_hash_sha256_state h_rcvd;
};

struct xf {
	struct sy_clock clock;
	struct sy_wire *wire;
	struct xf_side s[2];         /* s[0] connects, s[1] listens; s[i] is wire end i */
	uint64_t steps;
	uint32_t app_seg;            /* bytes per mbuf the applications send; 0: 1900 */
};

/** Builds both stacks and the wire (@p wc), @p cc the congestion control of both. */
void xf_create(struct xf *x, const struct sy_wire_conf *wc, const struct sy_tcp_conf *tc);

/** xf_create() with TSO on both sides when @p tso (segments carried whole by the wire). */
void xf_create_tso(struct xf *x, const struct sy_wire_conf *wc, const struct sy_tcp_conf *tc,
		   bool tso);

/** Connects, then each side sends @p bytes[i]; runs until both closed or @p max_us. */
void xf_run(struct xf *x, const uint64_t bytes[2], uint64_t max_us);

/** Asserts: both closed normally, every byte arrived, SHA-256 of sent == received. */
void xf_assert_exact(struct xf *x);

/** Frees stacks and wire, asserts both pools whole. */
void xf_destroy(struct xf *x);

#endif
