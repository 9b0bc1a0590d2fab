/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 message parser: see http_parse.h for what it accepts and rejects.
 *
 * Design: one byte at a time through a small state machine for the start line, the header
 * section, chunk-size lines and trailers (those are short and bounded); body bytes (fixed
 * length or chunk data) are skipped in bulk, O(1) per call. Header names are recognised
 * without buffering them: a bit mask of the known names that still match the bytes read so
 * far (3 names, so at most 3 comparisons per name byte); list-valued headers (Connection,
 * Transfer-Encoding) are matched token by token the same way. CR sets a flag that the
 * next byte must be LF; the line end is then handled by the state the CR arrived in.
 *
 * The byte machine is the definition and the general path. Two faster paths do exactly
 * what it would do, and nothing when they cannot: a start line or field line whose line
 * end is in the buffer is taken whole (table-driven character classes, the three known
 * names compared by length and 8-byte words, one update of the parser per line), and a
 * run of target, reason or value bytes is taken in bulk. Any line they do not take whole
 * (split, over the bound, malformed) goes to the byte machine from its first byte, so
 * every error is found by the machine at the same byte. tests/fuzz/fuzz_http.c parses each
 * input whole and one byte at a time and compares the two.
 */
#include "http_parse.h"

#include <string.h>

enum state {
	S_START = 0,     /* before the first byte of a message (empty lines skipped) */
	S_METHOD,
	S_TARGET,
	S_REQ_VERSION,   /* "HTTP/1.1" after the request-target */
	S_RESP_VERSION,  /* "HTTP/1.1" starting a status-line */
	S_STATUS,
	S_REASON,
	S_FIELD_START,   /* a field line or the empty line ending the section */
	S_FIELD_NAME,
	S_FIELD_OWS,     /* after the colon */
	S_FIELD_VALUE,
	S_BODY,          /* Content-Length bytes */
	S_BODY_EOF,      /* until the connection closes */
	S_CHUNK_SIZE,
	S_CHUNK_EXT,
	S_CHUNK_DATA,
	S_CHUNK_END,     /* CRLF after chunk data */
	S_DONE,
};

enum known_header {
	H_NONE = 0,
	H_CONTENT_LENGTH,
	H_TRANSFER_ENCODING,
	H_CONNECTION,
};

/* index i of these arrays is bit i of the match mask */
struct names {
	unsigned int n;
	uint8_t len[3];
	const char *s[3];
};

static const struct names header_names = {
	3, { 14, 17, 10 }, { "content-length", "transfer-encoding", "connection" },
};
static const struct names connection_tokens = { 2, { 5, 10 }, { "close", "keep-alive" } };
static const struct names te_tokens = { 1, { 7 }, { "chunked" } };
static const struct names method_names = { 2, { 3, 4 }, { "GET", "HEAD" } };  /* case-sensitive */

static const char *const error_names[SY_HTTP_E_COUNT] = {
	[SY_HTTP_OK] = "ok",
	[SY_HTTP_E_REQUEST_LINE] = "bad_request_line",
	[SY_HTTP_E_VERSION] = "bad_version",
	[SY_HTTP_E_STATUS] = "bad_status",
	[SY_HTTP_E_HEADER] = "bad_header",
	[SY_HTTP_E_TOO_LARGE] = "header_too_large",
	[SY_HTTP_E_LENGTH] = "bad_content_length",
	[SY_HTTP_E_CL_AND_TE] = "content_length_and_transfer_encoding",
	[SY_HTTP_E_TRANSFER_ENCODING] = "bad_transfer_encoding",
	[SY_HTTP_E_CHUNK] = "bad_chunk",
	[SY_HTTP_E_EOF] = "premature_eof",
};

/* Content-Length and chunk sizes above this are refused: no real body is 2^62 bytes and
 * the bound keeps every sum in uint64_t. */
#define LENGTH_MAX (UINT64_C(1) << 62)

const char *
sy_http_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= SY_HTTP_E_COUNT)
		return "unknown";
	return error_names[err];
}

/* RFC 9110 5.6.2 tchar */
static const bool tchar[256] = {
	['a' ... 'z'] = true, ['A' ... 'Z'] = true, ['0' ... '9'] = true,
	['!'] = true, ['#'] = true, ['$'] = true, ['%'] = true, ['&'] = true, ['\''] = true,
	['*'] = true, ['+'] = true, ['-'] = true, ['.'] = true, ['^'] = true, ['_'] = true,
	['`'] = true, ['|'] = true, ['~'] = true,
};

/* RFC 9110 5.5 field-vchar (obs-text included), plus SP and HTAB inside a value; also
 * the bytes of a reason-phrase (RFC 9112 4) */
static const bool fchar[256] = {
	['\t'] = true, [0x20 ... 0x7e] = true, [0x80 ... 0xff] = true,
};

/* RFC 9110 5.6.3 OWS */
static const bool ows_char[256] = { ['\t'] = true, [' '] = true };

/* a byte of a list element: a field char but ',', SP and HTAB, which separate them */
static const bool list_char[256] = {
	[0x21 ... 0x2b] = true, [0x2d ... 0x7e] = true, [0x80 ... 0xff] = true,
};

