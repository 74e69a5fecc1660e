# socklab - build, test and install.
#
#   make               build every tool into build/
#   make examples      the lessons' example programs into build/examples/
#   make test          build, then run the bats suite (tests/);
#                      TESTS=tests/10-tcp.bats runs one file
#   make sanitize      the same suite against an ASan+UBSan build
#   make demo          watch a narrated server/client exchange
#   make lab           a shell in a network namespace of your own
#   make valgrind      the TCP (and HTTP) tests with the tools under valgrind
#   make lint          cppcheck and shellcheck
#   make fuzz          libFuzzer: FUZZ=addr (or http, frame, packet) FUZZ_SECONDS=60
#   make compilers     build with gcc, clang and musl-gcc
#   make install       PREFIX=/usr/local DESTDIR= (binaries and man pages)
#
# Every directory under tools/ is one program: its .c files are linked
# with common/ into build/NAME. Adding a tool needs no change here.

VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BUILD ?= build

CC ?= cc
CFLAGS ?= -O2 -g
WERROR ?= -Werror
override CFLAGS += -std=c11 -Wall -Wextra -Wpedantic -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes $(WERROR)
override CPPFLAGS += -Icommon -DSOCKLAB_VERSION='"$(VERSION)"' -MMD -MP
override LDLIBS += -pthread
ifeq ($(shell uname -s),Linux)
override CPPFLAGS += -D_GNU_SOURCE
endif
ifdef SANITIZE
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
endif

# The event loop's backend: epoll on Linux, poll() elsewhere; LOOP=poll
# builds the portable one on Linux too (make compilers does, so it cannot rot).
ifeq ($(shell uname -s),Linux)
LOOP ?= epoll
else
LOOP ?= poll
endif

