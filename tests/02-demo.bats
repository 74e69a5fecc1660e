#!/usr/bin/env bats
# make demo's script: outside a terminal it runs both sides and exits itself.

load helpers

@test "scripts/demo narrates all nine steps of a real exchange and exits" {
	run -0 timeout "$T" env SOCKLAB_DEMO_PLAIN=1 "$SOCKLAB_ROOT/scripts/demo"
	local s
	for s in "1 socket" "2 setsockopt" "3 bind" "4 listen" "5 accept" \
		"6 connect" "7 send" "8 recv" "9 close"; do
		[[ "$output" == *"[$s]"* ]] || { echo "missing step [$s]"; false; }
	done
	[[ "$output" == *"stdout | hello, socklab"* ]]
	[[ "$output" == *"server | tcp-server: listening on"* ]]
	[[ "$output" == *"client | tcp-client: connected to"* ]]
}

# tmux_test CMD...: tmux on a server of this test's own (its own socket,
# no configuration), so the user's sessions are never touched.
tmux_test() {
	tmux -L "socklab-test-$$" -f /dev/null "$@"
}

# pane_shows PANE REGEX: poll PANE's content until a line matches REGEX.
pane_shows() {
	local i
	for ((i = 0; i < T * 10; i++)); do
		tmux_test capture-pane -p -t "$1" 2>/dev/null | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	echo "pane $1 never showed /$2/:"
	tmux_test capture-pane -p -t "$1" 2>/dev/null
	return 1
}

@test "scripts/demo inside tmux: a pane beside the current one, both sides narrated, nothing left behind" {
	command -v tmux >/dev/null || skip "needs tmux"
	local demo panes server server_pid
	# The demo runs in the first pane of a session on our own tmux server,
	# as if typed there; the pane stays when it ends, to be read.
	tmux_test new-session -d -s demo -x 220 -y 60 \
		"env -u CI SOCKLAB_BUILD='$SOCKLAB_BUILD' '$SOCKLAB_ROOT/scripts/demo'; echo \"demo exited \$?\"; read -r _" 3>&-
	demo=$(tmux_test list-panes -t demo -F '#{pane_id}' | head -n 1)
	pane_shows "$demo" 'press Enter to close the server'
	panes=$(tmux_test list-panes -t demo -F '#{pane_id}')
	[ "$(wc -l <<<"$panes")" -eq 2 ]
	server=$(grep -v "^$demo\$" <<<"$panes")
	# The server pane's own process (the server's shell), to check it goes.
	server_pid=$(tmux_test display-message -p -t "$server" '#{pane_pid}')
	kill -0 "$server_pid"
	# The client's side here, the server's beside it: all nine steps.
	pane_shows "$demo" 'tcp-client: \[6 connect\] connect\(fd=3, 127\.0\.0\.1:[0-9]+\) = 0'
	pane_shows "$demo" '^hello, socklab$'
	pane_shows "$demo" 'tcp-client: \[9 close\] close\(fd=3\) = 0'
	pane_shows "$server" 'tcp-server: \[3 bind\] bind\(fd=3, \[::\]:[0-9]+\) = 0'
	pane_shows "$server" 'tcp-server: \[5 accept\] accept\(fd=3\) = 4'
	pane_shows "$server" 'tcp-server: closed connection from 127\.0\.0\.1:'
	# Enter ends the demo: the server's pane goes, and with it the server.
	tmux_test send-keys -t "$demo" Enter
	pane_shows "$demo" '^demo exited 0$'
	[ "$(tmux_test list-panes -t demo | wc -l)" -eq 1 ]
	[ "$(tmux_test list-sessions | wc -l)" -eq 1 ]
	! kill -0 "$server_pid" 2>/dev/null
}

teardown() {
	tmux_test kill-server 2>/dev/null || true
	cleanup_spawned
}
