/* The kill switch against the kernel: this process moves into namespace a and blocks there, sockets
 * it leaves in namespace b listen and send, and what arrives shows what the rules let through.
 * Needs root; the caller's own namespace and its firewall are never touched. */
#include "firewall.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

enum netns { NETNS_A, NETNS_B };

enum {
	RELAY_PORT = 51820,
	OTHER_RELAY_PORT = 51821,
	CLOSED_PORT = 51899, /* nothing listens there: b answers with port unreachable */
	UDP_PORT = 9999,
	TCP_PORT = 8080,
	RECEIVE_WAIT_MS = 400,
	CONNECT_DEADLINE_MS = 1000,
	COUNTER_WAIT_MS = 1000,
};

#define A_V4 "192.0.2.1"
#define B_V4 "192.0.2.2"
#define A_V4_FROM_DUAL_STACK "::ffff:192.0.2.1"
#define A_V6 "fd00:77::1"
#define B_V6 "fd00:77::2"
#define TUNNEL "wh-test0"
#define TUNNEL_NET "198.51.100"
#define OTHER_LINK "wh-other0"
#define OTHER_NET "203.0.113"

static char netns_name[2][32];
static char netns_path[2][64];
static int netns_fd[2] = {-1, -1};

/* Dual-stack sockets in b, so one serves IPv4 and IPv6. */
static struct {
	int relay_udp;
	int other_relay_udp;
	int plain_udp;
	int tcp;
} b_socket;

/* Async-signal-safe: what "ip netns del" does. The namespaces die with their last user, this
 * process. */
static void remove_namespaces(void)
{
	for (int i = 0; i < 2; i++) {
		if (netns_path[i][0] == '\0')
			continue;
		umount2(netns_path[i], MNT_DETACH);
		unlink(netns_path[i]);
	}
}

static void on_fatal_signal(int signal_number)
{
	remove_namespaces();
	signal(signal_number, SIG_DFL);
	raise(signal_number);
}

static char *command_output_v(const char *format, va_list args) G_GNUC_PRINTF(1, 0);
static char *command_output_v(const char *format, va_list args)
{
	g_autofree char *command = g_strdup_vprintf(format, args);
	g_autoptr(GError) error = NULL;
	g_autofree char *errors = NULL;
	char *output = NULL;
	int status;
	if (!g_spawn_command_line_sync(command, &output, &errors, &status, &error) ||
	    !g_spawn_check_wait_status(status, &error))
		g_error("%s: %s: %s", command, error->message,
			errors ? g_strdelimit(g_strstrip(errors), "\n", ' ') : "");
	return output;
}

static char *command_output(const char *format, ...) G_GNUC_PRINTF(1, 2);
static char *command_output(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	char *output = command_output_v(format, args);
	va_end(args);
	return output;
}

static void run(const char *format, ...) G_GNUC_PRINTF(1, 2);
static void run(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	g_free(command_output_v(format, args));
	va_end(args);
}

static void enter_netns(enum netns which)
{
	if (setns(netns_fd[which], CLONE_NEWNET) != 0)
		g_error("setns %s: %s", netns_name[which], g_strerror(errno));
}

static bool in_netns_a(void)
{
	struct stat mine, a;
	return stat("/proc/thread-self/ns/net", &mine) == 0 && fstat(netns_fd[NETNS_A], &a) == 0 &&
	       mine.st_dev == a.st_dev && mine.st_ino == a.st_ino;
}

static void make_netns(enum netns which, const char *v4, const char *v6)
{
	const char *name = netns_name[which];
	run("ip -n %s link set lo up", name);
	run("ip -n %s address add %s/24 dev veth0", name, v4);
	run("ip -n %s address add %s/64 dev veth0 nodad", name, v6);
	run("ip -n %s link set veth0 up", name);
	/* Every ICMP error b sends must arrive, however close together the cases run. */
	run("ip netns exec %s sysctl -q -w net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0", name);
	netns_fd[which] = open(netns_path[which], O_RDONLY | O_CLOEXEC);
	g_assert_cmpint(netns_fd[which], >=, 0);
}

/* a (192.0.2.1, fd00:77::1) and b (.2, ::2) joined by a veth; b routes the test networks through
 * a, which forwards them to the links test_tunnel_by_name adds: the forward chain is seen too. */
