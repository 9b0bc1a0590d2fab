/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpus of the fuzz targets:
 *   fuzz_seedgen OUT_DIR [DRIVERS_CONFIG_DIR]
 * OUT_DIR/frames: records (fuzz_stack.h) of valid SYN, SYN-ACK, ACK, data, FIN, RST frames
 * for every scripted connection, new connections, ARP request and reply, ICMP echo, odd
 * IPv4, application operations and long time advances. Frames that answer the stack use
 * the SEQ/ACK it really sent: each seed is played on a fresh build while it is written, and
 * the stack is deterministic, so the seed replays the same way in the fuzzer.
 * OUT_DIR/tcp_opts, OUT_DIR/http, OUT_DIR/conf: small hand-made inputs (conf also copies
 * the profiles of DRIVERS_CONFIG_DIR).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "fuzz_stack.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

static const char *out;
static struct fz_stack S;

struct seed {
	uint8_t b[8192];
	size_t n;
};

static void
write_file(const char *dir, const char *name, const void *d, size_t n)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", out, dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", out, dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(d, 1, n, f) != n) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

/* Appends one record and plays it on the stack, exactly as the fuzz target will. */
static void
rec(struct seed *sd, uint16_t hdr, const uint8_t *f, uint16_t len, uint8_t t)
{
	size_t at = sd->n;

	if (!(hdr & FZ_HDR_APPOP))
		hdr = (uint16_t)((hdr & ~FZ_HDR_LEN) | len);
	sd->b[sd->n++] = (uint8_t)(hdr >> 8);
	sd->b[sd->n++] = (uint8_t)hdr;
	if (!(hdr & FZ_HDR_APPOP) && len > 0) {
		memcpy(sd->b + sd->n, f, len);
		sd->n += len;
	}
	sd->b[sd->n++] = t;
	fz_run(&S, sd->b + at, sd->n - at);
}

static void
fresh(struct seed *sd)
{
	fz_watch = NULL;
	fz_destroy(&S);
	fz_build(&S);
	sd->n = 0;
}

/* The peer sends on scripted connection @p k; SEQ/ACK/TS follow what the stack sent. */
static void
peer(struct seed *sd, unsigned int k, uint8_t flags, uint32_t seq_off, int32_t ack_off,
     const char *data, uint8_t t)
{
	struct fz_conn *cn = &S.conn[k];
	uint8_t f[2048];
	uint16_t n = data ? (uint16_t)strlen(data) : 0;
	uint16_t len = fz_frame_conn(f, sizeof(f), cn, flags, cn->rcv_nxt + seq_off,
				     (uint32_t)(cn->snd_nxt + ack_off), data, n);

	fz_watch = cn;
	cn->tsval++;
	if (seq_off == 0 && !(flags & TH_RST))
		cn->rcv_nxt += n + !!(flags & TH_SYN) + !!(flags & TH_FIN);
	rec(sd, FZ_HDR_FIXCSUM, f, len, t);
}

static void
save_frames(const char *name, const struct seed *sd)
{
	const struct sy_tcp_stats *t = sy_tcp_stats(S.tcp);

	write_file("frames", name, sd->b, sd->n);
	if (getenv("SY_SEEDGEN_VERBOSE") != NULL)
		printf("%-28s %4zu B rx %lu data %lu unacc %lu paws %lu rst_rx %lu rst_tx %lu "
		       "chack %lu est %lu closed %lu\n", name, sd->n,
		       (unsigned long)t->rx_segs, (unsigned long)t->rx_data_bytes,
		       (unsigned long)t->drop_unacceptable, (unsigned long)t->drop_paws,
		       (unsigned long)t->rst_rx_accepted, (unsigned long)t->rst_tx,
		       (unsigned long)t->challenge_ack_tx, (unsigned long)t->established,
		       (unsigned long)t->closed_normal);
}

