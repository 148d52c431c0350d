/* libFuzzer target: the UAPI text protocol. Bytes as a socket delivers them go through the request
 * framer and the set parser; whatever parses is written back as a get answer, whose settable lines
 * must parse again and write the same text. The world is not used (nothing here touches an engine). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "uapi/uapi.h"
#include "world.h"

/* The first byte's mode ((byte & 0x3f) % FUZZ_UAPI_MODES); the payload is the text. */
enum fuzz_uapi_mode {
	/* A byte stream from a client: every whole request in it is framed, and set bodies parsed.
	 * VARIANT: the stream has ended after the payload (a set cut short of its blank line counts). */
	FUZZ_UAPI_STREAM,
	/* The body of a set request (VARIANT: with a 7-byte error buffer, so messages are cut). */
	FUZZ_UAPI_BODY,
	/* The same after a valid public_key line, so peer keys are reached at once. */
	FUZZ_UAPI_PEER_BODY,
	FUZZ_UAPI_MODES,
};

static const char PEER_LINE[] = "public_key=8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a\n";

static void check(bool condition, const char *what)
{
	if (condition)
		return;
	fprintf(stderr, "fuzz_uapi: %s\n", what);
	abort();
}

/* The lines of a get answer a set request can carry (not the handshake time or the byte counts). */
static size_t settable_lines(char *out, const char *text, size_t len)
{
	static const char *const get_only[] = {"last_handshake_time_sec=", "last_handshake_time_nsec=",
					       "tx_bytes=", "rx_bytes="};
	size_t kept = 0, pos = 0;

	while (pos < len) {
		const char *newline = memchr(text + pos, '\n', len - pos);
		size_t line_len = (size_t)(newline - (text + pos)) + 1;
		bool skip = false;

		check(newline != NULL, "a get answer line without its newline");
		for (size_t i = 0; i < sizeof(get_only) / sizeof(get_only[0]); i++)
			skip = skip || strncmp(text + pos, get_only[i], strlen(get_only[i])) == 0;
		if (!skip) {
			memcpy(out + kept, text + pos, line_len);
			kept += line_len;
		}
		pos += line_len;
	}
	return kept;
}

/* format(config) must parse back (its settable lines) into what formats to the same text. */
static void check_round_trip(const struct wh_config *config)
{
	struct wh_config again;
	char *text, *text_again, *settable;
	size_t len, len_again, settable_len;
	char error[WH_UAPI_ERROR_SIZE];

	check(wh_uapi_format_get(config, &text, &len) == 0, "format_get failed");
	check(strlen(text) == len, "format_get length");
	settable = malloc(len + 1);
	check(settable != NULL, "out of memory");
	settable_len = settable_lines(settable, text, len);
	if (wh_uapi_parse_set(settable, settable_len, &again, error, sizeof(error)) != 0) {
		fprintf(stderr, "fuzz_uapi: the get answer does not parse: %s\n%.*s", error, (int)len, text);
		abort();
	}
	check(wh_uapi_format_get(&again, &text_again, &len_again) == 0, "format_get failed");
	if (len != len_again || memcmp(text, text_again, len) != 0) {
		fprintf(stderr, "fuzz_uapi: round trip changed\n%.*s---\n%.*s", (int)len, text, (int)len_again,
			text_again);
		abort();
	}
	wh_uapi_free_text(settable, settable_len);
	wh_uapi_free_text(text_again, len_again);
	wh_uapi_free_text(text, len);
	wh_config_free(&again);
}

static void parse_body(const char *body, size_t len, size_t error_len)
{
	char error[WH_UAPI_ERROR_SIZE];
	struct wh_config config;
	int ret;

	memset(error, 'x', sizeof(error));
	ret = wh_uapi_parse_set(body, len, &config, error, error_len);
	check(memchr(error, '\0', error_len) != NULL, "error message without its NUL");
	if (ret != 0) {
		check(ret == -EINVAL || ret == -EPROTO || ret == -EIO || ret == -ENOMEM, "unexpected errno");
		check(error_len < 16 || strncmp(error, "line ", 5) == 0, "message without its line number");
		check(config.peer_count == 0 && config.peers == NULL, "config not emptied after a failure");
		return;
	}
	check(error[0] == '\0', "message after success");
	check_round_trip(&config);
	wh_config_free(&config);
}

static void run_stream(const char *bytes, size_t len, bool end_of_stream)
{
	size_t offset = 0;

	for (;;) {
		struct wh_uapi_request request;
		int ret = wh_uapi_frame(bytes + offset, len - offset, end_of_stream, &request);

		if (ret <= 0) {
			check(ret == 0 || ret == -EPROTO || ret == -EINVAL || ret == -EIO, "unexpected framing errno");
			return;
		}
		check(request.length > 0 && request.length <= len - offset, "request length");
		check(request.body_offset + request.body_len <= request.length, "body outside the request");
		if (request.operation == WH_UAPI_SET)
			parse_body(bytes + offset + request.body_offset, request.body_len, WH_UAPI_ERROR_SIZE);
		else
			check(request.operation == WH_UAPI_GET && request.body_len == 0, "get with a body");
		offset += request.length;
	}
}

static void run(struct fuzz_world *world, uint8_t first, const uint8_t *payload, size_t len)
{
	const char *text = (const char *)payload;
	bool variant = first & FUZZ_FLAG_VARIANT;
	char *with_peer;

	(void)world;
	switch (fuzz_mode(first, FUZZ_UAPI_MODES)) {
	case FUZZ_UAPI_STREAM:
		run_stream(text, len, variant);
		break;
	case FUZZ_UAPI_BODY:
		parse_body(text, len, variant ? 7 : WH_UAPI_ERROR_SIZE);
		break;
	case FUZZ_UAPI_PEER_BODY:
		/* Exactly as long as its content, so ASan sees a read past the end. */
		with_peer = malloc(sizeof(PEER_LINE) - 1 + len);
		check(with_peer != NULL, "out of memory");
		memcpy(with_peer, PEER_LINE, sizeof(PEER_LINE) - 1);
		if (len)
			memcpy(with_peer + sizeof(PEER_LINE) - 1, payload, len);
		parse_body(with_peer, sizeof(PEER_LINE) - 1 + len, WH_UAPI_ERROR_SIZE);
		free(with_peer);
		break;
	}
}

const struct fuzz_target fuzz_target = {FUZZ_WORLD_PENDING, run};
