/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The connection block, the TIME-WAIT record and the engine of one lcore (internal).
 *
 * Size budget: a struct sy_tcb of an idle ESTABLISHED connection is at most 128 bytes.
 * Everything that exists only while data is in flight (the send queue) hangs off a 32-bit
 * index into a separate arena, allocated on the first sy_tcp_send() and freed when the
 * queue drains. Timers cost no pointer: the wheel id of a tcb is its arena index, and the
 * tcb keeps three 32-bit millisecond deadlines (retransmit/persist, delayed ACK,
 * idle = keepalive / FIN-WAIT-2 / 2MSL) of which the wheel holds the earliest.
 *
 * A connection that reaches TIME-WAIT gives its tcb back and leaves a 28-byte struct
 * tcp_tw in the flow table; the flow value's top bit says which of the two it is.
 */
#ifndef SY_TCP_TCB_H
#define SY_TCP_TCB_H

#include <stdint.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sy_flow.h"
#include "sy_timer.h"
#include "sy_tcp.h"
#include "seq.h"

/* tcb->flags */
#define TF_TS          0x0001  /* timestamps offered (SYN-SENT) / negotiated */
#define TF_SACK        0x0002  /* SACK-permitted offered / negotiated */
#define TF_WS          0x0004  /* window scaling offered / negotiated */
#define TF_KEEPALIVE   0x0008
#define TF_NODELAY     0x0010
#define TF_FIN_QUEUED  0x0020  /* shutdown: send FIN after the queued data */
#define TF_FIN_SENT    0x0040  /* our FIN occupies snd_max - 1 */
#define TF_APP_CLOSED  0x0080  /* sy_tcp_close(): no data callbacks, data gets RST */
#define TF_RTT         0x0100  /* timing rtt_seq (RFC 6298, Karn) */
#define TF_ACK_NOW     0x0200
#define TF_T_RTX       0x0400  /* rtx_at armed (RTO, SYN, persist) */
#define TF_T_DELACK    0x0800  /* delack_at armed */
#define TF_T_IDLE      0x1000  /* idle_at armed (keepalive, FIN-WAIT-2, 2MSL fallback) */
#define TF_WANT_WRITE  0x2000  /* sy_tcp_send() returned -EAGAIN */
#define TF_PEER_FIN    0x4000  /* peer FIN received (rcv_nxt counts it) */
#define TF_DEAD        0x8000  /* freed while its input or timer was running */

struct sy_tcb {
	struct sy_flow_key key;      /* local/remote ip and port, network order */
	uint8_t state;               /* enum sy_tcp_state */
	uint8_t snd_shift:4;         /* peer's window scale, applied to SEG.WND (<= 14) */
	uint8_t cc:4;                /* enum sy_tcp_cc: congestion control of this connection */
	uint8_t rcv_shift;           /* our window scale */
	uint8_t retries;             /* consecutive retransmissions of the same data */
	uint16_t flags;
	uint16_t snd_mss;            /* peer's MSS minus our per-segment option bytes */
	uint8_t ka_probes;           /* unanswered keepalive probes */
	uint8_t delack_segs;         /* segments received since our last ACK */
	uint16_t listener;           /* 1 + listener slot of a passive open; 0 if active */
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max;            /* highest sequence sent (snd_nxt rolls back on RTO) */
	uint32_t snd_wnd;            /* scaled */
	uint32_t max_snd_wnd;        /* RFC 5961 5.2 MAX.SND.WND */
	uint32_t snd_wl1;
	uint32_t snd_wl2;
	uint32_t rcv_nxt;
	uint32_t ts_recent;          /* RFC 7323 TS.Recent */
	uint32_t srtt8;              /* smoothed RTT, ms << 3 (0: no sample yet) */
	uint32_t rttvar4;            /* RTT variance, ms << 2 */
	uint32_t rto_ms;             /* current RTO incl. backoff */
	uint32_t rtt_seq;
	uint32_t rtt_start;          /* ms: the timed segment left (TF_RTT), else when data last left */
	uint32_t rtx_at;             /* deadlines, ms mod 2^32 */
	uint32_t delack_at;
	uint32_t idle_at;
	uint32_t sndq;               /* data block index (struct tcp_sndq), or TCP_NO_SNDQ */
	uint32_t cwnd;               /* RFC 5681 congestion window, bytes */
	uint32_t ssthresh;           /* RFC 5681 slow start threshold, bytes */
	const struct sy_tcp_ops *ops;
	void *user;
};