static void
seeds_conns(void)
{
	static const char *const names[] = {
		"est_echo", "close_wait", "fin_wait_1", "fin_wait_2", "syn_rcvd", "est_active",
		"syn_sent", "time_wait",
	};
	struct seed sd;
	char name[64];

	for (unsigned int k = 0; k < RTE_DIM(names); k++) {
		fresh(&sd);
		if (k == 6) {
			/* SYN-SENT: the peer's SYN-ACK */
			struct fz_conn *cn = &S.conn[6];
			uint8_t o[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 2 };
			uint8_t f[128];
			uint16_t len = fz_frame_tcp(f, sizeof(f), cn->peer_ip, cn->pport,
						    cn->lport, TH_SYN | TH_ACK, cn->rcv_nxt,
						    cn->snd_nxt, 65535, o, sizeof(o), NULL, 0);
			fz_watch = cn;
			cn->rcv_nxt++;
			rec(&sd, FZ_HDR_FIXCSUM, f, len, 0);
			peer(&sd, 6, TH_ACK | TH_PSH, 0, 0, "hello", 50);
			snprintf(name, sizeof(name), "%s_synack", names[k]);
			save_frames(name, &sd);
			continue;
		}
		peer(&sd, k, TH_ACK, 0, 0, NULL, 0);
		snprintf(name, sizeof(name), "%s_ack", names[k]);
		save_frames(name, &sd);
		fresh(&sd);
		peer(&sd, k, TH_ACK | TH_PSH, 0, 0, "0123456789abcdefghij", 50);
		peer(&sd, k, TH_ACK | TH_FIN, 0, 0, NULL, 50);
		peer(&sd, k, TH_ACK, 0, 0, NULL, 0);
		snprintf(name, sizeof(name), "%s_data_fin", names[k]);
		save_frames(name, &sd);
		fresh(&sd);
		peer(&sd, k, TH_RST, 0, 0, NULL, 0);
		snprintf(name, sizeof(name), "%s_rst", names[k]);
		save_frames(name, &sd);
	}
	/* RFC 5961 cases on the ESTABLISHED connection */
	fresh(&sd);
	peer(&sd, 0, TH_RST, 10, 0, NULL, 0);
	save_frames("est_rst_in_window", &sd);
	fresh(&sd);
	peer(&sd, 0, TH_SYN, 1000, 0, NULL, 0);
	save_frames("est_syn_in_window", &sd);
	fresh(&sd);
	peer(&sd, 0, TH_ACK, 0, -100000, NULL, 0);
	peer(&sd, 0, TH_ACK, 0, 100000, NULL, 0);
	peer(&sd, 0, TH_ACK | TH_PSH, 3000, 0, "out of order", 0);
	save_frames("est_old_ack_unsent_ooo", &sd);
	fresh(&sd);
	peer(&sd, 5, TH_ACK, 0, -1500, NULL, 0);
	peer(&sd, 5, TH_ACK, 0, -1500, NULL, 0);
	peer(&sd, 5, TH_ACK, 0, -1500, NULL, 0);
	peer(&sd, 5, TH_ACK, 0, -1500, NULL, 255);
	save_frames("active_dupacks_rto", &sd);
}

static void
seeds_new(void)
{
	static const uint8_t opt_full[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
					    1, 3, 3, 7 };
	struct seed sd;
	uint8_t f[2048];
	uint16_t len;

	/* a whole passive session: SYN, ACK, request, FIN, the echo, the last ACK */
	fresh(&sd);
	struct fz_conn *cn = &S.conn[4];   /* reuse a slot as scratch for the new peer */
	*cn = (struct fz_conn){ .lport = 80, .pport = 41000, .peer_ip = FZ_PEER_IP,
				.rcv_nxt = 0x30000000u, .ts = false };
	len = fz_frame_tcp(f, sizeof(f), cn->peer_ip, 41000, 80, TH_SYN, cn->rcv_nxt, 0, 65535,
			   opt_full, sizeof(opt_full), NULL, 0);
	fz_watch = cn;
	cn->rcv_nxt++;
	rec(&sd, FZ_HDR_FIXCSUM, f, len, 5);
	peer(&sd, 4, TH_ACK, 0, 0, NULL, 0);
	peer(&sd, 4, TH_ACK | TH_PSH, 0, 0, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 50);
	peer(&sd, 4, TH_ACK | TH_FIN, 0, 0, NULL, 5);
	peer(&sd, 4, TH_ACK, 0, 0, NULL, 255);
	save_frames("session_echo", &sd);

	fresh(&sd);
	len = fz_frame_tcp(f, sizeof(f), FZ_PEER_IP, 41001, 9, TH_SYN, 7, 0, 1024, NULL, 0,
			   NULL, 0);
	rec(&sd, FZ_HDR_FIXCSUM, f, len, 255);
	rec(&sd, FZ_HDR_FIXCSUM, NULL, 0, 255);
	save_frames("syn_sink_unanswered", &sd);

	fresh(&sd);
	len = fz_frame_tcp(f, sizeof(f), FZ_PEER_IP, 41002, 7777, TH_SYN, 7, 0, 1024, NULL, 0,
			   NULL, 0);
	rec(&sd, FZ_HDR_FIXCSUM, f, len, 0);
	len = fz_frame_tcp(f, sizeof(f), FZ_PEER_IP, 41002, 80, TH_ACK, 7, 9, 1024, NULL, 0,
			   NULL, 0);
	rec(&sd, FZ_HDR_FIXCSUM | FZ_HDR_SPLIT, f, len, 0);
	save_frames("closed_port_and_stray_ack", &sd);
}

