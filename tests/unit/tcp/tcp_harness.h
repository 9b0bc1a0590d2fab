/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet-level harness for the TCP engine: one "stack under test" (virtual clock, fake
 * wire, sy_net on 192.0.2.1/24, sy_tcp) and a scripted peer at 192.0.2.2.
 *
 * The peer's segments are built here byte by byte (Ethernet + IPv4 + TCP + options), with
 * checksums computed independently of lib/net, and fed through sy_net_input() and
 * sy_tcp_input() exactly as the lcore loop does. Every frame the stack emits is parsed
 * back into a struct th_pkt after its IPv4 and TCP checksums are verified, so a test asserts
 * on fields: flags, SEQ, ACK, window, options, payload.
 *
 * Expected values in the tests come from the RFCs (9293, 5961, 6528, 6191, 1337, 7323,
 * 1122, 5681, 6298), never from what the engine does. Connections reach a state only by
 * real segment exchanges, never by touching internals.
 *
 * Time is virtual: th_advance_ms() moves the clock one millisecond at a time and polls TCP
 * and net after each step, as the real loop would, so every timer fires at the step where
 * it is due and a test can measure when a frame left.
 */
#ifndef TCP_HARNESS_H
#define TCP_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sy_clock.h"
#include "sy_net.h"
#include "sy_tcp.h"
#include "sy_test.h"

/* TCP flag bits (RFC 9293 3.1) */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

/* Addresses (RFC 5737 TEST-NET-1) and ports, host order */
#define TH_LOCAL_IP  SY_TEST_IPV4(192, 0, 2, 1)
#define TH_PEER_IP   SY_TEST_IPV4(192, 0, 2, 2)
#define TH_PEER2_IP  SY_TEST_IPV4(192, 0, 2, 3)
#define TH_LPORT     80        /* the listener of passive-open tests, the peer's port otherwise */
#define TH_PPORT     40000     /* the peer's port in passive-open tests */
#define TH_PEER_ISN  0x1234567u

/* The harness's deterministic configuration (see th_conf_defaults()). */
#define TH_MSL_S            5
#define TH_2MSL_MS          (2u * TH_MSL_S * 1000u)
#define TH_SYN_RETRIES      3
#define TH_SYNACK_RETRIES   2
#define TH_DATA_RETRIES     3
#define TH_FW2_TIMEOUT_S    3
#define TH_DELACK_MS        40
#define TH_KA_IDLE_S        10
#define TH_KA_INTVL_S       2
#define TH_KA_PROBES        3
#define TH_MSS              1460

/**
 * How late a timer may fire and still count as "at" its deadline: the wheel's contract is
 * the first advance at or after the deadline; the slack covers a TCP that rounds to its
 * own tick. Firing early is never allowed.
 */
#define TH_SLACK_MS(ms) ((ms) / 64 + 2)

/** RFC 9293 3.4 sequence comparison, modulo 2^32. */
static inline bool th_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool th_seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

/** TCP options of a segment (as sent by the peer or parsed from the stack). */
struct th_opts {
	uint16_t mss;          /**< 0: absent */
	bool ws_on;
	uint8_t ws;
	bool sack_ok;
	bool ts_on;
	uint32_t tsval, tsecr;
	uint8_t sack_blocks;   /**< parsed only */
	bool bad;              /**< parsed only: malformed */
	const uint8_t *raw;    /**< build only: use these option bytes verbatim instead */
	uint8_t raw_len;
};

/** A segment from the peer. Zero fields take defaults (ports, window 65535, addresses). */
struct th_seg {
	uint16_t sport, dport;   /**< host order; 0: TH_PPORT / TH_LPORT */
	uint32_t src_ip;         /**< host order; 0: TH_PEER_IP */
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t win;            /**< 0: 65535 */
	struct th_opts opt;
	const void *data;
	uint16_t len;
	uint8_t doff_words;      /**< 0: computed; else written verbatim (robustness tests) */
	bool bad_csum;           /**< corrupt the TCP checksum */
};

/** A frame the stack emitted, parsed. */
struct th_pkt {
	uint32_t src_ip, dst_ip;     /**< host order */
	uint16_t sport, dport;       /**< host order */
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t win;
	struct th_opts opt;
	uint16_t len;                /**< payload bytes */
	uint8_t data[2048];          /**< the first bytes of the payload */
};

/* The application recorder: every callback appends an event. */
enum th_ev_kind {
	TH_EV_ACCEPTED, TH_EV_CONNECTED, TH_EV_DATA, TH_EV_WRITABLE, TH_EV_PEER_CLOSED,
	TH_EV_CLOSED,
};

struct th_ev {
	enum th_ev_kind kind;
	sy_conn_t c;
	uint32_t len;
	enum sy_tcp_close_reason why;
	uint64_t at_ms;
};

