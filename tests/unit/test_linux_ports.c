/* The Linux ports against the real kernel, inside a network namespace of the test's own: batches of
 * UDP datagrams over IPv4 and IPv6 loopback, re-opening under a blocked reader, ports in use,
 * truncation, marks; a TUN device carrying packets both ways, its MTU, and close waking a read.
 * Needs root; never touches the namespace it was started in. */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "platform/linux/tun.h"
#include "platform/linux/udp.h"
#include "port_support.h"

/* ---- Interfaces, configured with ioctls (only ever in the test's namespace) ---- */

static int control_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	return fd;
}

static void interface_request(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	g_assert_cmpuint(strlen(name), <, sizeof(ifr->ifr_name));
	memcpy(ifr->ifr_name, name, strlen(name));
}

static int interface_up(const char *name)
{
	struct ifreq ifr;
	int fd = control_socket(), ret = 0;

	interface_request(&ifr, name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void interface_set_ipv4(const char *name, const char *address, const char *netmask)
{
	struct ifreq ifr;
	struct sockaddr_in *in = (struct sockaddr_in *)&ifr.ifr_addr;
	int fd = control_socket();

	interface_request(&ifr, name);
	in->sin_family = AF_INET;
	g_assert_cmpint(inet_pton(AF_INET, address, &in->sin_addr), ==, 1);
	g_assert_cmpint(ioctl(fd, SIOCSIFADDR, &ifr), ==, 0);
	interface_request(&ifr, name);
	in->sin_family = AF_INET;
	g_assert_cmpint(inet_pton(AF_INET, netmask, &in->sin_addr), ==, 1);
	g_assert_cmpint(ioctl(fd, SIOCSIFNETMASK, &ifr), ==, 0);
	close(fd);
}

static void interface_set_mtu(const char *name, int mtu)
{
	struct ifreq ifr;
	int fd = control_socket();

	interface_request(&ifr, name);
	ifr.ifr_mtu = mtu;
	g_assert_cmpint(ioctl(fd, SIOCSIFMTU, &ifr), ==, 0);
	close(fd);
}

/* ---- Helpers ---- */

/* A datagram numbered index: the number, then a pattern, len bytes in all (len >= 2). */
static void fill_numbered(struct wh_packet *packet, unsigned index, uint32_t len)
{
	packet->data[0] = (uint8_t)(index >> 8);
	packet->data[1] = (uint8_t)index;
	for (uint32_t i = 2; i < len; i++)
		packet->data[i] = (uint8_t)(index * 7 + i);
	packet->len = len;
}

static unsigned check_numbered(const struct wh_packet *packet)
{
	unsigned index;

	g_assert_cmpuint(packet->len, >=, 2);
	index = (unsigned)packet->data[0] << 8 | packet->data[1];
	for (uint32_t i = 2; i < packet->len; i++)
		g_assert_cmpuint(packet->data[i], ==, (uint8_t)(index * 7 + i));
	return index;
}

static struct wh_bind_port new_udp(void)
{
	struct wh_bind_port port;

	g_assert_cmpint(wh_linux_udp_new(&port), ==, 0);
	return port;
}

/* Whether a plain socket of family can bind the wildcard address at port right now. */
static bool port_free(int family, uint16_t port)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1, ret;

	g_assert_cmpint(fd, >=, 0);
	if (family == AF_INET) {
		struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(port)};

		ret = bind(fd, (struct sockaddr *)&in, sizeof(in));
	} else {
		struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};

		g_assert_cmpint(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), ==, 0);
		ret = bind(fd, (struct sockaddr *)&in6, sizeof(in6));
	}
	close(fd);
	return ret == 0;
}

/* ---- UDP ---- */

enum { EXCHANGE_PER_FAMILY = 40 };

/* A batch over both families in one write arrives whole, from the sender's port, and the receiver
 * answers to the endpoint it read. */
