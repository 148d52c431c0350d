/* wirehop-tunnel: a drop-in for wireguard-go. Creates the TUN interface, runs a device on it, and
 * serves the configuration protocol on /var/run/wireguard/IFNAME.sock for `wg` and `wg-quick`.
 *
 *   wirehop-tunnel [-f|--foreground] INTERFACE
 *
 * Without -f it detaches once the interface and the socket are ready. LOG_LEVEL=error|verbose|debug|
 * silent (as wireguard-go) sets how much goes to stderr. SIGINT and SIGTERM stop it cleanly: keys
 * wiped, socket removed, interface gone. Like wireguard-go it also stops when its socket file is
 * deleted or its interface removed, which is how `wg-quick down` ends it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <sodium.h>
#include <unistd.h>

#include "platform/linux/tun.h"
#include "platform/linux/tun_offload.h"
#include "platform/linux/udp.h"
#include "uapi/device_uapi.h"
#include "uapi/uapi.h"
#include "wirehop/port.h"
#include "wirehop/tunnel.h"

#define SOCKET_DIRECTORY "/var/run/wireguard"

enum log_level { LOG_SILENT, LOG_ERROR, LOG_VERBOSE };

static enum log_level log_level = LOG_ERROR;
static char interface_name[IFNAMSIZ];

__attribute__((format(printf, 2, 3))) static void log_message(enum log_level level, const char *format, ...)
{
	va_list args;

	if (level > log_level)
		return;
	fprintf(stderr, "%s: %s: ", level == LOG_ERROR ? "ERROR" : "DEBUG", interface_name);
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fputc('\n', stderr);
}

static void read_log_level(void)
{
	const char *value = getenv("LOG_LEVEL");

	if (!value)
		return;
	if (!strcmp(value, "silent"))
		log_level = LOG_SILENT;
	else if (!strcmp(value, "verbose") || !strcmp(value, "debug"))
		log_level = LOG_VERBOSE;
	else
		log_level = LOG_ERROR;
}

struct server {
	struct wh_device *device;
	int listen_fd;
	int inotify_fd; /* watches the socket file: its deletion means stop */
	struct stat socket_stat;
	int stop_pipe[2];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* Serves one client: requests one after another until it hangs up. */
static void serve_client(struct server *server, int fd)
{
	size_t capacity = 4096, used = 0;
	char *buffer = malloc(capacity);

	while (buffer) {
		struct wh_uapi_request request;
		char error[WH_UAPI_ERROR_SIZE];
		char *reply = NULL;
		size_t reply_len = 0;
		ssize_t got;
		int framed = wh_uapi_frame(buffer, used, false, &request);

		if (framed == 0) {
			if (used == capacity) {
				char *bigger = capacity < WH_UAPI_MAX_REQUEST ? malloc(capacity * 2) : NULL;

				if (!bigger)
					break;
				memcpy(bigger, buffer, used);
				wh_uapi_free_text(buffer, capacity);
				buffer = bigger;
				capacity *= 2;
			}
			got = read(fd, buffer + used, capacity - used);
			if (got <= 0) {
				/* A set cut short by a hang-up is still applied, as wireguard-go does. */
				if (used && wh_uapi_frame(buffer, used, true, &request) == 1 &&
				    request.operation == WH_UAPI_SET)
					wh_device_uapi_request(server->device, buffer, used, &reply, &reply_len, error,
							       sizeof(error));
				wh_uapi_free_text(reply, reply_len);
				break;
			}
			used += (size_t)got;
			continue;
		}
		if (framed < 0) {
			log_message(LOG_ERROR, "configuration request refused: malformed");
			break;
		}
		if (wh_device_uapi_request(server->device, buffer, request.length, &reply, &reply_len, error,
					   sizeof(error)) < 0)
			log_message(LOG_ERROR, "configuration request refused: %s", error);
		else
			log_message(LOG_VERBOSE, "configuration request served");
		if (reply && write(fd, reply, reply_len) != (ssize_t)reply_len) {
			wh_uapi_free_text(reply, reply_len);
			break;
		}
		wh_uapi_free_text(reply, reply_len);
		/* Requests carry keys: wipe the bytes the rest moved away from. */
		memmove(buffer, buffer + request.length, used - request.length);
		sodium_memzero(buffer + used - request.length, request.length);
		used -= request.length;
	}
	wh_uapi_free_text(buffer, capacity);
	close(fd);
}