static void make_namespaces(void)
{
	for (int i = 0; i < 2; i++) {
		snprintf(netns_name[i], sizeof(netns_name[i]), "wh-fw-%d-%c", (int)getpid(), 'a' + i);
		snprintf(netns_path[i], sizeof(netns_path[i]), "/run/netns/%s", netns_name[i]);
	}
	atexit(remove_namespaces);
	const int fatal_signals[] = {SIGABRT, SIGTRAP, SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	for (size_t i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
		signal(fatal_signals[i], on_fatal_signal);

	const char *a = netns_name[NETNS_A], *b = netns_name[NETNS_B];
	run("ip netns add %s", a);
	run("ip netns add %s", b);
	run("ip -n %s link add veth0 type veth peer name veth0 netns %s", a, b);
	make_netns(NETNS_A, A_V4, A_V6);
	make_netns(NETNS_B, B_V4, B_V6);
	run("ip netns exec %s sysctl -q -w net.ipv4.ip_forward=1", a);
	run("ip -n %s route add " TUNNEL_NET ".0/24 via " A_V4, b);
	run("ip -n %s route add " OTHER_NET ".0/24 via " A_V4, b);
}

static socklen_t socket_address(int family, const char *text, uint16_t port,
				struct sockaddr_storage *address)
{
	memset(address, 0, sizeof(*address));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)address;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		g_assert_cmpint(inet_pton(AF_INET, text, &in->sin_addr), ==, 1);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)address;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	g_assert_cmpint(inet_pton(AF_INET6, text, &in6->sin6_addr), ==, 1);
	return sizeof(*in6);
}

static const char *b_address(int family)
{
	return family == AF_INET ? B_V4 : B_V6;
}

static int open_socket(int family, int type)
{
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	g_assert_cmpint(fd, >=, 0);
	return fd;
}

static void bind_to(int fd, int family, const char *text, uint16_t port)
{
	struct sockaddr_storage address;
	socklen_t length = socket_address(family, text, port, &address);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&address, length), ==, 0);
}

/* A socket stays in the namespace it was made in, so b's are made on a short visit there. */
static int socket_in_b(int type, uint16_t port)
{
	enter_netns(NETNS_B);
	int fd = open_socket(AF_INET6, type);
	int off = 0, on = 1;
	g_assert_cmpint(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)), ==, 0);
	g_assert_cmpint(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)), ==, 0);
	bind_to(fd, AF_INET6, "::", port);
	if (type == SOCK_STREAM)
		g_assert_cmpint(listen(fd, 16), ==, 0);
	enter_netns(NETNS_A);
	return fd;
}

/* Sends a numbered datagram from sender to `to` and waits for it on receiver. False when netfilter
 * refused the send (EPERM) or it did not arrive in time. */
static bool udp_delivers(int sender, const struct sockaddr_storage *to, socklen_t to_length,
			 int receiver)
{
	static unsigned sequence;
	char payload[32];
	int length = snprintf(payload, sizeof(payload), "probe %u", ++sequence);
	if (sendto(sender, payload, length, 0, (const struct sockaddr *)to, to_length) < 0) {
		g_assert_cmpint(errno, ==, EPERM);
		return false;
	}
	gint64 deadline = g_get_monotonic_time() + RECEIVE_WAIT_MS * G_TIME_SPAN_MILLISECOND;
	for (;;) {
		gint64 remaining = deadline - g_get_monotonic_time();
		if (remaining <= 0)
			return false;
		struct pollfd ready = {.fd = receiver, .events = POLLIN};
		if (poll(&ready, 1, (int)(remaining / G_TIME_SPAN_MILLISECOND) + 1) <= 0)
			continue;
		char buffer[64];
		ssize_t received = recv(receiver, buffer, sizeof(buffer), 0);
		/* Older probes that were let through late are skipped. */
		if (received == length && memcmp(buffer, payload, (size_t)length) == 0)
			return true;
	}
}

static bool udp_a_to_b(int family, uint16_t port, int listener)
{
	int sender = open_socket(family, SOCK_DGRAM);
	struct sockaddr_storage to;
	socklen_t length = socket_address(family, b_address(family), port, &to);
	bool delivered = udp_delivers(sender, &to, length, listener);
	close(sender);
	return delivered;
}