static void test_udp_exchange(void)
{
	struct wh_bind_port a = new_udp(), b = new_udp();
	struct port_buffers out_buffers, in_buffers;
	struct wh_packet **out = port_buffers_init(&out_buffers, 2 * EXCHANGE_PER_FAMILY, 1500);
	struct wh_packet **in = port_buffers_init(&in_buffers, 2 * EXCHANGE_PER_FAMILY, 1500);
	struct wh_linux_udp_stats stats;
	unsigned received = 0, first_batch = 0, next[2] = {0, EXCHANGE_PER_FAMILY};
	uint16_t pa = open_bind(&a, 0), pb = open_bind(&b, 0);

	g_assert_cmpuint(pa, !=, pb);
	for (unsigned i = 0; i < 2 * EXCHANGE_PER_FAMILY; i++) {
		bool v6 = i >= EXCHANGE_PER_FAMILY;

		set_endpoint(&out[i]->endpoint, v6 ? AF_INET6 : AF_INET, v6 ? "::1" : "127.0.0.1", pb);
		fill_numbered(out[i], i, 2 + (i * 37) % 1400);
	}
	g_assert_cmpint(a.ops->write(a.ctx, out, 2 * EXCHANGE_PER_FAMILY), ==, 2 * EXCHANGE_PER_FAMILY);
	while (received < 2 * EXCHANGE_PER_FAMILY) {
		int got = b.ops->read(b.ctx, in, 2 * EXCHANGE_PER_FAMILY - received);

		g_assert_cmpint(got, >, 0);
		if (!first_batch)
			first_batch = (unsigned)got;
		for (int i = 0; i < got; i++) {
			unsigned index = check_numbered(in[i]);
			bool v6 = index >= EXCHANGE_PER_FAMILY;

			g_assert_cmpuint(in[i]->len, ==, 2 + (index * 37) % 1400);
			/* In order within each family. */
			g_assert_cmpuint(index, ==, next[v6]);
			next[v6]++;
			assert_endpoint(&in[i]->endpoint, v6 ? AF_INET6 : AF_INET, v6 ? "::1" : "127.0.0.1", pa);
		}
		received += (unsigned)got;
	}
	/* Everything was queued before the first read: recvmmsg takes more than one at a time. */
	g_assert_cmpuint(first_batch, >, 1);

	/* Replies go back to where the datagrams came from, over both families. */
	set_endpoint(&in[0]->endpoint, AF_INET, "127.0.0.1", pa);
	set_endpoint(&in[1]->endpoint, AF_INET6, "::1", pa);
	fill_numbered(in[0], 1000, 10);
	fill_numbered(in[1], 1001, 20);
	g_assert_cmpint(b.ops->write(b.ctx, in, 2), ==, 2);
	received = 0;
	while (received < 2) {
		int got = a.ops->read(a.ctx, out + received, 2 - received);

		g_assert_cmpint(got, >, 0);
		received += (unsigned)got;
	}
	g_assert_cmpuint(check_numbered(out[0]) + check_numbered(out[1]), ==, 2001);

	wh_linux_udp_get_stats(&b, &stats);
	g_assert_cmpuint(stats.rx_truncated + stats.tx_dropped, ==, 0);
	wh_linux_udp_get_stats(&a, &stats);
	g_assert_cmpuint(stats.rx_truncated + stats.tx_dropped, ==, 0);
	port_buffers_clear(&out_buffers);
	port_buffers_clear(&in_buffers);
	wh_linux_udp_free(&a);
	wh_linux_udp_free(&b);
}

enum { SEGMENTED_PER_FAMILY = 45, SEGMENT_LEN = 1400 };

/* A run of same-size datagrams (the last shorter) per family, in one write: with the offloads each
 * run leaves as one segmented send and arrives as one coalesced message; either way every datagram
 * arrives whole and in order. */
