/* The state file: a small key file, replaced atomically, holding no secrets. */
#include "state-file.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define GROUP "applied"

static char *state_path(const char *state_dir)
{
	return g_build_filename(state_dir, "state", NULL);
}

bool state_file_write(const char *state_dir, const struct applied_state *state, GError **error)
{
	/* 0700 even when it existed: it also holds the resolv.conf backup. */
	if (g_mkdir_with_parents(state_dir, 0700) < 0 || g_chmod(state_dir, 0700) < 0) {
		int errsv = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errsv), "creating %s: %s", state_dir,
			    g_strerror(errsv));
		return false;
	}
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_key_file_set_string(file, GROUP, "interface", state->ifname);
	g_key_file_set_uint64(file, GROUP, "table", state->table);
	g_key_file_set_uint64(file, GROUP, "fwmark", state->fwmark);
	g_key_file_set_uint64(file, GROUP, "rule-priority", state->rule_priority);
	g_key_file_set_boolean(file, GROUP, "firewall", state->firewall);
	g_autofree char *path = state_path(state_dir);
	gsize len;
	g_autofree char *text = g_key_file_to_data(file, &len, NULL);
	return g_file_set_contents_full(path, text, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static bool read_u32(GKeyFile *file, const char *key, uint32_t *value, GError **error)
{
	GError *local = NULL;
	guint64 number = g_key_file_get_uint64(file, GROUP, key, &local);
	if (local) {
		g_propagate_error(error, local);
		return false;
	}
	if (number > UINT32_MAX) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "state file: %s is out of range", key);
		return false;
	}
	*value = (uint32_t)number;
	return true;
}

bool state_file_read(const char *state_dir, struct applied_state *state, GError **error)
{
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autofree char *path = state_path(state_dir);
	memset(state, 0, sizeof(*state));
	if (!g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, error))
		return false;
	g_autofree char *ifname = g_key_file_get_string(file, GROUP, "interface", error);
	if (!ifname)
		return false;
	if (strlen(ifname) >= sizeof(state->ifname)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "state file: interface name too long");
		return false;
	}
	strcpy(state->ifname, ifname);
	if (!read_u32(file, "table", &state->table, error) || !read_u32(file, "fwmark", &state->fwmark, error) ||
	    !read_u32(file, "rule-priority", &state->rule_priority, error))
		return false;
	GError *local = NULL;
	state->firewall = g_key_file_get_boolean(file, GROUP, "firewall", &local);
	if (local) {
		g_propagate_error(error, local);
		return false;
	}
	return true;
}

bool state_file_remove(const char *state_dir, GError **error)
{
	g_autofree char *path = state_path(state_dir);
	if (g_unlink(path) < 0 && errno != ENOENT) {
		int errsv = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errsv), "removing %s: %s", path, g_strerror(errsv));
		return false;
	}
	return true;
}
