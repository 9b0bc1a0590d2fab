/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The TCP engine of one lcore and its event API.
 *
 * One struct sy_tcp per lcore owns that lcore's connection blocks, TIME-WAIT records,
 * flow and listener tables and timer wheel. Applications (lib/app) drive it with calls
 * (listen, connect, send, shutdown, close, abort) and are driven by callbacks (accepted,
 * connected, data, send space, peer closed, closed). Nothing here is thread safe: every call
 * on a struct sy_tcp happens on its lcore.
 *
 * Connections are named by a sy_conn_t handle, valid from the accepted/connected callback
 * (or sy_tcp_connect() return) until the closed callback returns.
 *
 * Errors are negative errno values.
 */
#ifndef SY_TCP_H
#define SY_TCP_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "sy_clock.h"
#include "sy_net.h"

/** A connection handle: the connection block index. */
typedef uint32_t sy_conn_t;
#define SY_CONN_NONE UINT32_MAX

/** RFC 9293 states. */
enum sy_tcp_state {
	SY_TCP_CLOSED = 0,
	SY_TCP_LISTEN,
	SY_TCP_SYN_SENT,
	SY_TCP_SYN_RECEIVED,
	SY_TCP_ESTABLISHED,
	SY_TCP_FIN_WAIT_1,
	SY_TCP_FIN_WAIT_2,
	SY_TCP_CLOSE_WAIT,
	SY_TCP_CLOSING,
	SY_TCP_LAST_ACK,
	SY_TCP_TIME_WAIT,
};

const char *sy_tcp_state_name(enum sy_tcp_state s);

/** Why a connection ended (closed callback). */
enum sy_tcp_close_reason {
	SY_TCP_CLOSE_NORMAL = 0,     /**< both FINs exchanged and acknowledged */
	SY_TCP_CLOSE_RESET,          /**< the peer sent an acceptable RST */
	SY_TCP_CLOSE_REFUSED,        /**< RST in answer to our SYN */
	SY_TCP_CLOSE_TIMEOUT,        /**< retransmissions exhausted (SYN, data or FIN) */
	SY_TCP_CLOSE_KEEPALIVE,      /**< keepalive probes unanswered */
	SY_TCP_CLOSE_ABORTED,        /**< the application called sy_tcp_abort() */
	SY_TCP_CLOSE_FIN_WAIT_2,     /**< FIN-WAIT-2 timeout */
};

const char *sy_tcp_close_reason_name(enum sy_tcp_close_reason r);

/**
 * Largest rto_max_ms sy_tcp_create() takes (2^24 ms, 4.7 hours): RTT samples and SRTT stay
 * far inside 32-bit fixed point.
 */
#define SY_TCP_RTO_MAX_LIMIT_MS (1u << 24)