/* a byte of a request-target: RFC 3986 characters are all visible ASCII */
static const bool target_char[256] = { [0x21 ... 0x7e] = true };

static inline bool
is_tchar(uint8_t c)
{
	return tchar[c];
}

static inline bool
is_field_char(uint8_t c)
{
	return fchar[c];
}

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static inline int
hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Narrows the candidate mask with byte @p c at position p->idx. */
static void
match_step(struct sy_http_parser *p, const struct names *nm, uint8_t c, bool fold)
{
	uint8_t b = fold ? lower(c) : c;

	for (unsigned int i = 0; i < nm->n && p->mask != 0; i++) {
		if (!(p->mask & (1u << i)))
			continue;
		if (p->idx >= nm->len[i] || (uint8_t)nm->s[i][p->idx] != b)
			p->mask &= (uint8_t)~(1u << i);
	}
	if (p->idx < UINT8_MAX)
		p->idx++;
}

/* Which candidate matched exactly, as index + 1; 0 for none. */
static unsigned int
match_end(const struct sy_http_parser *p, const struct names *nm)
{
	for (unsigned int i = 0; i < nm->n; i++)
		if ((p->mask & (1u << i)) && nm->len[i] == p->idx)
			return i + 1;
	return 0;
}

static void
match_begin(struct sy_http_parser *p)
{
	p->mask = 0xff;
	p->idx = 0;
}

static int
fail(struct sy_http_parser *p, enum sy_http_error e)
{
	p->error = (uint8_t)e;
	return -(int)e;
}

static void
message_reset(struct sy_http_parser *p)
{
	p->content_length = 0;
	p->remaining = 0;
	p->body_bytes = 0;
	p->hdr_bytes = 0;
	p->status = 0;
	p->flags = 0;
	p->state = S_START;
	p->method = SY_HTTP_METHOD_NONE;
	p->minor = 0;
	p->hdr = H_NONE;
	p->idx = 0;
	p->mask = 0;
	p->sub = 0;
	p->cr = 0;
}

void
sy_http_parser_init(struct sy_http_parser *p, enum sy_http_kind kind, uint32_t max_header)
{
	memset(p, 0, sizeof(*p));
	p->kind = (uint8_t)kind;
	p->max_header = max_header;
	message_reset(p);
}

void
sy_http_parser_next(struct sy_http_parser *p)
{
	if (p->error == SY_HTTP_OK)
		message_reset(p);
}

bool
sy_http_parser_done(const struct sy_http_parser *p)
{
	return p->state == S_DONE && p->error == SY_HTTP_OK;
}

bool
sy_http_parser_idle(const struct sy_http_parser *p)
{
	return p->state == S_START && p->error == SY_HTTP_OK;
}

/* --- start lines ---------------------------------------------------------------------- */

/* "HTTP/" DIGIT "." DIGIT, one byte at p->sub; 1 when complete, 0 more, <0 error */
static int
version_step(struct sy_http_parser *p, uint8_t c)
{
	static const char prefix[] = "HTTP/";

	if (p->sub < 5) {
		if (c != (uint8_t)prefix[p->sub])
			return fail(p, SY_HTTP_E_VERSION);
	} else if (p->sub == 5) {
		if (c != '1')  /* RFC 9112 2.3: only HTTP/1.x here */
			return fail(p, SY_HTTP_E_VERSION);
	} else if (p->sub == 6) {
		if (c != '.')
			return fail(p, SY_HTTP_E_VERSION);
	} else if (p->sub == 7) {
		if (c < '0' || c > '9')
			return fail(p, SY_HTTP_E_VERSION);
		p->minor = (uint8_t)(c - '0');
	} else {
		return fail(p, SY_HTTP_E_VERSION);
	}
	p->sub++;
	return p->sub == 8;
}

static int
start_byte(struct sy_http_parser *p, uint8_t c)
{
	if (p->kind == SY_HTTP_REQUEST) {
		if (!is_tchar(c))
			return fail(p, SY_HTTP_E_REQUEST_LINE);
		p->state = S_METHOD;
		match_begin(p);
		match_step(p, &method_names, c, false);
		return 0;
	}
	p->state = S_RESP_VERSION;
	p->sub = 0;
	return version_step(p, c) < 0 ? -(int)p->error : 0;
}

static int
method_byte(struct sy_http_parser *p, uint8_t c)
{
	if (c == ' ') {
		unsigned int m = match_end(p, &method_names);

		p->method = m == 1 ? SY_HTTP_METHOD_GET :
			    m == 2 ? SY_HTTP_METHOD_HEAD : SY_HTTP_METHOD_OTHER;
		p->state = S_TARGET;
		p->sub = 0;
		return 0;
	}
	if (!is_tchar(c))
		return fail(p, SY_HTTP_E_REQUEST_LINE);
	match_step(p, &method_names, c, false);
	return 0;
}

