# socklab - build, test and install.
#
#   make               build every tool into build/
#   make test          build, then run the bats suite (tests/);
#                      TESTS=tests/02-tcp.bats runs one file
#   make sanitize      the same suite against an ASan+UBSan build
#   make demo          watch a narrated server/client exchange
#   make valgrind      the TCP (and HTTP) tests with the tools under valgrind
#   make lint          cppcheck and shellcheck
#   make fuzz          libFuzzer: FUZZ=addr (or http) FUZZ_SECONDS=60
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

TOOLS := $(notdir $(patsubst %/,%,$(wildcard tools/*/)))
BINS := $(addprefix $(BUILD)/,$(TOOLS))
COMMON_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard common/*.c))

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

test: all
	scripts/run-tests $(BUILD) $(TESTS)

sanitize:
	$(MAKE) BUILD=build/sanitize SANITIZE=1 all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	scripts/run-tests build/sanitize $(TESTS)

demo: all
	scripts/demo

# The suite's TCP and HTTP tests with every tool under valgrind memcheck.
valgrind: all
	scripts/valgrind-suite $(BUILD) $(VALGRIND_TESTS)

# Static checks: cppcheck on the C sources, shellcheck on the shell.
lint:
	cppcheck --error-exitcode=1 -q --std=c11 --inline-suppr \
		--enable=warning,portability,performance -Icommon common tools
	shellcheck scripts/* tests/*.bash .ci/run

# libFuzzer harnesses under tests/fuzz/ (needs clang): make fuzz FUZZ=addr
FUZZ ?= addr
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -Icommon -D_GNU_SOURCE
FUZZ_SRC_addr = common/addr.c common/trace.c
fuzz:
	@mkdir -p build/fuzz/corpus-$(FUZZ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o build/fuzz/fuzz-$(FUZZ) \
		tests/fuzz/fuzz_$(FUZZ).c $(FUZZ_SRC_$(FUZZ))
	cp tests/fuzz/corpus-$(FUZZ)/* build/fuzz/corpus-$(FUZZ)/
	build/fuzz/fuzz-$(FUZZ) -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 build/fuzz/corpus-$(FUZZ)

# Warning-free with every compiler we support (each into its own build/).
compilers:
	$(MAKE) CC=gcc BUILD=build/gcc all
	$(MAKE) CC=clang BUILD=build/clang all
	$(MAKE) CC=musl-gcc BUILD=build/musl all

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

.PHONY: all test sanitize demo valgrind lint compilers fuzz install uninstall clean
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
