/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * SYN cookies, RFC 4987 section 3.6: under a SYN flood a listener answers SYNs without
 * allocating anything; the state a connection needs comes back in the final ACK.
 *
 * The ISN of a cookie SYN-ACK (32 bits):
 *     [31:27] t mod 32, t = now / 64 s       coarse time, current and previous accepted
 *     [26:24] index of the peer's MSS in a table of common values (rounded down)
 *     [23:0]  SipHash-2-4(cookie key; 4-tuple, peer ISN, t, MSS index), low 24 bits
 * The key (conf.syncookie_secret) is separate from the ISN secret, so one cannot be
 * learnt through the other. The peer ISN is SEG.SEQ - 1 of the ACK, so a cookie is bound
 * to the SYN it answered. A forged ACK guesses 24 bits per attempt (2 periods: 2^-23).
 *
 * Window scale and SACK-permitted cannot fit in the ISN; as Linux does, when the SYN had
 * timestamps they ride in the low 6 bits of our TSval (echoed in the ACK's TSecr):
 *     [3:0] the peer's window shift, 0xf for none; [4] SACK-permitted.
 * Without timestamps the SYN-ACK offers neither window scaling nor SACK (RFC 7323 2.2 and
 * RFC 2018 allow either side to decline), so nothing has to be remembered.
 */
#include <string.h>
#include <sodium.h>
#include <netinet/in.h>
#include <rte_byteorder.h>

#include "tcb.h"

#define COOKIE_PERIOD_MS   64000u
#define COOKIE_T_BITS      5
#define COOKIE_T_SHIFT     27
#define COOKIE_MSS_SHIFT   24
#define COOKIE_MAC_MASK    0x00ffffffu
#define TS_OPT_BITS        6
#define TS_OPT_MASK        ((1u << TS_OPT_BITS) - 1)
#define TS_WS_NONE         0xf
#define TS_SACK            0x10
#define TCP_HDR_LEN        20

/* MSS values seen most (RFC 9293 3.7.1 default, IPv6 / tunnels / PPPoE, Ethernet). */
static const uint16_t cookie_mss[8] = { 536, 1220, 1300, 1380, 1420, 1440, 1452, 1460 };

/* The threshold of embryonic connections above which listener @p l uses cookies; 0: never */
uint32_t
tcp_syncookie_threshold(const struct sy_tcp *tcp, const struct tcp_listener *l)
{
	uint32_t t = tcp->conf.syncookie_threshold;

	if (t == SY_TCP_SYNCOOKIE_AUTO)
		t = RTE_MAX(l->backlog / 2, 1u);
	return t;
}

static uint32_t
cookie_mac(const struct sy_tcp *tcp, const struct sy_flow_key *key, uint32_t peer_isn,
	   uint32_t t, uint32_t mss_idx)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint8_t in[sizeof(*key) + 12];
	uint32_t v;

	RTE_BUILD_BUG_ON(crypto_shorthash_KEYBYTES != sizeof(tcp->conf.syncookie_secret));
	memcpy(in, key, sizeof(*key));
	memcpy(in + sizeof(*key), &peer_isn, 4);
	memcpy(in + sizeof(*key) + 4, &t, 4);
	memcpy(in + sizeof(*key) + 8, &mss_idx, 4);
	crypto_shorthash(h, in, sizeof(in), tcp->conf.syncookie_secret);
	memcpy(&v, h, sizeof(v));
	return v & COOKIE_MAC_MASK;
}

static uint32_t
cookie_period(const struct sy_tcp *tcp)
{
	return (uint32_t)(tcp->now_ms / COOKIE_PERIOD_MS);
}

static uint32_t
cookie_make(const struct sy_tcp *tcp, const struct sy_flow_key *key, uint32_t peer_isn,
	    uint32_t mss_idx)
{
	uint32_t t = cookie_period(tcp);

	return ((t & ((1u << COOKIE_T_BITS) - 1)) << COOKIE_T_SHIFT) |
	       (mss_idx << COOKIE_MSS_SHIFT) | cookie_mac(tcp, key, peer_isn, t, mss_idx);
}

/* @return the MSS index encoded in a valid @p cookie, or -1. */
static int
cookie_check(const struct sy_tcp *tcp, const struct sy_flow_key *key, uint32_t peer_isn,
	     uint32_t cookie)
{
	uint32_t now = cookie_period(tcp);
	uint32_t tbits = cookie >> COOKIE_T_SHIFT;
	uint32_t mss_idx = (cookie >> COOKIE_MSS_SHIFT) & 7;

	for (uint32_t age = 0; age < 2; age++) {
		uint32_t t = now - age;

		if ((t & ((1u << COOKIE_T_BITS) - 1)) != tbits || t > now)
			continue;
		if (cookie_mac(tcp, key, peer_isn, t, mss_idx) == (cookie & COOKIE_MAC_MASK))
			return (int)mss_idx;
	}
	return -1;
}