static int
target_byte(struct sy_http_parser *p, uint8_t c)
{
	if (c == ' ') {
		if (p->sub == 0)  /* empty request-target, or two spaces */
			return fail(p, SY_HTTP_E_REQUEST_LINE);
		p->state = S_REQ_VERSION;
		p->sub = 0;
		return 0;
	}
	/* RFC 3986 characters are all visible ASCII; anything else is a bad target */
	if (c <= 0x20 || c >= 0x7f)
		return fail(p, SY_HTTP_E_REQUEST_LINE);
	p->sub = 1;
	return 0;
}

static int
status_byte(struct sy_http_parser *p, uint8_t c)
{
	if (p->sub < 3) {
		if (c < '0' || c > '9')
			return fail(p, SY_HTTP_E_STATUS);
		p->status = (uint16_t)(p->status * 10 + (c - '0'));
		p->sub++;
		if (p->sub == 3 && (p->status < 100 || p->status > 599))
			return fail(p, SY_HTTP_E_STATUS);
		return 0;
	}
	if (c != ' ')
		return fail(p, SY_HTTP_E_STATUS);
	p->state = S_REASON;
	return 0;
}

/* --- field lines ---------------------------------------------------------------------- */

static int
field_name_byte(struct sy_http_parser *p, uint8_t c)
{
	if (c == ':') {
		if (p->idx == 0)
			return fail(p, SY_HTTP_E_HEADER);
		p->hdr = (p->flags & SY_HTTP_F_TRAILER) ? H_NONE :
			 (uint8_t)match_end(p, &header_names);
		p->state = S_FIELD_OWS;
		p->sub = 0;
		match_begin(p);
		if (p->hdr == H_CONTENT_LENGTH)
			p->remaining = 0;  /* the value being read */
		return 0;
	}
	/* RFC 9112 5.1: no whitespace between name and colon */
	if (!is_tchar(c))
		return fail(p, SY_HTTP_E_HEADER);
	match_step(p, &header_names, c, true);
	return 0;
}

/* Content-Length digits with optional trailing OWS; p->sub: 0 none yet, 1 digits, 2 OWS */
static int
content_length_byte(struct sy_http_parser *p, uint8_t c)
{
	if (c == ' ' || c == '\t') {
		if (p->sub != 0)
			p->sub = 2;
		return 0;
	}
	if (c < '0' || c > '9' || p->sub == 2)
		return fail(p, SY_HTTP_E_LENGTH);
	if (p->remaining > (LENGTH_MAX - (uint64_t)(c - '0')) / 10)
		return fail(p, SY_HTTP_E_LENGTH);
	p->remaining = p->remaining * 10 + (uint64_t)(c - '0');
	p->sub = 1;
	return 0;
}

/* One token of a comma list just ended. */
static void
list_token_end(struct sy_http_parser *p)
{
	if (p->idx == 0)
		return;
	if (p->hdr == H_CONNECTION) {
		unsigned int t = match_end(p, &connection_tokens);

		if (t == 1)
			p->flags |= SY_HTTP_F_CLOSE;
		else if (t == 2)
			p->flags |= SY_HTTP_F_KEEP_ALIVE;
	} else {
		/* RFC 9112 6.3: only the final coding decides; remember the latest token */
		if (match_end(p, &te_tokens))
			p->flags |= SY_HTTP_F_CHUNKED;
		else
			p->flags &= (uint16_t)~SY_HTTP_F_CHUNKED;
	}
	match_begin(p);
}

static int
field_value_byte(struct sy_http_parser *p, uint8_t c)
{
	if (!is_field_char(c))
		return fail(p, SY_HTTP_E_HEADER);
	switch (p->hdr) {
	case H_CONTENT_LENGTH:
		return content_length_byte(p, c);
	case H_CONNECTION:
	case H_TRANSFER_ENCODING:
		if (c == ',' || c == ' ' || c == '\t') {
			list_token_end(p);
			return 0;
		}
		match_step(p, p->hdr == H_CONNECTION ? &connection_tokens : &te_tokens, c, true);
		return 0;
	default:
		return 0;
	}
}

static int
field_line_end(struct sy_http_parser *p)
{
	switch (p->hdr) {
	case H_CONTENT_LENGTH:
		if (p->sub == 0)
			return fail(p, SY_HTTP_E_LENGTH);
		/* RFC 9110 8.6: repeated values must agree */
		if ((p->flags & SY_HTTP_F_CL) && p->content_length != p->remaining)
			return fail(p, SY_HTTP_E_LENGTH);
		p->content_length = p->remaining;
		p->remaining = 0;
		p->flags |= SY_HTTP_F_CL;
		break;
	case H_TRANSFER_ENCODING:
		list_token_end(p);
		p->flags |= SY_HTTP_F_TE;
		break;
	case H_CONNECTION:
		list_token_end(p);
		break;
	default:
		break;
	}
	p->hdr = H_NONE;
	p->state = S_FIELD_START;
	match_begin(p);
	return 0;
}

/* --- end of the header section: RFC 9112 6.3 message length ---------------------------- */

static int
body_start_length(struct sy_http_parser *p)
{
	p->remaining = p->content_length;
	p->state = p->remaining ? S_BODY : S_DONE;
	return 0;
}