static bool udp_b_to_a(int family, int b_sender)
{
	int receiver = open_socket(family, SOCK_DGRAM);
	bind_to(receiver, family, family == AF_INET ? A_V4 : A_V6, 0);
	struct sockaddr_storage bound;
	socklen_t length = sizeof(bound);
	g_assert_cmpint(getsockname(receiver, (struct sockaddr *)&bound, &length), ==, 0);
	uint16_t port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port); /* same offset in both */
	struct sockaddr_storage to;
	length = socket_address(AF_INET6, family == AF_INET ? A_V4_FROM_DUAL_STACK : A_V6, port, &to);
	bool delivered = udp_delivers(b_sender, &to, length, receiver);
	close(receiver);
	return delivered;
}

static bool udp_over_loopback(int family)
{
	int receiver = open_socket(family, SOCK_DGRAM);
	bind_to(receiver, family, family == AF_INET ? "127.0.0.1" : "::1", 0);
	struct sockaddr_storage to;
	socklen_t length = sizeof(to);
	g_assert_cmpint(getsockname(receiver, (struct sockaddr *)&to, &length), ==, 0);
	int sender = open_socket(family, SOCK_DGRAM);
	bool delivered = udp_delivers(sender, &to, length, receiver);
	close(sender);
	close(receiver);
	return delivered;
}

/* a's socket of type, connecting (non-blocking) to b at port; *status: 0 or connect's errno. */
static int connect_to_b(int family, int type, uint16_t port, int *status)
{
	int fd = open_socket(family, type);
	struct sockaddr_storage to;
	socklen_t length = socket_address(family, b_address(family), port, &to);
	*status = connect(fd, (struct sockaddr *)&to, length) == 0 ? 0 : errno;
	return fd;
}

/* A connect that must finish within CONNECT_DEADLINE_MS; a dropped SYN never does. */
static bool tcp_a_to_b(int family, uint16_t port)
{
	int status;
	int fd = connect_to_b(family, SOCK_STREAM, port, &status);
	if (status == EINPROGRESS) {
		struct pollfd ready = {.fd = fd, .events = POLLOUT};
		socklen_t length = sizeof(status);
		if (poll(&ready, 1, CONNECT_DEADLINE_MS) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length) != 0)
			status = ETIMEDOUT;
	}
	close(fd);
	int accepted;
	while ((accepted = accept(b_socket.tcp, NULL, NULL)) >= 0)
		close(accepted);
	return status == 0;
}

/* Whether b's port unreachable, for a datagram to a closed port, comes back through a's input. */
static bool udp_refused_by_b(int family, uint16_t closed_port)
{
	int status;
	int fd = connect_to_b(family, SOCK_DGRAM, closed_port, &status);
	g_assert_cmpint(status, ==, 0);
	g_assert_cmpint(send(fd, "probe", 5, 0), ==, 5);
	struct pollfd ready = {.fd = fd, .events = POLLIN};
	char buffer[8];
	bool refused = poll(&ready, 1, RECEIVE_WAIT_MS) == 1 &&
		       recv(fd, buffer, sizeof(buffer), 0) < 0 && errno == ECONNREFUSED;
	close(fd);
	return refused;
}

/* Packets sent out of ifname in namespace a (getifaddrs asks this thread's namespace). */
static uint32_t tx_packets(const char *ifname)
{
	struct ifaddrs *all;
	g_assert_cmpint(getifaddrs(&all), ==, 0);
	uint32_t packets = UINT32_MAX;
	for (struct ifaddrs *entry = all; entry; entry = entry->ifa_next) {
		if (entry->ifa_addr && entry->ifa_addr->sa_family == AF_PACKET && entry->ifa_data &&
		    strcmp(entry->ifa_name, ifname) == 0)
			packets = ((const struct rtnl_link_stats *)entry->ifa_data)->tx_packets;
	}
	freeifaddrs(all);
	g_assert_cmpuint(packets, !=, UINT32_MAX);
	return packets;
}

/* Whether a datagram that b sends to host in net, routed through a, leaves a by link. */
static bool forwarded_out_of(const char *net, const char *link)
{
	int sender = socket_in_b(SOCK_DGRAM, 0);
	g_autofree char *host = g_strdup_printf("::ffff:%s.1", net);
	struct sockaddr_storage to;
	socklen_t length = socket_address(AF_INET6, host, 53, &to);
	uint32_t before = tx_packets(link);
	g_assert_cmpint(sendto(sender, "probe", 5, 0, (struct sockaddr *)&to, length), ==, 5);
	close(sender);
	gint64 deadline = g_get_monotonic_time() + COUNTER_WAIT_MS * G_TIME_SPAN_MILLISECOND;
	while (g_get_monotonic_time() < deadline) {
		if (tx_packets(link) != before)
			return true;
		g_usleep(10 * G_TIME_SPAN_MILLISECOND);
	}
	return false;
}