/** Engine configuration; sy_tcp_conf_defaults() gives documented defaults (docs/tcp.md). */
struct sy_tcp_conf {
	uint32_t max_conns;          /**< connection blocks (incl. embryonic) */
	uint32_t max_time_wait;      /**< compact TIME-WAIT records */
	/**
	 * Data blocks: the per-connection state that exists only while a connection has data
	 * queued or in flight, out-of-order data held, or recovery under way (send queue,
	 * reassembly runs, SACK scoreboard: 608 bytes). An idle connection holds none,
	 * so a table of millions of mostly idle connections needs far fewer. When every block
	 * is in use, sy_tcp_send() fails with -ENOMEM and an out-of-order segment is dropped
	 * (counter no_data_block). 0 (default): max_conns up to 262144, above that a
	 * sixteenth of max_conns but at least 262144.
	 */
	uint32_t max_data_blocks;
	uint32_t msl_s;              /**< 2MSL = TIME-WAIT duration / 2; default 30 */
	uint32_t rto_init_ms;        /**< default 1000 (RFC 6298) */
	uint32_t rto_min_ms;         /**< default 200 */
	uint32_t rto_max_ms;         /**< default 120000; at most SY_TCP_RTO_MAX_LIMIT_MS */
	uint32_t syn_retries;        /**< SYN retransmissions before giving up; default 6 */
	uint32_t synack_retries;     /**< SYN-ACK retransmissions; default 5 */
	uint32_t data_retries;       /**< data/FIN retransmissions; default 15 */
	uint32_t fin_wait2_timeout_s;/**< default 60 */
	uint32_t delack_ms;          /**< default 40 */
	bool keepalive;              /**< default off (per connection switchable) */
	uint32_t keepalive_idle_s;   /**< default 7200 */
	uint32_t keepalive_intvl_s;  /**< default 75 */
	uint32_t keepalive_probes;   /**< default 9 */
	uint16_t mss;                /**< MSS we announce; default from MTU (1460) */
	uint8_t wscale;              /**< window scale we announce; default 7 */
	bool sack;                   /**< offer SACK-permitted; default on */
	bool timestamps;             /**< offer timestamps; default on */
	uint32_t rcv_wnd;            /**< receive window bytes; default 262144 */
	bool rst_when_full;          /**< table/pool full: answer SYN with RST (else drop) */
	uint16_t ephemeral_lo;       /**< local port range for connect(); default 32768 */
	uint16_t ephemeral_hi;       /**< default 60999 */
	const uint8_t *isn_secret;   /**< 16 bytes, or NULL to draw from the OS at create */
	uint32_t snd_buf;            /**< bytes sy_tcp_send() queues per connection; 262144 */
	uint32_t challenge_ack_limit;/**< challenge ACKs per second (RFC 5961 7); 1000; 0: no limit */
	/**
	 * What happens when a connection enters TIME-WAIT and every compact record is in use.
	 * false (default, as Linux at tcp_max_tw_buckets): the connection closes without
	 * TIME-WAIT, counted in time_wait_overflow. true: the full connection block waits out
	 * 2MSL itself, so TIME-WAIT is never skipped but the block is unavailable meanwhile.
	 */
	bool time_wait_overflow_keep;
	/**
	 * RFC 5681 4.1 restart window: a connection that has sent no data for longer than
	 * its RTO starts again from at most the initial window (default true, as Linux's
	 * tcp_slow_start_after_idle). false keeps the congestion window across idle periods.
	 */
	bool idle_restart;
	/**
	 * Zero-copy transmit: payloads of at least this many bytes are sent by reference to
	 * the send queue (indirect mbufs). Needs a port that takes multi-segment frames
	 * (sy_net_conf tx_multi_seg): sy_tcp_create() fails with ENOTSUP otherwise.
	 * 0 (default): always copy. sy_tcp_set_tx_zerocopy() changes it later.
	 */
	uint32_t tx_zerocopy_min;
	/** Congestion control of new connections (enum sy_tcp_cc); default NewReno. */
	uint8_t cc;
	/**
	 * SYN cookies (RFC 4987 3.6, docs/hardening.md): once a listener holds this many
	 * SYN-RECEIVED connections, SYNs are answered with a stateless SYN-ACK whose ISN is
	 * a keyed MAC, and a valid cookie in a final ACK creates the connection. 0: never;
	 * SY_TCP_SYNCOOKIE_AUTO (default): half the listener's backlog (at least 1).
	 */
	uint32_t syncookie_threshold;
	/** SipHash key of the cookies (separate from the ISN secret); all zero (default):
	 *  drawn from the OS at create. */
	uint8_t syncookie_secret[16];
};

/** sy_tcp_conf.syncookie_threshold: half of each listener's backlog. */
#define SY_TCP_SYNCOOKIE_AUTO UINT32_MAX

/** Congestion control algorithms (docs/tcp.md). */
enum sy_tcp_cc {
	SY_TCP_CC_NEWRENO = 0,       /**< RFC 5681 + RFC 6582 */
	SY_TCP_CC_CUBIC,             /**< RFC 9438 */
};

void sy_tcp_conf_defaults(struct sy_tcp_conf *conf);

/** Application callbacks. Each gets the opaque @p user given at listen/connect/accept. */
struct sy_tcp_ops {
	/** A passive open completed. Return the per-connection user pointer. */
	void *(*accepted)(void *listener_user, sy_conn_t c);
	/** An active open completed. */
	void (*connected)(void *user, sy_conn_t c);
	/** In-order data arrived; the callee owns @p m (a chain). */
	void (*data)(void *user, sy_conn_t c, struct rte_mbuf *m);
	/** Send space became available after sy_tcp_send() returned -EAGAIN, or after
	 *  sy_tcp_send_space() returned 0 on a full send buffer. */
	void (*writable)(void *user, sy_conn_t c);
	/** The peer sent FIN: no more data will arrive. We may still send. */
	void (*peer_closed)(void *user, sy_conn_t c);
	/** The connection is gone; the handle is invalid once this returns. */
	void (*closed)(void *user, sy_conn_t c, enum sy_tcp_close_reason why);
};

