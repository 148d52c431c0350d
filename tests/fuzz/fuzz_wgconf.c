/* libFuzzer target: the wg-quick .conf parser, given any bytes as a file. Whatever it returns must hold
 * together: a success has what the header promises within its limits, a failure leaves nothing behind,
 * and every message is printable ASCII (messages become D-Bus strings, which must be UTF-8). Needs no
 * world: the whole input is the file. */
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "wgconf.h"

static void check(bool condition, const char *what)
{
	if (condition)
		return;
	fprintf(stderr, "fuzz_wgconf: %s\n", what);
	abort();
}

static void check_message(const char *message, size_t size)
{
	size_t len = strnlen(message, size);

	check(len < size, "a message without its NUL");
	for (size_t i = 0; i < len; i++)
		check(message[i] >= 0x20 && message[i] < 0x7f, "a message with a byte that is not printable ASCII");
}

static void check_parsed(const struct wgconf *conf)
{
	check(conf->has_private_key, "a success without PrivateKey");
	check(conf->n_peers >= 1 && conf->n_peers <= WGCONF_MAX_PEERS, "a success with a bad number of peers");
	check(conf->n_addresses <= WGCONF_MAX_LIST, "too many addresses");
	check(conf->n_dns_servers <= WGCONF_MAX_LIST && conf->n_dns_search <= WGCONF_MAX_LIST, "too many DNS entries");
	check(conf->mtu == 0 || (conf->mtu >= 1280 && conf->mtu <= 9000), "an MTU out of range");
	for (size_t i = 0; i < conf->n_addresses; i++)
		check(conf->addresses[i].cidr <= (conf->addresses[i].family == AF_INET ? 32 : 128), "a prefix too long");
	for (size_t i = 0; i < conf->n_peers; i++) {
		const struct wgconf_peer *peer = &conf->peers[i];

		check(peer->n_allowed_ips <= WGCONF_MAX_LIST, "too many allowed IPs");
		check(memchr(peer->endpoint, '\0', sizeof(peer->endpoint)) != NULL, "an endpoint without its NUL");
		check_message(peer->endpoint, sizeof(peer->endpoint));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct wgconf zero;
	struct wgconf conf;
	struct wgconf_diagnostics diag;

	if (wgconf_parse((const char *)data, size, &conf, &diag) == 0) {
		check_parsed(&conf);
		wgconf_free(&conf);
	} else {
		check(memcmp(&conf, &zero, sizeof(conf)) == 0, "a failure that left something in conf");
		check(diag.error[0] != '\0', "a failure without a message");
		check_message(diag.error, sizeof(diag.error));
	}
	check(diag.n_warnings <= WGCONF_MAX_WARNINGS, "too many warnings");
	for (size_t i = 0; i < diag.n_warnings; i++)
		check_message(diag.warnings[i].message, sizeof(diag.warnings[i].message));
	return 0;
}