static uint32_t
mss_index(const struct tcp_opts *o)
{
	uint32_t mss = (o->present & TOPT_MSS) ? o->mss : cookie_mss[0];
	uint32_t i = RTE_DIM(cookie_mss) - 1;

	while (i > 0 && cookie_mss[i] > mss)
		i--;
	return i;
}

/* Our TSval with the peer's WS/SACK in its low bits, never ahead of the clock. */
static uint32_t
ts_encode(const struct sy_tcp *tcp, const struct tcp_opts *o, uint16_t offer)
{
	uint32_t now = tcp_now32(tcp);
	uint32_t bits = (offer & TF_WS) ? o->wscale : TS_WS_NONE;
	uint32_t ts;

	if (offer & TF_SACK)
		bits |= TS_SACK;
	ts = (now & ~TS_OPT_MASK) | bits;
	if (SEQ_GT(ts, now))
		ts -= TS_OPT_MASK + 1;
	return ts;
}

/* What we offer back: only what the SYN offered and the ACK can bring back to us. */
static uint16_t
cookie_offer(const struct sy_tcp *tcp, const struct tcp_opts *o)
{
	uint16_t f = 0;

	if (!tcp->conf.timestamps || !(o->present & TOPT_TS))
		return 0;
	f = TF_TS;
	if (o->present & TOPT_WS)
		f |= TF_WS;
	if (tcp->conf.sack && (o->present & TOPT_SACKOK))
		f |= TF_SACK;
	return f;
}

/**
 * Answers the SYN @p seg with <SEQ=cookie><ACK=SEG.SEQ+1><CTL=SYN,ACK>, allocating
 * nothing but the frame. Built here rather than with tcp_output_segment() because our
 * TSval carries the encoded options.
 */
void
tcp_syncookie_send(struct sy_tcp *tcp, const struct tcp_seg *seg)
{
	uint16_t offer = cookie_offer(tcp, &seg->opts);
	uint32_t iss = cookie_make(tcp, &seg->key, seg->seq, mss_index(&seg->opts));
	uint32_t wnd = RTE_MIN(tcp->conf.rcv_wnd, (uint32_t)UINT16_MAX);
	uint8_t opts[TCP_OPTS_MAX];
	uint32_t olen, hlen;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	olen = tcp_opts_write_syn(opts, tcp->conf.mss, offer, tcp->conf.wscale,
				  ts_encode(tcp, &seg->opts, offer), seg->opts.tsval);
	hlen = TCP_HDR_LEN + olen;
	m = sy_net_mbuf_alloc(tcp->pool);
	th = m == NULL ? NULL : (struct rte_tcp_hdr *)rte_pktmbuf_append(m, hlen);
	if (th == NULL) {
		rte_pktmbuf_free(m);
		tcp->stats.drop_no_mbuf++;
		return;
	}
	th->src_port = seg->key.local_port;
	th->dst_port = seg->key.remote_port;
	th->sent_seq = rte_cpu_to_be_32(iss);
	th->recv_ack = rte_cpu_to_be_32(seg->seq + 1);
	th->data_off = (uint8_t)((hlen / 4) << 4);
	th->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	th->rx_win = rte_cpu_to_be_16((uint16_t)wnd);   /* RFC 7323 2.2: unscaled */
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(th + 1, opts, olen);
	tcp->stats.tx_segs++;
	tcp->stats.syncookies_sent++;
	sy_net_output(tcp->net, m, seg->key.local_ip, seg->key.remote_ip, IPPROTO_TCP,
		      tcp->now_ms);
}

/**
 * Checks the ACK @p seg (no SYN, no RST) as the answer to a cookie SYN-ACK and rebuilds
 * the options of the SYN it answered in @p syn.
 * @return 0 when the cookie is valid; -EINVAL otherwise.
 */
int
tcp_syncookie_check(struct sy_tcp *tcp, const struct tcp_seg *seg, struct tcp_opts *syn)
{
	int idx = cookie_check(tcp, &seg->key, seg->seq - 1, seg->ack - 1);

	if (idx < 0)
		return -EINVAL;
	memset(syn, 0, sizeof(*syn));
	syn->present = TOPT_MSS;
	syn->mss = cookie_mss[idx];
	if (tcp->conf.timestamps && (seg->opts.present & TOPT_TS)) {
		uint32_t bits = seg->opts.tsecr & TS_OPT_MASK;

		/* an echo from the future is no echo of ours (RFC 7323 5.5 in spirit) */
		if (SEQ_GT(seg->opts.tsecr, tcp_now32(tcp)))
			return -EINVAL;
		syn->present |= TOPT_TS;
		syn->tsval = seg->opts.tsval;
		if ((bits & 0xf) != TS_WS_NONE) {
			if ((bits & 0xf) > 14)
				return -EINVAL;
			syn->present |= TOPT_WS;
			syn->wscale = (uint8_t)(bits & 0xf);
		}
		if (bits & TS_SACK)
			syn->present |= TOPT_SACKOK;
	}
	return 0;
}