/**
 * Every counter of the TCP layer, as an X-macro (see SY_NET_STATS).
 */
#define SY_TCP_STATS(X) \
	X(rx_segs) \
	X(tx_segs) \
	X(drop_bad_csum) \
	X(drop_bad_offset)         /* data offset < 5 or past the segment */ \
	X(drop_bad_options)        /* malformed option list */ \
	X(drop_no_conn)            /* no connection and no listener: RST sent (unless RST) */ \
	X(drop_unacceptable)       /* failed the sequence check: ACK sent */ \
	X(drop_table_full) \
	X(drop_no_mbuf) \
	X(rst_tx) \
	X(rst_rx_accepted) \
	X(challenge_ack_tx) \
	X(active_opens) \
	X(passive_opens) \
	X(established) \
	X(syn_retrans) \
	X(synack_retrans) \
	X(fin_retrans) \
	X(data_retrans) \
	X(timeouts) \
	X(keepalive_probes) \
	X(keepalive_drops) \
	X(time_wait_entered) \
	X(time_wait_reused)        /* new SYN accepted on a TIME-WAIT tuple */ \
	X(time_wait_expired) \
	X(closed_normal) \
	X(closed_reset) \
	X(drop_listen)             /* no SYN (or RST) to a listener; ACK got RST */ \
	X(drop_backlog)            /* listener's embryonic connections at backlog */ \
	X(drop_embryonic)          /* passive open freed: SYN-ACK retries out, or in-window SYN */ \
	X(drop_syn_sent)           /* SYN-SENT: unacceptable ACK (RST sent) or no SYN */ \
	X(drop_no_ack)             /* synchronized state, ACK bit off */ \
	X(drop_ack_unsent)         /* RFC 5961 5.2: ACK of unsent data, ACK sent */ \
	X(drop_ack_old)            /* RFC 5961 5.2: ACK below SND.UNA - MAX.SND.WND */ \
	X(drop_paws)               /* RFC 7323 5: timestamp older than TS.Recent */ \
	X(drop_ooo)                /* out-of-order data over the reassembly bound, dup ACK sent */ \
	X(drop_after_close)        /* data after sy_tcp_close(): RST sent */ \
	X(drop_time_wait)          /* TIME-WAIT: RST (RFC 1337) or in-window segment */ \
	X(time_wait_overflow)      /* no TIME-WAIT record free: closed without TIME-WAIT */ \
	X(challenge_ack_limited)   /* RFC 5961 7: challenge ACK suppressed by the limit */ \
	X(rx_data_bytes) \
	X(tx_data_bytes) \
	X(rx_ooo_segs)             /* out-of-order segments held for reassembly */ \
	X(rx_dup_segs)             /* out-of-order segments whose bytes were all held already */ \
	X(sack_blocks_tx)          /* SACK blocks sent in ACKs (RFC 2018) */ \
	X(fast_retrans)            /* RFC 5681 3.2 / RFC 6675: entries into fast recovery */ \
	X(sack_retrans)            /* segments retransmitted from the SACK scoreboard */ \
	X(partial_ack_retrans)     /* RFC 6582: retransmissions on a partial ACK */ \
	X(rto_events)              /* retransmission timeouts on data or FIN */ \
	X(cwnd_idle_restarts)      /* RFC 5681 4.1: window cut to the initial window after idle */ \
	X(rtt_echo_implausible)    /* TSecr from the future or older than rto_max: no RTT sample */ \
	X(persist_probes)          /* RFC 9293 3.8.6.1 zero-window probes */ \
	X(syncookies_sent)         /* RFC 4987 3.6: SYN answered statelessly */ \
	X(syncookies_ok)           /* ACK carried a valid cookie: connection created */ \
	X(syncookies_bad)          /* ACK to a cookie-enabled listener, invalid cookie: RST */ \
	X(syncookie_mode_on)       /* a listener started answering SYNs with cookies */ \
	X(syncookie_mode_off)      /* ... and stopped: its backlog drained under the threshold */ \
	X(no_data_block)           /* send refused or out-of-order data dropped: data blocks all in use */ \
	X(tx_zc_segs)              /* segments sent with their payload referenced, not copied */ \
	X(tx_tso_segs)             /* segments above one MSS left to the port to cut (TSO) */