static void check_segmented_exchange(bool offloads)
{
	struct wh_bind_port a, b;
	struct port_buffers out_buffers, in_buffers;
	struct wh_packet **out = port_buffers_init(&out_buffers, 2 * SEGMENTED_PER_FAMILY, 1500);
	struct wh_packet **in = port_buffers_init(&in_buffers, 2 * SEGMENTED_PER_FAMILY, 1500);
	struct wh_linux_udp_stats sent, received_stats;
	unsigned received = 0, next[2] = {0, SEGMENTED_PER_FAMILY};
	uint16_t pa, pb;

	if (!offloads) {
		g_setenv("WIREHOP_UDP_GSO", "0", TRUE);
		g_setenv("WIREHOP_UDP_GRO", "0", TRUE);
	}
	a = new_udp();
	b = new_udp();
	g_unsetenv("WIREHOP_UDP_GSO");
	g_unsetenv("WIREHOP_UDP_GRO");
	pa = open_bind(&a, 0);
	pb = open_bind(&b, 0);
	for (unsigned i = 0; i < 2 * SEGMENTED_PER_FAMILY; i++) {
		bool v6 = i >= SEGMENTED_PER_FAMILY;
		bool last = i % SEGMENTED_PER_FAMILY == SEGMENTED_PER_FAMILY - 1;

		set_endpoint(&out[i]->endpoint, v6 ? AF_INET6 : AF_INET, v6 ? "::1" : "127.0.0.1", pb);
		fill_numbered(out[i], i, last ? SEGMENT_LEN / 2 : SEGMENT_LEN);
	}
	g_assert_cmpint(a.ops->write(a.ctx, out, 2 * SEGMENTED_PER_FAMILY), ==, 2 * SEGMENTED_PER_FAMILY);
	while (received < 2 * SEGMENTED_PER_FAMILY) {
		int got = b.ops->read(b.ctx, in, 2 * SEGMENTED_PER_FAMILY - received);

		g_assert_cmpint(got, >, 0);
		for (int i = 0; i < got; i++) {
			unsigned index = check_numbered(in[i]);
			bool v6 = index >= SEGMENTED_PER_FAMILY;
			bool last = index % SEGMENTED_PER_FAMILY == SEGMENTED_PER_FAMILY - 1;

			g_assert_cmpuint(in[i]->len, ==, last ? SEGMENT_LEN / 2 : SEGMENT_LEN);
			g_assert_cmpuint(index, ==, next[v6]);
			next[v6]++;
			assert_endpoint(&in[i]->endpoint, v6 ? AF_INET6 : AF_INET, v6 ? "::1" : "127.0.0.1", pa);
		}
		received += (unsigned)got;
	}
	wh_linux_udp_get_stats(&a, &sent);
	wh_linux_udp_get_stats(&b, &received_stats);
	g_assert_cmpuint(sent.tx_dropped + received_stats.rx_truncated, ==, 0);
	g_assert_cmpuint(sent.tx_segmented, ==, offloads ? 2 * SEGMENTED_PER_FAMILY : 0);
	g_assert_cmpuint(received_stats.rx_coalesced, ==, offloads ? 2 * SEGMENTED_PER_FAMILY : 0);
	port_buffers_clear(&out_buffers);
	port_buffers_clear(&in_buffers);
	wh_linux_udp_free(&a);
	wh_linux_udp_free(&b);
}

static void test_udp_segmented(void)
{
	check_segmented_exchange(true);
}

static void test_udp_segmented_off(void)
{
	check_segmented_exchange(false);
}

struct udp_reader {
	struct wh_bind_port port;
	struct port_buffers buffers;
	int got;
};

static gpointer udp_reader_main(gpointer data)
{
	struct udp_reader *reader = data;

	reader->got = reader->port.ops->read(reader->port.ctx, reader->buffers.pointers, 1);
	return NULL;
}

/* Moving to another port while the reader is blocked: the reader follows, the old port is free. */
static void test_udp_reopen_under_reader(void)
{
	struct wh_bind_port a = new_udp();
	struct udp_reader reader = {.port = new_udp()};
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 1, 100);
	uint16_t old_port, new_port;
	GThread *thread;

	open_bind(&a, 0);
	old_port = open_bind(&reader.port, 0);
	port_buffers_init(&reader.buffers, 1, 100);
	thread = g_thread_new("udp-reader", udp_reader_main, &reader);
	g_usleep(50 * 1000);
	new_port = open_bind(&reader.port, 0);
	g_assert_cmpuint(new_port, !=, old_port);
	set_endpoint(&packets[0]->endpoint, AF_INET6, "::1", new_port);
	fill_numbered(packets[0], 7, 50);
	g_assert_cmpint(a.ops->write(a.ctx, packets, 1), ==, 1);
	g_thread_join(thread);
	g_assert_cmpint(reader.got, ==, 1);
	g_assert_cmpuint(check_numbered(reader.buffers.pointers[0]), ==, 7);
	g_assert_true(port_free(AF_INET, old_port));
	g_assert_true(port_free(AF_INET6, old_port));
	g_assert_false(port_free(AF_INET, new_port));
	g_assert_false(port_free(AF_INET6, new_port));
	/* And back to the old port by number. */
	open_bind(&reader.port, old_port);
	g_assert_true(port_free(AF_INET, new_port));

	port_buffers_clear(&reader.buffers);
	port_buffers_clear(&buffers);
	wh_linux_udp_free(&a);
	wh_linux_udp_free(&reader.port);
}

