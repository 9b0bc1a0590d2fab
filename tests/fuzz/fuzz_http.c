/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the incremental HTTP/1.1 parser (lib/app/http_parse.h).
 * Input: byte 0 selects request or response (bit 0), a HEAD response (bit 1) and the
 * chunking of the second pass (bits 2..7); byte 1 sets max_header (64 + 64 * b); the rest
 * is the byte stream of a connection.
 *
 * The parser says a message may be split anywhere, so the same stream is parsed three
 * times: in one feed, in small pieces, and one byte at a time; all must see the same
 * messages with the same fields, ending at the same offsets (the feed stops right after
 * each message), the same error and the same end (abort() otherwise). The one-feed pass
 * takes the parser's whole-line fast path wherever a line is whole in the buffer, the
 * 1-byte pass only its byte machine: this is a differential test of the two. A feed that
 * consumes nothing while no message is complete breaks the contract (an application would
 * spin) and aborts too.
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
message_done(struct sy_http_parser *p, struct outcome *o, size_t end)
{
	mix(&o->digest, end);
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
				message_done(&p, o, off + at);
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
		message_done(&p, o, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, pieces, bytes;

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
	if (piece == 1)
		return 0;
	parse(data + 2, size - 2, 1, mode, max_header, &bytes);
	if (whole.messages != bytes.messages || whole.digest != bytes.digest ||
	    whole.error != bytes.error || whole.eof != bytes.eof)
		abort();
	return 0;
}
