/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * One segment builder for everything TCP sends (SYN, SYN-ACK, ACK, data, FIN, RST,
 * keepalive and window probes), with the control segments derived from it, and the reset
 * generation of RFC 9293 3.10.7.1 for segments that belong to no connection.
 *
 * The builder allocates one mbuf from the engine's pool, writes the TCP header and the
 * options, leaves the checksum 0 and hands the segment to sy_net_output(), which prepends
 * IPv4 and Ethernet and computes the checksum (lib/net sums chained mbufs correctly).
 *
 * Payload, two ways:
 * - copy (always for a port that takes only single-segment frames, and for payloads below
 *   tcp->tx_zc_min): the bytes are copied behind the header, at most tcp_max_payload()
 *   per segment. Below a kilobyte a copy costs fewer instructions than the two extra
 *   mbufs and four reference count updates of a chain, and small responses and control
 *   segments stay one mbuf, one cache-line-friendly frame (SY_TCP_ZC_MIN_DEFAULT = 1024).
 * - zero copy (sy_tcp_set_tx_zerocopy(), for a port that takes multi-segment frames): the
 *   header mbuf is chained to indirect mbufs (rte_pktmbuf_attach: reference counted, the
 *   data stays where the application put it) covering the payload range, possibly across
 *   several queued mbufs. The send queue frees its mbufs on ACK as before; a buffer goes
 *   back to its pool when the last frame referring to it has been sent and freed, so a
 *   retransmission simply attaches again. A segment may then be larger than one mbuf
 *   (jumbo MTU over 2 KiB mbufs). Pieces may have any length: lib/net sums chains exactly
 *   on both sides (sy_net_l4_cksum_valid(); DPDK 22.11's own chain verify is not used).
 */
#include <string.h>
#include <netinet/in.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "tcb.h"

#define TCP_HDR_LEN 20
#define TCP_HEADROOM (RTE_ETHER_HDR_LEN + 20)

/* Largest payload one mbuf of our pool holds after headers and options. */
uint32_t
tcp_max_payload(const struct sy_tcp *tcp)
{
	uint32_t room = rte_pktmbuf_data_room_size(tcp->pool);
	uint32_t used = RTE_PKTMBUF_HEADROOM + TCP_HDR_LEN + TCP_OPTS_MAX;

	return room > used ? room - used : 0;
}

/* Largest payload of one segment: one mbuf's room unless the port takes chains. */
uint32_t
tcp_seg_max_payload(const struct sy_tcp *tcp)
{
	return tcp->tx_multiseg ? UINT16_MAX - TCP_HDR_LEN - TCP_OPTS_MAX - 20
				: tcp_max_payload(tcp);
}

int
sy_tcp_set_tx_zerocopy(struct sy_tcp *tcp, bool multiseg, uint32_t min_bytes)
{
	if (tcp == NULL || (!multiseg && (min_bytes != 0 || tcp->tso)))
		return -EINVAL;
	tcp->tx_multiseg = multiseg;
	tcp->tx_zc_min = min_bytes;
	return 0;
}

int
sy_tcp_set_tso(struct sy_tcp *tcp, bool on)
{
	if (tcp == NULL || (on && (!tcp->tx_multiseg ||
				   sy_net_conf(tcp->net)->tso == SY_NET_TSO_OFF)))
		return -EINVAL;
	tcp->tso = on;
	return 0;
}

/* Payload of one segment at most: one MSS, within what one frame of ours holds. */
uint32_t
tcp_seg_one(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	return RTE_MIN((uint32_t)tcb->snd_mss, tcp_seg_max_payload(tcp));
}

/*
 * Smallest MSS we leave to TSO: RFC 9293's default MSS. Below it a 64 KiB frame would be
 * cut into a thousand segments, under the least TSO segment size some devices take.
 */
#define TCP_TSO_MIN_MSS 536

/*
 * Payload of the next new segment at most: one MSS, or with TSO as many whole MSS as one
 * IPv4 datagram holds (the port cuts it into full segments).
 */
uint32_t
tcp_seg_cap(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	uint32_t mss = tcb->snd_mss;

	if (!tcp->tso || mss < TCP_TSO_MIN_MSS)
		return tcp_seg_one(tcp, tcb);
	return RTE_MAX(tcp_seg_max_payload(tcp) / mss, 1u) * mss;
}

/* The whole receive buffer as a window: conf.rcv_wnd, limited to what the 16-bit field
 * can say with our shift. */
static uint32_t
rcv_wnd_full(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	uint32_t max = (uint32_t)UINT16_MAX << tcb->rcv_shift;

	return RTE_MIN(tcp->conf.rcv_wnd, max);
}

/*
 * RCV.WND, receive-side silly window avoidance (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3).
 * In-order data goes to the application at once, so the buffer in use (RCV.USER) is the
 * out-of-order data held for reassembly; the window that could be offered is RCV.BUFF -
 * RCV.USER. The right edge we advertised last (rcv_adv, kept in the data block) never
 * moves left (3.8.6.2.2: shrinking is strongly discouraged), and moves right only when
 * that gains at least min(RCV.BUFF / 2, MSS) bytes. Rounding to the scale unit goes down
 * for a new edge and up for a kept one, so neither rule is broken by the shift.
 * A connection without a data block holds nothing and has sent nothing it waits for: it
 * offers the whole buffer, which is never a silly window.
 */
uint32_t
tcp_rcv_wnd(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	uint32_t full = rcv_wnd_full(tcp, tcb);
	uint32_t mask = (1u << tcb->rcv_shift) - 1;
	const struct tcp_sndq *q;
	uint32_t avail, cur;

	if (tcb->sndq == TCP_NO_SNDQ)
		return full & ~mask;
	q = sndq_ptr(tcp, tcb->sndq);
	avail = full - RTE_MIN(full, q->rq_bytes);
	cur = SEQ_GT(q->rcv_adv, tcb->rcv_nxt) ? q->rcv_adv - tcb->rcv_nxt : 0;
	if (avail > cur && avail - cur >= RTE_MIN(full / 2, (uint32_t)tcp->conf.mss))
		return avail & ~mask;
	return (cur + mask) & ~mask;
}

/* The window field of a segment we send now; remembers the right edge it advertises. */
uint16_t
tcp_rcv_wnd_field(const struct sy_tcp *tcp, const struct sy_tcb *tcb)
{
	uint32_t w = tcp_rcv_wnd(tcp, tcb);

	if (tcb->sndq != TCP_NO_SNDQ)
		sndq_ptr(tcp, tcb->sndq)->rcv_adv = tcb->rcv_nxt + w;
	return (uint16_t)(w >> tcb->rcv_shift);
}

/* A new data block starts from the edge a block-less connection advertises. */
void
tcp_rcv_adv_init(const struct sy_tcp *tcp, const struct sy_tcb *tcb, struct tcp_sndq *q)
{
	q->rcv_adv = tcb->rcv_nxt + (rcv_wnd_full(tcp, tcb) & ~((1u << tcb->rcv_shift) - 1));
}

/*
 * The queued mbuf holding byte @p off (from SND.UNA) of the queue; *off becomes the offset
 * in it. The cursor remembers where the previous lookup ended, so sending a full queue
 * segment by segment does not walk the list from its head every time.
 */
static struct rte_mbuf *
sndq_seek(struct tcp_sndq *q, uint32_t *off)
{
	struct rte_mbuf *s = q->head;
	uint32_t pos = 0, o = *off + q->head_off;

	if (q->cur != NULL && q->cur_pos <= o) {
		s = q->cur;
		pos = q->cur_pos;
	}
	while (s != NULL && o - pos >= s->data_len) {
		pos += s->data_len;
		s = s->next;
	}
	if (s != NULL) {
		q->cur = s;
		q->cur_pos = pos;
	}
	*off = o - pos;
	return s;
}

/* Copies @p len bytes at @p off (from SND.UNA) out of the send queue. */
static void
copy_payload(uint8_t *dst, struct tcp_sndq *q, uint32_t off, uint32_t len)
{
	struct rte_mbuf *s = sndq_seek(q, &off);

	while (len > 0 && s != NULL) {
		uint32_t n = RTE_MIN(len, (uint32_t)s->data_len - off);

		memcpy(dst, rte_pktmbuf_mtod_offset(s, const uint8_t *, off), n);
		dst += n;
		len -= n;
		off = 0;
		s = s->next;
	}
}

/* Appends @p mi (a segment of its own) to the chain @p h whose last segment is @p tail. */
static void
chain_add(struct rte_mbuf *h, struct rte_mbuf **tail, struct rte_mbuf *mi)
{
	(*tail)->next = mi;
	*tail = mi;
	h->nb_segs++;
	h->pkt_len += mi->data_len;
}

/*
 * Zero copy: chains indirect mbufs covering [off, off + len) of the queue behind @p h.
 * @return 0; -ENOBUFS (pool empty). On error @p h may hold part of the chain: the caller
 * frees it whole.
 */
static int
attach_payload(struct sy_tcp *tcp, struct rte_mbuf *h, struct tcp_sndq *q, uint32_t off,
	       uint32_t len)
{
	struct rte_mbuf *s = sndq_seek(q, &off), *tail = h;

	for (; len > 0 && s != NULL; s = s->next, off = 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)s->data_len - off);
		struct rte_mbuf *mi;

		if (n == 0)
			continue;
		mi = rte_pktmbuf_alloc(tcp->pool);
		if (mi == NULL)
			return -ENOBUFS;
		rte_pktmbuf_attach(mi, s);
		mi->data_off = (uint16_t)(mi->data_off + off);
		mi->data_len = (uint16_t)n;
		mi->pkt_len = n;
		chain_add(h, &tail, mi);
		len -= n;
	}
	return 0;
}

