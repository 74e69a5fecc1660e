#!/usr/bin/env bats
# The lessons name the functions and files of our source that perform each
# step; these checks keep those names true as the code changes.

load helpers

# System calls and libc functions the sections mention beside ours.
LIBC='^(socket|setsockopt|getsockopt|bind|listen|accept|accept4|connect|send|recv|shutdown|close|getaddrinfo|getnameinfo|getsockname|poll|select|epoll_wait|fcntl|read|write|htons|ntohs|htonl|ntohl|inet_pton|inet_ntop)$'

# defined NAME: a function NAME is defined in common/ or tools/ (style(9):
# the name starts its line), or in a lesson's example program.
defined() {
	grep -Eq "^$1\\(" "$SOCKLAB_ROOT"/common/*.c "$SOCKLAB_ROOT"/tools/*/*.c ||
		grep -Eq "^(static )?[a-z][a-z_ ]*[ *]$1\\(" "$SOCKLAB_ROOT"/lessons/examples/*.c
}

# lesson_source_names FILE: our functions named in a lesson's
# "In our source" section, one per line.
lesson_source_names() {
	sed -n '/^## In our source/,/^## /p' "$1" | grep -oE '`[a-z_0-9]+\(\)`' |
		tr -d '`()' | grep -Ev "$LIBC" | sort -u
}

@test "every function a lesson's 'In our source' names is defined in common/, tools/ or examples/" {
	local f name missing=0
	for f in "$SOCKLAB_ROOT"/lessons/[0-9][0-9]-*.md; do
		while read -r name; do
			[ -n "$name" ] || continue
			if ! defined "$name"; then
				echo "${f##*/} names $name(), which no .c file under common/, tools/ or lessons/examples/ defines"
				missing=1
			fi
		done < <(lesson_source_names "$f")
	done
	[ "$missing" -eq 0 ]
}

@test "every step comment a lesson quotes is still in the tool's source" {
	local f quote missing=0
	for f in "$SOCKLAB_ROOT"/lessons/[0-9][0-9]-*.md; do
		while read -r quote; do
			if ! grep -qF -- "$quote" "$SOCKLAB_ROOT"/tools/*/*.c; then
				echo "${f##*/} quotes '$quote', which is no longer in tools/"
				missing=1
			fi
		done < <(sed -n '/^## In our source/,/^## /p' "$f" | grep -oE '`/\* Step [^`]*\*/`' | sed 's/^`\/\* //; s/ \*\/`$//')
	done
	[ "$missing" -eq 0 ]
}

# bullet_pairs FILE: "function file" for every function an "In our source"
# bullet names beside links to .c files, one pair per linked file.
bullet_pairs() {
	sed -n '/^## In our source/,/^## /p' "$1" | awk '
	function flush(   i, j) {
		for (i = 1; i <= nf; i++)
			for (j = 1; j <= nl; j++)
				print fn[i], link[j]
		nf = nl = 0
	}
	/^- / { flush() }
	/^## / { flush() }
	{
		line = $0
		while (match(line, /`[a-z_0-9]+\(\)`/)) {
			fn[++nf] = substr(line, RSTART + 1, RLENGTH - 4)
			line = substr(line, RSTART + RLENGTH)
		}
		line = $0
		while (match(line, /\]\(\.\.\/[^)]*\.c\)/)) {
			link[++nl] = substr(line, RSTART + 5, RLENGTH - 6)
			line = substr(line, RSTART + RLENGTH)
		}
	}
	END { flush() }'
}

@test "a function a lesson names beside a linked file appears in one of the files linked there" {
	local f fn file missing=0 prev='' ok=1
	for f in "$SOCKLAB_ROOT"/lessons/[0-9][0-9]-*.md; do
		prev='' ok=1
		while read -r fn file; do
			if [ "$fn" != "$prev" ] && [ -n "$prev" ] && [ "$ok" -eq 0 ]; then
				echo "${f##*/}: $prev() appears in none of the files its bullet links"
				missing=1
			fi
			[ "$fn" != "$prev" ] && ok=0
			prev=$fn
			if echo "$fn" | grep -Eq "$LIBC" ||
				grep -Eq "(^|[^a-z_0-9])$fn\(" "$SOCKLAB_ROOT/$file" 2>/dev/null; then
				ok=1
			fi
		done < <(bullet_pairs "$f")
		if [ -n "$prev" ] && [ "$ok" -eq 0 ]; then
			echo "${f##*/}: $prev() appears in none of the files its bullet links"
			missing=1
		fi
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

@test "every examples/ program a lesson links exists" {
	local f link missing=0
	for f in "$SOCKLAB_ROOT"/lessons/*.md; do
		while read -r link; do
			if [ ! -f "$SOCKLAB_ROOT/lessons/$link" ]; then
				echo "${f##*/} links $link, which does not exist"
				missing=1
			fi
		done < <(grep -oE '\]\(examples/[a-z0-9-]+\.c\)' "$f" | sed 's/^](//; s/)$//' | sort -u)
	done
	[ "$missing" -eq 0 ]
}

@test "lessons 00, 15 and 16 exist, link the map, and the map lists them in order" {
	local n f prev=0 line
	for n in 00-addresses 15-io-models 16-faq; do
		f=$SOCKLAB_ROOT/lessons/$n.md
		[ -f "$f" ] || { echo "missing lessons/$n.md"; return 1; }
		grep -q '(README.md)' "$f" || { echo "$n.md does not link the map"; return 1; }
		line=$(grep -n "($n.md)" "$SOCKLAB_ROOT/lessons/README.md" | head -n 1 | cut -d: -f1)
		[ -n "$line" ] || { echo "the map does not list $n.md"; return 1; }
		[ "$line" -gt "$prev" ] || { echo "the map lists $n.md out of order"; return 1; }
		prev=$line
	done
	grep -q "(lessons/00-addresses.md)" "$SOCKLAB_ROOT/README.md" || { echo "README.md does not mention lesson 00"; return 1; }
	grep -q "(lessons/15-io-models.md)" "$SOCKLAB_ROOT/README.md" || { echo "README.md does not mention lesson 15"; return 1; }
	grep -q "(lessons/16-faq.md)" "$SOCKLAB_ROOT/README.md" || { echo "README.md does not mention lesson 16"; return 1; }
}
