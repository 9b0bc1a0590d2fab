/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The stack the frame fuzzer attacks, and the input format it reads (docs/fuzzing.md).
 *
 * fz_build() makes one stack instance as the packet-level tests do (tests/unit/tcp/
 * tcp_harness.c): a virtual clock, a fake wire behind sy_txq_init_fn(), sy_net on
 * 192.0.2.1/24 with static ARP entries for the peer 192.0.2.2, and sy_tcp with a fixed ISN
 * secret, so two builds are bit-for-bit the same and every input is replayable alone.
 * It then brings connections into known states with real segment exchanges:
 *
 *   slot  peer port  stack port  state           how
 *   0     40001      80 (echo)   ESTABLISHED     TS+WS+SACK, 100 bytes echoed, unacked
 *   1     40002      9 (sink)    CLOSE-WAIT      peer FIN, the sink app never closes
 *   2     40003      9           FIN-WAIT-1      app close, FIN not acknowledged (TS)
 *   3     40004      9           FIN-WAIT-2      app close, FIN acknowledged
 *   4     40005      80          SYN-RECEIVED    SYN answered, no final ACK
 *   5     80         50000       ESTABLISHED     active open, 3000 bytes queued
 *   6     81         50001       SYN-SENT        active open, no answer
 *   7     40008      9           TIME-WAIT       app close, FIN/ACK exchange
 *   8     80 @.9     50002       SYN-SENT        next hop unresolved: ARP pending
 *
 * Input format of the frame target: a sequence of records
 *   u16 header (big endian), [frame bytes], u8 time advance
 * header bits: 0x8000 fix checksums (IPv4 header and TCP or ICMP) before feeding;
 *              0x4000 application operation instead of a frame (op = low byte, no bytes
 *                     follow the header);
 *              0x2000 deliver the frame as a two-segment mbuf chain;
 *              0x07ff frame length (bytes past the end of the input are cut off).
 * Time advance t: t < 200 moves the clock t ms, one ms per poll; t >= 200 moves it
 * (t - 199) seconds in 100 equal steps. Each step calls sy_tcp_poll() and sy_net_poll().
 */
#ifndef FUZZ_STACK_H
#define FUZZ_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sy_clock.h"
#include "sy_net.h"
#include "sy_tcp.h"
#include "sy_txq.h"

/* RTE_IPV4() shifts an int by 24: undefined behaviour for 192 (UBSan says so) */
#define FZ_IPV4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define FZ_LOCAL_IP  FZ_IPV4(192, 0, 2, 1)
#define FZ_PEER_IP   FZ_IPV4(192, 0, 2, 2)
#define FZ_FAR_IP    FZ_IPV4(192, 0, 2, 9)    /* on-link, no ARP entry */
#define FZ_ECHO_PORT 80
#define FZ_SINK_PORT 9
#define FZ_START_US  1000000ull

#define FZ_HDR_FIXCSUM 0x8000
#define FZ_HDR_APPOP   0x4000
#define FZ_HDR_SPLIT   0x2000
#define FZ_HDR_LEN     0x07ff

#define FZ_SLOTS     9
#define FZ_WIRE_MAX  4096
#define FZ_LIVE_MAX  256

/** One scripted connection as the peer sees it (sequence names are the stack's). */
struct fz_conn {
	uint16_t lport;        /* the stack's port, host order */
	uint16_t pport;        /* the peer's port */
	uint32_t peer_ip;      /* host order */
	uint32_t snd_nxt;      /* the stack's next SEQ: what the peer ACKs */
	uint32_t rcv_nxt;      /* the peer's next SEQ */
	bool ts;               /* the peer sends TSopt */
	uint32_t tsval;        /* the peer's next TSval */
	uint32_t tsecr;        /* the stack's last TSval */
	sy_conn_t c;
};

struct fz_stack {
	struct rte_mempool *pool;
	struct sy_clock clock;
	struct sy_txq txq;
	struct sy_net *net;
	struct sy_tcp *tcp;
	struct sy_tcp_conf conf;
	struct rte_mbuf *wire[FZ_WIRE_MAX];
	unsigned int wire_n;
	unsigned int wire_total;          /* frames emitted since the build */
	sy_conn_t live[FZ_LIVE_MAX];      /* handles between accepted/connected and closed */
	unsigned int live_n;
	struct fz_conn conn[FZ_SLOTS];
	unsigned int builds;
};

/**
 * When set, every frame the stack sends to this connection updates its snd_nxt and tsecr
 * before the wire is drained (the seed generator uses it to answer the stack).
 */
extern struct fz_conn *fz_watch;

/** Brings up EAL once (no hugepages, no devices, 512 MiB) and creates the mempool. */
void fz_init(void);

/** Builds the stack and its scripted connections; aborts on any setup failure. */
void fz_build(struct fz_stack *s);

/** Frees the stack and every frame; abort()s when an mbuf of the pool is still in use. */
void fz_destroy(struct fz_stack *s);

/** Runs one input of the frame target (format above). */
void fz_run(struct fz_stack *s, const uint8_t *data, size_t size);

/** Frees every frame the stack emitted (flushing the txq first). */
void fz_wire_drain(struct fz_stack *s);

/** Moves the clock by @p ms in @p steps polls. */
void fz_advance(struct fz_stack *s, uint64_t ms, unsigned int steps);

/**
 * Writes a peer segment into @p f (Ethernet + IPv4 + TCP + options + payload, valid
 * checksums); returns its length. @p opts/@p olen are padded to 4 bytes.
 */
uint16_t fz_frame_tcp(uint8_t *f, size_t cap, uint32_t src_ip, uint16_t sport, uint16_t dport,
		      uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
		      const uint8_t *opts, uint8_t olen, const void *payload, uint16_t plen);

/** A peer segment on @p cn with its TSopt when negotiated (advances nothing). */
uint16_t fz_frame_conn(uint8_t *f, size_t cap, const struct fz_conn *cn, uint8_t flags,
		       uint32_t seq, uint32_t ack, const void *payload, uint16_t plen);

/** Recomputes the IPv4 header and TCP/ICMP checksums of a frame where they fit. */
void fz_fix_checksums(uint8_t *f, uint16_t len);

/** Feeds one frame as the lcore loop does (sy_net_input, then sy_tcp_input). */
void fz_feed(struct fz_stack *s, const uint8_t *f, uint16_t len, bool split);

#endif /* FUZZ_STACK_H */