/*
 * Copy into a chain: what fits behind the header in @p h, then full fresh mbufs. Used
 * for copied segments larger than one mbuf (a jumbo MTU over small mbufs).
 */
static int
copy_payload_chain(struct sy_tcp *tcp, struct rte_mbuf *h, struct tcp_sndq *q, uint32_t off,
		   uint32_t len)
{
	struct rte_mbuf *tail = h;
	uint32_t n = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(h));

	copy_payload((uint8_t *)rte_pktmbuf_append(h, (uint16_t)n), q, off, n);
	for (off += n, len -= n; len > 0; off += n, len -= n) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(tcp->pool);

		if (m == NULL)
			return -ENOBUFS;
		n = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(m));
		copy_payload((uint8_t *)rte_pktmbuf_append(m, (uint16_t)n), q, off, n);
		chain_add(h, &tail, m);
	}
	return 0;
}

/*
 * Writes the payload of @p o into or behind the header mbuf @p m, whose data is the header
 * (@p hlen bytes). Zero copy when the port takes chains and the payload is large enough.
 */
static int
add_payload(struct sy_tcp *tcp, struct rte_mbuf *m, uint32_t hlen, const struct tcp_out *o)
{
	int rc;

	if (tcp->tx_zc_min == 0 || o->data_len < tcp->tx_zc_min) {
		if (o->data_len > rte_pktmbuf_tailroom(m))
			return copy_payload_chain(tcp, m, o->data, o->data_off, o->data_len);
		copy_payload((uint8_t *)rte_pktmbuf_append(m, (uint16_t)o->data_len),
			     o->data, o->data_off, o->data_len);
		return 0;
	}
	rc = attach_payload(tcp, m, o->data, o->data_off, o->data_len);
	if (rc == 0)
		tcp->stats.tx_zc_segs++;
	return rc;
}

