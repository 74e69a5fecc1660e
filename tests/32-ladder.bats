#!/usr/bin/env bats
# scripts/ladder: the --trace files of a client, a server and socket-watch
# merged into one client | wire | server diagram. The exchange runs inside
# scripts/lab, where socket-watch packets can capture without sudo.

load helpers

setup() {
	LADDER=$SOCKLAB_ROOT/scripts/ladder
	cd "$BATS_TEST_TMPDIR" || return 1
	command -v python3 >/dev/null || skip "needs python3"
}

# exchange DIR [CLIENT_FLAG...]: the recorded exchange, in the lab.
exchange() {
	local dir=$1
	shift
	"$SOCKLAB_ROOT/scripts/lab" true 2>/dev/null || skip "scripts/lab cannot make a namespace here"
	run -0 "$SOCKLAB_ROOT/scripts/lab" "$SOCKLAB_ROOT/scripts/wire-exchange" \
		"$SOCKLAB_BUILD" "$BATS_TEST_TMPDIR/$dir" 7000 "$@"
}

# column N LINE: the text of column N (0 client, 1 wire, 2 server) of a
# line, without the spaces that pad it.
column() {
	local line=$2 cell
	case $1 in
	0) cell=${line:8:30} ;;
	1) cell=${line:39:30} ;;
	2) cell=${line:70} ;;
	esac
	printf '%s' "${cell%"${cell##*[! ]}"}"
}