/* A port in use is refused and the bind keeps its old sockets; the same port again is a no-op. */
static void test_udp_port_in_use(void)
{
	struct wh_bind_port a = new_udp(), b = new_udp();
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 1, 100);
	uint16_t pa = open_bind(&a, 0), pb = open_bind(&b, 0), bound = 0;

	g_assert_cmpint(b.ops->open(b.ctx, pa, &bound), ==, -EADDRINUSE);
	g_assert_cmpuint(open_bind(&a, pa), ==, pa);
	set_endpoint(&packets[0]->endpoint, AF_INET, "127.0.0.1", pb);
	fill_numbered(packets[0], 3, 30);
	g_assert_cmpint(a.ops->write(a.ctx, packets, 1), ==, 1);
	g_assert_cmpint(b.ops->read(b.ctx, packets, 1), ==, 1);
	g_assert_cmpuint(check_numbered(packets[0]), ==, 3);
	assert_endpoint(&packets[0]->endpoint, AF_INET, "127.0.0.1", pa);
	port_buffers_clear(&buffers);
	wh_linux_udp_free(&a);
	wh_linux_udp_free(&b);
}

/* Too long for the buffer: dropped and counted, the datagrams around it still delivered; a
 * destination the port cannot reach costs that datagram only. */
static void test_udp_drops(void)
{
	struct wh_bind_port a = new_udp(), b = new_udp();
	struct port_buffers out_buffers, in_buffers;
	struct wh_packet **out = port_buffers_init(&out_buffers, 4, 1500);
	struct wh_packet **in = port_buffers_init(&in_buffers, 4, 100);
	struct wh_linux_udp_stats stats;
	uint16_t pb;
	unsigned received = 0;

	open_bind(&a, 0);
	pb = open_bind(&b, 0);
	for (unsigned i = 0; i < 4; i++)
		set_endpoint(&out[i]->endpoint, AF_INET, "127.0.0.1", pb);
	fill_numbered(out[0], 0, 500);
	fill_numbered(out[1], 1, 100);
	fill_numbered(out[2], 2, 101);
	fill_numbered(out[3], 3, 40);
	g_assert_cmpint(a.ops->write(a.ctx, out, 4), ==, 4);
	while (received < 2) {
		int got = b.ops->read(b.ctx, in + received, 4 - received);

		g_assert_cmpint(got, >, 0);
		received += (unsigned)got;
	}
	g_assert_cmpuint(received, ==, 2);
	g_assert_cmpuint(check_numbered(in[0]), ==, 1);
	g_assert_cmpuint(check_numbered(in[1]), ==, 3);
	port_buffers_check_guards(&in_buffers);
	wh_linux_udp_get_stats(&b, &stats);
	g_assert_cmpuint(stats.rx_truncated, ==, 2);

	/* Unknown family, no route (only lo is up here), then one that goes through. */
	out[0]->endpoint.family = AF_UNIX;
	set_endpoint(&out[1]->endpoint, AF_INET, "192.0.2.1", 51820);
	g_assert_cmpint(a.ops->write(a.ctx, out, 2), ==, -EAFNOSUPPORT);
	g_assert_cmpint(a.ops->write(a.ctx, out + 1, 1), ==, -ENETUNREACH);
	g_assert_cmpint(a.ops->write(a.ctx, out, 4), ==, 2);
	wh_linux_udp_get_stats(&a, &stats);
	g_assert_cmpuint(stats.tx_dropped, ==, 5);
	port_buffers_clear(&out_buffers);
	port_buffers_clear(&in_buffers);
	wh_linux_udp_free(&a);
	wh_linux_udp_free(&b);
}

