# vfio-prep — plain GNU make, flags from pkg-config.
#   make            build/vfio-prep
#   make check      the whole suite: unit, command-line and boot tests (CI runs this)
#   make unit       unit tests only        make cli-check   command-line tests only
#   make vm-check   boot tests (QEMU)      make check-asan  unit + cli under ASan/UBSan
#   make demo       show the main job on an emulated machine
#   make fresh-check  make demo and make static in a clean Debian 12 root (FRESH_FULL=1: make check)
#   make install PREFIX=/usr DESTDIR=...   V=1 for verbose commands
#   make deb, make rpm, make arch           distribution packages in build/packages/

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
XCFLAGS = -std=gnu11 $(WARN) $(SRC_INC) -D_GNU_SOURCE -DVERSION='"$(VERSION)"' -MMD -MP

HAVE_LIBPCI := $(shell $(PKG_CONFIG) --exists libpci 2>/dev/null && echo 1)
LIB_CFLAGS := $(shell $(PKG_CONFIG) --cflags libkmod blkid 2>/dev/null)
LIB_LIBS   := $(shell $(PKG_CONFIG) --libs libkmod blkid 2>/dev/null)
ifeq ($(HAVE_LIBPCI),1)
XCFLAGS   += -DHAVE_LIBPCI
LIB_CFLAGS += $(shell $(PKG_CONFIG) --cflags libpci)
LIB_LIBS   += $(shell $(PKG_CONFIG) --libs libpci)
endif
# zlib: /proc/config.gz and --capture FILE.tar.gz (src/util/gzip.c); without it both say so.
HAVE_ZLIB := $(shell $(PKG_CONFIG) --exists zlib 2>/dev/null && echo 1)
ifeq ($(HAVE_ZLIB),1)
XCFLAGS    += -DHAVE_ZLIB
LIB_CFLAGS += $(shell $(PKG_CONFIG) --cflags zlib)
ZLIB_LIBS  := $(shell $(PKG_CONFIG) --libs zlib)
LIB_LIBS   += $(ZLIB_LIBS)
endif
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The layers (README, "Architecture"): util <- core <- sys <- cli; tests/lint.sh keeps them apart.
LAYERS    := util core sys cli
SRC_INC   := $(LAYERS:%=-Isrc/%)
ALL_SRCS  := $(sort $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c)))
# The seams: real libraries in the product, fakes in unit tests.
SEAMS     := src/sys/modload.c src/sys/blkdev.c
LIB_SRCS  := $(filter-out src/cli/main.c $(SEAMS),$(ALL_SRCS))
LIB_OBJS  := $(LIB_SRCS:src/%.c=$(BUILD)/%.o)
SEAM_OBJS := $(SEAMS:src/%.c=$(BUILD)/%.o)
TEST_SRCS := $(sort $(wildcard tests/test-*.c))
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(sort $(wildcard tests/support/*.c))
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:tests/support/%.c=$(BUILD)/tests/support/%.o)

# The flags above come from pkg-config when make reads this file. Without the libraries (a
# fresh machine), `make` installs them first (scripts/install-deps.sh --build, or it prints the
# command) and reads this file again, so that the flags are those of the installed libraries.
LIBS_FOUND := $(shell $(PKG_CONFIG) --exists libkmod blkid 2>/dev/null && echo 1)
ifeq ($(LIBS_FOUND),1)
all: $(BUILD)/vfio-prep
else ifeq ($(DEPS_INSTALLED),1)
all:
	@echo "vfio-prep: pkg-config ($(PKG_CONFIG)) finds no libkmod and blkid after installing them" >&2; exit 1
else
all:
	@sh scripts/install-deps.sh --build
	@$(MAKE) DEPS_INSTALLED=1 all
endif

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(XCFLAGS) $(LIB_CFLAGS) $(CFLAGS) -c -o $@ $<

# An archive, so that a test links only the modules it uses.
$(BUILD)/libvfio-prep.a: $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/vfio-prep: $(BUILD)/cli/main.o $(SEAM_OBJS) $(BUILD)/libvfio-prep.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/tests/support/%.o: tests/support/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(XCFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(XCFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/test-%: $(BUILD)/tests/test-%.o $(TEST_SUPPORT_OBJS) $(BUILD)/libvfio-prep.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(ZLIB_LIBS) $(if $(HAVE_LIBPCI),$(shell $(PKG_CONFIG) --libs libpci))

tests: $(TEST_BINS)

unit: $(TEST_BINS)
	@sh tests/run-unit.sh $(TEST_BINS)

cli-check: $(BUILD)/vfio-prep
	@sh tests/cli/run.sh $(BUILD)/vfio-prep

vm-check: $(BUILD)/vfio-prep
	@sh tests/vm/run.sh $(BUILD)/vfio-prep

# Boot tests of the dracut and initramfs-tools hooks: real images, real generators (root).
DRACUT_MODDIR = $(PREFIX)/lib/dracut/modules.d/50vfio-prep
ITOOLS_DIR    = $(PREFIX)/share/initramfs-tools
initramfs-check: $(BUILD)/vfio-prep
	@sh tests/initramfs/run.sh $(BUILD)
.PHONY: initramfs-check

# The mkinitcpio hooks: the build hook against mkinitcpio's functions, the runtime hook booted.
mkinitcpio-check: $(BUILD)/vfio-prep
	@sh tests/mkinitcpio/run.sh $(BUILD)/vfio-prep
.PHONY: mkinitcpio-check

deps:
	@sh scripts/install-deps.sh

# bash, zsh and fish completion driven for real (tests/packaging/completions.sh).
completions-check: $(BUILD)/vfio-prep
	@sh tests/packaging/completions.sh $(BUILD)/vfio-prep
.PHONY: completions-check

man-check:
	@sh tests/test-man.sh

lint: all
	@sh tests/lint.sh $(BUILD)

# The scripts' own tests, offline: the static build's choice of source revision (stubbed apt).
scripts-check:
	@sh tests/test-static-sources.sh

check: deps
	$(MAKE) all tests
	$(MAKE) unit
	$(MAKE) cli-check
	$(MAKE) man-check
	$(MAKE) completions-check
	$(MAKE) lint
	$(MAKE) scripts-check
	$(MAKE) hostile-check
	$(MAKE) check-fallback
	$(MAKE) fuzz-check
	$(MAKE) check-asan
	$(MAKE) check-valgrind
	$(MAKE) vm-check
	$(MAKE) mkinitcpio-check
	$(MAKE) static-check
	$(MAKE) packages-check
	$(MAKE) initramfs-check

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# Leaks fail too. A report from the forked child of root_write_deadline goes to the same
# stderr, which the command-line and hostile tests check.
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# ASan makes the hostile tree of thousands of entries several times slower: 60 s, still
# a finite limit that catches a hang.
check-asan:
	$(ASAN_ENV) HOSTILE_TIMEOUT=60 $(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" unit cli-check hostile-check

# Hostile trees, unusable config files, failing writes (tests/hostile/).
hostile-check: $(BUILD)/vfio-prep
	@sh tests/hostile/run.sh $(BUILD)/vfio-prep

# The command-line and hostile-input tests under valgrind: no errors, no leaks of any kind.
# The child of root_write_deadline only opens and writes, and exits holding its parent's
# memory: valgrind would call all of it still reachable, hence --child-silent-after-fork.
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
	    --errors-for-leak-kinds=all --child-silent-after-fork=yes --suppressions=$(CURDIR)/tests/valgrind.supp
# Valgrind 3.19 (Debian 12) knows neither openat2(2) nor pidfd_open(2): it warns on stderr and
# fails the call, so these runs take the fallbacks (the root layer's walk, the waits' naps);
# make check-asan covers the kernel's paths.
NO_NEW_SYSCALLS := VFIO_PREP_NO_OPENAT2=1 VFIO_PREP_NO_PIDFD=1
check-valgrind: $(BUILD)/vfio-prep
	@$(NO_NEW_SYSCALLS) CLI_WRAPPER="$(VALGRIND)" sh tests/cli/run.sh $(BUILD)/vfio-prep
	@$(NO_NEW_SYSCALLS) CLI_WRAPPER="$(VALGRIND)" HOSTILE_TIMEOUT=60 sh tests/hostile/run.sh $(BUILD)/vfio-prep

# libFuzzer (clang): `make fuzz` runs each harness FUZZ_SECONDS, `make fuzz-check` (in make
# check, so in CI) each FUZZ_CHECK_SECONDS.
FUZZ_SECONDS ?= 300
FUZZ_CHECK_SECONDS ?= 60
include tests/fuzz/fuzz.mk
fuzz: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh fuzz $(FUZZ_SECONDS) $(FUZZ_BINS)
fuzz-check: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh check $(FUZZ_CHECK_SECONDS) $(FUZZ_BINS)
.PHONY: hostile-check check-valgrind fuzz fuzz-check

# The unit, command-line (with the capture round trips) and hostile suites again as on a kernel
# before 5.3: the root layer forced onto its own walk instead of openat2(2), and the waits for
# a child onto naps instead of pidfd_open(2). Both paths of each proven.
check-fallback: $(BUILD)/vfio-prep $(TEST_BINS)
	@$(NO_NEW_SYSCALLS) $(MAKE) --no-print-directory unit cli-check hostile-check
.PHONY: check-fallback

# What the first run downloads is said first; only the demo's packages are installed, then
# this file is read again (the flags come from the installed libraries).
demo:
	@sh scripts/demo.sh --plan
	@sh scripts/install-deps.sh --demo
	@$(MAKE) all
	@sh scripts/demo.sh $(BUILD)/vfio-prep

# A clean Debian 12 root (scripts/fresh-root.sh), the committed HEAD cloned into it, and the
# README's commands run there as a new user runs them, empty cache included: make demo and
# make static, and make check too with FRESH_FULL=1. FRESH_DIR is removed and made again.
FRESH_DIR ?= $(BUILD)/fresh
fresh-check:
	@sh tests/fresh-check.sh $(FRESH_DIR)

# Timings and sizes, printed as a table (bench/run.sh); no thresholds are enforced.
$(BUILD)/bench/measure: bench/measure.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $<

$(BUILD)/bench/noop: bench/noop.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -static -o $@ $<

$(BUILD)/bench/bare: bench/bare.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -static -o $@ $<

# One write with a deadline through the root layer, the library's own code.
$(BUILD)/bench/deadline: bench/deadline.c $(BUILD)/libvfio-prep.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^

bench: all $(BUILD)/bench/measure $(BUILD)/bench/noop $(BUILD)/bench/bare $(BUILD)/bench/deadline
	@sh bench/run.sh $(BUILD)

# The program installed as BINDIR/vfio-prep. The packages install the static build there
# (PROGRAM=build/vfio-prep.static): the hooks copy it into the image as it is.
PROGRAM     ?= $(BUILD)/vfio-prep
UNITDIR     ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
# Every directory install writes into; the ones it had to create are recorded in
# INSTALL_DIRS_LOG (as CMake keeps install_manifest.txt) for uninstall to remove when empty.
# The hook directories follow the source tree's, so that a new one is recorded too.
INSTALL_DIRS = $(BINDIR) $(MANDIR)/man8 $(MANDIR)/man5 $(DRACUT_MODDIR) \
	$(patsubst initramfs-tools%,$(ITOOLS_DIR)%,$(shell find initramfs-tools -type d)) \
	$(patsubst mkinitcpio%,$(PREFIX)/lib/initcpio%,$(shell find mkinitcpio -type d)) \
	$(PREFIX)/share/doc/vfio-prep $(SYSCONFDIR) $(UNITDIR) $(BASHCOMPDIR) $(ZSHCOMPDIR) $(FISHCOMPDIR) \
	$(if $(filter $(BUILD)/vfio-prep.static,$(PROGRAM)),,$(PREFIX)/lib/vfio-prep)
INSTALL_DIRS_LOG = $(BUILD)/install-created-dirs

install: $(PROGRAM)
	@sh packaging/install-dirs.sh record $(INSTALL_DIRS_LOG) $(INSTALL_DIRS:%=$(DESTDIR)%)
	install -Dm755 $(PROGRAM) $(DESTDIR)$(BINDIR)/vfio-prep
	install -Dm644 man/vfio-prep.8 $(DESTDIR)$(MANDIR)/man8/vfio-prep.8
	install -Dm644 man/vfio-prep.conf.5 $(DESTDIR)$(MANDIR)/man5/vfio-prep.conf.5
# dracut, initramfs-tools
	install -Dm644 -t $(DESTDIR)$(DRACUT_MODDIR) dracut/50vfio-prep/module-setup.sh
	install -Dm755 -t $(DESTDIR)$(DRACUT_MODDIR) dracut/50vfio-prep/vfio-prep-apply.sh
	install -Dm755 -t $(DESTDIR)$(DRACUT_MODDIR) dracut/50vfio-prep/vfio-prep-sysroot.sh
	install -Dm755 -t $(DESTDIR)$(ITOOLS_DIR)/hooks initramfs-tools/hooks/vfio-prep
	install -Dm755 -t $(DESTDIR)$(ITOOLS_DIR)/scripts/init-top initramfs-tools/scripts/init-top/00vfio-prep
	install -Dm755 -t $(DESTDIR)$(ITOOLS_DIR)/scripts/init-bottom initramfs-tools/scripts/init-bottom/00vfio-prep
	install -Dm644 examples/vfio-prep.conf $(DESTDIR)$(PREFIX)/share/doc/vfio-prep/vfio-prep.conf.example
	test -e $(DESTDIR)$(SYSCONFDIR)/vfio-prep.conf || \
		install -Dm644 examples/vfio-prep.conf $(DESTDIR)$(SYSCONFDIR)/vfio-prep.conf
	$(if $(filter $(BUILD)/vfio-prep.static,$(PROGRAM)),,test ! -e $(BUILD)/vfio-prep.static || \
		install -Dm755 $(BUILD)/vfio-prep.static $(DESTDIR)$(PREFIX)/lib/vfio-prep/vfio-prep.static)
# mkinitcpio (it only looks in /usr/lib/initcpio and /etc/initcpio: PREFIX=/usr)
	install -Dm644 mkinitcpio/install/vfio-prep $(DESTDIR)$(PREFIX)/lib/initcpio/install/vfio-prep
	install -Dm644 mkinitcpio/hooks/vfio-prep $(DESTDIR)$(PREFIX)/lib/initcpio/hooks/vfio-prep
	install -Dm644 mkinitcpio/vfio-prep.service $(DESTDIR)$(UNITDIR)/vfio-prep.service
	install -Dm644 mkinitcpio/vfio-prep-sysroot.service $(DESTDIR)$(UNITDIR)/vfio-prep-sysroot.service
# shell completions
	install -Dm644 completions/vfio-prep.bash $(DESTDIR)$(BASHCOMPDIR)/vfio-prep
	install -Dm644 completions/_vfio-prep $(DESTDIR)$(ZSHCOMPDIR)/_vfio-prep
	install -Dm644 completions/vfio-prep.fish $(DESTDIR)$(FISHCOMPDIR)/vfio-prep.fish
	@sh packaging/install-notice.sh "$(PREFIX)" "$(FISHCOMPDIR)"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vfio-prep $(DESTDIR)$(MANDIR)/man8/vfio-prep.8 \
	      $(DESTDIR)$(MANDIR)/man5/vfio-prep.conf.5
# dracut, initramfs-tools (SYSCONFDIR/vfio-prep.conf is the user's: it stays)
	rm -f $(DESTDIR)$(DRACUT_MODDIR)/module-setup.sh $(DESTDIR)$(DRACUT_MODDIR)/vfio-prep-apply.sh \
	      $(DESTDIR)$(DRACUT_MODDIR)/vfio-prep-sysroot.sh \
	      $(DESTDIR)$(ITOOLS_DIR)/hooks/vfio-prep $(DESTDIR)$(ITOOLS_DIR)/scripts/init-top/00vfio-prep \
	      $(DESTDIR)$(ITOOLS_DIR)/scripts/init-bottom/00vfio-prep \
	      $(DESTDIR)$(PREFIX)/share/doc/vfio-prep/vfio-prep.conf.example \
	      $(DESTDIR)$(PREFIX)/lib/vfio-prep/vfio-prep.static
# mkinitcpio, shell completions
	rm -f $(DESTDIR)$(PREFIX)/lib/initcpio/install/vfio-prep $(DESTDIR)$(PREFIX)/lib/initcpio/hooks/vfio-prep \
	      $(DESTDIR)$(UNITDIR)/vfio-prep.service $(DESTDIR)$(UNITDIR)/vfio-prep-sysroot.service \
	      $(DESTDIR)$(BASHCOMPDIR)/vfio-prep \
	      $(DESTDIR)$(ZSHCOMPDIR)/_vfio-prep $(DESTDIR)$(FISHCOMPDIR)/vfio-prep.fish
# vfio-prep's own directories, and those install created, deepest first, when empty
	@sh packaging/install-dirs.sh remove $(INSTALL_DIRS_LOG) $(DESTDIR)$(PREFIX) $(DESTDIR)$(DRACUT_MODDIR) \
		$(DESTDIR)$(PREFIX)/share/doc/vfio-prep $(DESTDIR)$(PREFIX)/lib/vfio-prep

clean:
	rm -rf build build-asan build-fuzz

# ---- distribution packages: build/packages/ --------------------------------------------------
# Each installs the static build through `make install`, with the hooks of that distribution's
# generators (packaging/build.sh; packaging/debian, packaging/rpm, packaging/arch).
PKGDIR := $(BUILD)/packages
deb rpm arch: $(BUILD)/vfio-prep.static
	@sh packaging/build.sh $@ $(PKGDIR)

# The three built and their contents checked: paths, modes, conffiles, maintainer scripts
# (shellcheck), lintian; `make install` and uninstall (tests/packaging/).
packages-check: $(BUILD)/vfio-prep $(BUILD)/vfio-prep.static
	@sh tests/packaging/run.sh $(BUILD)

# Installs the .deb into a clean Debian 12 root with a Debian kernel and initramfs-tools:
# the initrd has vfio-prep after `apt-get install`, and not after removal. Root; downloads.
deb-install-check: deb
	@sh tests/packaging/deb-install.sh $(PKGDIR)
.PHONY: deb rpm arch packages-check deb-install-check

# ---- make static: build/vfio-prep.static ------------------------------------------------------
# One self-contained binary for initramfs images: libkmod (with xz and zstd module
# decompression) and libblkid linked in; no libpci (device names are not needed at boot).
# scripts/build-static-deps.sh prepares the libraries once, cached outside the tree, and prints
# their prefix. The objects are compiled again, for size, in their own directory.
#   STATIC_LIBC=musl|glibc     musl (default) builds every library from Debian's sources and
#                              gives the smaller binary; glibc uses Debian's -dev archives
#   STATIC_COMPRESS="xz zstd"  module decompression built in (empty: plain .ko only)
STATIC_LIBC     ?= musl
STATIC_COMPRESS ?= xz zstd
STATIC_CC_musl  := musl-gcc
STATIC_CC_glibc := $(CC)
STATIC_CC       := $(STATIC_CC_$(STATIC_LIBC))
STATIC_CFLAGS   := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables
STATIC_XCFLAGS  := $(filter-out -DHAVE_LIBPCI,$(XCFLAGS))
# zlib (/proc/config.gz, --capture FILE.tar.gz) from Debian's libz.a: its inflate and deflate
# objects need nothing of glibc that musl lacks (__stack_chk_fail only), and add under 80 KiB:
# the stripped binary measured 571 KiB with them, below the 640 KiB the packages allow. Without
# a libz.a the static build reads no /proc/config.gz and --capture writes no .tar.gz (README).
# Its two headers are copied alone, away from glibc's.
STATIC_ZLIB_A   := $(wildcard $(shell $(PKG_CONFIG) --variable=libdir zlib 2>/dev/null)/libz.a)
STATIC_ZLIB_INC := $(SBUILD)/zlib-include
ifneq ($(STATIC_ZLIB_A),)
STATIC_XCFLAGS  += -I$(STATIC_ZLIB_INC)
else
STATIC_XCFLAGS  := $(filter-out -DHAVE_ZLIB,$(STATIC_XCFLAGS))
endif
SBUILD          := $(BUILD)/static/$(STATIC_LIBC)
STATIC_VARIANT  := $(STATIC_LIBC)$(if $(filter xz,$(STATIC_COMPRESS)),-xz)$(if $(filter zstd,$(STATIC_COMPRESS)),-zstd)
STATIC_PREFIX   := $(SBUILD)/deps-$(STATIC_VARIANT).prefix
STATIC_OBJS     := $(ALL_SRCS:src/%.c=$(SBUILD)/%.o)
# Unstripped, one per variant; build/vfio-prep.static is the stripped copy of the last one asked for.
STATIC_BIN      := $(BUILD)/static/vfio-prep-$(STATIC_VARIANT)

static: $(BUILD)/vfio-prep.static

static-check: $(BUILD)/vfio-prep.static $(BUILD)/vfio-prep
	@sh tests/test-static.sh $(BUILD)/vfio-prep.static $(BUILD)/vfio-prep

$(STATIC_PREFIX): scripts/build-static-deps.sh
	@mkdir -p $(@D)
	$(Q)sh scripts/build-static-deps.sh --libc $(STATIC_LIBC) $(if $(filter xz,$(STATIC_COMPRESS)),,--no-xz) \
		$(if $(filter zstd,$(STATIC_COMPRESS)),,--no-zstd) >$@.tmp && mv $@.tmp $@

$(STATIC_ZLIB_INC)/zlib.h:
	@mkdir -p $(@D)
	$(Q)inc=$$($(PKG_CONFIG) --variable=includedir zlib) && cp "$$inc/zlib.h" $(@D)/ && \
		{ cp "$$inc/zconf.h" $(@D)/ 2>/dev/null || cp "$$inc/$$(gcc -print-multiarch)/zconf.h" $(@D)/; }

$(SBUILD)/%.o: src/%.c | $(STATIC_PREFIX) $(if $(STATIC_ZLIB_A),$(STATIC_ZLIB_INC)/zlib.h)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(STATIC_CC) $(STATIC_XCFLAGS) -I$$(cat $(STATIC_PREFIX))/include \
		$(STATIC_CFLAGS) -c -o $@ $<

$(STATIC_BIN): $(STATIC_OBJS) $(STATIC_PREFIX)
	@$(if $(Q),echo "  LD      $@")
	$(Q)p=$$(cat $(STATIC_PREFIX)) && $(STATIC_CC) $(STATIC_CFLAGS) -static -Wl,--gc-sections \
		-o $@ $(STATIC_OBJS) -L$$p/lib $$(cat $$p/libs) $(STATIC_ZLIB_A)

# Rewritten only when the variant changes, so that switching variants re-strips.
$(BUILD)/static/variant: $(BUILD)/static/.force
	@mkdir -p $(@D)
	@echo $(STATIC_VARIANT) | cmp -s - $@ || echo $(STATIC_VARIANT) >$@
$(BUILD)/static/.force:

$(BUILD)/vfio-prep.static: $(STATIC_BIN) $(BUILD)/static/variant
	@$(if $(Q),echo "  STRIP   $@")
	$(Q)strip -o $@ $<

-include $(wildcard $(LAYERS:%=$(SBUILD)/%/*.d))

.PHONY: all tests unit cli-check man-check lint scripts-check vm-check deps check check-asan demo fresh-check bench install uninstall clean static static-check

-include $(wildcard $(LAYERS:%=$(BUILD)/%/*.d) $(BUILD)/tests/*.d $(BUILD)/tests/support/*.d)
