# libFuzzer harnesses, included by the top-level Makefile (which defines LIB_SRCS, XCFLAGS,
# LIB_CFLAGS). The library sources are compiled again with clang and the fuzzer's coverage
# instrumentation into $(FUZZ_BUILD): build/libvfio-prep.a is gcc's, without it. Every harness
# tests/fuzz/fuzz-NAME.c becomes $(FUZZ_BUILD)/fuzz-NAME.

FUZZ_CC    ?= clang
FUZZ_BUILD ?= build-fuzz
FUZZ_SAN   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRCS  := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_OBJS  := $(LIB_SRCS:src/%.c=$(FUZZ_BUILD)/obj/%.o)

$(FUZZ_BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(FUZZ_CC) $(XCFLAGS) $(LIB_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/libvfio-prep.a: $(FUZZ_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_BUILD)/libvfio-prep.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(XCFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libvfio-prep.a

-include $(wildcard $(FUZZ_BUILD)/obj/*/*.d $(FUZZ_BUILD)/*.d)
