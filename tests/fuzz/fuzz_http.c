/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the incremental HTTP/1.1 parser (lib/app/http_parse.h).
 * Input: byte 0 selects request or response (bit 0), a HEAD response (bit 1) and the
 * chunking of the second pass (bits 2..7); byte 1 sets max_header (64 + 64 * b); the rest
 * is the byte stream of a connection.
 *
 * The parser says a message may be split anywhere, so the same stream is parsed twice:
 * in one feed, then in small pieces; both must see the same messages with the same
 * fields, the same error and the same end (abort() otherwise). A feed that consumes
 * nothing while no message is complete breaks the contract (an application would spin)
 * and aborts too.
 */
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
	uint64_t digest;     /* FNV-1a over every complete message's fields */
	unsigned int messages;
	int error;
	int eof;
};

static void
mix(uint64_t *h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		*h ^= (uint8_t)(v >> (8 * i));
		*h *= 0x100000001b3ull;
	}
}

static void
message_done(struct sy_http_parser *p, struct outcome *o)
{
	mix(&o->digest, sy_http_parser_method(p));
	mix(&o->digest, sy_http_parser_status(p));
	mix(&o->digest, sy_http_parser_minor(p));
	mix(&o->digest, sy_http_parser_chunked(p));
	mix(&o->digest, sy_http_parser_has_length(p));
	mix(&o->digest, sy_http_parser_has_length(p) ? sy_http_parser_content_length(p) : 0);
	mix(&o->digest, sy_http_parser_keep_alive(p));
	mix(&o->digest, sy_http_parser_body_bytes(p));
	o->messages++;
}

static void
parse(const uint8_t *d, size_t len, size_t piece, uint8_t mode, uint32_t max_header,
      struct outcome *o)
{
	struct sy_http_parser p;

	memset(o, 0, sizeof(*o));
	o->digest = 0xcbf29ce484222325ull;
	sy_http_parser_init(&p, (mode & 1) ? SY_HTTP_RESPONSE : SY_HTTP_REQUEST, max_header);
	if (mode & 2)
		sy_http_parser_expect_no_body(&p);
	for (size_t off = 0; off < len;) {
		size_t n = len - off < piece ? len - off : piece;
		uint8_t *copy = malloc(n);     /* exact size: ASan sees any over-read */

		memcpy(copy, d + off, n);
		for (size_t at = 0; at < n;) {
			int32_t r = sy_http_parser_feed(&p, copy + at, (uint32_t)(n - at));

			if (r < 0) {
				o->error = -r;
				free(copy);
				return;
			}
			if (r == 0 && !sy_http_parser_done(&p))
				abort();           /* no progress and no message: the app would spin */
			if ((uint32_t)r > n - at)
				abort();
			at += (size_t)r;
			if (sy_http_parser_done(&p)) {
				message_done(&p, o);
				sy_http_parser_next(&p);
				if (mode & 2)
					sy_http_parser_expect_no_body(&p);
			}
		}
		free(copy);
		off += n;
	}
	o->eof = sy_http_parser_eof(&p);
	if (o->eof == 1)
		message_done(&p, o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, pieces;

	if (size < 2)
		return 0;
	uint8_t mode = data[0];
	uint32_t max_header = 64u + 64u * data[1];
	size_t piece = 1 + (mode >> 2) % 13;

	parse(data + 2, size - 2, size, mode, max_header, &whole);
	parse(data + 2, size - 2, piece, mode, max_header, &pieces);
	if (whole.messages != pieces.messages || whole.digest != pieces.digest ||
	    whole.error != pieces.error || whole.eof != pieces.eof)
		abort();
	return 0;
}