static uint16_t
frame_arp(uint8_t *f, uint16_t op, uint32_t sip, uint32_t tip, const uint8_t *dst)
{
	static const uint8_t head[] = { 0, 1, 8, 0, 6, 4 };
	const uint8_t src[6] = { 2, 0, 0, 0, 0, (uint8_t)sip };

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08; f[13] = 0x06;
	memcpy(f + 14, head, 6);
	f[20] = (uint8_t)(op >> 8); f[21] = (uint8_t)op;
	memcpy(f + 22, src, 6);
	for (int i = 0; i < 4; i++) {
		f[28 + i] = (uint8_t)(sip >> (24 - 8 * i));
		f[38 + i] = (uint8_t)(tip >> (24 - 8 * i));
	}
	memset(f + 32, op == 1 ? 0 : 0x02, 6);
	if (op == 2)
		f[37] = 1;
	memset(f + 42, 0, 18);
	return 60;
}

static uint16_t
frame_icmp(uint8_t *f, uint16_t frag, uint8_t ihl_words)
{
	static const uint8_t local[6] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t peer[6] = { 2, 0, 0, 0, 0, 2 };
	unsigned int ihl = ihl_words * 4u;
	uint16_t tot = (uint16_t)(ihl + 8 + 32);

	memset(f, 0, 14 + tot);
	memcpy(f, local, 6);
	memcpy(f + 6, peer, 6);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	ip[0] = (uint8_t)(0x40 | ihl_words);
	ip[2] = (uint8_t)(tot >> 8); ip[3] = (uint8_t)tot;
	ip[6] = (uint8_t)(frag >> 8); ip[7] = (uint8_t)frag;
	ip[8] = 64; ip[9] = 1;
	ip[12] = 192; ip[13] = 0; ip[14] = 2; ip[15] = 2;
	ip[16] = 192; ip[17] = 0; ip[18] = 2; ip[19] = 1;
	uint8_t *ic = ip + ihl;
	ic[0] = 8;
	ic[5] = 1; ic[7] = 1;
	for (int i = 0; i < 32; i++)
		ic[8 + i] = (uint8_t)i;
	fz_fix_checksums(f, (uint16_t)(14 + tot));
	return (uint16_t)(14 + tot);
}

static void
seeds_l2l3(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t local[6] = { 2, 0, 0, 0, 0, 1 };
	struct seed sd;
	uint8_t f[256];
	uint16_t len;

	fresh(&sd);
	len = frame_arp(f, 1, FZ_PEER_IP, FZ_LOCAL_IP, bcast);
	rec(&sd, 0, f, len, 0);
	save_frames("arp_request", &sd);
	fresh(&sd);
	len = frame_arp(f, 2, FZ_FAR_IP, FZ_LOCAL_IP, local);
	rec(&sd, 0, f, len, 10);
	save_frames("arp_reply_resolves_pending", &sd);
	fresh(&sd);
	rec(&sd, 0, NULL, 0, 255);
	rec(&sd, 0, NULL, 0, 255);
	save_frames("arp_unresolved_timeout", &sd);
	fresh(&sd);
	len = frame_icmp(f, 0, 5);
	rec(&sd, FZ_HDR_FIXCSUM, f, len, 0);
	save_frames("icmp_echo", &sd);
	fresh(&sd);
	len = frame_icmp(f, 0x2000, 5);
	rec(&sd, FZ_HDR_FIXCSUM, f, len, 0);
	len = frame_icmp(f, 0, 6);
	rec(&sd, FZ_HDR_FIXCSUM | FZ_HDR_SPLIT, f, len, 0);
	save_frames("ip_fragment_and_options", &sd);
}

static void
seeds_app(void)
{
	struct seed sd;

	/* op byte: kind in bits 0..2, index in bits 3..7 (fuzz_stack.c app_op) */
	static const uint8_t ops[][6] = {
		{ 0x00, 0x08, 0x10, 0x18, 0x20, 0x28 },   /* send on each live connection */
		{ 0x01, 0x09, 0x02, 0x0a, 0x03, 0x0b },   /* shutdown, close, abort */
		{ 0x04, 0x0c, 0x14, 0x1c, 0x05, 0x06 },   /* connects, keepalive, nodelay */
		{ 0x07, 0x0f, 0x05, 0x0d, 0x15, 0x1d },   /* past snd_buf; keepalive on all */
	};
	static const char *const names[] = { "app_send", "app_close", "app_connect",
					     "app_fill_keepalive" };

	for (unsigned int i = 0; i < RTE_DIM(ops); i++) {
		fresh(&sd);
		for (unsigned int j = 0; j < 6; j++)
			rec(&sd, (uint16_t)(FZ_HDR_APPOP | ops[i][j]), NULL, 0, j == 5 ? 255 : 1);
		rec(&sd, 0, NULL, 0, 255);
		save_frames(names[i], &sd);
	}
}