#define TH_APP_EVENTS 512
#define TH_APP_DATA   (256 * 1024)

struct th;

struct th_app {
	struct th *h;
	struct th_ev ev[TH_APP_EVENTS];
	unsigned int n;
	uint8_t data[TH_APP_DATA];   /**< every data byte delivered, in order */
	uint32_t data_len;
	sy_conn_t last;              /**< last accepted/connected handle */
};

/** One connection as the peer sees it. Sequence names are the stack's TCB names. */
struct th_conn {
	sy_conn_t c;
	uint16_t lport;        /**< the stack's port */
	uint16_t pport;        /**< the peer's port */
	uint32_t iss;          /**< the stack's ISS (read from its SYN or SYN-ACK) */
	uint32_t irs;          /**< the peer's ISS */
	uint32_t snd_nxt;      /**< the stack's SND.NXT, tracked by the test */
	uint32_t rcv_nxt;      /**< the stack's RCV.NXT: the next SEQ the peer sends */
	bool ts;               /**< timestamps negotiated: the peer adds TSopt */
	uint32_t peer_tsval;   /**< the peer's next TSval (TSecr is the stack's last TSval) */
	uint16_t stack_mss;    /**< MSS the stack announced */
};

/** The stack under test. */
struct th {
	char name[32];
	struct rte_mempool *pool;
	struct sy_clock clock;
	struct sy_txq txq;
	struct sy_test_wire wire;
	struct sy_net *net;
	struct sy_tcp *tcp;
	struct sy_tcp_conf conf;
	uint8_t secret[16];
	struct th_app app;
	struct sy_tcp_ops ops;
	bool listening;
	unsigned int arp_seen;   /**< non-IPv4 frames skipped by th_pop */
	uint32_t last_tsval;     /**< TSval of the last frame popped that carried one */
};

/** The harness's deterministic overrides on top of sy_tcp_conf_defaults(). */
void th_conf_defaults(struct sy_tcp_conf *conf);

/**
 * Builds a stack: pool of its own, virtual clock at @p start_us, net with a static ARP
 * entry for the peer(s), TCP with @p conf (NULL: th_conf_defaults) and @p secret
 * (NULL: a fixed one). Asserts on failure.
 */
struct th *th_create(const struct sy_tcp_conf *conf, const uint8_t *secret, uint64_t start_us);

/**
 * th_create() on a port that takes chains and large TCP segments when @p tso: the net
 * layer in SY_NET_TSO_WHOLE mode (as the ring pair), so a TSO segment reaches the wire
 * whole and checksummed, and the engine has TSO on (sy_tcp_create()).
 */
struct th *th_create_tso(const struct sy_tcp_conf *conf, const uint8_t *secret,
			 uint64_t start_us, bool tso);

/** Frees the stack and every captured frame; asserts the pool is whole. */
void th_destroy(struct th *h);

/* Criterion fixtures for the common case: one stack in the global TH. */
extern struct th *TH;
void th_setup(void);
void th_teardown(void);

/**
 * For tests that need another configuration: builds TH from th_conf_defaults() changed by
 * @p tweak (call it first thing in the test; the suite's .fini = th_teardown frees it).
 */
void th_setup_with(void (*tweak)(struct sy_tcp_conf *conf));

/* ---- the peer ---- */

/** Builds the frame of @p s (exposed for robustness tests that edit bytes). */
struct rte_mbuf *th_build(struct th *h, const struct th_seg *s);

/** Feeds a frame through sy_net_input() then (on SY_NET_RX_TCP) sy_tcp_input(). */
enum sy_net_rx th_feed_mbuf(struct th *h, struct rte_mbuf *m);

/** Builds and feeds a segment. */
void th_feed(struct th *h, const struct th_seg *s);

/**
 * The peer sends on @p cn: SEQ = cn->rcv_nxt, ACK = cn->snd_nxt (when TH_ACK), its TSopt
 * when negotiated; then cn->rcv_nxt advances over data and SYN/FIN.
 */
void th_peer_send(struct th *h, struct th_conn *cn, uint8_t flags, const void *data,
		  uint16_t len);

/** Like th_peer_send() with an explicit SEQ and ACK, tracking nothing. */
void th_peer_send_at(struct th *h, struct th_conn *cn, uint8_t flags, uint32_t seq,
		     uint32_t ack, const void *data, uint16_t len);

/* ---- the wire ---- */

/** Pops and parses the next emitted frame; false when none. Skips non-IPv4 (ARP). */
bool th_try_pop(struct th *h, struct th_pkt *p);

/** Number of frames waiting on the wire. */
unsigned int th_pending(struct th *h);

void th_pop_at(struct th *h, struct th_pkt *p, const char *file, int line);
#define th_pop(h, p) th_pop_at((h), (p), __FILE__, __LINE__)

