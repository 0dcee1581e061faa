# vfio-prep — plain GNU make, flags from pkg-config.
#   make            build/vfio-prep
#   make check      the whole suite: unit, command-line and boot tests (CI runs this)
#   make unit       unit tests only        make cli-check   command-line tests only
#   make vm-check   boot tests (QEMU)      make check-asan  unit + cli under ASan/UBSan
#   make demo       show the main job on an emulated machine
#   make install PREFIX=/usr DESTDIR=...   V=1 for verbose commands

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR ?=
BUILD   ?= build
VERSION := $(shell cat VERSION 2>/dev/null || echo 0)

CC      ?= cc
PKG_CONFIG ?= pkg-config
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
XCFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -DVERSION='"$(VERSION)"' -MMD -MP

HAVE_LIBPCI := $(shell $(PKG_CONFIG) --exists libpci 2>/dev/null && echo 1)
LIB_CFLAGS := $(shell $(PKG_CONFIG) --cflags libkmod blkid 2>/dev/null)
LIB_LIBS   := $(shell $(PKG_CONFIG) --libs libkmod blkid 2>/dev/null)
ifeq ($(HAVE_LIBPCI),1)
XCFLAGS   += -DHAVE_LIBPCI
LIB_CFLAGS += $(shell $(PKG_CONFIG) --cflags libpci)
LIB_LIBS   += $(shell $(PKG_CONFIG) --libs libpci)
endif
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The seams: real libraries in the product, fakes in unit tests.
SEAMS     := src/modload.c src/blkdev.c
CORE_SRCS := $(filter-out src/main.c $(SEAMS),$(sort $(wildcard src/*.c)))
CORE_OBJS := $(CORE_SRCS:src/%.c=$(BUILD)/%.o)
SEAM_OBJS := $(SEAMS:src/%.c=$(BUILD)/%.o)
TEST_SRCS := $(sort $(wildcard tests/test-*.c))
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(sort $(wildcard tests/support/*.c))
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:tests/support/%.c=$(BUILD)/tests/support/%.o)

all: $(BUILD)/vfio-prep

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(XCFLAGS) $(LIB_CFLAGS) $(CFLAGS) -c -o $@ $<

# An archive, so that a test links only the modules it uses.
$(BUILD)/libcore.a: $(CORE_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/vfio-prep: $(BUILD)/main.o $(SEAM_OBJS) $(BUILD)/libcore.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/tests/support/%.o: tests/support/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(XCFLAGS) -Isrc $(CMOCKA_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(XCFLAGS) -Isrc $(CMOCKA_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/test-%: $(BUILD)/tests/test-%.o $(TEST_SUPPORT_OBJS) $(BUILD)/libcore.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(if $(HAVE_LIBPCI),$(shell $(PKG_CONFIG) --libs libpci))

tests: $(TEST_BINS)

unit: $(TEST_BINS)
	@sh tests/run-unit.sh $(TEST_BINS)

cli-check: $(BUILD)/vfio-prep
	@sh tests/cli/run.sh $(BUILD)/vfio-prep

vm-check: $(BUILD)/vfio-prep
	@sh tests/vm/run.sh $(BUILD)/vfio-prep

deps:
	@sh scripts/install-deps.sh

man-check:
	@sh tests/test-man.sh

lint:
	@sh tests/lint-one-door.sh

check: deps
	$(MAKE) all tests
	$(MAKE) unit
	$(MAKE) cli-check
	$(MAKE) man-check
	$(MAKE) lint
	$(MAKE) vm-check

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
check-asan:
	$(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" unit cli-check

demo: deps all
	@sh scripts/demo.sh $(BUILD)/vfio-prep

install: all
	install -Dm755 $(BUILD)/vfio-prep $(DESTDIR)$(BINDIR)/vfio-prep
	install -Dm644 man/vfio-prep.8 $(DESTDIR)$(MANDIR)/man8/vfio-prep.8
	install -Dm644 man/vfio-prep.conf.5 $(DESTDIR)$(MANDIR)/man5/vfio-prep.conf.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vfio-prep $(DESTDIR)$(MANDIR)/man8/vfio-prep.8 \
	      $(DESTDIR)$(MANDIR)/man5/vfio-prep.conf.5

clean:
	rm -rf build build-asan

.PHONY: all tests unit cli-check man-check lint vm-check deps check check-asan demo install uninstall clean

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d $(BUILD)/tests/support/*.d)
