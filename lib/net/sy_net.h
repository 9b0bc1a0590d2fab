/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ethernet, ARP, IPv4 and ICMP for one lcore: parse and validate what arrives, answer ARP
 * and ICMP echo, hand TCP segments up, and build the IPv4 and Ethernet headers of what the
 * layers above send (resolving the next hop with ARP).
 *
 * Conventions used by every synack library:
 * - IPv4 addresses and ports are kept in network byte order (rte_be32_t / rte_be16_t) on the
 *   packet path, so nothing is swapped per packet; configuration and printing convert.
 * - Functions return 0 or a negative errno value.
 * - Every drop increments exactly one named counter of struct sy_net_stats.
 *
 * One struct sy_net belongs to one lcore. With several lcores, each has its own ARP table;
 * lib/stack copies ARP frames received on one queue to the other lcores so that every table
 * learns the same neighbours without shared state.
 */
#ifndef SY_NET_H
#define SY_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sy_txq.h"

/**
 * Every counter of the net layer, as an X-macro so that lib/stats can name and sum them
 * without knowing the layer. X(name) — names are the telemetry and JSON keys.
 */
#define SY_NET_STATS(X) \
	X(rx_frames) \
	X(rx_drop_runt)            /* shorter than an Ethernet header */ \
	X(rx_drop_not_our_mac)     /* unicast to another MAC */ \
	X(rx_drop_ethertype)       /* neither IPv4 nor ARP (incl. VLAN-tagged) */ \
	X(arp_rx_request) \
	X(arp_rx_reply) \
	X(arp_tx_request) \
	X(arp_tx_reply) \
	X(arp_tx_gratuitous) \
	X(arp_drop_malformed)      /* truncated, wrong hw/proto type or length */ \
	X(arp_drop_not_for_us)     /* request for an address we do not own */ \
	X(arp_pending_queued)      /* frames held while their next hop resolves */ \
	X(arp_drop_pending_full)   /* pending queue at its bound */ \
	X(arp_drop_unresolved)     /* next hop never answered */ \
	X(arp_drop_table_full) \
	X(ip_rx) \
	X(ip_drop_truncated)       /* frame shorter than the IPv4 header or total length */ \
	X(ip_drop_bad_version) \
	X(ip_drop_bad_ihl) \
	X(ip_drop_bad_total_len) \
	X(ip_drop_bad_csum) \
	X(ip_drop_ttl_zero) \
	X(ip_drop_fragment)        /* MF set or offset != 0: no reassembly (yet) */ \
	X(ip_drop_options)         /* IHL > 5 */ \
	X(ip_drop_not_our_addr) \
	X(ip_drop_bad_src)         /* broadcast, multicast or zero source */ \
	X(ip_drop_proto)           /* neither ICMP nor TCP */ \
	X(ip_tx) \
	X(ip_drop_no_route)        /* no gateway and destination off-link */ \
	X(ip_drop_no_mbuf)         /* could not allocate a frame to send */ \
	X(icmp_rx_echo_request) \
	X(icmp_tx_echo_reply) \
	X(icmp_drop_truncated) \
	X(icmp_drop_bad_csum) \
	X(icmp_drop_type)          /* other ICMP types are counted and dropped */ \
	X(tcp_rx)                  /* delivered to TCP */ \
	X(rx_drop_multicast)       /* multicast destination MAC other than broadcast */ \
	X(rx_drop_bad_src_mac)     /* broadcast or multicast source MAC (IEEE 802: invalid) */ \
	X(rx_drop_hdr_split)       /* headers to be rewritten or handed up not in segment 1 */ \
	X(arp_drop_bad_sender)     /* non-unicast sender MAC, or a sender claiming our address */ \
	X(arp_expired)             /* entries removed after aging and failed refresh */ \
	X(ip_drop_loopback)        /* output to one of our own addresses (no loopback) */ \
	X(ip_drop_too_big)         /* output larger than the MTU */ \
	X(ip_drop_bad_mbuf)        /* output without headroom or with a split L4 header */

struct sy_net_stats {
#define SY_NET_STATS_FIELD(name) uint64_t name;
	SY_NET_STATS(SY_NET_STATS_FIELD)
#undef SY_NET_STATS_FIELD
};

/**
 * TCP segmentation offload: what the port does with a TCP frame larger than the MTU that
 * lib/tcp marked RTE_MBUF_F_TX_TCP_SEG (payload a multiple of mbuf tso_segsz, the MSS).
 */
