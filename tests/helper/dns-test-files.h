/* What dns.c's two test programs share: a temporary directory for resolv.conf and the state directory,
 * byte-exact file checks, and dns_apply/dns_revert calls that must succeed. Each test program is one
 * source file (tests/helper/meson.build), so the helpers are static inline here. */
#ifndef WIREHOP_TESTS_DNS_TEST_FILES_H
#define WIREHOP_TESTS_DNS_TEST_FILES_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include <glib.h>

#include "dns.h"

#define DNS_TEST_IFINDEX 7

struct dns_test_dir {
	char *directory;   /* made by dns_test_dir_make, removed with all it holds by dns_test_dir_remove */
	char *resolv_conf; /* directory/resolv.conf, not created */
	char *state_dir;   /* directory/state, not created */
};

static inline void dns_test_dir_make(struct dns_test_dir *dir)
{
	g_autoptr(GError) error = NULL;

	dir->directory = g_dir_make_tmp("wirehop-dns-XXXXXX", &error);
	g_assert_no_error(error);
	dir->resolv_conf = g_build_filename(dir->directory, "resolv.conf", NULL);
	dir->state_dir = g_build_filename(dir->directory, "state", NULL);
}

static inline int dns_test_remove_entry(const char *path, const struct stat *status, int type, struct FTW *walk)
{
	(void)status;
	(void)type;
	(void)walk;
	return remove(path);
}

static inline void dns_test_dir_remove(struct dns_test_dir *dir)
{
	g_assert_cmpint(nftw(dir->directory, dns_test_remove_entry, 16, FTW_DEPTH | FTW_PHYS), ==, 0);
	g_clear_pointer(&dir->state_dir, g_free);
	g_clear_pointer(&dir->resolv_conf, g_free);
	g_clear_pointer(&dir->directory, g_free);
}

static inline void dns_test_write_file(const char *path, const void *content, size_t length)
{
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, content, (gssize)length, &error);
	g_assert_no_error(error);
}

static inline void dns_test_assert_file_is(const char *path, const void *content, size_t length)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *actual = NULL;
	gsize actual_length = 0;

	g_file_get_contents(path, &actual, &actual_length, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(actual, actual_length, content, length);
}

static inline void dns_test_apply(const struct dns_config *config, const char *const *servers)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(dns_apply(config, DNS_TEST_IFINDEX, servers, &error));
	g_assert_no_error(error);
}

static inline void dns_test_revert(const struct dns_config *config)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(dns_revert(config, DNS_TEST_IFINDEX, &error));
	g_assert_no_error(error);
}

#endif