struct sy_tcp_stats {
#define SY_TCP_STATS_FIELD(name) uint64_t name;
	SY_TCP_STATS(SY_TCP_STATS_FIELD)
#undef SY_TCP_STATS_FIELD
};

struct sy_tcp;

/**
 * Creates the TCP engine of one lcore.
 * @param name   unique prefix for its DPDK objects (hash, mempools)
 * @param net    the lcore's net layer (addresses, output)
 * @param pool   mempool for segments TCP builds (SYN, ACK, RST, FIN)
 * @param clock  the lcore's clock (real or virtual)
 * @return the engine, or NULL with rte_errno set
 */
struct sy_tcp *sy_tcp_create(const char *name, const struct sy_tcp_conf *conf,
			     struct sy_net *net, struct rte_mempool *pool,
			     struct sy_clock *clock, int socket);
void sy_tcp_free(struct sy_tcp *tcp);

/**
 * Suggested @p min_bytes of sy_tcp_set_tx_zerocopy(): below a kilobyte a copy costs fewer
 * instructions than the extra mbufs and reference count updates of a chain (output.c).
 */
#define SY_TCP_ZC_MIN_DEFAULT 1024

/**
 * Zero-copy transmit for every connection of @p tcp. Off by default: every frame is one
 * mbuf and payload is copied out of the send queue. With it, a segment whose payload has
 * at least @p min_bytes is a header mbuf chained to indirect mbufs (rte_pktmbuf_attach())
 * referencing the send queue; the queue's mbufs return to their pool once acknowledged and
 * no longer referenced by a frame in flight. Call at start, before connections exist.
 * @param tcp       the engine
 * @param multiseg  the port accepts multi-segment frames (struct sy_port tx_multi_seg:
 *   RTE_ETH_TX_OFFLOAD_MULTI_SEGS, or the in-memory ring pair). It also lets a copied
 *   segment span several mbufs (a jumbo MTU over 2 KiB mbufs). false: one mbuf per frame.
 * @param min_bytes payloads of at least this many bytes are referenced, not copied
 *   (SY_TCP_ZC_MIN_DEFAULT suggested); 0: always copy. Needs @p multiseg.
 * @return 0, or -EINVAL (@p tcp NULL, or @p min_bytes > 0 or TSO on without @p multiseg).
 */
int sy_tcp_set_tx_zerocopy(struct sy_tcp *tcp, bool multiseg, uint32_t min_bytes);

/**
 * TCP segmentation offload: data segments of up to as many whole MSS as one IPv4
 * datagram holds (45 at MSS 1448) leave as one frame, which the port cuts into MSS-sized
 * segments (sy_net_conf tso DEVICE) or the ring pair carries whole to its peer (WHOLE).
 * A segment is always whole MSS (a short tail leaves on its own, under Nagle and sender
 * SWS avoidance). What stays one MSS: an RTO's first resend (the go-back-N resends after
 * it may be TSO segments), window probes, fast and SACK retransmissions, a segment
 * carrying SACK blocks, and every segment while the peer's MSS is below 536. On by
 * default when the net layer's port does TSO (sy_tcp_create()); this turns it off or on.
 * @return 0; -EINVAL (@p tcp NULL, or @p on while the port takes no multi-segment
 *   frames or does no TSO).
 */
int sy_tcp_set_tso(struct sy_tcp *tcp, bool on);

/** Processes one segment from sy_net_input() (SY_NET_RX_TCP); consumes @p m. */
void sy_tcp_input(struct sy_tcp *tcp, struct rte_mbuf *m);

/**
 * Optional, before a received burst goes through sy_net_input() and sy_tcp_input() one
 * frame at a time: looks the TCP frames' connections up all at once and prefetches them,
 * so that their cache misses overlap (prefetch.c). Changes no state and validates nothing.
 */
void sy_tcp_prefetch(struct sy_tcp *tcp, struct rte_mbuf *const *pkts, uint16_t n);

/** Fires due timers at the clock's current time. Call once per loop iteration. */
void sy_tcp_poll(struct sy_tcp *tcp);

/**
 * Opens a listener on (@p ip, @p port); @p ip 0 is any local address. @p backlog bounds
 * the listener's SYN-RECEIVED connections (0 is taken as 1). At most 64 listeners.
 * @return 0; -EADDRINUSE; -ENOSPC; -EINVAL
 */
int sy_tcp_listen(struct sy_tcp *tcp, rte_be32_t ip, rte_be16_t port, uint32_t backlog,
		  const struct sy_tcp_ops *ops, void *user);