enum sy_net_tso {
	SY_NET_TSO_OFF,      /**< none: such a frame is dropped (ip_drop_too_big) */
	SY_NET_TSO_DEVICE,   /**< the device cuts it at tso_segsz (RTE_ETH_TX_OFFLOAD_TCP_TSO) */
	/**
	 * The link carries it whole and the peer takes it whole, as one large segment (the
	 * in-memory ring pair, as a veth pair carries a GSO packet to a GRO receiver).
	 */
	SY_NET_TSO_WHOLE,
};

/** Configuration of one interface, as read from a drivers-config profile. */
struct sy_net_conf {
	struct rte_ether_addr mac;
	rte_be32_t addr_first;        /**< first local address of a contiguous range */
	uint32_t addr_count;          /**< number of local addresses (>= 1) */
	uint8_t prefix_len;           /**< on-link prefix length (0..32) */
	rte_be32_t gateway;           /**< 0: everything off-link is unreachable */
	uint16_t mtu;                 /**< IP MTU, 68..9000 */
	uint32_t arp_table_size;      /**< entries, power of two not required */
	uint32_t arp_timeout_s;       /**< aging of resolved entries */
	uint32_t arp_retry_ms;        /**< request retransmit interval while unresolved */
	uint32_t arp_retries;         /**< requests before pending frames are dropped */
	uint32_t arp_pending_max;     /**< frames held per unresolved next hop */
	bool tx_ip_cksum_offload;     /**< port computes IPv4 header checksums */
	bool tx_l4_cksum_offload;     /**< port computes TCP/UDP checksums */
	bool tx_multi_seg;            /**< port sends frames of several mbufs (lib/tcp uses it) */
	enum sy_net_tso tso;          /**< large TCP segments (needs tx_multi_seg; DEVICE also
				       *   both checksum offloads) */
	/**
	 * The link cannot corrupt frames (an in-process ring pair): IPv4 and TCP/UDP
	 * checksums are neither filled on output nor verified on input (received frames are
	 * marked as checked). ICMP keeps its own checksum.
	 */
	bool trusted_link;
};

/** Fills @p conf with the documented defaults (no addresses). */
void sy_net_conf_defaults(struct sy_net_conf *conf);

struct sy_net;

/**
 * Creates the net layer of one lcore.
 * @param conf   interface configuration (copied)
 * @param txq    where emitted frames go (owned by the caller, outlives the net layer)
 * @param pool   mempool for frames the layer builds itself (ARP, ICMP replies)
 * @param socket NUMA socket for the ARP table
 * @return the layer, or NULL with rte_errno set (EINVAL, ENOMEM)
 */
struct sy_net *sy_net_create(const struct sy_net_conf *conf, struct sy_txq *txq,
			     struct rte_mempool *pool, int socket);

/** Frees the layer and every frame it still holds. NULL is a no-op. */
void sy_net_free(struct sy_net *net);

/** The configuration in force. */
const struct sy_net_conf *sy_net_conf(const struct sy_net *net);

/** The counters of this lcore (read by lib/stats). */
const struct sy_net_stats *sy_net_stats(const struct sy_net *net);

/** True when @p addr (network order) is one of our local addresses. */
bool sy_net_is_local(const struct sy_net *net, rte_be32_t addr);

/**
 * Where the TCP header of a frame handed up by sy_net_input() starts: VLAN-tagged frames
 * and IPv4 options are dropped before, so always Ethernet + a 20-byte IPv4 header. (A
 * constant, not m->l2_len/l3_len: those sit in the mbuf's second cache line, which the
 * packet path keeps read-only, see sy_net_mbuf_alloc().)
 */
#define SY_NET_L4_OFFSET (RTE_ETHER_HDR_LEN + 20u)

/**
 * rte_pktmbuf_alloc() without writes to the mbuf's second cache line (next, tx_offload).
 * A frame's mbuf is written by the lcore that sends it and read and freed by the one that
 * receives it; every line both write moves between their caches twice per frame. A free
 * mbuf already has next == NULL and nb_segs == 1 (rte_mbuf_raw_free()'s contract), and
 * tx_offload is left stale: the net layer sets it whenever it asks the port for an
 * offload, and PMDs read it only then.
 */
static inline struct rte_mbuf *
sy_net_mbuf_alloc(struct rte_mempool *mp)
{
	struct rte_mbuf *m = rte_mbuf_raw_alloc(mp);

	if (m == NULL)
		return NULL;
	m->pkt_len = 0;
	m->data_len = 0;
	m->vlan_tci = 0;
	m->vlan_tci_outer = 0;
	m->nb_segs = 1;
	m->port = RTE_MBUF_PORT_INVALID;
	m->ol_flags &= RTE_MBUF_F_EXTERNAL;
	m->packet_type = 0;
	rte_pktmbuf_reset_headroom(m);
	return m;
}