/* SO_MARK as root: set before open (applied when the sockets appear), changed and cleared after. */
static void test_udp_mark(void)
{
	struct wh_bind_port a = new_udp(), b = new_udp();
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 1, 100);
	uint16_t pb;

	g_assert_cmpint(a.ops->set_mark(a.ctx, 0x51), ==, 0);
	open_bind(&a, 0);
	pb = open_bind(&b, 0);
	g_assert_cmpint(a.ops->set_mark(a.ctx, 0x52), ==, 0);
	set_endpoint(&packets[0]->endpoint, AF_INET, "127.0.0.1", pb);
	fill_numbered(packets[0], 9, 20);
	g_assert_cmpint(a.ops->write(a.ctx, packets, 1), ==, 1);
	g_assert_cmpint(b.ops->read(b.ctx, packets, 1), ==, 1);
	g_assert_cmpint(a.ops->set_mark(a.ctx, 0), ==, 0);
	port_buffers_clear(&buffers);
	wh_linux_udp_free(&a);
	wh_linux_udp_free(&b);
}

static void test_udp_close_wakes_reader(void)
{
	struct wh_bind_port unopened = new_udp(), opened = new_udp();

	assert_close_wakes(unopened.ops->read, unopened.ops->close, unopened.ctx);
	open_bind(&opened, 0);
	assert_close_wakes(opened.ops->read, opened.ops->close, opened.ctx);
	wh_linux_udp_free(&unopened);
	wh_linux_udp_free(&opened);
}

/* ---- TUN ---- */

struct tun_fixture {
	struct wh_tun_port port;
	char name[IFNAMSIZ];
};

/* A TUN interface at 10.77.0.1/24, up, MTU 1380. */
static void tun_fixture_open(struct tun_fixture *tun)
{
	g_assert_cmpint(wh_linux_tun_open("whtest%d", &tun->port, tun->name), ==, 0);
	g_assert_true(g_str_has_prefix(tun->name, "whtest"));
	g_assert_cmpuint(if_nametoindex(tun->name), !=, 0);
	interface_set_mtu(tun->name, 1380);
	interface_set_ipv4(tun->name, "10.77.0.1", "255.255.255.0");
	g_assert_cmpint(interface_up(tun->name), ==, 0);
}

static uint16_t ipv4_checksum(const uint8_t *header, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)header[i] << 8 | header[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An IPv4/UDP packet (UDP checksum 0: none) into packet. */
static void build_udp4(struct wh_packet *packet, const char *source, uint16_t source_port, const char *destination,
		       uint16_t destination_port, const void *payload, size_t payload_len)
{
	uint8_t *p = packet->data;
	size_t total = 28 + payload_len;
	uint16_t checksum;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	g_assert_cmpint(inet_pton(AF_INET, source, p + 12), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET, destination, p + 16), ==, 1);
	checksum = ipv4_checksum(p, 20);
	p[10] = (uint8_t)(checksum >> 8);
	p[11] = (uint8_t)checksum;
	p[20] = (uint8_t)(source_port >> 8);
	p[21] = (uint8_t)source_port;
	p[22] = (uint8_t)(destination_port >> 8);
	p[23] = (uint8_t)destination_port;
	p[24] = (uint8_t)((8 + payload_len) >> 8);
	p[25] = (uint8_t)(8 + payload_len);
	memcpy(p + 28, payload, payload_len);
	packet->len = (uint32_t)total;
}

static void send_udp4(const char *destination, uint16_t port, const void *payload, size_t len)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(inet_pton(AF_INET, destination, &to.sin_addr), ==, 1);
	g_assert_cmpint(sendto(fd, payload, len, 0, (struct sockaddr *)&to, sizeof(to)), ==, (ssize_t)len);
	close(fd);
}

/* The payload of an IPv4/UDP packet to destination:port, or NULL for anything else (the kernel may
 * send other traffic through the interface). */
static const uint8_t *udp4_payload(const struct wh_packet *packet, const char *destination, uint16_t port,
				   size_t *payload_len)
{
	uint8_t address[4];

	g_assert_cmpint(inet_pton(AF_INET, destination, address), ==, 1);
	if (packet->len < 28 || packet->data[0] != 0x45 || packet->data[9] != IPPROTO_UDP ||
	    memcmp(packet->data + 16, address, 4) || (packet->data[22] << 8 | packet->data[23]) != port)
		return NULL;
	g_assert_cmpuint(packet->data[2] << 8 | packet->data[3], ==, packet->len);
	*payload_len = packet->len - 28;
	return packet->data + 28;
}