TOOLS := $(notdir $(patsubst %/,%,$(wildcard tools/*/)))
BINS := $(addprefix $(BUILD)/,$(TOOLS))
COMMON_SRC := $(filter-out common/loop_epoll.c common/loop_poll.c,\
	$(wildcard common/*.c)) common/loop_$(LOOP).c
COMMON_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMMON_SRC))

all: $(BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# One link rule per tool: its own objects plus the shared ones.
define TOOL_RULE
$(BUILD)/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/$(1)/*.c)) $(COMMON_OBJ)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call TOOL_RULE,$(t))))

# The lessons' minimal programs (lessons/examples/*.c): plain C without
# common/, each one file, built alone with strict warnings.
EXAMPLES := $(patsubst lessons/examples/%.c,$(BUILD)/examples/%,$(wildcard lessons/examples/*.c))
EXAMPLE_CFLAGS ?= -O2 -g
override EXAMPLE_CFLAGS += -Wall -Wextra -Wpedantic -Werror
ifdef SANITIZE
override EXAMPLE_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
endif
examples: $(EXAMPLES)
$(BUILD)/examples/%: lessons/examples/%.c
	@mkdir -p $(dir $@)
	$(CC) $(EXAMPLE_CFLAGS) -o $@ $<

# C unit tests of the pure functions: tests/unit/test_NAME.c is linked with
# common/ (and with UNIT_OBJ_NAME, the tool objects it tests) into
# $(BUILD)/unit/test_NAME; each ends with "N passed, N failed".
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))
UNIT_OBJ_stats = $(BUILD)/obj/tools/udp-receiver/stats.o
.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c $(COMMON_OBJ) $$(UNIT_OBJ_$$*)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CPPFLAGS_test_$*) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		$(COMMON_OBJ) $(UNIT_OBJ_$*) $(LDLIBS)

# socket-watch's decoders, its sock_diag parser and its table.
SW_OBJ := $(addprefix $(BUILD)/obj/tools/socket-watch/,packet.o flows.o \
	diag_parse.o table.o)
UNIT_OBJ_packet = $(SW_OBJ)
CPPFLAGS_test_packet = -Itools/socket-watch

# net-relay's pure parts.
UNIT_OBJ_relay = $(BUILD)/obj/tools/net-relay/impair.o

# mini-httpd's parsers, path decoding, ranges and preconditions.
UNIT_OBJ_http = $(addprefix $(BUILD)/obj/tools/mini-httpd/,http_parse.o \
	http_field.o files.o precond.o response.o text.o)
$(BUILD)/unit/test_http: override CPPFLAGS += -Itools/mini-httpd
# ... and its decoders of bodies and of CGI scripts' heads.
UNIT_OBJ_httpd_body = $(addprefix $(BUILD)/obj/tools/mini-httpd/,chunked.o \
	cgi_head.o http_parse.o http_field.o)
$(BUILD)/unit/test_httpd_body: override CPPFLAGS += -Itools/mini-httpd

unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do $$t || exit 1; done

test: all examples unit
	scripts/run-tests $(BUILD) $(TESTS)

sanitize:
	$(MAKE) BUILD=build/sanitize SANITIZE=1 all examples
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) BUILD=build/sanitize SANITIZE=1 unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	SOCKLAB_TEST_TIMEOUT=40 CONTRACT_SCALE=2 scripts/run-tests build/sanitize $(TESTS)

demo: all
	scripts/demo

# A shell in a private network namespace of your own, where packet
# capture works without sudo (scripts/lab).
lab: all
	scripts/lab

# The suite's TCP and HTTP tests with every tool under valgrind memcheck.
valgrind: all
	scripts/valgrind-suite $(BUILD) $(VALGRIND_TESTS)

# Static checks: cppcheck on the C sources, shellcheck on the shell,
# Python's own parser on the Python scripts (scripts/ladder), and pyflakes
# on the web-server grader and its fixtures.
lint:
	cppcheck --error-exitcode=1 -q --std=c11 --inline-suppr \
		--enable=warning,portability,performance -Icommon common tools \
		lessons/examples
	shellcheck $$(grep -ls '^#!.*sh$$' scripts/*) tests/*.bash .ci/run
	python3 -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]' \
		$$(grep -ls '^#!.*python3$$' scripts/*) tests/*.py
	pyflakes3 scripts/http-grader/*.py tests/fixtures/http/*.py

# libFuzzer harnesses under tests/fuzz/ (needs clang): make fuzz FUZZ=addr
# (or http; frame: the decoder of lessons/examples/frame-recv.c; packet:
# socket-watch's frame decoder and sock_diag parser)
FUZZ ?= addr
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Icommon -D_GNU_SOURCE
# UBSan stops at its first report, so an overflow is a crash libFuzzer
# keeps (and CI fails), never a line that scrolls by.
FUZZ_SRC_addr = common/addr.c common/trace.c common/trace_hint.c common/jtrace.c
# Every parser mini-httpd runs on request bytes (and what they call).
FUZZ_SRC_http = $(addprefix tools/mini-httpd/,http_parse.c http_field.c \
	files.c precond.c response.c text.c chunked.c cgi_head.c) -Itools/mini-httpd
FUZZ_SRC_frame =	# the harness includes lessons/examples/frame-recv.c
FUZZ_SRC_packet = $(addprefix tools/socket-watch/,packet.c flows.c diag_parse.c) \
	common/addr.c common/trace.c common/trace_hint.c common/jtrace.c \
	-Itools/socket-watch
fuzz:
	@mkdir -p build/fuzz/corpus-$(FUZZ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o build/fuzz/fuzz-$(FUZZ) \
		tests/fuzz/fuzz_$(FUZZ).c $(FUZZ_SRC_$(FUZZ))
	cp tests/fuzz/corpus-$(FUZZ)/* build/fuzz/corpus-$(FUZZ)/
	build/fuzz/fuzz-$(FUZZ) -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 build/fuzz/corpus-$(FUZZ)

# Warning-free with every compiler we support (each into its own build/).
# musl brings no Linux headers: it gets the kernel's own (linux/, asm/),
# and nothing else of the system's libc, from build/musl-uapi.
compilers:
	$(MAKE) CC=gcc BUILD=build/gcc all examples
	$(MAKE) CC=clang BUILD=build/clang all examples
	@mkdir -p build/musl-uapi
	asm=$$(ls -d /usr/include/$$(gcc -print-multiarch 2>/dev/null)/asm \
		/usr/include/asm 2>/dev/null | head -n 1); \
	ln -sfn /usr/include/linux build/musl-uapi/linux && \
	ln -sfn /usr/include/asm-generic build/musl-uapi/asm-generic && \
	ln -sfn "$$asm" build/musl-uapi/asm
	$(MAKE) CC=musl-gcc BUILD=build/musl CPPFLAGS="-idirafter build/musl-uapi" all examples
	$(MAKE) LOOP=poll BUILD=build/poll all

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	for t in $(TOOLS); do \
		cp $(BUILD)/$$t $(DESTDIR)$(BINDIR)/$$t && \
		cp man/$$t.1 $(DESTDIR)$(MANDIR)/man1/$$t.1 || exit 1; \
	done

uninstall:
	for t in $(TOOLS); do \
		rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(MANDIR)/man1/$$t.1; \
	done

clean:
	rm -rf $(BUILD) build

.PHONY: all examples unit test sanitize demo lab valgrind lint compilers fuzz install uninstall clean
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