int sy_tcp_unlisten(struct sy_tcp *tcp, rte_be32_t ip, rte_be16_t port);

/**
 * Active open. @p src_port 0 picks a free ephemeral port.
 * @return 0 with *out set; -EADDRINUSE, -EADDRNOTAVAIL (no free port), -ENOMEM (table full)
 */
int sy_tcp_connect(struct sy_tcp *tcp, rte_be32_t src_ip, rte_be16_t src_port,
		   rte_be32_t dst_ip, rte_be16_t dst_port, const struct sy_tcp_ops *ops,
		   void *user, sy_conn_t *out);

/**
 * Queues data (takes ownership of the chain @p m on success).
 * @return 0; -EAGAIN (send buffer full: keep m, wait for writable); -EPIPE (shut down)
 */
int sy_tcp_send(struct sy_tcp *tcp, sy_conn_t c, struct rte_mbuf *m);

/** Bytes that sy_tcp_send() would accept now; 0 on a full buffer also asks for the
 *  writable callback once space frees up. */
uint32_t sy_tcp_send_space(const struct sy_tcp *tcp, sy_conn_t c);

/** Half-close: FIN after queued data; data keeps arriving. */
int sy_tcp_shutdown(struct sy_tcp *tcp, sy_conn_t c);

/**
 * Full close: shutdown and no more data callbacks (arriving data gets an RST and the
 * closed callback reports SY_TCP_CLOSE_ABORTED). Arms the FIN-WAIT-2 timeout.
 */
int sy_tcp_close(struct sy_tcp *tcp, sy_conn_t c);

/** Sends RST and frees the connection (closed callback with SY_TCP_CLOSE_ABORTED). */
int sy_tcp_abort(struct sy_tcp *tcp, sy_conn_t c);

/** Switches keepalive for one connection (uses the engine's idle/interval/probes). */
int sy_tcp_set_keepalive(struct sy_tcp *tcp, sy_conn_t c, bool on);

/** Nagle per connection (default on). */
int sy_tcp_set_nodelay(struct sy_tcp *tcp, sy_conn_t c, bool nodelay);

/**
 * Chooses the congestion control of one connection (takes effect from its next window
 * change; the algorithm's private state restarts).
 * @return 0; -ENOTCONN (invalid handle); -EINVAL (unknown algorithm)
 */
int sy_tcp_set_cc(struct sy_tcp *tcp, sy_conn_t c, enum sy_tcp_cc cc);

/** What a connection's sender knows (tests, telemetry). */
struct sy_tcp_conn_info {
	uint32_t cwnd;               /**< congestion window, bytes */
	uint32_t ssthresh;           /**< bytes; UINT32_MAX before the first loss */
	uint32_t snd_mss;            /**< payload bytes per full segment */
	uint32_t srtt_ms;            /**< smoothed RTT (0: no sample yet) */
	uint32_t rttvar_ms;
	uint32_t rto_ms;             /**< current RTO including back-off */
	uint32_t flight;             /**< SND.MAX - SND.UNA */
	uint32_t sacked;             /**< bytes in the SACK scoreboard */
	uint32_t ooo_bytes;          /**< bytes held for reassembly */
	uint32_t ooo_segs;           /**< mbufs held for reassembly */
	bool in_recovery;
	uint8_t cc;                  /**< enum sy_tcp_cc */
};

/** @return 0 and *info filled; -ENOTCONN */
int sy_tcp_conn_info(const struct sy_tcp *tcp, sy_conn_t c, struct sy_tcp_conn_info *info);

/**
 * State of a live connection; SY_TCP_CLOSED for an invalid handle. A connection that
 * entered TIME-WAIT has been reported closed and is only visible in sy_tcp_count().
 */
enum sy_tcp_state sy_tcp_conn_state(const struct sy_tcp *tcp, sy_conn_t c);

const struct sy_tcp_stats *sy_tcp_stats(const struct sy_tcp *tcp);

/** Connections in each state (for tests and telemetry); TIME-WAIT counts records. */
uint32_t sy_tcp_count(const struct sy_tcp *tcp, enum sy_tcp_state s);

/** Bytes of the connection block and of the TIME-WAIT record (docs, benchmarks). */
size_t sy_tcp_conn_size(void);
size_t sy_tcp_time_wait_size(void);

#endif /* SY_TCP_H */