/* Whether a's own datagram to host in net is let out (it leaves by that net's dummy link). */
static bool sent_from_a(const char *net, const char *link)
{
	int sender = open_socket(AF_INET, SOCK_DGRAM);
	g_autofree char *host = g_strdup_printf("%s.1", net);
	struct sockaddr_storage to;
	socklen_t length = socket_address(AF_INET, host, 53, &to);
	uint32_t before = tx_packets(link);
	bool sent = sendto(sender, "probe", 5, 0, (struct sockaddr *)&to, length) == 5;
	if (!sent)
		g_assert_cmpint(errno, ==, EPERM);
	close(sender);
	/* A dummy link counts in its transmit call, before sendto returns. */
	g_assert_cmpuint(tx_packets(link) - before, ==, sent ? 1 : 0);
	return sent;
}

static struct firewall_policy relay_policy(int family, uint16_t port)
{
	struct firewall_policy policy = {
		.tunnel_ifname = TUNNEL,
		.endpoint_family = family,
		.endpoint_port = port,
	};
	g_assert_cmpint(inet_pton(family, b_address(family), policy.endpoint_addr), ==, 1);
	return policy;
}

static void block(int family, uint16_t port)
{
	struct firewall_policy policy = relay_policy(family, port);
	g_autoptr(GError) error = NULL;
	bool ok = firewall_block(&policy, &error);
	g_assert_no_error(error);
	g_assert_true(ok);
}

static void unblock(void)
{
	g_autoptr(GError) error = NULL;
	bool ok = firewall_unblock(&error);
	g_assert_no_error(error);
	g_assert_true(ok);
}

static char *ruleset_of_a(void)
{
	return command_output("ip netns exec %s nft list ruleset", netns_name[NETNS_A]);
}

static unsigned occurrences(const char *text, const char *needle)
{
	unsigned count = 0;
	for (const char *at = strstr(text, needle); at; at = strstr(at + 1, needle))
		count++;
	return count;
}

/* Every case starts in namespace a with nothing blocked. */
static void begin_case(void)
{
	g_assert_true(in_netns_a());
	unblock();
}

/* Under a block for b's relay port in family: the relay's UDP both ways and loopback pass; other
 * ports, TCP and the relay's address in the other family do not. */
static void assert_only_relay_passes(int family)
{
	int other_family = family == AF_INET ? AF_INET6 : AF_INET;
	g_assert_true(udp_a_to_b(family, RELAY_PORT, b_socket.relay_udp));
	g_assert_true(udp_b_to_a(family, b_socket.relay_udp));
	g_assert_false(udp_a_to_b(family, UDP_PORT, b_socket.plain_udp));
	g_assert_false(udp_b_to_a(family, b_socket.plain_udp));
	g_assert_false(tcp_a_to_b(family, TCP_PORT));
	g_assert_false(udp_a_to_b(other_family, RELAY_PORT, b_socket.relay_udp));
	g_assert_true(udp_over_loopback(AF_INET));
	g_assert_true(udp_over_loopback(AF_INET6));
}

static void test_block_ipv4(void)
{
	begin_case();
	g_assert_false(firewall_is_blocking());
	block(AF_INET, RELAY_PORT);
	g_assert_true(firewall_is_blocking());
	g_autofree char *ruleset = ruleset_of_a();
	g_test_message("rule set:\n%s", ruleset);

	assert_only_relay_passes(AF_INET);
}

static void test_unblock(void)
{
	begin_case();
	block(AF_INET, RELAY_PORT);
	g_assert_false(udp_a_to_b(AF_INET, UDP_PORT, b_socket.plain_udp));

	unblock();
	g_assert_false(firewall_is_blocking());
	g_autofree char *ruleset = ruleset_of_a();
	g_assert_null(strstr(ruleset, FIREWALL_TABLE));
	g_assert_true(udp_a_to_b(AF_INET, UDP_PORT, b_socket.plain_udp));
	g_assert_true(udp_b_to_a(AF_INET, b_socket.plain_udp));
	g_assert_true(tcp_a_to_b(AF_INET, TCP_PORT));
	g_assert_true(tcp_a_to_b(AF_INET6, TCP_PORT));
	g_assert_true(udp_a_to_b(AF_INET, RELAY_PORT, b_socket.relay_udp));
}