# first N REGEX: the number of the first line whose column N matches.
first() {
	local i
	for ((i = 0; i < ${#lines[@]}; i++)); do
		if [[ "$(column "$1" "${lines[$i]}")" =~ $2 ]]; then
			echo "$i"
			return 0
		fi
	done
	echo "no /$2/ in column $1" >&2
	return 1
}

@test "the ladder: handshake before connect returns, the data, FIN from the side that shut down, TIME_WAIT on it" {
	exchange x
	run -0 "$LADDER" x/client.json x/server.json x/wire.json x/states.json
	printf '%s\n' "${lines[@]}"
	for line in "${lines[@]}"; do [ "${#line}" -le 100 ]; done
	syn=$(first 1 '^---- SYN -+>$')
	synack=$(first 1 '^<-+ SYN\+ACK ----$')
	ack=$(first 1 '^---- ACK -+>$')
	connected=$(first 0 '^\.\.\. connect = 0')
	[ "$syn" -lt "$synack" ] && [ "$synack" -lt "$ack" ] && [ "$ack" -lt "$connected" ]
	# the handshake is done before accept() returns, too
	[ "$ack" -lt "$(first 2 '^\.\.\. accept = [0-9]+|^accept\(fd=[0-9]+\) = [0-9]+')" ]
	first 1 '^---- PSH\+ACK 6 "hello\\n" -+>$' >/dev/null
	first 1 '^<---- PSH\+ACK 6 "hello\\n" -+$' >/dev/null
	# the client shut down its side: the first FIN is the client's
	shut=$(first 0 '^shutdown\(fd=[0-9]+, SHUT_WR\)')
	fin=$(first 1 'FIN')
	[ "$shut" -lt "$fin" ]
	[[ "$(column 1 "${lines[$fin]}")" == "---- FIN+ACK"*">" ]]
	# TIME_WAIT on the client's side, and not on the server's
	first 0 '^\[(.* )?-> TIME_WAIT, (59|60)\.[0-9] s left\]$' >/dev/null
	run ! first 2 'TIME_WAIT'
}

@test "the ladder of a reset: RST from the client, no FIN, no TIME_WAIT anywhere" {
	exchange r --reset
	run -0 "$LADDER" r/client.json r/server.json r/wire.json r/states.json
	printf '%s\n' "${lines[@]}"
	rst=$(first 1 '^---- RST')
	[ "$rst" -gt "$(first 0 '^setsockopt\(fd=[0-9]+, SOL_SOC')" ]
	run ! grep -q 'TIME_WAIT' <(printf '%s\n' "${lines[@]}")
	run ! grep -q 'FIN' <(printf '%s\n' "${lines[@]}")
}

@test "the ladder without packets: calls and states only" {
	exchange s
	run -0 "$LADDER" s/client.json s/server.json s/states.json
	first 0 '^connect\(fd=[0-9]+, 127\.0\.0\.1:.* = 0$' >/dev/null
	first 0 'TIME_WAIT' >/dev/null
	first 2 '^listen\(fd=[0-9]+, 128\) = 0' >/dev/null
	run ! grep -q 'SYN' <(printf '%s\n' "${lines[@]}")
}

# not_blank PNG: true if the image has enough pixels that are not the
# page's white (decoded by hand: PNG's zlib stream and its row filters).
not_blank() {
	python3 - "$1" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), "unexpected PNG format"
bpp = 3 if ctype == 2 else 4
raw, stride, prev, dark = zlib.decompress(idat), w * bpp, bytearray(w * bpp), 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    dark += sum(1 for x in range(0, stride, bpp) if line[x] < 128)
    prev = line
print("%d dark pixels of %d" % (dark, w * h))
sys.exit(0 if dark > 2000 else 1)
EOF
}

@test "the HTML ladder renders in headless Chromium, naming SYN, FIN and the calls" {
	local browser
	browser=$(command -v chromium || command -v chromium-browser || true)
	[ -n "$browser" ] || skip "chromium is not installed"
	exchange h
	run -0 "$LADDER" --html ladder.html h/client.json h/server.json h/wire.json h/states.json
	run -0 timeout 60 "$browser" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --user-data-dir="$BATS_TEST_TMPDIR/profile" \
		--screenshot="$BATS_TEST_TMPDIR/ladder.png" --window-size=1400,1000 \
		"file://$BATS_TEST_TMPDIR/ladder.html"
	[ -s ladder.png ]
	run -0 not_blank ladder.png
	echo "# $output" >&3
	run -0 timeout 60 "$browser" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --user-data-dir="$BATS_TEST_TMPDIR/profile" \
		--dump-dom "file://$BATS_TEST_TMPDIR/ladder.html"
	for word in '>SYN<' '>SYN+ACK<' 'FIN+ACK' 'connect(fd=' 'accept(fd=' 'shutdown(fd=' 'TIME_WAIT'; do
		[[ "$output" == *"$word"* ]] || { echo "the page lacks $word"; false; }
	done
}

@test "ladder: bad input is told in one line" {
	run -64 --separate-stderr "$LADDER"
	[ "${stderr_lines[0]}" = "ladder: no trace files" ]
	run -64 --separate-stderr "$LADDER" --bogus x
	[ "${stderr_lines[0]}" = "ladder: unknown option '--bogus'" ]
	run -66 --separate-stderr "$LADDER" /nonexistent.json
	[ "$stderr" = "ladder: cannot read /nonexistent.json: No such file or directory" ]
	printf 'not json\n{"t_us":1,"kind":"step","tool":"x","pid":1,"name":"socket","call":"socket()","result":3}\n' >t.json
	run -0 --separate-stderr "$LADDER" t.json
	[ "$stderr" = "ladder: t.json:1: not JSON, left out" ]
	[[ "$output" == *"socket() = 3"* ]]
	: >empty.json
	run -65 --separate-stderr "$LADDER" empty.json
	[ "$stderr" = "ladder: nothing to draw in empty.json" ]
}

@test "make demo's ladder: packets when the lab can be made, else the states only" {
	run -0 timeout 60 "$SOCKLAB_ROOT/scripts/demo-ladder"
	if "$SOCKLAB_ROOT/scripts/lab" true 2>/dev/null; then
		[[ "$output" == *"in scripts/lab, socket-watch sees the packets too"* ]]
		[[ "$output" == *"SYN+ACK"* && "$output" == *"FIN+ACK"* ]]
	fi
	[[ "$output" == *"TIME_WAIT"* ]]
	# without user namespaces: the calls and the states, and it says so
	mkdir bin
	printf '#!/bin/sh\nexit 1\n' >bin/unshare
	chmod +x bin/unshare
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run -0 timeout 60 "$SOCKLAB_ROOT/scripts/demo-ladder"
	[[ "$output" == *"states only (no network namespace here for the packets)"* ]]
	[[ "$output" != *"SYN"* ]]
	[[ "$output" == *"connect(fd="* && "$output" == *"TIME_WAIT"* ]]
}