static int
headers_end(struct sy_http_parser *p)
{
	bool te = p->flags & SY_HTTP_F_TE;

	p->flags |= SY_HTTP_F_HEADERS;
	if (p->flags & SY_HTTP_F_TRAILER) {
		p->state = S_DONE;
		return 0;
	}
	if (te && (p->flags & SY_HTTP_F_CL))
		return fail(p, SY_HTTP_E_CL_AND_TE);
	if (p->kind == SY_HTTP_RESPONSE &&
	    ((p->flags & SY_HTTP_F_NO_BODY) || p->status < 200 || p->status == 204 ||
	     p->status == 304)) {
		p->state = S_DONE;
		return 0;
	}
	if (te && (p->flags & SY_HTTP_F_CHUNKED)) {
		p->state = S_CHUNK_SIZE;
		p->sub = 0;
		p->remaining = 0;
		p->hdr_bytes = 0;
		return 0;
	}
	if (te) {
		if (p->kind == SY_HTTP_REQUEST)
			return fail(p, SY_HTTP_E_TRANSFER_ENCODING);
		p->flags |= SY_HTTP_F_UNTIL_EOF;
		p->state = S_BODY_EOF;
		return 0;
	}
	if (p->flags & SY_HTTP_F_CL)
		return body_start_length(p);
	if (p->kind == SY_HTTP_REQUEST) {
		p->state = S_DONE;  /* RFC 9112 6.3 item 7: no body */
		return 0;
	}
	p->flags |= SY_HTTP_F_UNTIL_EOF;
	p->state = S_BODY_EOF;
	return 0;
}

/* --- chunked coding: RFC 9112 7.1 ------------------------------------------------------ */

/* p->sub: 0 no digit yet, 1 in the digits, 2 in BWS after them */
static int
chunk_size_byte(struct sy_http_parser *p, uint8_t c)
{
	int v = hex_value(c);

	if (p->state == S_CHUNK_EXT) {
		/* chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): skipped, bounded */
		return is_field_char(c) ? 0 : fail(p, SY_HTTP_E_CHUNK);
	}
	if (v >= 0 && p->sub != 2) {
		if (p->remaining > (LENGTH_MAX >> 4))
			return fail(p, SY_HTTP_E_CHUNK);
		p->remaining = (p->remaining << 4) | (uint64_t)v;
		p->sub = 1;
		return 0;
	}
	if (p->sub != 0 && (c == ' ' || c == '\t')) {
		p->sub = 2;
		return 0;
	}
	if (p->sub != 0 && c == ';') {
		p->state = S_CHUNK_EXT;
		return 0;
	}
	return fail(p, SY_HTTP_E_CHUNK);
}

static int
chunk_line_end(struct sy_http_parser *p)
{
	if (p->sub == 0)
		return fail(p, SY_HTTP_E_CHUNK);
	if (p->remaining == 0) {
		/* last-chunk: trailer fields follow, parsed like headers and ignored */
		p->flags |= SY_HTTP_F_TRAILER;
		p->hdr_bytes = 0;
		p->state = S_FIELD_START;
		return 0;
	}
	p->state = S_CHUNK_DATA;
	return 0;
}

/* --- the byte machine ------------------------------------------------------------------ */

/* A line ended (LF, after an optional CR) in the current state. */
static int
line_end(struct sy_http_parser *p)
{
	switch (p->state) {
	case S_START:
		return 0;  /* RFC 9112 2.2: empty lines before a request-line */
	case S_REQ_VERSION:
		if (p->sub != 8)
			return fail(p, SY_HTTP_E_VERSION);
		p->state = S_FIELD_START;
		return 0;
	case S_STATUS:
		/* a status-line without the SP before an empty reason is common: accept */
		if (p->sub != 3)
			return fail(p, SY_HTTP_E_STATUS);
		/* fall through */
	case S_REASON:
		p->state = S_FIELD_START;
		match_begin(p);
		return 0;
	case S_FIELD_START:
		return headers_end(p);
	case S_FIELD_OWS:
	case S_FIELD_VALUE:
		return field_line_end(p);
	case S_CHUNK_SIZE:
	case S_CHUNK_EXT:
		return chunk_line_end(p);
	case S_CHUNK_END:
		p->state = S_CHUNK_SIZE;
		p->sub = 0;
		p->remaining = 0;
		p->hdr_bytes = 0;
		return 0;
	case S_METHOD:
	case S_TARGET:
		return fail(p, SY_HTTP_E_REQUEST_LINE);
	case S_RESP_VERSION:
		return fail(p, SY_HTTP_E_VERSION);
	default:
		return fail(p, SY_HTTP_E_HEADER);  /* S_FIELD_NAME: a line without a colon */
	}
}

/* The error a stray CR (or CR without LF) is in the current state. */
static enum sy_http_error
line_error(const struct sy_http_parser *p)
{
	switch (p->state) {
	case S_START:
	case S_METHOD:
	case S_TARGET:
		return SY_HTTP_E_REQUEST_LINE;
	case S_REQ_VERSION:
	case S_RESP_VERSION:
		return SY_HTTP_E_VERSION;
	case S_STATUS:
		return SY_HTTP_E_STATUS;
	case S_CHUNK_SIZE:
	case S_CHUNK_EXT:
	case S_CHUNK_END:
		return SY_HTTP_E_CHUNK;
	default:
		return SY_HTTP_E_HEADER;
	}
}