/** Pops the next frame and asserts flags (PSH ignored), SEQ, and ACK when TH_ACK is set. */
void th_expect_at(struct th *h, struct th_pkt *p, uint8_t flags, uint32_t seq, uint32_t ack,
		  const char *file, int line);
#define th_expect(h, p, flags, seq, ack) \
	th_expect_at((h), (p), (flags), (seq), (ack), __FILE__, __LINE__)

/** Asserts that no frame was emitted. */
void th_expect_none_at(struct th *h, const char *file, int line);
#define th_expect_none(h) th_expect_none_at((h), __FILE__, __LINE__)

/**
 * Steps time until a frame is emitted, at most @p max_ms; then as th_expect(). Returns the
 * milliseconds it took.
 */
uint64_t th_expect_within_at(struct th *h, uint64_t max_ms, struct th_pkt *p, uint8_t flags,
			     uint32_t seq, uint32_t ack, const char *file, int line);
#define th_expect_within(h, max_ms, p, flags, seq, ack) \
	th_expect_within_at((h), (max_ms), (p), (flags), (seq), (ack), __FILE__, __LINE__)

/* ---- time ---- */

uint64_t th_now_ms(const struct th *h);

/** Moves the clock by @p ms, one millisecond per step, polling TCP and net each step. */
void th_advance_ms(struct th *h, uint64_t ms);

/** Moves the clock to absolute @p t_ms (no-op when already there). */
void th_advance_to_ms(struct th *h, uint64_t t_ms);

/** Sets the clock to @p us in one jump (no intermediate polls), then polls once. */
void th_jump_us(struct th *h, uint64_t us);

/** Steps until a frame is waiting, at most @p max_ms; elapsed ms, or -1 when none came. */
int64_t th_run_until_frame(struct th *h, uint64_t max_ms);

/** Steps until the app has seen an event of @p kind, at most @p max_ms; elapsed or -1. */
int64_t th_run_until_event(struct th *h, enum th_ev_kind kind, uint64_t max_ms);

/* ---- the application ---- */

unsigned int th_app_count(const struct th *h, enum th_ev_kind kind);

/** The first event of @p kind, or NULL. */
const struct th_ev *th_app_find(const struct th *h, enum th_ev_kind kind);

/** Index of the first event of @p kind, or -1 (for ordering checks). */
int th_app_index(const struct th *h, enum th_ev_kind kind);

/** The app sends @p len bytes (a chain of mbufs of at most 2000 bytes); asserts rc 0. */
void th_app_send(struct th *h, sy_conn_t c, const void *data, uint32_t len);

/** Opens the listener on TH_LOCAL_IP:TH_LPORT once. */
void th_listen(struct th *h);

/* ---- reaching states through real exchanges ---- */

/**
 * Passive open: the peer (port cn->pport or TH_PPORT, ISN cn->irs or TH_PEER_ISN) sends a
 * SYN with @p syn_opt, the SYN-ACK is checked (SYN|ACK, ACK = IRS+1), @p rtt_ms pass, the
 * peer ACKs, and the accepted callback must have run. Fills @p cn.
 */
void th_open_passive(struct th *h, struct th_conn *cn, const struct th_opts *syn_opt,
		     uint32_t rtt_ms);

/**
 * Active open with sy_tcp_connect() to TH_PEER_IP:TH_LPORT (source port @p sport, 0 for
 * ephemeral): the SYN is checked, @p rtt_ms pass, the peer answers SYN-ACK (ISN cn->irs
 * or TH_PEER_ISN, options @p synack_opt), the ACK (SEQ=ISS+1, ACK=IRS+1) and the
 * connected callback are checked.
 */
void th_open_active(struct th *h, struct th_conn *cn, uint16_t sport,
		    const struct th_opts *synack_opt, uint32_t rtt_ms);

/** sy_tcp_connect() and the SYN only; fills cn->c, lport, pport, iss, snd_nxt. */
void th_connect_syn(struct th *h, struct th_conn *cn, uint16_t sport, struct th_pkt *syn);

/**
 * From ESTABLISHED, the stack closes actively: sy_tcp_close(), FIN, the peer's ACK, the
 * peer's FIN, our ACK: TIME-WAIT. Returns the time the FIN arrived (TIME-WAIT start).
 */
uint64_t th_to_time_wait(struct th *h, struct th_conn *cn);

/** Fills @p buf with a recognisable pattern starting at @p seed. */
void th_pattern(uint8_t *buf, uint32_t len, uint32_t seed);

/** Count of connections in every state but LISTEN and CLOSED (TIME-WAIT included). */
uint32_t th_count_all(const struct th *h);

#endif /* TCP_HARNESS_H */
