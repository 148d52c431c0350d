/* The demo until the device lands: two Wirehop engines in one process, joined by an in-memory
 * network under a simulated clock, do a real WireGuard handshake, exchange packets, rekey, and
 * measure in-place encryption throughput. Uses only the public API. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wirehop/tunnel.h"

enum { QUEUE_MAX = 64, DATAGRAM_MAX = 2048, PACKET_LEN = 1400 };

struct datagram {
	int to;
	size_t len;
	uint8_t data[DATAGRAM_MAX];
};

struct node {
	const char *name;
	struct wh_engine *engine;
	struct wh_peer *peer;
	struct wh_endpoint endpoint;
	uint8_t tunnel_ip[4];
	uint64_t delivered;
	uint64_t delivered_bytes;
};

static struct node nodes[2];
static struct datagram *queue[QUEUE_MAX];
static int queued;
static bool quiet;
static uint64_t simulated_ns = UINT64_C(1000) * 1000000000u;

static uint64_t sim_monotonic(void *ctx)
{
	(void)ctx;
	return simulated_ns;
}

static uint64_t sim_realtime(void *ctx)
{
	(void)ctx;
	return (uint64_t)time(NULL) * 1000000000u + simulated_ns;
}

static const char *message_name(uint8_t type)
{
	static const char *const names[] = {"?", "handshake initiation", "handshake response", "cookie reply",
					    "transport data"};
	return type < 5 ? names[type] : "?";
}

static void send_datagram(void *ctx, const struct wh_endpoint *to, const uint8_t *data, size_t len)
{
	struct node *from = ctx;
	int target = from == &nodes[0] ? 1 : 0;
	struct datagram *datagram;

	(void)to;
	if (!quiet)
		printf("  %s -> %s: %-20s %4zu bytes  %02x%02x%02x%02x %02x%02x%02x%02x ...\n", from->name,
		       nodes[target].name, message_name(data[0]), len, data[0], data[1], data[2], data[3], data[4],
		       data[5], data[6], data[7]);
	if (queued == QUEUE_MAX || len > DATAGRAM_MAX)
		return;
	datagram = malloc(sizeof(*datagram));
	if (!datagram)
		return;
	datagram->to = target;
	datagram->len = len;
	memcpy(datagram->data, data, len);
	queue[queued++] = datagram;
}

static void deliver_packet(void *ctx, struct wh_peer *peer, uint8_t *packet, size_t len)
{
	struct node *node = ctx;

	(void)peer;
	(void)packet;
	node->delivered++;
	node->delivered_bytes += len;
}

static void pump(void)
{
	while (queued) {
		struct datagram *datagram = queue[0];

		memmove(queue, queue + 1, (size_t)--queued * sizeof(queue[0]));
		wh_engine_receive(nodes[datagram->to].engine, datagram->data, datagram->len,
				  &nodes[1 - datagram->to].endpoint);
		free(datagram);
	}
}

static int send_packet(int from, size_t len)
{
	static uint8_t buffer[WH_ENGINE_HEADROOM + PACKET_LEN + WH_ENGINE_TAILROOM];
	uint8_t *packet = buffer + WH_ENGINE_HEADROOM;

	memset(packet, 0, len);
	packet[0] = 0x45;
	packet[2] = (uint8_t)(len >> 8);
	packet[3] = (uint8_t)len;
	packet[8] = 64;
	packet[9] = 1;
	memcpy(packet + 12, nodes[from].tunnel_ip, 4);
	memcpy(packet + 16, nodes[1 - from].tunnel_ip, 4);
	return wh_engine_send(nodes[from].engine, packet, len);
}

static void advance(uint64_t seconds)
{
	for (uint64_t i = 0; i < seconds * 10; i++) {
		simulated_ns += 100000000u;
		wh_engine_tick(nodes[0].engine);
		wh_engine_tick(nodes[1].engine);
		pump();
	}
}

static int setup(void)
{
	static const struct wh_clock clock = {sim_monotonic, sim_realtime, NULL};
	uint8_t private_keys[2][WH_KEY_SIZE], public_keys[2][WH_KEY_SIZE];
	char text[WH_KEY_BASE64_LEN + 1];

	nodes[0].name = "client";
	nodes[1].name = "relay ";
	for (int i = 0; i < 2; i++) {
		struct wh_engine_config config = {
			.callbacks = {send_datagram, deliver_packet},
			.callback_ctx = &nodes[i],
			.clock = &clock,
			.mtu = 1420,
		};

		nodes[i].engine = wh_engine_new(&config);
		if (!nodes[i].engine)
			return -1;
		wh_key_generate_private(private_keys[i], NULL);
		wh_engine_set_private_key(nodes[i].engine, private_keys[i]);
		wh_engine_get_public_key(nodes[i].engine, public_keys[i]);
		nodes[i].endpoint.family = AF_INET;
		nodes[i].endpoint.port = (uint16_t)(51820 + i);
		inet_pton(AF_INET, i ? "192.0.2.2" : "192.0.2.1", nodes[i].endpoint.addr);
		inet_pton(AF_INET, i ? "10.64.0.1" : "10.64.0.2", nodes[i].tunnel_ip);
		wh_key_to_base64(text, public_keys[i]);
		printf("%s public key %s\n", nodes[i].name, text);
	}
	for (int i = 0; i < 2; i++) {
		nodes[i].peer = wh_engine_add_peer(nodes[i].engine, public_keys[1 - i]);
		if (!nodes[i].peer)
			return -1;
		wh_peer_add_allowed_ip(nodes[i].peer, AF_INET, nodes[1 - i].tunnel_ip, 32);
		wh_peer_set_endpoint(nodes[i].peer, &nodes[1 - i].endpoint);
	}
	memset(private_keys, 0, sizeof(private_keys));
	return 0;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(void)
{
	struct wh_peer_stats stats;
	struct timespec start;
	const unsigned rounds = 20000;
	double elapsed;

	printf("Wirehop engine %s: two engines in one process, in-memory network, simulated clock\n",
	       wh_version());
	if (wh_init() != 0 || setup() != 0) {
		fprintf(stderr, "demo: cannot start the engines\n");
		return 1;
	}
	printf("\n");

	printf("1. The client sends a packet; with no session yet it is staged and a handshake starts:\n");
	send_packet(0, 84);
	pump();
	printf("   relay delivered %" PRIu64 " packet(s) to its tunnel side\n\n", nodes[1].delivered);

	printf("2. The relay answers at once (the first data message confirmed its session):\n");
	send_packet(1, 84);
	pump();
	printf("   client delivered %" PRIu64 " packet(s)\n\n", nodes[0].delivered);

	printf("3. 125 simulated seconds of a packet every 5 s: the initiator rekeys after 120 s:\n");
	quiet = true;
	for (int i = 0; i < 25; i++) {
		if (i == 24)
			quiet = false;
		send_packet(i % 2, 200);
		pump();
		advance(5);
	}
	quiet = true;

	wh_peer_get_stats(nodes[0].peer, &stats);
	printf("\n   client: tx %" PRIu64 " bytes, rx %" PRIu64 " bytes, last handshake %" PRIu64 " s ago\n\n",
	       stats.tx_bytes, stats.rx_bytes,
	       (sim_realtime(NULL) - stats.last_handshake_realtime_ns) / 1000000000u);

	printf("4. Throughput of the whole send/receive path in one thread (%u packets of %d bytes):\n", rounds,
	       PACKET_LEN);
	nodes[1].delivered_bytes = 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (unsigned i = 0; i < rounds; i++) {
		send_packet(0, PACKET_LEN);
		pump();
	}
	elapsed = seconds_since(&start);
	printf("   %.0f Mbit/s of plaintext sealed and opened in place (debug build with sanitizers:\n"
	       "   the device issue's benchmark measures the real thing)\n",
	       (double)nodes[1].delivered_bytes * 8 / elapsed / 1e6);

	wh_engine_free(nodes[0].engine);
	wh_engine_free(nodes[1].engine);
	return 0;
}