static int
head_byte(struct sy_http_parser *p, uint8_t c)
{
	switch (p->state) {
	case S_START:
		return start_byte(p, c);
	case S_METHOD:
		return method_byte(p, c);
	case S_TARGET:
		return target_byte(p, c);
	case S_RESP_VERSION:
		if (p->sub == 8) {
			if (c != ' ')
				return fail(p, SY_HTTP_E_VERSION);
			p->state = S_STATUS;
			p->sub = 0;
			return 0;
		}
		/* fall through */
	case S_REQ_VERSION:
		return version_step(p, c) < 0 ? -(int)p->error : 0;
	case S_STATUS:
		return status_byte(p, c);
	case S_REASON:
		return (c == '\t' || c >= 0x20) && c != 0x7f ? 0 : fail(p, SY_HTTP_E_STATUS);
	case S_FIELD_START:
		/* RFC 9112 5.2: obs-fold rejected */
		if (c == ' ' || c == '\t')
			return fail(p, SY_HTTP_E_HEADER);
		p->state = S_FIELD_NAME;
		match_begin(p);
		return field_name_byte(p, c);
	case S_FIELD_NAME:
		return field_name_byte(p, c);
	case S_FIELD_OWS:
		if (c == ' ' || c == '\t')
			return 0;
		p->state = S_FIELD_VALUE;
		return field_value_byte(p, c);
	case S_FIELD_VALUE:
		return field_value_byte(p, c);
	case S_CHUNK_SIZE:
	case S_CHUNK_EXT:
		return chunk_size_byte(p, c);
	default:  /* S_CHUNK_END: only CRLF may follow chunk data */
		return fail(p, SY_HTTP_E_CHUNK);
	}
}

/* Counts a byte of a bounded region (header section, trailer, chunk line). */
static int
bound_byte(struct sy_http_parser *p)
{
	p->hdr_bytes++;
	if (p->state >= S_CHUNK_SIZE && p->state <= S_CHUNK_END) {
		if (p->hdr_bytes > SY_HTTP_MAX_CHUNK_LINE)
			return fail(p, SY_HTTP_E_CHUNK);
	} else if (p->hdr_bytes > p->max_header) {
		return fail(p, SY_HTTP_E_TOO_LARGE);
	}
	return 0;
}

static int
one_byte(struct sy_http_parser *p, uint8_t c)
{
	if (bound_byte(p) < 0)
		return -(int)p->error;
	if (p->cr) {
		p->cr = 0;
		if (c != '\n')
			return fail(p, line_error(p));
		return line_end(p);
	}
	if (c == '\n')
		return line_end(p);
	if (c == '\r') {
		p->cr = 1;
		return 0;
	}
	return head_byte(p, c);
}

/* Skips body bytes in bulk; returns how many. */
static uint32_t
body_bytes(struct sy_http_parser *p, uint32_t len)
{
	uint32_t n = len;

	if (p->state == S_BODY_EOF) {
		p->body_bytes += n;
		return n;
	}
	if (p->remaining < n)
		n = (uint32_t)p->remaining;
	p->remaining -= n;
	p->body_bytes += n;
	if (p->remaining == 0) {
		if (p->state == S_BODY) {
			p->state = S_DONE;
		} else {
			p->state = S_CHUNK_END;
			p->hdr_bytes = 0;
		}
	}
	return n;
}

/* --- runs: what the byte machine would do to a whole run, done at once ----------------- */

static inline uint64_t
load64(const uint8_t *s)
{
	uint64_t v;

	memcpy(&v, s, sizeof(v));
	return v;
}

/*
 * @p n bytes at @p s equal @p lc (lower-case letters, digits and '-') with ASCII letters
 * compared case-insensitively, as lower() does, whatever bytes @p s holds: bit 0x20 is
 * folded in only where @p lc has a letter (bit 0x40, which digits and '-' lack), and
 * c | 0x20 is a lower-case letter only when c is that letter in either case. 8 bytes at a
 * time when @p n >= 8 (the last word overlaps the one before).
 */
static inline bool
ieq(const uint8_t *s, const char *lc, uint32_t n)
{
	const uint8_t *l = (const uint8_t *)lc;
	const uint64_t bit6 = UINT64_C(0x4040404040404040);
	uint32_t k = 0;

	if (n < 8) {
		for (; k < n; k++)
			if ((uint8_t)(s[k] | ((l[k] & 0x40) >> 1)) != l[k])
				return false;
		return true;
	}
	for (; k + 8 <= n; k += 8)
		if ((load64(s + k) | ((load64(l + k) & bit6) >> 1)) != load64(l + k))
			return false;
	return k == n || (load64(s + n - 8) | ((load64(l + n - 8) & bit6) >> 1)) ==
			 load64(l + n - 8);
}