static uint32_t
write_opts(const struct sy_tcp *tcp, uint8_t *p, const struct tcp_out *o)
{
	uint32_t now = tcp_now32(tcp);
	uint32_t n = 0;

	if (o->syn_opts)
		return tcp_opts_write_syn(p, tcp->conf.mss, o->opt_flags, tcp->conf.wscale,
					  now, o->tsecr);
	if (o->ts)
		n = tcp_opts_write_ts(p, now, o->tsecr);
	if (o->sack_n > 0)
		n += tcp_opts_write_sack(p + n, o->sack, o->sack_n);
	return n;
}

int
tcp_output_segment(struct sy_tcp *tcp, const struct sy_flow_key *key, const struct tcp_out *o)
{
	uint8_t opts[TCP_OPTS_MAX];
	uint32_t olen = write_opts(tcp, opts, o);
	uint32_t hlen = TCP_HDR_LEN + olen;
	/* the header mbuf crosses to the receiving lcore: keep its second line read-only */
	struct rte_mbuf *m = sy_net_mbuf_alloc(tcp->pool);
	struct rte_tcp_hdr *th;

	if (m == NULL) {
		tcp->stats.drop_no_mbuf++;
		return -ENOBUFS;
	}
	th = (struct rte_tcp_hdr *)rte_pktmbuf_append(m, hlen);
	if (th == NULL || rte_pktmbuf_headroom(m) < TCP_HEADROOM ||
	    (o->data_len > 0 && add_payload(tcp, m, hlen, o) < 0)) {
		rte_pktmbuf_free(m);
		tcp->stats.drop_no_mbuf++;
		return -ENOBUFS;
	}
	if (o->tso_segsz != 0 && o->data_len > o->tso_segsz) {
		/* lib/net keeps these for a device that cuts, drops the flag for the pair */
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = o->tso_segsz;
		m->l4_len = (uint8_t)hlen;
		tcp->stats.tx_tso_segs++;
	}
	th->src_port = key->local_port;
	th->dst_port = key->remote_port;
	th->sent_seq = rte_cpu_to_be_32(o->seq);
	th->recv_ack = (o->flags & RTE_TCP_ACK_FLAG) ? rte_cpu_to_be_32(o->ack) : 0;
	th->data_off = (uint8_t)((hlen / 4) << 4);
	th->tcp_flags = o->flags;
	th->rx_win = rte_cpu_to_be_16(o->wnd);
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(th + 1, opts, olen);
	tcp->stats.tx_segs++;
	if (o->flags & RTE_TCP_RST_FLAG)
		tcp->stats.rst_tx++;
	return sy_net_output(tcp->net, m, key->local_ip, key->remote_ip, IPPROTO_TCP,
			     tcp->now_ms);
}

