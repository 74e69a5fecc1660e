#!/usr/bin/env bats
# Documentation stays true: a man page per tool that lints clean and names
# every option --help names; make install puts both in place.

load helpers

all_tools() {
	local d
	for d in "$SOCKLAB_ROOT"/tools/*/; do
		basename "$d"
	done
}

@test "every tool has a man page with OPTIONS, EXIT STATUS, EXAMPLES and its lessons" {
	local t page
	for t in $(all_tools); do
		page="$SOCKLAB_ROOT/man/$t.1"
		[ -f "$page" ] || { echo "no man page for $t"; false; }
		grep -q '^\.Sh OPTIONS\|^\.SH OPTIONS' "$page"
		grep -q '^\.Sh EXIT STATUS\|^\.SH "EXIT STATUS"\|^\.SH EXIT STATUS' "$page"
		grep -q '^\.Sh EXAMPLES\|^\.SH EXAMPLES' "$page"
		grep -q 'lessons/' "$page" || { echo "$t.1 names no lesson"; false; }
	done
}

@test "every man page lints clean with mandoc" {
	if ! command -v mandoc >/dev/null; then
		skip "mandoc is not installed"
	fi
	local page
	for page in "$SOCKLAB_ROOT"/man/*.1; do
		run mandoc -T lint -W warning "$page"
		[ "$status" -eq 0 ] || { echo "$page: $output"; false; }
	done
}

@test "every long option in --help is documented in the man page" {
	if ! command -v mandoc >/dev/null; then
		skip "mandoc is not installed"
	fi
	local t opt text
	for t in $(all_tools); do
		text=$(mandoc -T ascii "$SOCKLAB_ROOT/man/$t.1" | sed 's/.\x08//g')
		for opt in $("$(tool "$t")" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
			[[ "$text" == *"$opt"* ]] || { echo "$t.1 lacks $opt"; false; }
		done
	done
}

@test "make install and uninstall honour PREFIX and DESTDIR" {
	local dest=$BATS_TEST_TMPDIR/root t
	run -0 make -C "$SOCKLAB_ROOT" -s install BUILD="$SOCKLAB_BUILD" PREFIX=/opt/socklab DESTDIR="$dest"
	for t in $(all_tools); do
		[ -x "$dest/opt/socklab/bin/$t" ]
		[ -f "$dest/opt/socklab/share/man/man1/$t.1" ]
	done
	run -0 "$dest/opt/socklab/bin/tcp-client" --version
	run -0 make -C "$SOCKLAB_ROOT" -s uninstall BUILD="$SOCKLAB_BUILD" PREFIX=/opt/socklab DESTDIR="$dest"
	[ -z "$(find "$dest" -type f)" ]
}