/* The known header @p name (of @p n tchars, case-insensitive), or H_NONE. */
static uint8_t
known_header(const uint8_t *name, uint32_t n)
{
	switch (n) {
	case 14:
		return ieq(name, "content-length", 14) ? H_CONTENT_LENGTH : H_NONE;
	case 17:
		return ieq(name, "transfer-encoding", 17) ? H_TRANSFER_ENCODING : H_NONE;
	case 10:
		return ieq(name, "connection", 10) ? H_CONNECTION : H_NONE;
	default:
		return H_NONE;
	}
}

/* A whole field name and its colon in @p b: the work of field_name_byte() up to ':'. */
static uint32_t
name_run(struct sy_http_parser *p, const uint8_t *b, uint32_t len)
{
	uint32_t n = 0;

	while (n < len && is_tchar(b[n]))
		n++;
	if (n == 0 || n == len || b[n] != ':')
		return 0;   /* split, empty or malformed: the byte machine decides */
	p->hdr = (p->flags & SY_HTTP_F_TRAILER) ? H_NONE : known_header(b, n);
	p->state = S_FIELD_OWS;
	p->sub = 0;
	match_begin(p);
	if (p->hdr == H_CONTENT_LENGTH)
		p->remaining = 0;
	return n + 1;
}

/* "HTTP/1.x" whole in @p b; *minor set. */
static bool
version_whole(const uint8_t *b, uint32_t len, uint8_t *minor)
{
	/* two 4-byte compares that the compiler inlines */
	if (len < 8 || memcmp(b, "HTTP", 4) != 0 || memcmp(b + 3, "P/1.", 4) != 0 ||
	    b[7] < '0' || b[7] > '9')
		return false;
	*minor = (uint8_t)(b[7] - '0');
	return true;
}

/* A start-line prefix whole in @p b: "GET ", "HEAD ", "HTTP/1.x" + SP. */
static uint32_t
start_run(struct sy_http_parser *p, const uint8_t *b, uint32_t len)
{
	if (p->kind == SY_HTTP_RESPONSE) {
		if (len < 9 || b[8] != ' ' || !version_whole(b, len, &p->minor))
			return 0;
		p->state = S_STATUS;
		p->sub = 0;
		return 9;
	}
	if (len >= 4 && memcmp(b, "GET ", 4) == 0)
		p->method = SY_HTTP_METHOD_GET;
	else if (len >= 5 && memcmp(b, "HEAD ", 5) == 0)
		p->method = SY_HTTP_METHOD_HEAD;
	else
		return 0;
	p->state = S_TARGET;
	p->sub = 0;
	return p->method == SY_HTTP_METHOD_GET ? 4 : 5;
}

/* --- whole lines: a start line or field line with its LF in the buffer --------------- */

/*
 * The common case costs a few table look-ups per byte and one update of the parser per
 * line. Each function below either takes a whole line, leaving the parser as the byte
 * machine would after the line's LF, or takes nothing and changes nothing (split line,
 * over the header bound, anything unusual or wrong): the byte machine then reads the
 * same bytes and finds the same error at the same byte. So what is accepted, and every
 * error, is decided by the byte machine's rules alone.
 */

/* Bytes at the start of @p b[0..len) that are all in class @p cls: unrolled, as lines
 * mostly end well inside the buffer. */
static inline uint32_t
span(const bool *cls, const uint8_t *b, uint32_t len)
{
	uint32_t n = 0;

	for (; n + 4 <= len; n += 4) {
		if (!cls[b[n]])
			return n;
		if (!cls[b[n + 1]])
			return n + 1;
		if (!cls[b[n + 2]])
			return n + 2;
		if (!cls[b[n + 3]])
			return n + 3;
	}
	while (n < len && cls[b[n]])
		n++;
	return n;
}

/* The known header whose name and colon start @p b, its name length in *n; H_NONE when
 * none does (a known name then is not the line's name either). */
static inline uint8_t
known_name(const uint8_t *b, uint32_t len, uint32_t *n)
{
	if (len > 14 && b[14] == ':' && ieq(b, "content-length", 14)) {
		*n = 14;
		return H_CONTENT_LENGTH;
	}
	if (len > 10 && b[10] == ':' && ieq(b, "connection", 10)) {
		*n = 10;
		return H_CONNECTION;
	}
	if (len > 17 && b[17] == ':' && ieq(b, "transfer-encoding", 17)) {
		*n = 17;
		return H_TRANSFER_ENCODING;
	}
	return H_NONE;
}

/* Length up to and including the line end (CRLF or a bare LF, RFC 9112 2.2) at @p b[e],
 * or 0 when @p b[e] is not a whole line end. */
static inline uint32_t
eol_at(const uint8_t *b, uint32_t e, uint32_t len)
{
	if (e + 1 < len && b[e] == '\r' && b[e + 1] == '\n')
		return e + 2;
	if (e < len && b[e] == '\n')
		return e + 1;
	return 0;
}