/*
 * RFC 9293 3.10.7.1 (and 3.10.7.2 for an ACK to a listener): a segment that has an ACK
 * gets <SEQ=SEG.ACK><CTL=RST>; otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 * Never answer a RST.
 */
void
tcp_output_rst_for_segment(struct sy_tcp *tcp, const struct tcp_seg *seg)
{
	struct tcp_out o = { 0 };

	if (TCP_FLAGS(seg, RTE_TCP_RST_FLAG))
		return;
	if (TCP_FLAGS(seg, RTE_TCP_ACK_FLAG)) {
		o.flags = RTE_TCP_RST_FLAG;
		o.seq = seg->ack;
	} else {
		o.flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
		o.seq = 0;
		o.ack = seg->seq + seg->seg_len;
	}
	tcp_output_segment(tcp, &seg->key, &o);
}

/* A control segment of a connection: ACK, keepalive probe, RST, challenge ACK. */
void
tcp_send_ctl(struct sy_tcp *tcp, struct sy_tcb *tcb, uint8_t flags, uint32_t seq)
{
	struct tcp_out o = {
		.flags = flags,
		.seq = seq,
		.ack = tcb->rcv_nxt,
		.wnd = (flags & RTE_TCP_RST_FLAG) ? 0 : tcp_rcv_wnd_field(tcp, tcb),
		.ts = (tcb->flags & TF_TS) != 0 && !(flags & RTE_TCP_RST_FLAG),
		.tsecr = tcb->ts_recent,
	};

	if (flags & RTE_TCP_ACK_FLAG) {
		tcb->flags &= ~(TF_ACK_NOW | TF_T_DELACK);
		tcb->delack_segs = 0;
	}
	if ((flags & RTE_TCP_ACK_FLAG) && !(flags & RTE_TCP_RST_FLAG)) {
		/* RFC 2018 3: 3 blocks fit beside the timestamp option, 4 without */
		o.sack_n = tcp_reass_sack_take(tcp, tcb, o.sack, o.ts ? 3 : 4);
		tcp->stats.sack_blocks_tx += o.sack_n;
	}
	tcp_output_segment(tcp, &tcb->key, &o);
}

/*
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, where SND.NXT is the highest sequence sent: while
 * the sender goes back N after an RTO our snd_nxt is below what the peer already has, and
 * an ACK carrying that old SEQ would fail the peer's sequence check and draw an ACK back
 * (an endless exchange when both sides do it). BSD does the same (snd_max).
 */
void
tcp_send_ack(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	tcp_send_ctl(tcp, tcb, RTE_TCP_ACK_FLAG, tcb->snd_max);
}

/* SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED), first transmission or retransmission. */
void
tcp_send_syn(struct sy_tcp *tcp, struct sy_tcb *tcb)
{
	int synack = tcb->state == SY_TCP_SYN_RECEIVED;
	uint32_t wnd = RTE_MIN(tcp->conf.rcv_wnd, (uint32_t)UINT16_MAX);
	struct tcp_out o = {
		.flags = RTE_TCP_SYN_FLAG | (synack ? RTE_TCP_ACK_FLAG : 0),
		.seq = tcb->iss,
		.ack = tcb->rcv_nxt,
		.wnd = (uint16_t)wnd,      /* RFC 7323 2.2: never scaled in a SYN */
		.syn_opts = 1,
		.opt_flags = tcb->flags,
		.tsecr = synack ? tcb->ts_recent : 0,
	};

	tcp_output_segment(tcp, &tcb->key, &o);
}

/*
 * RFC 5961 7: challenge ACKs are throttled per lcore (conf.challenge_ack_limit per second,
 * as Linux's tcp_challenge_ack_limit), so spoofed segments cannot turn us into an ACK
 * amplifier. Counts what it allows in challenge_ack_tx, what it refuses separately.
 */
int
tcp_challenge_ack_allowed(struct sy_tcp *tcp)
{
	uint64_t sec = tcp->now_ms / 1000;

	if (sec != tcp->chack_sec) {
		tcp->chack_sec = sec;
		tcp->chack_count = 0;
	}
	if (tcp->conf.challenge_ack_limit != 0 &&
	    tcp->chack_count >= tcp->conf.challenge_ack_limit) {
		tcp->stats.challenge_ack_limited++;
		return 0;
	}
	tcp->chack_count++;
	tcp->stats.challenge_ack_tx++;
	return 1;
}