/* The kernel routes datagrams into the TUN (read, in batches), packets written to it reach a
 * socket, a packet the kernel refuses costs only itself; the MTU is the interface's. */
static void test_tun_both_ways(void)
{
	struct tun_fixture tun;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 8, 1500);
	struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons(7777)};
	struct wh_linux_tun_stats stats;
	unsigned seen = 0;
	int fd;

	tun_fixture_open(&tun);
	g_assert_cmpuint(tun.port.ops->mtu(tun.port.ctx), ==, 1380);
	interface_set_mtu(tun.name, 1420);
	g_assert_cmpuint(tun.port.ops->mtu(tun.port.ctx), ==, 1420);

	for (unsigned i = 0; i < 5; i++) {
		char payload[32];

		g_snprintf(payload, sizeof(payload), "to the tunnel %u", i);
		send_udp4("10.77.0.2", 9999, payload, strlen(payload));
	}
	while (seen < 5) {
		int got = tun.port.ops->read(tun.port.ctx, packets, 8);

		g_assert_cmpint(got, >, 0);
		for (int i = 0; i < got; i++) {
			char expected[32];
			size_t len;
			const uint8_t *payload = udp4_payload(packets[i], "10.77.0.2", 9999, &len);

			if (!payload)
				continue;
			g_snprintf(expected, sizeof(expected), "to the tunnel %u", seen++);
			g_assert_cmpmem(payload, len, expected, strlen(expected));
		}
	}

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(inet_pton(AF_INET, "10.77.0.1", &local.sin_addr), ==, 1);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&local, sizeof(local)), ==, 0);
	build_udp4(packets[0], "10.77.0.2", 9999, "10.77.0.1", 7777, "first", 5);
	memset(packets[1]->data, 0, 40); /* IP version 0: refused with EINVAL */
	packets[1]->len = 40;
	build_udp4(packets[2], "10.77.0.2", 9999, "10.77.0.1", 7777, "second", 6);
	g_assert_cmpint(tun.port.ops->write(tun.port.ctx, packets, 3), ==, 2);
	g_assert_cmpint(tun.port.ops->write(tun.port.ctx, packets + 1, 1), ==, -EINVAL);
	wh_linux_tun_get_stats(&tun.port, &stats);
	g_assert_cmpuint(stats.tx_dropped, ==, 2);
	for (unsigned i = 0; i < 2; i++) {
		struct sockaddr_in from;
		socklen_t from_len = sizeof(from);
		char received[16], address[INET_ADDRSTRLEN];
		ssize_t len = recvfrom(fd, received, sizeof(received), 0, (struct sockaddr *)&from, &from_len);

		g_assert_cmpmem(received, len, i ? "second" : "first", i ? 6 : 5);
		g_assert_cmpstr(inet_ntop(AF_INET, &from.sin_addr, address, sizeof(address)), ==, "10.77.0.2");
		g_assert_cmpuint(ntohs(from.sin_port), ==, 9999);
	}
	close(fd);
	port_buffers_clear(&buffers);
	wh_linux_tun_free(&tun.port);
	/* Not persistent: the interface is gone with its descriptor. */
	g_assert_cmpuint(if_nametoindex(tun.name), ==, 0);
}

/* A packet longer than the buffer offered is dropped whole (the kernel would hand over its head
 * only), without a byte written past the buffer; the next one arrives intact. */
static void test_tun_truncated(void)
{
	struct tun_fixture tun;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 4, 100);
	struct wh_linux_tun_stats stats;
	uint8_t large[400];
	bool small_seen = false;

	tun_fixture_open(&tun);
	memset(large, 'L', sizeof(large));
	send_udp4("10.77.0.2", 9999, large, sizeof(large));
	send_udp4("10.77.0.2", 9999, "small", 5);
	while (!small_seen) {
		int got = tun.port.ops->read(tun.port.ctx, packets, 4);

		g_assert_cmpint(got, >, 0);
		for (int i = 0; i < got; i++) {
			size_t len;
			const uint8_t *payload = udp4_payload(packets[i], "10.77.0.2", 9999, &len);

			if (!payload)
				continue;
			g_assert_cmpmem(payload, len, "small", 5);
			small_seen = true;
		}
	}
	port_buffers_check_guards(&buffers);
	wh_linux_tun_get_stats(&tun.port, &stats);
	g_assert_cmpuint(stats.rx_truncated, >=, 1);
	port_buffers_clear(&buffers);
	wh_linux_tun_free(&tun.port);
}