/* Content-Length value @p v (after the leading OWS, up to the line end), whole. */
static bool
length_whole(struct sy_http_parser *p, const uint8_t *v, uint32_t n)
{
	uint64_t x = 0;
	uint32_t k = 0;
	uint8_t sub;

	for (; k < n && v[k] >= '0' && v[k] <= '9'; k++) {
		if (x >= LENGTH_MAX / 10)  /* maybe over the bound: the machine decides */
			return false;
		x = x * 10 + (uint64_t)(v[k] - '0');
	}
	if (k == 0)
		return false;
	for (sub = 1; k < n && (v[k] == ' ' || v[k] == '\t'); k++)
		sub = 2;
	if (k != n || ((p->flags & SY_HTTP_F_CL) && p->content_length != x))
		return false;
	p->content_length = x;
	p->remaining = 0;
	p->flags |= SY_HTTP_F_CL;
	p->sub = sub;
	return true;
}

/* The flags a Connection or Transfer-Encoding list token leaves (list_token_end()). */
static uint16_t
list_token(uint16_t flags, uint8_t hdr, const uint8_t *t, uint32_t n)
{
	if (hdr == H_CONNECTION) {
		if (n == 5 && ieq(t, "close", 5))
			flags |= SY_HTTP_F_CLOSE;
		else if (n == 10 && ieq(t, "keep-alive", 10))
			flags |= SY_HTTP_F_KEEP_ALIVE;
		return flags;
	}
	if (n == 7 && ieq(t, "chunked", 7))
		return flags | SY_HTTP_F_CHUNKED;
	return flags & (uint16_t)~SY_HTTP_F_CHUNKED;
}

/* A comma list value whole: tokens are what lies between ',', SP and HTAB. */
static void
list_whole(struct sy_http_parser *p, uint8_t hdr, const uint8_t *v, uint32_t n)
{
	uint16_t flags = p->flags;
	uint32_t k = 0;

	while (k < n) {
		uint32_t t = k;

		k += span(list_char, v + k, n - k);
		if (k > t)
			flags = list_token(flags, hdr, v + t, k - t);
		k++;
	}
	if (hdr == H_TRANSFER_ENCODING)
		flags |= SY_HTTP_F_TE;
	p->flags = flags;
	p->sub = 0;
}

/* A whole field line: name ":" OWS value OWS, then CRLF or LF (RFC 9112 5). */
static uint32_t
field_line_whole(struct sy_http_parser *p, const uint8_t *b, uint32_t len)
{
	uint32_t n = 0, v, e, end;
	uint8_t hdr = known_name(b, len, &n);

	if (hdr == H_NONE) {
		n = span(tchar, b, len);
		if (n == 0 || n == len || b[n] != ':')
			return 0;
	}
	v = n + 1;
	if (v < len && b[v] == ' ')  /* the usual single SP */
		v++;
	while (v < len && ows_char[b[v]])
		v++;
	e = v + span(fchar, b + v, len - v);
	end = eol_at(b, e, len);
	if (end == 0)
		return 0;
	if (p->flags & SY_HTTP_F_TRAILER)
		hdr = H_NONE;  /* trailer fields are parsed and ignored */
	if (hdr == H_CONTENT_LENGTH) {
		if (!length_whole(p, b + v, e - v))
			return 0;
	} else if (hdr != H_NONE) {
		list_whole(p, hdr, b + v, e - v);
	} else {
		p->sub = 0;
	}
	p->hdr = H_NONE;
	p->state = S_FIELD_START;
	match_begin(p);
	return end;
}

/* A whole request-line: method SP request-target SP HTTP-version, then CRLF or LF. */
static uint32_t
request_line_whole(struct sy_http_parser *p, const uint8_t *b, uint32_t len)
{
	uint32_t m = 0, t, e, end;
	uint8_t minor;

	m = span(tchar, b, len);
	if (m == 0 || m == len || b[m] != ' ')
		return 0;
	t = m + 1;
	e = t + span(target_char, b + t, len - t);
	if (e == t || e == len || b[e] != ' ')
		return 0;
	e++;
	if (!version_whole(b + e, len - e, &minor))
		return 0;
	end = eol_at(b, e + 8, len);
	if (end == 0)
		return 0;
	p->method = m == 3 && b[0] == 'G' && b[1] == 'E' && b[2] == 'T' ? SY_HTTP_METHOD_GET :
		    m == 4 && memcmp(b, "HEAD", 4) == 0 ? SY_HTTP_METHOD_HEAD :
		    SY_HTTP_METHOD_OTHER;
	p->minor = minor;
	p->sub = 8;
	p->state = S_FIELD_START;
	return end;
}

