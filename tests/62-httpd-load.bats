#!/usr/bin/env bats
# mini-httpd under load: 10,000 sequential keep-alive requests on one
# connection and 1,000 concurrent keep-alive connections, with no error.

load helpers

setup() {
	# 1,000 connections need more than the common default of 1,024 fds.
	ulimit -n 4096 2>/dev/null || true
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p www
	head -c 1024 /dev/urandom >www/1k.bin
	# The server outlives the clients' own bound (120 s): under ASan on a busy
	# machine, 10,000 requests take longer than the default $T.
	SPAWN_TIMEOUT=150 start_server srv "$(tool mini-httpd)" -p 0 -b 127.0.0.1 www
}

teardown() {
	pkill -TERM -P "$srv_PID" 2>/dev/null || true
	wait_pid "$srv_PID" 5
	cleanup_spawned
}

@test "10,000 sequential keep-alive requests on one connection, all 200 and whole" {
	run -0 timeout 120 python3 - "$PORT" <<'PY'
import http.client, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
want = open("www/1k.bin", "rb").read()
for i in range(10000):
    conn.request("GET", "/1k.bin")
    r = conn.getresponse()
    body = r.read()
    if r.status != 200 or body != want or r.will_close:
        sys.exit(f"request {i}: status {r.status}, {len(body)} bytes")
print("10000 ok on one connection")
PY
	[[ "$output" == *"10000 ok on one connection"* ]]
}

@test "1,000 concurrent keep-alive connections, three requests each, no error" {
	run -0 timeout 120 python3 - "$PORT" <<'PY'
import asyncio, sys
port = int(sys.argv[1])
want = open("www/1k.bin", "rb").read()
req = b"GET /1k.bin HTTP/1.1\r\nHost: x\r\n\r\n"

async def client(n):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(3):
        w.write(req)
        head = await r.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200 "):
            raise RuntimeError(f"client {n}: {head[:40]!r}")
        body = await r.readexactly(len(want))
        if body != want:
            raise RuntimeError(f"client {n}: wrong body")
    w.close()
    return 3

async def main():
    # The 1,000 clients run at once, each on its own connection.
    done = await asyncio.gather(*(client(n) for n in range(1000)))
    print(f"{sum(done)} responses over {len(done)} concurrent connections")

asyncio.run(main())
PY
	[[ "$output" == *"3000 responses over 1000 concurrent connections"* ]]
	kill -0 "$srv_PID"
}