static void test_block_replaces(void)
{
	begin_case();
	block(AF_INET, RELAY_PORT);
	block(AF_INET, OTHER_RELAY_PORT);
	g_autofree char *ruleset = ruleset_of_a();
	g_assert_cmpuint(occurrences(ruleset, "table inet " FIREWALL_TABLE), ==, 1);
	g_assert_cmpuint(occurrences(ruleset, "hook output"), ==, 1);
	g_autofree char *new_port = g_strdup_printf("port %d accept", OTHER_RELAY_PORT);
	g_autofree char *old_port = g_strdup_printf("port %d accept", RELAY_PORT);
	g_assert_cmpuint(occurrences(ruleset, new_port), ==, 2);
	g_assert_null(strstr(ruleset, old_port));

	g_assert_true(udp_a_to_b(AF_INET, OTHER_RELAY_PORT, b_socket.other_relay_udp));
	g_assert_true(udp_b_to_a(AF_INET, b_socket.other_relay_udp));
	g_assert_false(udp_a_to_b(AF_INET, RELAY_PORT, b_socket.relay_udp));
	g_assert_false(udp_b_to_a(AF_INET, b_socket.relay_udp));
}

/* The relay over IPv6 also needs neighbour discovery through the chains: the caches are emptied so
 * that it happens under the block. */
static void test_block_ipv6(void)
{
	begin_case();
	run("ip -n %s neigh flush dev veth0", netns_name[NETNS_A]);
	run("ip -n %s neigh flush dev veth0", netns_name[NETNS_B]);
	block(AF_INET6, RELAY_PORT);
	g_assert_true(firewall_is_blocking());

	assert_only_relay_passes(AF_INET6);
}

/* A relay given as ::ffff:192.0.2.2 is reached over IPv4, so that is what must pass. */
static void test_block_ipv4_mapped(void)
{
	begin_case();
	struct firewall_policy policy = relay_policy(AF_INET6, RELAY_PORT);
	g_assert_cmpint(inet_pton(AF_INET6, "::ffff:" B_V4, policy.endpoint_addr), ==, 1);
	g_autoptr(GError) error = NULL;
	bool ok = firewall_block(&policy, &error);
	g_assert_no_error(error);
	g_assert_true(ok);
	g_autofree char *ruleset = ruleset_of_a();
	g_assert_nonnull(strstr(ruleset, "ip daddr " B_V4 " udp dport"));
	assert_only_relay_passes(AF_INET);
}

/* Port unreachable (and so packet too big) about the relay flow must reach the engine's socket. */
static void test_icmp_errors_from_relay(void)
{
	begin_case();
	block(AF_INET, CLOSED_PORT);
	g_assert_true(udp_refused_by_b(AF_INET, CLOSED_PORT));
	block(AF_INET6, CLOSED_PORT);
	g_assert_true(udp_refused_by_b(AF_INET6, CLOSED_PORT));
}

/* A veth link of a's into b with its own route: what a sends or forwards there is counted by the
 * link, and b drops it. Without ARP or IPv6 the link sends only what the test sends. */
static void add_counting_link(const char *name, const char *net)
{
	const char *a = netns_name[NETNS_A], *b = netns_name[NETNS_B];
	run("ip -n %s link add %s type veth peer name %s netns %s", a, name, name, b);
	run("ip netns exec %s sysctl -q -w net.ipv6.conf.%s.disable_ipv6=1", a, name);
	run("ip -n %s link set %s arp off up", a, name);
	run("ip -n %s link set %s up", b, name);
	run("ip -n %s route add %s.0/24 dev %s", a, net, name);
}

/* The kill switch is set before the tunnel device exists; the rule must hold once it appears. */
static void test_tunnel_by_name(void)
{
	begin_case();
	block(AF_INET, RELAY_PORT);
	add_counting_link(TUNNEL, TUNNEL_NET);
	add_counting_link(OTHER_LINK, OTHER_NET);

	g_assert_true(sent_from_a(TUNNEL_NET, TUNNEL));
	g_assert_false(sent_from_a(OTHER_NET, OTHER_LINK));
	g_assert_true(forwarded_out_of(TUNNEL_NET, TUNNEL));
	g_assert_false(forwarded_out_of(OTHER_NET, OTHER_LINK));

	unblock();
	g_assert_true(sent_from_a(OTHER_NET, OTHER_LINK));
	g_assert_true(forwarded_out_of(OTHER_NET, OTHER_LINK));
	run("ip -n %s link del " TUNNEL, netns_name[NETNS_A]);
	run("ip -n %s link del " OTHER_LINK, netns_name[NETNS_A]);
}