/* One process at a time on a TUN interface; names that cannot be interface names are refused. */
static void test_tun_open_errors(void)
{
	struct tun_fixture tun;
	struct wh_tun_port second;
	char name[IFNAMSIZ];

	tun_fixture_open(&tun);
	g_assert_cmpint(wh_linux_tun_open(tun.name, &second, name), ==, -EBUSY);
	g_assert_cmpint(wh_linux_tun_open("a-name-far-too-long-for-linux", &second, name), ==, -EINVAL);
	wh_linux_tun_free(&tun.port);
	/* Free again is harmless. */
	wh_linux_tun_free(&tun.port);
}

static void test_tun_close_wakes_reader(void)
{
	struct tun_fixture tun;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 1, 1500);

	/* Down, so quiet: once up, the kernel sends IPv6 router solicitations through it. */
	g_assert_cmpint(wh_linux_tun_open("whtest%d", &tun.port, tun.name), ==, 0);
	assert_close_wakes(tun.port.ops->read, tun.port.ops->close, tun.port.ctx);
	/* Writes still work after close. */
	interface_set_ipv4(tun.name, "10.77.0.1", "255.255.255.0");
	g_assert_cmpint(interface_up(tun.name), ==, 0);
	build_udp4(packets[0], "10.77.0.2", 9999, "10.77.0.1", 7777, "late", 4);
	g_assert_cmpint(tun.port.ops->write(tun.port.ctx, packets, 1), ==, 1);
	port_buffers_clear(&buffers);
	wh_linux_tun_free(&tun.port);
}

int main(int argc, char **argv)
{
	int ret;

	if (geteuid() != 0) {
		if (g_strcmp0(g_getenv("WIREHOP_ALLOW_SKIP"), "1") == 0) {
			fprintf(stderr, "test_linux_ports: not root, skipped (WIREHOP_ALLOW_SKIP=1)\n");
			return 77;
		}
		fprintf(stderr, "test_linux_ports: needs root to create a network namespace with a TUN device and "
				"sockets in it; run it as root (or set WIREHOP_ALLOW_SKIP=1 to skip it)\n");
		return 1;
	}
	/* Before any thread exists, so that every thread of the test lives in the new namespace. */
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_linux_ports: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 1;
	}
	ret = interface_up("lo");
	if (ret < 0) {
		fprintf(stderr, "test_linux_ports: bringing up lo in the test's namespace: %s\n", strerror(-ret));
		return 1;
	}
	/* The tests choose the optimisations themselves, whatever run they are part of (tools/dev runs
	 * the integration suite again with WIREHOP_OFFLOADS=0). */
	g_unsetenv("WIREHOP_OFFLOADS");
	g_unsetenv("WIREHOP_BATCH");
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/linux/udp/exchange", test_udp_exchange);
	g_test_add_func("/linux/udp/segmented", test_udp_segmented);
	g_test_add_func("/linux/udp/segmented-off", test_udp_segmented_off);
	g_test_add_func("/linux/udp/reopen-under-reader", test_udp_reopen_under_reader);
	g_test_add_func("/linux/udp/port-in-use", test_udp_port_in_use);
	g_test_add_func("/linux/udp/drops", test_udp_drops);
	g_test_add_func("/linux/udp/mark", test_udp_mark);
	g_test_add_func("/linux/udp/close-wakes-reader", test_udp_close_wakes_reader);
	g_test_add_func("/linux/tun/both-ways", test_tun_both_ways);
	g_test_add_func("/linux/tun/truncated", test_tun_truncated);
	g_test_add_func("/linux/tun/open-errors", test_tun_open_errors);
	g_test_add_func("/linux/tun/close-wakes-reader", test_tun_close_wakes_reader);
	return g_test_run();
}