static void
seeds_tcp_opts(void)
{
	static const struct { const char *name; uint8_t len; uint8_t b[41]; } s[] = {
		{ "syn_linux", 21, { 7, 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 } },
		{ "ts_only", 13, { 1, 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 } },
		{ "sack_1", 13, { 0, 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9 } },
		{ "sack_4_ts", 41, { 7, 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 5, 26, 0, 0, 0, 1,
				     0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6 } },
		{ "ws_big", 5, { 4, 3, 3, 200, 0 } },
		{ "len_zero", 5, { 0, 2, 0, 1, 1 } },
		{ "len_one", 3, { 0, 8, 1 } },
		{ "overrun", 5, { 0, 8, 10, 1, 2 } },
		{ "kind_no_len", 2, { 0, 2 } },
		{ "eol_then_junk", 6, { 1, 0, 0xff, 0xff, 0xff, 0xff } },
		{ "unknown_kinds", 9, { 3, 30, 4, 1, 2, 254, 4, 0xf9, 0x89 } },
		{ "mss_bad_len", 7, { 1, 2, 6, 5, 0xb4, 0, 0 } },
	};

	for (unsigned int i = 0; i < RTE_DIM(s); i++)
		write_file("tcp_opts", s[i].name, s[i].b, s[i].len);
}

static void
seeds_http(void)
{
	static const struct { const char *name; uint8_t mode; const char *msg; } s[] = {
		{ "get", 0x20, "GET / HTTP/1.1\r\nHost: a\r\n\r\n" },
		{ "head_10_keepalive", 0x10, "HEAD /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" },
		{ "post_cl", 0x30, "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" },
		{ "post_chunked", 0x0c, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
			"5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n" },
		{ "pipelined", 0x44, "\r\nGET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nConnection: close"
			"\r\n\r\n" },
		{ "bare_lf", 0x18, "GET / HTTP/1.1\nHost: a\n\n" },
		{ "cl_te", 0x00, "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked"
			"\r\n\r\n" },
		{ "obs_fold", 0x00, "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n" },
		{ "resp_cl", 0x01, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody" },
		{ "resp_chunked", 0x05, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			"a\r\n0123456789\r\n0\r\n\r\n" },
		{ "resp_eof", 0x09, "HTTP/1.0 200 OK\r\n\r\nuntil the end" },
		{ "resp_204_304", 0x0d, "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n"
			"HTTP/1.1 304 Not Modified\r\n\r\n" },
		{ "resp_head", 0x03, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" },
		{ "resp_100", 0x11, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
			"Content-Length: 0\r\n\r\n" },
	};
	uint8_t b[512];

	for (unsigned int i = 0; i < RTE_DIM(s); i++) {
		size_t n = strlen(s[i].msg);

		b[0] = s[i].mode;
		b[1] = 127;
		memcpy(b + 2, s[i].msg, n);
		write_file("http", s[i].name, b, n + 2);
	}
}

static void
seeds_conf(const char *dir)
{
	static const char small[] = "[port]\ndriver = net_null\ndevice = net_null0\n"
		"[ip]\naddress = 10.0.0.1\nprefix_len = 24\n[lcores]\nmain = 0\nworker_count = 1\n";
	static const char bad[] = "[port]\ndriver = net_tap\nrx_desc = 70000\nmac = 02:00:00\n"
		"[ip]\naddress = 300.1.1.1\n[unknown]\nx=1\n";

	write_file("conf", "small.ini", small, sizeof(small) - 1);
	write_file("conf", "bad_values.ini", bad, sizeof(bad) - 1);
	DIR *d = dir != NULL ? opendir(dir) : NULL;
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[512], buf[8192];
		size_t n = strlen(e->d_name);

		if (n < 5 || strcmp(e->d_name + n - 4, ".ini") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		if (f == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		write_file("conf", e->d_name, buf, n);
	}
	if (d != NULL)
		closedir(d);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s OUT_DIR [DRIVERS_CONFIG_DIR]\n", argv[0]);
		return 2;
	}
	out = argv[1];
	mkdir(out, 0755);
	seeds_tcp_opts();
	seeds_http();
	seeds_conf(argc > 2 ? argv[2] : NULL);
	fz_init();
	fz_build(&S);
	seeds_conns();
	seeds_new();
	seeds_l2l3();
	seeds_app();
	fz_watch = NULL;
	fz_destroy(&S);
	printf("seeds written under %s\n", out);
	return 0;
}