static void assert_refused(const struct firewall_policy *policy)
{
	g_autoptr(GError) error = NULL;
	g_assert_false(firewall_block(policy, &error));
	g_assert_error(error, FIREWALL_ERROR, EINVAL);
	g_test_message("refused: %s", error->message);
}

static void test_invalid_policy(void)
{
	begin_case();
	block(AF_INET, RELAY_PORT);
	g_autofree char *before = ruleset_of_a();

	const char *bad_names[] = {"wh\"; flush ruleset", "", "wh*", "wh 0", "abcdefghijklmnop",
				   "wh0\"\nflush ruleset\n", ".."};
	for (size_t i = 0; i < G_N_ELEMENTS(bad_names); i++) {
		struct firewall_policy policy = relay_policy(AF_INET, OTHER_RELAY_PORT);
		policy.tunnel_ifname = bad_names[i];
		assert_refused(&policy);
	}
	struct firewall_policy no_name = relay_policy(AF_INET, OTHER_RELAY_PORT);
	no_name.tunnel_ifname = NULL;
	assert_refused(&no_name);
	struct firewall_policy no_family = relay_policy(AF_INET, OTHER_RELAY_PORT);
	no_family.endpoint_family = AF_UNIX;
	assert_refused(&no_family);
	struct firewall_policy no_port = relay_policy(AF_INET, 0);
	assert_refused(&no_port);

	g_autofree char *after = ruleset_of_a();
	g_assert_cmpstr(after, ==, before);
	g_assert_true(udp_a_to_b(AF_INET, RELAY_PORT, b_socket.relay_udp));
	g_assert_false(udp_a_to_b(AF_INET, UDP_PORT, b_socket.plain_udp));

	/* Nor does a refusal create the table when nothing blocked. */
	unblock();
	struct firewall_policy injection = relay_policy(AF_INET, RELAY_PORT);
	injection.tunnel_ifname = "wh\"; flush ruleset";
	assert_refused(&injection);
	g_assert_false(firewall_is_blocking());
}

static void test_unblock_when_open(void)
{
	begin_case();
	g_assert_false(firewall_is_blocking());
	unblock();
	unblock();
	g_assert_false(firewall_is_blocking());
	g_autofree char *ruleset = ruleset_of_a();
	g_assert_null(strstr(ruleset, FIREWALL_TABLE));
}

int main(int argc, char **argv)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_firewall needs root to make network namespaces: run it as root "
				"(WIREHOP_ALLOW_SKIP=1 turns this into a skip)\n");
		return g_strcmp0(getenv("WIREHOP_ALLOW_SKIP"), "1") == 0 ? 77 : 1;
	}
	g_test_init(&argc, &argv, NULL);
	make_namespaces();
	enter_netns(NETNS_A);
	g_assert_true(in_netns_a());
	b_socket.relay_udp = socket_in_b(SOCK_DGRAM, RELAY_PORT);
	b_socket.other_relay_udp = socket_in_b(SOCK_DGRAM, OTHER_RELAY_PORT);
	b_socket.plain_udp = socket_in_b(SOCK_DGRAM, UDP_PORT);
	b_socket.tcp = socket_in_b(SOCK_STREAM, TCP_PORT);

	g_test_add_func("/firewall/block-ipv4", test_block_ipv4);
	g_test_add_func("/firewall/unblock", test_unblock);
	g_test_add_func("/firewall/block-replaces", test_block_replaces);
	g_test_add_func("/firewall/block-ipv6", test_block_ipv6);
	g_test_add_func("/firewall/block-ipv4-mapped", test_block_ipv4_mapped);
	g_test_add_func("/firewall/icmp-errors-from-relay", test_icmp_errors_from_relay);
	g_test_add_func("/firewall/tunnel-by-name", test_tunnel_by_name);
	g_test_add_func("/firewall/invalid-policy", test_invalid_policy);
	g_test_add_func("/firewall/unblock-when-open", test_unblock_when_open);
	return g_test_run();
}