/* A whole status-line: HTTP-version SP 3DIGIT [SP reason], then CRLF or LF. */
static uint32_t
status_line_whole(struct sy_http_parser *p, const uint8_t *b, uint32_t len)
{
	uint32_t e = 12, end;
	uint16_t status;
	uint8_t minor;

	if (len < 13 || b[8] != ' ' || !version_whole(b, len, &minor))
		return 0;
	if (b[9] < '0' || b[9] > '9' || b[10] < '0' || b[10] > '9' || b[11] < '0' ||
	    b[11] > '9')
		return 0;
	status = (uint16_t)((b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0'));
	if (status < 100 || status > 599)
		return 0;
	if (b[12] == ' ')  /* the reason-phrase, possibly empty */
		e = 13 + span(fchar, b + 13, len - 13);
	end = eol_at(b, e, len);
	if (end == 0)
		return 0;
	p->minor = minor;
	p->status = status;
	p->sub = 3;
	p->state = S_FIELD_START;
	match_begin(p);
	return end;
}

/*
 * Whole lines from the start of a message or of a field line on: the start line, the
 * field lines and the empty line that ends the section, while each is whole in @p b and
 * within the header bound. Returns the bytes taken (0: the byte machine goes on) or
 * -enum sy_http_error from the end of the section (RFC 9112 6.3), which the machine would
 * report at the same LF.
 */
static int32_t
head_lines(struct sy_http_parser *p, const uint8_t *b, uint32_t len)
{
	uint32_t room = p->max_header - p->hdr_bytes;
	uint32_t i = 0, n;

	if (len > room)
		len = room;
	if (p->state == S_START) {
		i = p->kind == SY_HTTP_REQUEST ? request_line_whole(p, b, len) :
		    status_line_whole(p, b, len);
		if (i == 0)
			return 0;
	}
	while ((n = field_line_whole(p, b + i, len - i)) != 0)
		i += n;
	n = eol_at(b, i, len);
	p->hdr_bytes += n ? n : i;
	if (n == 0)
		return (int32_t)i;
	if (headers_end(p) < 0)
		return -(int32_t)p->error;
	return (int32_t)n;
}

/*
 * Bytes at @p b that can be taken as a run in the current state, with the state updated
 * as the byte machine would leave it; 0 when the next byte needs the machine (a line end,
 * a byte that decides something, or a run split across calls). Runs never pass the
 * header-section bound: that byte goes to the machine, which reports it.
 */
static uint32_t
head_run(struct sy_http_parser *p, const uint8_t *b, uint32_t len)
{
	uint32_t room = p->max_header - p->hdr_bytes;
	uint32_t n = 0;

	if (len > room)
		len = room;
	switch (p->state) {
	case S_START:
		n = start_run(p, b, len);
		break;
	case S_TARGET:
		while (n < len && b[n] > 0x20 && b[n] < 0x7f)
			n++;
		if (n > 0)
			p->sub = 1;
		break;
	case S_REQ_VERSION:
		if (p->sub == 0 && version_whole(b, len, &p->minor)) {
			p->sub = 8;
			n = 8;
		}
		break;
	case S_REASON:
		while (n < len && (b[n] == '\t' || b[n] >= 0x20) && b[n] != 0x7f)
			n++;
		break;
	case S_FIELD_START:
		n = name_run(p, b, len);
		break;
	case S_FIELD_OWS:
		while (n < len && (b[n] == ' ' || b[n] == '\t'))
			n++;
		break;
	case S_FIELD_VALUE:
		if (p->hdr == H_NONE)  /* a value we do not interpret (Host, User-Agent...) */
			while (n < len && is_field_char(b[n]))
				n++;
		break;
	default:
		break;
	}
	p->hdr_bytes += n;
	return n;
}

int32_t
sy_http_parser_feed(struct sy_http_parser *p, const void *data, uint32_t len)
{
	const uint8_t *b = data;
	uint32_t i = 0;

	if (p->error != SY_HTTP_OK)
		return -(int32_t)p->error;
	if (len > INT32_MAX)
		len = INT32_MAX;
	while (i < len && p->state != S_DONE) {
		if (p->state == S_BODY || p->state == S_BODY_EOF || p->state == S_CHUNK_DATA) {
			i += body_bytes(p, len - i);
			continue;
		}
		if (!p->cr && (p->state == S_START || p->state == S_FIELD_START)) {
			int32_t n = head_lines(p, b + i, len - i);

			if (n < 0)
				return n;
			if (n > 0) {
				i += (uint32_t)n;
				continue;
			}
		}
		if (!p->cr && p->state < S_BODY && p->state != S_FIELD_NAME) {
			uint32_t n = head_run(p, b + i, len - i);

			if (n > 0) {
				i += n;
				continue;
			}
			/* a whole CRLF: the line end without the stop in between */
			if (b[i] == '\r' && i + 1 < len && b[i + 1] == '\n' &&
			    p->max_header - p->hdr_bytes >= 2) {
				p->hdr_bytes += 2;
				i += 2;
				if (line_end(p) < 0)
					return -(int32_t)p->error;
				continue;
			}
		}
		if (one_byte(p, b[i]) < 0)
			return -(int32_t)p->error;
		i++;
	}
	return (int32_t)i;
}

int
sy_http_parser_eof(struct sy_http_parser *p)
{
	if (p->error != SY_HTTP_OK)
		return -(int)p->error;
	if (p->state == S_BODY_EOF) {
		p->state = S_DONE;
		return 1;
	}
	if (p->state == S_START)
		return 0;
	if (p->state == S_DONE)
		return 0;
	return fail(p, SY_HTTP_E_EOF);
}