#define TCP_NO_SNDQ UINT32_MAX

/* One contiguous run of out-of-order bytes held for reassembly: a chain of payload mbufs. */
struct tcp_rq_range {
	uint32_t seq;
	uint32_t len;
	struct rte_mbuf *head;
	struct rte_mbuf *tail;       /* last segment of the chain */
};

#define TCP_RQ_RANGES   16       /* disjoint out-of-order runs held (holes + 1) */
#define TCP_SACK_REPORT  4       /* RFC 2018 4: blocks remembered for reporting */
#define TCP_SB_RANGES    8       /* RFC 6675 scoreboard: SACKed runs above SND.UNA */
#define TCP_CC_PRIV      6       /* 64-bit words of congestion control private state */

/* Congestion control private state (cc_*.c), reset when the data block is reallocated. */
union tcp_cc_priv {
	uint64_t w[TCP_CC_PRIV];
	double d[TCP_CC_PRIV];
};

/*
 * The data block: everything a connection needs only while data is in flight in either
 * direction. The send queue (bytes from SND.UNA on as a list of the application's mbuf
 * segments), the reassembly queue, the SACK blocks to report, the SACK scoreboard, the loss
 * recovery state and the congestion control's private state. Allocated from an arena on
 * the first sy_tcp_send() or the first out-of-order segment, returned when both queues are
 * empty; an idle connection carries only its 4-byte index.
 */
struct tcp_sndq {
	struct rte_mbuf *head;
	struct rte_mbuf *tail;
	uint32_t bytes;              /* bytes queued from snd_una (excl. FIN) */
	uint32_t head_off;           /* bytes of head already acknowledged */
	struct rte_mbuf *cur;        /* copy cursor: the segment the last copy ended in */
	uint32_t cur_pos;            /* position of cur's first byte from head's first byte */
	/* receive: reassembly queue (reass.c), ranges sorted by seq, all above RCV.NXT */
	uint8_t rq_n;
	uint8_t sack_rep_n;
	uint16_t rq_segs;            /* mbufs held */
	uint32_t rq_bytes;
	uint32_t rcv_adv;            /* right edge of the window we advertised last (output.c) */
	struct tcp_rq_range rq[TCP_RQ_RANGES];
	uint32_t sack_rep[TCP_SACK_REPORT][2];   /* most recent first: [start, end) */
	/* send: scoreboard (sack.c) and recovery (recovery.c) */
	uint8_t sb_n;
	uint8_t dupacks;
	uint8_t in_recovery;         /* 1: fast recovery (RFC 6582 / RFC 6675) */
	uint8_t cc_ready;            /* cc private state initialised */
	uint32_t sb[TCP_SB_RANGES][2];           /* sorted, disjoint: [start, end) */
	uint32_t sacked;             /* bytes covered by sb */
	uint32_t recover;            /* RFC 6582 recover */
	uint32_t high_rxt;           /* RFC 6675 HighRxt */
	uint32_t dsack[2];           /* RFC 2883 duplicate range to report once: [start, end) */
	uint8_t dsack_on;
	uint32_t last_tx_ms;         /* when the sender last sent data (idle restart, RFC 9438 5.8) */
	union tcp_cc_priv cc;
};

