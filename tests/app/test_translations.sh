#!/usr/bin/env bash
# The app's translations (docs/app.md, "Translations"), as TAP:
#  1. po/POTFILES.in lists every file with translatable strings: each .c/.h under src/app and
#     src/common with _(", N_(", C_(", NC_(" or ngettext(, each data/ui/*.ui with translatable="yes",
#     and the desktop file, metainfo and schema sources; every file it lists exists; po/LINGUAS and
#     po/*.po name the same languages.
#  2. A template made now from POTFILES.in (xgettext with meson's glib preset, into a temporary
#     directory; the source tree is not touched) against each po/*.po: every msgid translated and
#     not fuzzy (msgcmp), msgfmt --check (formats, plural header) with no untranslated or fuzzy
#     message in --statistics, the mnemonic of a msgid that has one (Import _Files…) kept in the
#     translation, three plural forms in ru.po.
#  3. No user-visible string literal in src/app/*.c reaches a text setter without _(): a heuristic,
#     see untranslated_calls below.
#  4. meson install --tags i18n --destdir puts wirehop.mo at <prefix>/<localedir>/ru/LC_MESSAGES
#     (and de), and the installed catalogue translates "Connected".
# Usage: test_translations.sh SOURCE_ROOT BUILD_ROOT LOCALEDIR   (LOCALEDIR absolute: prefix/localedir)
set -uo pipefail
src=$1 build=$2 localedir=$3
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1)); failed=1
  echo "not ok $n - $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'
  return 0
}
# check WHAT CMD...: ok when CMD succeeds; its output as a comment when it fails.
check() {
  local what=$1 out; shift
  if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "$out"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# LANGUAGE is honoured in C.UTF-8 but not in C; nothing here depends on the caller's locale.
export LC_ALL=C.UTF-8
unset LANGUAGE

cd "$src" || exit 1
potfiles=$tmp/POTFILES
grep -v '^[[:space:]]*\(#\|$\)' po/POTFILES.in | sed 's/[[:space:]]*$//' | sort -u >"$potfiles"

# ---- 1. POTFILES.in and LINGUAS -------------------------------------------------------------
missing=$(while read -r f; do [ -f "$f" ] || echo "$f"; done <"$potfiles")
if [ -z "$missing" ]; then ok "every file in POTFILES.in exists"
else not_ok "every file in POTFILES.in exists" "missing: $missing"; fi

{
  grep -lE '(^|[^A-Za-z0-9_])(N?C?_|g_dgettext|g_dpgettext2|ngettext|g_dngettext)\("' \
    src/app/*.[ch] src/common/*.[ch] 2>/dev/null
  grep -l 'translatable="yes"' data/ui/*.ui 2>/dev/null
  ls data/*.desktop.in data/*.desktop.in.in data/*.metainfo.xml.in data/*.gschema.xml 2>/dev/null
} | sort -u >"$tmp/needed"
unlisted=$(comm -23 "$tmp/needed" "$potfiles")
if [ -z "$unlisted" ]; then ok "POTFILES.in lists every file with translatable strings ($(wc -l <"$tmp/needed") files)"
else not_ok "POTFILES.in lists every file with translatable strings" "not listed: $unlisted"; fi

linguas=$(grep -v '^#' po/LINGUAS | tr ' ' '\n' | grep . | sort -u)
pos=$(ls po/*.po | sed 's|po/||; s|\.po$||' | sort -u)
if [ "$linguas" = "$pos" ] && echo "$linguas" | grep -qx ru && echo "$linguas" | grep -qx de; then
  ok "po/LINGUAS and po/*.po name the same languages, ru and de among them ($(echo $linguas))"
else
  not_ok "po/LINGUAS and po/*.po name the same languages, ru and de among them" \
    "LINGUAS: $(echo $linguas); po files: $(echo $pos)"
fi

# ---- 2. A fresh template against each translation ------------------------------------------
# The arguments of meson's i18n.gettext(preset: 'glib') (po/meson.build), so this is the template
# `ninja wirehop-pot` would write, only written elsewhere.
pot=$tmp/wirehop.pot
if xgettext --package-name=wirehop -f "$potfiles" -D "$src" -k_ -o "$pot" \
    --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
    --keyword=NC_:1c,2 --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 \
    --keyword=g_dpgettext2:2c,3 --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format \
    --flag=NC_:2:pass-c-format --flag=g_dngettext:2:pass-c-format \
    --flag=g_strdup_printf:1:c-format --flag=g_string_printf:2:c-format \
    --flag=g_string_append_printf:2:c-format --flag=g_error_new:3:c-format \
    --flag=g_set_error:4:c-format --flag=g_markup_printf_escaped:1:c-format \
    >"$tmp/xgettext.log" 2>&1 && [ -s "$pot" ]; then
  ok "xgettext makes a template from POTFILES.in ($(grep -c '^msgid ' "$pot") msgids with the header)"
else
  not_ok "xgettext makes a template from POTFILES.in" "$(cat "$tmp/xgettext.log")"
  echo "1..$n"; exit 1
fi

# msgkeys FILE: its messages (not the header, not obsolete ones), one a line, "context|msgid".
msgkeys() {
  msgattrib --no-obsolete --no-wrap --no-location "$1" | perl -ne '
    if (/^msgctxt "(.*)"$/) { $c = $1 } elsif (/^msgid "(.*)"$/) { print "$c|$1\n" if $1 ne ""; $c = "" }' | sort -u
}

for po in po/*.po; do
  lang=$(basename "$po" .po)
  # msgcmp counts untranslated and fuzzy messages of the .po as missing.
  check "$lang.po translates every msgid of the template (msgcmp)" msgcmp "$po" "$pot"
  if stats=$(msgfmt --check --statistics -o "$tmp/$lang.mo" "$po" 2>&1) \
      && ! echo "$stats" | grep -qE 'untranslated|fuzzy'; then
    ok "$lang.po: msgfmt --check passes: $stats"
  else
    not_ok "$lang.po: msgfmt --check passes with nothing untranslated or fuzzy" "$stats"
  fi
  # Messages of the .po that the template no longer has: a sign that it was not merged (a note only).
  stale=$(comm -13 <(msgkeys "$pot") <(msgkeys "$po"))
  [ -n "$stale" ] && printf '# %s.po has messages the template does not (ninja wirehop-update-po merges them):\n%s\n' \
    "$lang" "$(echo "$stale" | sed 's/^/#   /')"
  # A mnemonic (an underscore before a letter) in the msgid needs exactly one in the translation.
  bad=$(msgattrib --no-obsolete --no-wrap --no-location "$po" | perl -CSD -ne '
      if (/^msgid "(.*)"$/) { $id = $1 } elsif (/^msgstr "(.*)"$/ && $id ne "") {
        my $s = $1; my $m = () = $s =~ /_\p{L}/g;
        print "$id -> $s\n" if $id =~ /_\p{L}/ && $m != 1;
      }')
  if [ -z "$bad" ]; then ok "$lang.po keeps every mnemonic (one underscore where the msgid has one)"
  else not_ok "$lang.po keeps every mnemonic" "$bad"; fi
done
check "ru.po has the three Russian plural forms" \
  grep -q '^"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 :' po/ru.po

# ---- 3. Literals that bypass gettext --------------------------------------------------------
# A heuristic, not a parser: every statement of src/app/*.c (joined over lines up to its ';')
# that calls a setter of visible text must keep no string literal with a letter once these are
# taken out: _(), N_(), C_(), ngettext() calls, "" and the product name "Wirehop", the ids that are
# not text (the response id of adw_message_dialog_add_response(s), the page name of *_add_titled,
# an "app."/"win." action name) and icon names. A statement with /* no-i18n */ is skipped.
untranslated_calls() {
  perl -0777 -ne '
    my $file = $ARGV;
    my $setters = qr/\b(?:gtk_label_set_(?:text|label|markup)|gtk_label_new(?:_with_mnemonic)?
      |gtk_button_set_label|gtk_button_new_with_(?:label|mnemonic)|gtk_check_button_set_label
      |gtk_widget_set_tooltip_(?:text|markup)|gtk_window_set_title|gtk_file_filter_set_name
      |gtk_file_chooser_native_new|gtk_file_dialog_set_title|gtk_editable_set_placeholder_text
      |gtk_entry_set_placeholder_text|gtk_string_list_append|gtk_accessible_update_property
      |adw_\w+_set_(?:title|subtitle|description|heading|body|label|tooltip_text|button_label|placeholder_text)
      |adw_\w+_new_with_(?:label|title)|adw_toast_new(?:_format)?|adw_message_dialog_new
      |adw_message_dialog_(?:add_response|add_responses|format_heading|format_body)
      |adw_view_stack_add_titled(?:_with_icon)?|gtk_stack_add_titled
      |adw_status_page_set_(?:title|description)|adw_about_window_set_\w+
      |g_notification_new|g_notification_set_(?:title|body)|g_notification_add_button\w*
      |g_menu_append|g_menu_item_new|g_menu_insert|g_menu_prepend
      |g_application_mark_busy|g_set_application_name)\s*\(/x;
    my $line = 1;
    for my $stmt (split /(?<=;)/, $_) {
      my $start = $line; $line += ($stmt =~ tr/\n//);
      next unless $stmt =~ $setters;
      next if $stmt =~ m{/\*\s*no-i18n\s*\*/};
      (my $s = $stmt) =~ s{//[^\n]*|/\*.*?\*/}{}gs;
      # A response or page id is the literal just before its label.
      $s =~ s/"(?:[^"\\]|\\.)*"(?=\s*,\s*_\s*\()//g if $s =~ /add_(?:responses?|titled\w*)\s*\(/;
      $s =~ s/\b(?:N?C?_|ngettext|g_dngettext|g_dpgettext2)\s*\((?:[^()"]|"(?:[^"\\]|\\.)*"|\((?:[^()"]|"(?:[^"\\]|\\.)*")*\))*\)//g;
      $s =~ s/"(?:app|win|servers)\.[\w.:-]*(?:\((?:[^"\\]|\\.)*\))?"//g;
      $s =~ s/"(?:Wirehop|)"//g;
      while ($s =~ /"((?:[^"\\]|\\.)*)"/g) {
        my $lit = $1;
        next unless $lit =~ /[A-Za-z]/;
        next if $lit =~ /^[\w-]+-symbolic$/;   # an icon name
        (my $one = $stmt) =~ s/\s+/ /g;
        print "$file:" . ($start + (substr($stmt, 0, index($stmt, $lit)) =~ tr/\n//)) . ": \"$lit\" in: " . substr($one, 0, 160) . "\n";
      }
    }' "$@"
}
found=$(untranslated_calls src/app/*.c)
if [ -z "$found" ]; then ok "no visible string literal in src/app/*.c reaches a text setter without _()"
else not_ok "no visible string literal in src/app/*.c reaches a text setter without _()" "$found"; fi
# The heuristic itself: it must catch a bare literal and pass a translated one.
cat >"$tmp/probe.c" <<'EOF'
static void f(void)
{
	gtk_label_set_text(label, "Connected");
	adw_action_row_set_subtitle(row,
				    on ? _("On") : "Off");
	g_notification_new(_("Connected"));
	adw_message_dialog_add_response(dialog, "cancel", _("_Cancel"));
	adw_message_dialog_add_responses(dialog, "cancel", _("_Cancel"), "remove",
					 _("_Remove"), NULL);
	g_menu_append(menu, _("_Quit"), "app.quit");
	adw_view_stack_add_titled(stack, page, "servers", _("Servers"));
	gtk_label_set_label(self->status_label, text ? text : "");
}
EOF
probe=$(untranslated_calls "$tmp/probe.c")
if [ "$(echo "$probe" | grep -c .)" = 2 ] && echo "$probe" | grep -q '"Connected"' && echo "$probe" | grep -q '"Off"'; then
  ok "the literal heuristic finds exactly the two bare literals of a probe file"
else
  not_ok "the literal heuristic finds exactly the two bare literals of a probe file" "$probe"
fi

# ---- 4. Installed catalogues ----------------------------------------------------------------
dest=$tmp/dest
if out=$(meson install -C "$build" --no-rebuild --tags i18n --destdir "$dest" 2>&1); then
  ok "meson install --tags i18n --destdir"
else
  not_ok "meson install --tags i18n --destdir" "$(echo "$out" | tail -20)"
fi
for lang in ru de; do
  mo=$dest$localedir/$lang/LC_MESSAGES/wirehop.mo
  check "$lang: ${localedir#/}/$lang/LC_MESSAGES/wirehop.mo installed" test -s "$mo"
done
want_ru=$(printf 'Подключено')
got_ru=$(LANGUAGE=ru TEXTDOMAINDIR=$dest$localedir gettext -d wirehop Connected)
check "the installed ru catalogue says “Connected” as “$want_ru” (got “$got_ru”)" test "$got_ru" = "$want_ru"
got_de=$(LANGUAGE=de TEXTDOMAINDIR=$dest$localedir gettext -d wirehop Connected)
check "the installed de catalogue says “Connected” as “Verbunden” (got “$got_de”)" test "$got_de" = Verbunden

echo "1..$n"
exit $failed
