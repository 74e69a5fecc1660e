#!/usr/bin/env bats
# The lessons name the functions and files of our source that perform each
# step; these checks keep those names true as the code changes.

load helpers

# System calls and libc functions the sections mention beside ours.
LIBC='^(socket|setsockopt|getsockopt|bind|listen|accept|accept4|connect|send|recv|shutdown|close|getaddrinfo|poll|fcntl|read|write)$'

# lesson_source_names FILE: our functions named in a lesson's
# "In our source" section, one per line.
lesson_source_names() {
	sed -n '/^## In our source/,/^## /p' "$1" | grep -oE '`[a-z_0-9]+\(\)`' |
		tr -d '`()' | grep -Ev "$LIBC" | sort -u
}

@test "every function a lesson's 'In our source' names is defined in common/ or tools/" {
	local f name missing=0
	for f in "$SOCKLAB_ROOT"/lessons/0[1-9]-*.md; do
		while read -r name; do
			[ -n "$name" ] || continue
			if ! grep -Eq "^$name\(" "$SOCKLAB_ROOT"/common/*.c "$SOCKLAB_ROOT"/tools/*/*.c; then
				echo "${f##*/} names $name(), which no .c file under common/ or tools/ defines"
				missing=1
			fi
		done < <(lesson_source_names "$f")
	done
	[ "$missing" -eq 0 ]
}

@test "every step comment a lesson quotes is still in the tool's source" {
	local f quote missing=0
	for f in "$SOCKLAB_ROOT"/lessons/0[1-9]-*.md; do
		while read -r quote; do
			if ! grep -qF -- "$quote" "$SOCKLAB_ROOT"/tools/*/*.c; then
				echo "${f##*/} quotes '$quote', which is no longer in tools/"
				missing=1
			fi
		done < <(sed -n '/^## In our source/,/^## /p' "$f" | grep -oE '`/\* Step [^`]*\*/`' | sed 's/^`\/\* //; s/ \*\/`$//')
	done
	[ "$missing" -eq 0 ]
}

@test "lessons 01-09 exist, each links the map, and the map lists them all" {
	local n f
	for n in 01-socket 02-setsockopt 03-bind 04-listen 05-accept 06-connect 07-send 08-recv 09-close; do
		f=$SOCKLAB_ROOT/lessons/$n.md
		[ -f "$f" ] || { echo "missing lessons/$n.md"; return 1; }
		grep -q '(README.md)' "$f" || grep -q 'README' "$f" || { echo "$n.md does not link the map"; return 1; }
		grep -q "($n.md)" "$SOCKLAB_ROOT/lessons/README.md" || { echo "the map does not list $n.md"; return 1; }
	done
	for n in 10-datagrams 11-unix-sockets 12-many-clients 13-http; do
		grep -q "($n.md)" "$SOCKLAB_ROOT/lessons/README.md" || { echo "the map does not list $n.md"; return 1; }
	done
}