/* RFC 9293 3.6.1 / RFC 6191: what TIME-WAIT needs to ACK a FIN and judge a new SYN. */
struct tcp_tw {
	struct sy_flow_key key;
	uint32_t snd_nxt;
	uint32_t rcv_nxt;
	uint32_t ts_recent;
	uint8_t ts_ok;               /* timestamps were in use */
	uint8_t rcv_shift;
	uint8_t in_use;
	uint8_t pad;
};

/* Flow table values: tcb index, or TIME-WAIT record index with the top bit set. */
#define TCP_FLOW_TW 0x80000000u

#define TCP_MAX_LISTENERS 64

struct tcp_listener {
	rte_be32_t ip;
	rte_be16_t port;
	uint8_t in_use;
	uint32_t backlog;
	uint32_t embryonic;          /* SYN-RECEIVED connections counted against backlog */
	uint8_t cookie_mode;         /* SYNs answered with cookies (RFC 4987 3.6) */
	uint64_t cookie_last_ms;     /* last cookie sent: ACKs are checked as cookies until
				      * two cookie periods after it; 0: never */
	const struct sy_tcp_ops *ops;
	void *user;
};

/* Options of one segment (options.c). */
#define TOPT_MSS     0x01
#define TOPT_WS      0x02
#define TOPT_SACKOK  0x04
#define TOPT_TS      0x08
#define TOPT_SACK    0x10

struct tcp_opts {
	uint8_t present;
	uint8_t wscale;
	uint16_t mss;
	uint32_t tsval;
	uint32_t tsecr;
	uint8_t sack_blocks;
	uint32_t sack[4][2];
};

/* One parsed incoming segment. */
struct tcp_seg {
	struct rte_mbuf *m;
	struct sy_flow_key key;      /* from our side: local = destination */
	uint32_t seq;
	uint32_t ack;
	uint32_t len;                /* payload bytes */
	uint32_t seg_len;            /* len + SYN + FIN */
	uint32_t wnd;                /* unscaled SEG.WND */
	uint32_t payload_off;        /* offset of the payload in m */
	uint8_t flags;
	uint8_t tw_reuse;            /* reopens a TIME-WAIT tuple: ISS above iss_floor */
	uint8_t flow_held;           /* the tuple's flow entry still exists (a released
				      * TIME-WAIT record's): a new tcb takes it over in place */
	uint32_t iss_floor;          /* the old incarnation's SND.NXT */
	struct tcp_opts opts;
};

struct sy_tcp {
	struct sy_tcp_conf conf;
	uint8_t isn_secret[16];
	struct sy_net *net;
	struct rte_mempool *pool;
	struct sy_clock *clock;
	struct sy_flow_table *flows;
	struct sy_listen_table *listens;
	struct sy_arena *tcbs;
	struct sy_arena *tws;
	struct sy_arena *sndqs;
	struct sy_arena_view tcb_v;
	struct sy_arena_view tw_v;
	struct sy_arena_view sndq_v;
	struct sy_timer_wheel *wheel;
	uint64_t now_ms;             /* cached at each entry point */
	uint32_t busy;               /* tcb whose input/timer is running, or UINT32_MAX */
	uint16_t busy_dead;          /* that tcb was freed meanwhile: put it back at the end */
	uint8_t busy_timers;         /* its deadlines changed meanwhile: re-arm at the end */
	uint8_t busy_output;         /* the application queued data or FIN: send at the end */
	uint16_t next_port;          /* ephemeral port cursor (host order) */
	uint64_t chack_sec;          /* second of the challenge ACK budget */
	uint32_t chack_count;        /* challenge ACKs sent in that second */
	uint32_t count[SY_TCP_TIME_WAIT + 1];
	/* transmit of payload (output.c, sy_tcp_set_tx_zerocopy()) */
	uint8_t tx_multiseg;         /* the port takes multi-segment frames */
	uint8_t tso;                 /* it takes segments above the MSS (sy_net_conf tso) */
	uint32_t tx_zc_min;          /* payloads from this size on are attached; 0: copy */
	struct tcp_listener listeners[TCP_MAX_LISTENERS];
	struct sy_tcp_stats stats;
};