/* True while our socket file is still there (not deleted, not replaced by another process's). */
static bool socket_file_present(const struct server *server)
{
	struct stat now;

	return lstat(server->path, &now) == 0 && now.st_ino == server->socket_stat.st_ino &&
	       now.st_dev == server->socket_stat.st_dev;
}

static void *server_main(void *arg)
{
	struct server *server = arg;
	struct pollfd fds[3] = {
		{server->listen_fd, POLLIN, 0},
		{server->stop_pipe[0], POLLIN, 0},
		{server->inotify_fd, POLLIN, 0},
	};

	for (;;) {
		int fd;

		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		if (fds[2].revents) {
			char events[4096];

			if (read(server->inotify_fd, events, sizeof(events)) < 0 && errno != EAGAIN)
				break;
			if (!socket_file_present(server)) {
				log_message(LOG_VERBOSE, "socket file removed: stopping");
				kill(getpid(), SIGTERM);
				break;
			}
		}
		if (fds[0].revents) {
			fd = accept4(server->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				serve_client(server, fd);
		}
	}
	return NULL;
}

/* Binds the root-only socket; refuses when another process already serves this interface. */
static int open_socket(struct server *server, const char *name)
{
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	mode_t old_mask;
	int fd;

	if (mkdir(SOCKET_DIRECTORY, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (snprintf(server->path, sizeof(server->path), SOCKET_DIRECTORY "/%s.sock", name) >= (int)sizeof(server->path))
		return -ENAMETOOLONG;
	strcpy(address.sun_path, server->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&address, sizeof(address)) == 0) {
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	unlink(server->path); /* stale, from a process that died */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old_mask = umask(0077);
	if (bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0 || listen(fd, 16) < 0) {
		int saved = errno;

		umask(old_mask);
		close(fd);
		return -saved;
	}
	umask(old_mask);
	server->listen_fd = fd;
	if (lstat(server->path, &server->socket_stat) < 0)
		return -errno;
	server->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (server->inotify_fd < 0 ||
	    inotify_add_watch(server->inotify_fd, server->path, IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF) < 0)
		return -errno;
	return 0;
}

/* Which data-path optimisations are on (docs/performance.md), so a log shows what a switch did. */
static void log_data_path(const struct wh_tun_port *tun, const struct wh_bind_port *bind)
{
	unsigned offloads, udp_batch;
	bool vnet, tun_batch, gso, gro;

	vnet = wh_linux_tun_describe(tun, &offloads, &tun_batch);
	wh_linux_udp_describe(bind, &gso, &gro, &udp_batch);
	log_message(LOG_VERBOSE, "data path: TUN %s%s%s%s, UDP GSO %s, GRO %s, up to %u datagrams per call%s",
		    vnet ? "with virtio-net headers" : "without offloads", (offloads & TUN_F_TSO4) ? ", TSO" : "",
		    (offloads & TUN_F_USO4) ? ", USO" : "", tun_batch ? "" : ", one packet per read", gso ? "on" : "off",
		    gro ? "on" : "off", udp_batch, tun_batch ? "" : " (WIREHOP_BATCH=0)");
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: wirehop-tunnel [-f|--foreground] INTERFACE-NAME\n"
		     "       wirehop-tunnel --version\n");
}

/* Detaches: the parent exits once the child reports, through a pipe, that it is ready. */
static int daemonize(int *ready_fd)
{
	int pipe_fds[2];
	pid_t pid;
	char status = 1;

	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(pipe_fds[1]);
		if (read(pipe_fds[0], &status, 1) != 1)
			status = 1;
		_exit(status);
	}
	close(pipe_fds[0]);
	setsid();
	*ready_fd = pipe_fds[1];
	return 0;
}

static void report_ready(int ready_fd, char status)
{
	if (ready_fd < 0)
		return;
	if (write(ready_fd, &status, 1) != 1)
		log_message(LOG_ERROR, "cannot tell the parent we are ready");
	close(ready_fd);
	if (status == 0 && log_level != LOG_VERBOSE) {
		int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null_fd >= 0) {
			dup2(null_fd, STDIN_FILENO);
			dup2(null_fd, STDOUT_FILENO);
			dup2(null_fd, STDERR_FILENO);
			close(null_fd);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"foreground", no_argument, NULL, 'f'},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct wh_tun_port tun = {0};
	struct wh_bind_port bind = {0};
	struct server server = {.listen_fd = -1, .inotify_fd = -1, .stop_pipe = {-1, -1}};
	struct timespec watch_interval = {1, 0};
	struct wh_device_config config = {0};
	pthread_t server_thread;
	sigset_t signals;
	bool foreground = false;
	int ready_fd = -1, signal_number = 0, option, ret;

	while ((option = getopt_long(argc, argv, "fh", options, NULL)) != -1) {
		switch (option) {
		case 'f':
			foreground = true;
			break;
		case 'v':
			printf("wirehop-tunnel %s (userspace WireGuard)\n", wh_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || strlen(argv[optind]) >= IFNAMSIZ) {
		usage(stderr);
		return 2;
	}
	read_log_level();
	snprintf(interface_name, sizeof(interface_name), "%s", argv[optind]);
	if (wh_init() < 0) {
		log_message(LOG_ERROR, "cannot initialise the crypto library");
		return 1;
	}
	if (!foreground && daemonize(&ready_fd) < 0) {
		log_message(LOG_ERROR, "cannot detach: %s", strerror(errno));
		return 1;
	}

	/* Signals are taken by sigwait below, never by the worker threads. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = wh_linux_tun_open(interface_name, &tun, interface_name);
	if (ret < 0) {
		log_message(LOG_ERROR, "cannot create the TUN interface: %s", strerror(-ret));
		goto fail;
	}
	ret = wh_linux_udp_new(&bind);
	if (ret < 0) {
		log_message(LOG_ERROR, "cannot create the UDP port: %s", strerror(-ret));
		goto fail;
	}
	log_data_path(&tun, &bind);
	config.tun_ops = tun.ops;
	config.tun_ctx = tun.ctx;
	config.bind_ops = bind.ops;
	config.bind_ctx = bind.ctx;
	server.device = wh_device_new(&config);
	if (!server.device) {
		log_message(LOG_ERROR, "cannot start the device");
		goto fail;
	}
	wh_device_lock(server.device);
	ret = wh_device_set_listen_port(server.device, 0);
	wh_device_unlock(server.device);
	if (ret < 0) {
		log_message(LOG_ERROR, "cannot listen: %s", strerror(-ret));
		goto fail;
	}
	ret = open_socket(&server, interface_name);
	if (ret < 0) {
		log_message(LOG_ERROR, "cannot serve %s/%s.sock: %s", SOCKET_DIRECTORY, interface_name, strerror(-ret));
		goto fail;
	}
	if (pipe2(server.stop_pipe, O_CLOEXEC) < 0 || pthread_create(&server_thread, NULL, server_main, &server)) {
		log_message(LOG_ERROR, "cannot start the configuration server");
		goto fail;
	}
	log_message(LOG_VERBOSE, "device started");
	report_ready(ready_fd, 0);
	ready_fd = -1;

	/* Wait for a signal, looking once a second whether our interface still exists. */
	while ((signal_number = sigtimedwait(&signals, NULL, &watch_interval)) < 0) {
		if (errno != EAGAIN && errno != EINTR)
			break;
		if (!if_nametoindex(interface_name)) {
			log_message(LOG_VERBOSE, "interface removed: stopping");
			break;
		}
	}
	log_message(LOG_VERBOSE, "shutting down (signal %d)", signal_number);
	if (write(server.stop_pipe[1], "", 1) != 1)
		log_message(LOG_ERROR, "cannot stop the configuration server");
	pthread_join(server_thread, NULL);
	ret = 0;
	goto out;
fail:
	ret = 1;
	report_ready(ready_fd, 1);
out:
	if (server.inotify_fd >= 0)
		close(server.inotify_fd);
	if (server.listen_fd >= 0) {
		close(server.listen_fd);
		/* Only our own socket: another daemon may have taken the name since. */
		if (socket_file_present(&server))
			unlink(server.path);
	}
	if (server.stop_pipe[0] >= 0) {
		close(server.stop_pipe[0]);
		close(server.stop_pipe[1]);
	}
	wh_device_free(server.device); /* stops the threads, wipes the keys */
	if (bind.ops)
		wh_linux_udp_free(&bind);
	if (tun.ops)
		wh_linux_tun_free(&tun);
	return ret;
}