/**
 * True when the TCP/UDP checksum of the datagram at @p ip, whose L4 header is at byte
 * @p l4_off of the (possibly chained) frame @p m, is correct. Exact for any chain, unlike
 * DPDK 22.11's rte_ipv4_udptcp_cksum_mbuf_verify(), which loses carries after a segment of
 * odd length (lib/net/cksum.c).
 */
bool sy_net_l4_cksum_valid(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
			   uint32_t l4_off);

/** What sy_net_input() did with a frame. */
enum sy_net_rx {
	SY_NET_RX_CONSUMED = 0,  /**< answered, dropped and counted, or queued: not yours */
	SY_NET_RX_TCP = 1,       /**< a valid IPv4 datagram carrying TCP: yours to process */
};

/**
 * Processes one received frame.
 * On SY_NET_RX_TCP the caller owns @p m: its data still starts at the Ethernet header,
 * the TCP header starts at SY_NET_L4_OFFSET (in the first segment), and the packet length
 * is trimmed to the IPv4 total length (Ethernet padding removed). The IPv4 header has been validated; the TCP header
 * has not. On SY_NET_RX_CONSUMED the frame is no longer the caller's.
 */
enum sy_net_rx sy_net_input(struct sy_net *net, struct rte_mbuf *m, uint64_t now_ms);

/**
 * Sends a transport segment: @p m's data starts at the L4 header (TCP, UDP or ICMP), with at
 * least RTE_ETHER_HDR_LEN + 20 bytes of headroom. Prepends the IPv4 header (TTL 64, DF set)
 * and the Ethernet header, fills the IPv4 checksum and the L4 checksum (in software, or by
 * setting the offload flags and pseudo-header checksum when the port offloads them), and
 * queues the frame on the txq. An unresolved next hop triggers an ARP request and the frame
 * waits in a bounded queue.
 * Output to one of our own addresses is not looped back: it fails with -EHOSTUNREACH and
 * counts ip_drop_loopback. A multi-segment @p m is fine as long as the L4 header lies in
 * its first segment.
 * @return 0 (queued or waiting for ARP), -EHOSTUNREACH (no route: destination off-link
 *   without gateway, or 0.0.0.0, broadcast, multicast, or local), -ENOBUFS (pending queue
 *   full, ARP table full, or no mbuf for the ARP request), -EMSGSIZE (larger than the MTU),
 *   -EINVAL (not enough headroom, L4 header split). @p m is consumed in every case.
 */
int sy_net_output(struct sy_net *net, struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst,
		  uint8_t proto, uint64_t now_ms);

/**
 * Runs the layer's timers: ARP request retransmission, pending-queue expiry, entry aging.
 * Cheap enough to call every loop iteration; does work at most once per millisecond.
 */
void sy_net_poll(struct sy_net *net, uint64_t now_ms);

/** Gratuitous ARPs sent by one sy_net_announce(): the first addresses of the range. */
#define SY_NET_ANNOUNCE_MAX 64

/**
 * Sends a gratuitous ARP (a request with sender = target = the address, RFC 5227 3) for
 * every local address at start and on demand. A huge range is capped: only the first
 * SY_NET_ANNOUNCE_MAX addresses are announced, so a /16 of local addresses cannot flood
 * the link; the rest become known when they are first used or asked for.
 */
void sy_net_announce(struct sy_net *net, uint64_t now_ms);

/** Looks up a neighbour; 0 and @p mac filled when resolved, -ENOENT otherwise. */
int sy_net_arp_lookup(const struct sy_net *net, rte_be32_t ip, struct rte_ether_addr *mac);

/**
 * True when @p m is an ARP reply that sy_net_input() on some worker could learn from:
 * addressed to our MAC or to broadcast, well formed (RFC 826 Ethernet/IPv4), from a
 * unicast sender with an address that is not one of ours. (Whether it teaches anything
 * depends on each worker's table: a reply for one of our addresses creates or updates the
 * entry, one for another target only updates an existing entry.) Reads the frame, changes
 * nothing: a worker asks before it copies a reply to the other workers, so a malformed or
 * forged-sender reply costs one check instead of a copy per worker.
 */
bool sy_net_arp_reply_for_us(const struct sy_net *net, const struct rte_mbuf *m);

/** Adds a permanent neighbour entry (never ages). */
int sy_net_arp_add_static(struct sy_net *net, rte_be32_t ip, const struct rte_ether_addr *mac);

#endif /* SY_NET_H */