#define TCP_FLAGS(seg, f) (((seg)->flags & (f)) != 0)

static inline struct sy_tcb *
tcb_ptr(const struct sy_tcp *tcp, uint32_t idx)
{
	return (struct sy_tcb *)sy_arena_ptr(&tcp->tcb_v, idx);
}

static inline uint32_t
tcb_idx(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	return sy_arena_idx(&tcp->tcb_v, tcb);
}

static inline struct tcp_tw *
tw_ptr(const struct sy_tcp *tcp, uint32_t idx)
{
	return (struct tcp_tw *)sy_arena_ptr(&tcp->tw_v, idx);
}

static inline struct tcp_sndq *
sndq_ptr(const struct sy_tcp *tcp, uint32_t idx)
{
	return (struct tcp_sndq *)sy_arena_ptr(&tcp->sndq_v, idx);
}

static inline uint32_t
tcp_now32(const struct sy_tcp *tcp)
{
	return (uint32_t)tcp->now_ms;
}

static inline uint32_t
tcb_sndq_bytes(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	return tcb->sndq == TCP_NO_SNDQ ? 0 : sndq_ptr(tcp, tcb->sndq)->bytes;
}

static inline int
tcb_synchronized(const struct sy_tcb *tcb)
{
	return tcb->state >= SY_TCP_ESTABLISHED;
}

/* isn.c */
uint32_t tcp_isn(const struct sy_tcp *tcp, const struct sy_flow_key *key);

/* options.c */
int tcp_opts_parse(const uint8_t *p, uint32_t len, struct tcp_opts *o);
uint32_t tcp_opts_write_syn(uint8_t *p, uint16_t mss, uint16_t tflags, uint8_t wscale,
			    uint32_t tsval, uint32_t tsecr);
uint32_t tcp_opts_write_ts(uint8_t *p, uint32_t tsval, uint32_t tsecr);
uint32_t tcp_opts_write_sack(uint8_t *p, const uint32_t blocks[][2], uint32_t n);
#define TCP_OPTS_MAX 40
#define TCP_TS_OPT_LEN 12

/* output.c */
struct tcp_out {
	uint8_t flags;
	uint32_t seq;
	uint32_t ack;
	uint16_t wnd;                /* already scaled for the header */
	uint8_t syn_opts;            /* write MSS/WS/SACK-permitted/TS (SYN, SYN-ACK) */
	uint8_t ts;                  /* write the timestamp option */
	uint16_t opt_flags;          /* TF_* bits for syn_opts */
	uint32_t tsecr;
	struct tcp_sndq *data;       /* payload source, or NULL */
	uint32_t data_off;           /* offset from snd_una in the send queue */
	uint32_t data_len;
	uint16_t tso_segsz;          /* payload of each segment the port cuts; 0: no TSO */
	uint32_t sack_n;             /* SACK blocks to write (RFC 2018) */
	uint32_t sack[TCP_SACK_REPORT][2];
};
int tcp_output_segment(struct sy_tcp *tcp, const struct sy_flow_key *key,
		       const struct tcp_out *o);
void tcp_output_rst_for_segment(struct sy_tcp *tcp, const struct tcp_seg *seg);
uint16_t tcp_rcv_wnd_field(const struct sy_tcp *tcp, const struct sy_tcb *tcb);
uint32_t tcp_rcv_wnd(const struct sy_tcp *tcp, const struct sy_tcb *tcb);
void tcp_rcv_adv_init(const struct sy_tcp *tcp, const struct sy_tcb *tcb, struct tcp_sndq *q);
void tcp_send_ack(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_send_ctl(struct sy_tcp *tcp, struct sy_tcb *tcb, uint8_t flags, uint32_t seq);
void tcp_send_syn(struct sy_tcp *tcp, struct sy_tcb *tcb);
int tcp_challenge_ack_allowed(struct sy_tcp *tcp);
uint32_t tcp_max_payload(const struct sy_tcp *tcp);
uint32_t tcp_seg_max_payload(const struct sy_tcp *tcp);
uint32_t tcp_seg_one(const struct sy_tcp *tcp, const struct sy_tcb *tcb);
uint32_t tcp_seg_cap(const struct sy_tcp *tcp, const struct sy_tcb *tcb);

/* data.c: send queue and the data/FIN sender */
int tcp_sndq_append(struct sy_tcp *tcp, struct sy_tcb *tcb, struct rte_mbuf *m);
void tcp_sndq_ack(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t bytes);
void tcp_sndq_free(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_output(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_output_probe(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_retransmit(struct sy_tcp *tcp, struct sy_tcb *tcb);

/* reass.c: out-of-order queue and the SACK blocks we report (RFC 2018) */
struct tcp_sndq *tcp_blk_get(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_blk_maybe_release(struct sy_tcp *tcp, struct sy_tcb *tcb);
int tcp_reass_insert(struct sy_tcp *tcp, struct sy_tcb *tcb, struct rte_mbuf *m,
		     uint32_t seq, uint32_t len);
void tcp_reass_deliver(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_reass_free(struct sy_tcp *tcp, struct tcp_sndq *q);
uint32_t tcp_reass_sack_blocks(const struct sy_tcp *tcp, const struct sy_tcb *tcb,
			       uint32_t blocks[][2], uint32_t max);
uint32_t tcp_reass_sack_take(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t blocks[][2],
			     uint32_t max);
void tcp_reass_dsack(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t start, uint32_t end);
struct rte_mbuf *tcp_chain_adj(struct rte_mbuf *m, uint32_t d);
int tcp_chain_trim(struct rte_mbuf *m, uint32_t d);
static inline int
tcb_has_ooo(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	return tcb->sndq != TCP_NO_SNDQ && sndq_ptr(tcp, tcb->sndq)->rq_n > 0;
}

/* recovery.c: SACK scoreboard (RFC 6675), fast retransmit and recovery (RFC 5681 3.2,
 * RFC 6582, RFC 6675), the congestion window on ACK and RTO */
void tcp_recovery_ack(struct sy_tcp *tcp, struct sy_tcb *tcb, const struct tcp_seg *seg,
		      uint32_t old_una, int dup);
void tcp_recovery_rto(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_recovery_tx_start(struct sy_tcp *tcp, struct sy_tcb *tcb);
/* cc_cubic.c: new epoch after an idle period (belongs in cc.h as an op; see there) */
void tcp_cc_cubic_restart(struct sy_tcp *tcp, struct sy_tcb *tcb, union tcp_cc_priv *p);
int tcp_recovery_pre_ack(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t ack);
void tcp_recovery_partial(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t acked);
uint32_t tcp_recovery_room(const struct sy_tcp *tcp, const struct sy_tcb *tcb);
int tcp_sb_skip(const struct sy_tcp *tcp, const struct sy_tcb *tcb, uint32_t seq,
		uint32_t *end);
void tcp_output_recovery(struct sy_tcp *tcp, struct sy_tcb *tcb);
int tcp_in_sack_recovery(const struct sy_tcp *tcp, const struct sy_tcb *tcb);
uint32_t tcp_initial_cwnd(const struct sy_tcb *tcb);

/* data.c */
void tcp_send_at(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t seq, uint32_t max_len);

/* timers.c */
void tcp_timers_sync(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_timer_rtx_start(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_timer_rtx_stop(struct sy_tcb *tcb);
void tcp_timer_idle(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t ms);
void tcp_timer_keepalive_reset(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_timer_expire(void *arg, uint32_t id);
void tcp_rtt_sample(struct sy_tcp *tcp, struct sy_tcb *tcb, uint32_t rtt_ms);

/* conn.c */
/* @p flow_held (may be NULL): *flow_held set means the tuple's flow entry exists and is
 * taken over (then cleared); otherwise the tuple must be absent from the table. */
struct sy_tcb *tcp_conn_alloc(struct sy_tcp *tcp, const struct sy_flow_key *key,
			      uint8_t *flow_held);
void tcp_conn_set_state(struct sy_tcp *tcp, struct sy_tcb *tcb, enum sy_tcp_state s);
void tcp_conn_close(struct sy_tcp *tcp, struct sy_tcb *tcb, enum sy_tcp_close_reason why);
void tcp_conn_drop_embryonic(struct sy_tcp *tcp, struct sy_tcb *tcb);
/* Frees a tcb kept in TIME-WAIT whose flow entry a new connection takes over. */
void tcp_conn_release_to_reuse(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_conn_established(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_conn_time_wait(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_conn_negotiate(struct sy_tcp *tcp, struct sy_tcb *tcb, const struct tcp_opts *o);
struct tcp_listener *tcp_conn_listener(struct sy_tcp *tcp, const struct sy_tcb *tcb);
void tcp_busy_begin(struct sy_tcp *tcp, struct sy_tcb *tcb);
void tcp_busy_end(struct sy_tcp *tcp);

/* time_wait.c */
int tcp_tw_enter(struct sy_tcp *tcp, const struct sy_tcb *tcb);
void tcp_tw_input(struct sy_tcp *tcp, uint32_t tw_idx, struct tcp_seg *seg);

/* What a segment on a TIME-WAIT tuple asks for (time_wait.c); counts the drops. */
enum tcp_tw_action {
	TCP_TW_DROP,          /* nothing to send */
	TCP_TW_REUSE,         /* RFC 6191: a new connection may take the tuple */
	TCP_TW_ACK_RESTART,   /* a retransmitted FIN: ACK again, 2MSL from now */
	TCP_TW_ACK,           /* ACK an unacceptable segment, or a challenge ACK */
};
enum tcp_tw_action tcp_tw_classify(struct sy_tcp *tcp, int ts_ok, uint32_t ts_recent,
				   uint32_t rcv_nxt, const struct tcp_seg *seg);
/* Hands a reusable SYN to the listener; the tuple's flow entry is still present. */
void tcp_tw_reuse(struct sy_tcp *tcp, struct tcp_seg *seg, uint32_t iss_floor);
void tcp_tw_expire(struct sy_tcp *tcp, uint32_t tw_idx);
void tcp_tw_remove(struct sy_tcp *tcp, uint32_t tw_idx);
/* frees the record but leaves its flow entry (to be taken over or removed by the caller) */
void tcp_tw_release(struct sy_tcp *tcp, uint32_t tw_idx);
int tcp_tw_reusable_for_connect(const struct sy_tcp *tcp, uint32_t tw_idx, uint32_t iss);

/* RFC 6191 2: may a SYN reuse a TIME-WAIT tuple? */
static inline int
tcp_tw_syn_ok(int ts_ok, uint32_t ts_recent, uint32_t rcv_nxt, const struct tcp_seg *seg)
{
	if (ts_ok && (seg->opts.present & TOPT_TS))
		return SEQ_GT(seg->opts.tsval, ts_recent);
	return SEQ_GT(seg->seq, rcv_nxt);
}

/* input.c / input_sync.c */
void tcp_input_listen(struct sy_tcp *tcp, struct tcp_seg *seg, uint32_t listener);
void tcp_input_closed(struct sy_tcp *tcp, struct tcp_seg *seg);
void tcp_input_synchronized(struct sy_tcp *tcp, struct sy_tcb *tcb, struct tcp_seg *seg);
void tcp_input_demux_new(struct sy_tcp *tcp, struct tcp_seg *seg);

#endif /* SY_TCP_TCB_H */
