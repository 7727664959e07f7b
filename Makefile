# SPDX-License-Identifier: GPL-2.0-or-later
# cvmmap-streamer - top-level Makefile (kbuild style, non-recursive).
#
#   make defconfig | <name>_defconfig | menuconfig | olddefconfig |
#        savedefconfig | allnoconfig | allyesconfig
#   make [all] [V=1] [O=dir] [CROSS_COMPILE=aarch64-linux-gnu-] [SANITIZE=address,undefined]
#   make check [TEST_EXEC="timeout 300 qemu-aarch64-static"]
#   make demo | bench | fuzz [FUZZ_SECONDS=N] | size | clean | distclean
#   make initramfs-check [INITRAMFS_TREES="build/arm64"]   (fully static configs)
#   make install | install-strip [DESTDIR=] [PREFIX=] [INSTALL_STRIP=y]
#
# Each directory's Kbuild fragment lists its objects with one line per
# Kconfig symbol:  lib-$(CONFIG_RTP) += src/proto/rtp.o
# Programs:        prog-$(CONFIG_TOOL_SIM) += cvmmap_sim
#                  cvmmap_sim-objs := src/tools/cvmmap_sim.o
# Unit tests:      test-$(CONFIG_RTP) += test_rtp     (test/unit/test_rtp.c)
# Fuzz targets:    fuzz-$(CONFIG_RTP) += fuzz_rtp     (test/fuzz/fuzz_rtp.c)
# Third-party:     libs-$(CONFIG_CVMMAP) += zmq       (zmq x264 x265)

VERSION := 0.1.0

srctree := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
ifneq ($(O),)
objtree := $(abspath $(O))
KCONFIG_CONFIG ?= $(objtree)/.config
else
objtree := $(srctree)/build
KCONFIG_CONFIG ?= $(srctree)/.config
endif
export KCONFIG_CONFIG

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

# Toolchain (BusyBox style): CROSS_COMPILE prefixes the tools unless the
# user set them explicitly (e.g. CC=clang for the fuzzers).
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
endif
STRIP ?= $(CROSS_COMPILE)strip
PKG_CONFIG ?= pkg-config
TEST_EXEC ?=

# Debian multiarch: the cross gcc finds /usr/lib/<triplet> itself; pkg-config
# has no triplet wrapper, so point it at the target's .pc files here.
ifneq ($(CROSS_COMPILE),)
TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)
export PKG_CONFIG_LIBDIR := /usr/lib/$(TRIPLET)/pkgconfig:/usr/share/pkgconfig
endif

config_targets := defconfig savedefconfig olddefconfig allnoconfig allyesconfig \
		  menuconfig %_defconfig
no_config_goals := $(config_targets) clean distclean help
ifneq ($(filter-out $(no_config_goals),$(or $(MAKECMDGOALS),all)),)
need_config := 1
endif

KCONFIG_FILES := $(srctree)/Kconfig $(wildcard $(srctree)/src/*/Kconfig)
KCONFIG := cd $(srctree) && $(srctree)/scripts/kconfig/kconfig.sh

.PHONY: all check demo bench fuzz size initramfs-check install install-strip clean distclean help \
	$(config_targets) FORCE
all:

# ---------------------------------------------------------------- config
defconfig:
	$(Q)mkdir -p $(dir $(KCONFIG_CONFIG))
	$(Q)$(KCONFIG) defconfig defconfig
%_defconfig: FORCE
	$(Q)test -f $(srctree)/configs/$@ || { echo "no such config: configs/$@" >&2; exit 2; }
	$(Q)mkdir -p $(dir $(KCONFIG_CONFIG))
	$(Q)$(KCONFIG) defconfig configs/$@
olddefconfig allnoconfig allyesconfig menuconfig:
	$(Q)mkdir -p $(dir $(KCONFIG_CONFIG))
	$(Q)$(KCONFIG) $@
savedefconfig:
	$(Q)mkdir -p $(objtree)
	$(Q)test -f $(KCONFIG_CONFIG) || \
		echo "savedefconfig: no $(KCONFIG_CONFIG): saving the Kconfig defaults" >&2
	$(Q)$(KCONFIG) savedefconfig $(objtree)/defconfig
	@echo "minimal config written to $(objtree)/defconfig"

ifdef need_config
# A build without a .config starts from the default configuration; a
# .config older than a Kconfig file gets the new symbols' defaults
# (olddefconfig, as Linux's syncconfig) and make re-reads it.  Without a
# Kconfig front end kconfig.sh runs scripts/kconfig/miniconf.sh.
$(KCONFIG_CONFIG): $(KCONFIG_FILES)
	$(Q)mkdir -p $(dir $@)
	$(Q)if [ ! -f $@ ]; then echo "  no $@: using defconfig"; \
		$(KCONFIG) defconfig defconfig; \
	elif $(KCONFIG) have; then echo "  $@ is older than Kconfig: olddefconfig"; \
		$(KCONFIG) olddefconfig && touch $@; \
	else echo "  $@ is older than Kconfig (no Kconfig front end to update it)"; fi
-include $(KCONFIG_CONFIG)
endif

# `make check` and `make demo` first make sure the Debian packages they
# need are there, and print the exact command when they are not.
deps-check:
	$(Q)sh $(srctree)/scripts/deps.sh --check $(if $(CROSS_COMPILE),--cross) >/dev/null || { \
		sh $(srctree)/scripts/deps.sh --check $(if $(CROSS_COMPILE),--cross); \
		echo "make: install them with: sudo $(srctree)/scripts/deps.sh$(if $(CROSS_COMPILE), --cross)"; \
		exit 2; }
.PHONY: deps-check

CONFIG_H := $(objtree)/include/generated/config.h
$(CONFIG_H): | $(if $(filter check demo,$(MAKECMDGOALS)),deps-check)
$(CONFIG_H): $(KCONFIG_CONFIG) $(KCONFIG_FILES) $(srctree)/scripts/kconfig/genconfig.sh
	$(quiet) GEN $(@:$(objtree)/%=%)
	$(Q)mkdir -p $(dir $@)
	$(Q)sh $(srctree)/scripts/kconfig/genconfig.sh $(KCONFIG_CONFIG) $(KCONFIG_FILES) > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; touch $@; else mv $@.tmp $@; fi

# ---------------------------------------------------------------- flags
WERROR ?= 1
OPT := $(if $(CONFIG_DEBUG),-O0 -g3,-O2 -g)
CFLAGS ?=
CPPFLAGS += -I$(srctree)/src -I$(objtree)/include -D_POSIX_C_SOURCE=200809L \
	    -D_DEFAULT_SOURCE -DCVMMAP_VERSION=\"$(VERSION)\" \
	    -include $(CONFIG_H)
BASE_CFLAGS := -std=c99 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	       -Wno-unused-parameter $(if $(filter 1,$(WERROR)),-Werror) \
	       $(OPT) -ffunction-sections -fdata-sections -pthread
ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS ?=
ALL_LDFLAGS = -pthread -Wl,--gc-sections $(LDFLAGS)

# Sanitizers need a dynamic libc: a fully static config is linked mostly
# static instead (third-party archives stay static).
ifneq ($(SANITIZE),)
BASE_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
ifeq ($(CONFIG_LINK_FULLY_STATIC),y)
CONFIG_LINK_FULLY_STATIC :=
CONFIG_LINK_MOSTLY_STATIC := y
endif
endif

# ---------------------------------------------------------------- objects
lib-y :=
prog-y :=
test-y :=
fuzz-y :=
libs-y :=
include $(sort $(wildcard $(srctree)/src/*/Kbuild $(srctree)/src/*/*.kbuild \
	$(srctree)/test/fuzz/Kbuild)) $(srctree)/test/Kbuild

libs := $(sort $(libs-y))
# STATIC_LIBS=pkg-config (a firmware build whose own static libraries
# pkg-config describes, e.g. Buildroot): the fully static link takes
# `pkg-config --static --libs` instead of Debian's archive set.
STATIC_LIBS ?= debian
# Our recipes for Debian's static archives (vendor/README.md).  They
# resolve references made from the archives that follow libcvmmap.a on the
# link line, so they are linked as objects, not archive members.
vendor-y :=
ifneq ($(CONFIG_LINK_DYNAMIC),y)
vendor-$(if $(filter zmq,$(libs)),y) += vendor/zmq/gss_stub.o
vendor-$(if $(filter zmq x265 srt,$(libs)),$(CONFIG_LINK_MOSTLY_STATIC)) += vendor/glibc/compat.o
endif
vendor-objs := $(addprefix $(objtree)/obj/,$(vendor-y))

# Third-party libraries per link mode (docs/toolchain.md §2).
pc-zmq := libzmq
pc-x264 := x264
pc-x265 := x265
a-zmq := zmq sodium pgm norm protokit bsd md
a-x264 := x264
a-x265 := x265 numa
cxx-libs := $(filter zmq x265 srt,$(libs))
ifeq ($(CONFIG_LINK_DYNAMIC),y)
LIBS := $(if $(libs),$(shell $(PKG_CONFIG) --libs $(foreach l,$(libs),$(pc-$(l)))))
else ifeq ($(CONFIG_LINK_FULLY_STATIC)$(STATIC_LIBS),ypkg-config)
ALL_LDFLAGS += -static
LIBS := $(if $(libs),$(shell $(PKG_CONFIG) --static --libs $(foreach l,$(libs),$(pc-$(l))))) \
	$(if $(cxx-libs),-lstdc++)
CPPFLAGS += $(if $(libs),$(shell $(PKG_CONFIG) --cflags $(foreach l,$(libs),$(pc-$(l)))))
else ifeq ($(CONFIG_LINK_FULLY_STATIC),y)
ALL_LDFLAGS += -static
LIBS := $(foreach l,$(libs),$(addprefix -l,$(a-$(l)))) $(if $(cxx-libs),-lstdc++)
else
comma := ,
LIBS := $(if $(libs),-Wl$(comma)-Bstatic $(foreach l,$(libs),$(addprefix -l,$(a-$(l)))) \
	$(if $(cxx-libs),-lstdc++) -Wl$(comma)-Bdynamic) -static-libgcc
endif
LIBS += -lm -ldl -lrt
ifeq ($(CONFIG_LINK_DYNAMIC),y)
CPPFLAGS += $(if $(libs),$(shell $(PKG_CONFIG) --cflags $(foreach l,$(libs),$(pc-$(l)))))
endif

lib-objs := $(addprefix $(objtree)/obj/,$(sort $(lib-y)))
LIBCVMMAP := $(objtree)/libcvmmap.a
progs := $(addprefix $(objtree)/bin/,$(prog-y))
tests := $(addprefix $(objtree)/test/,$(test-y))
all-objs := $(lib-objs) $(vendor-objs) $(foreach p,$(prog-y),$(addprefix $(objtree)/obj/,$($(p)-objs))) \
	    $(foreach t,$(test-y),$(objtree)/obj/test/unit/$(t).o $(addprefix $(objtree)/obj/,$($(t)-objs)))

all: $(progs)

$(objtree)/obj/%.o: $(srctree)/%.c $(CONFIG_H)
	$(quiet) CC $(@:$(objtree)/obj/%=%)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBCVMMAP): $(lib-objs)
	$(quiet) AR $(@:$(objtree)/%=%)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

.SECONDEXPANSION:
$(objtree)/bin/%: $$(addprefix $(objtree)/obj/,$$($$*-objs)) $(vendor-objs) $(LIBCVMMAP)
	$(quiet) LD $(@:$(objtree)/%=%)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCVMMAP) $(LIBS)

$(objtree)/test/%: $(objtree)/obj/test/unit/%.o $$(addprefix $(objtree)/obj/,$$($$*-objs)) $(vendor-objs) $(LIBCVMMAP)
	$(quiet) LD $(@:$(objtree)/%=%)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCVMMAP) $(LIBS)

-include $(all-objs:.o=.d)

# ---------------------------------------------------------------- testing
CHECK_ENV = OBJTREE=$(objtree) SRCTREE=$(srctree) KCONFIG_CONFIG=$(KCONFIG_CONFIG) \
	    TEST_EXEC="$(TEST_EXEC)" CROSS_COMPILE="$(CROSS_COMPILE)" CC="$(CC)" \
	    SUITES="$(SUITES)" CHECK_JOBS="$(CHECK_JOBS)" CHECK_SOLO="$(CHECK_SOLO)"
check: $(progs) $(tests) test-extras
	$(Q)$(CHECK_ENV) sh $(srctree)/test/run.sh

# Things the suites build beside the programs (fake driver libraries, ...).
test-extras:
.PHONY: test-extras

demo: $(progs)
	$(Q)OBJTREE=$(objtree) SRCTREE=$(srctree) sh $(srctree)/scripts/demo.sh

# Boot the programs of this (fully static) build, and of INITRAMFS_TREES,
# in a BusyBox initramfs under qemu-system and stream on its loopback
# (docs/firmware.md).  Builds nothing in the other trees.
initramfs-check: $(progs)
	$(Q)SRCTREE=$(srctree) sh $(srctree)/scripts/initramfs_check.sh $(objtree) $(INITRAMFS_TREES)

bench: $(progs)
	$(Q)OBJTREE=$(objtree) SRCTREE=$(srctree) sh $(srctree)/scripts/bench.sh

# CONFIG_SIZE_BUDGET (tiny_defconfig: 4000000): one more line for the
# streamer, "budget ... ok" or "OVER"; the build suite fails on OVER.
size: $(progs)
	$(Q)for p in $(progs); do \
		$(STRIP) -o $$p.stripped $$p && n=$$(wc -c < $$p.stripped) && \
		printf '%-24s %10s bytes stripped (%s)\n' $$(basename $$p) \
			$$n "$$(grep -o '^CONFIG_LINK_[A-Z_]*' $(KCONFIG_CONFIG))"; \
		rm -f $$p.stripped; \
		if [ $${p##*/} = cvmmap_streamer ] && [ 0$(CONFIG_SIZE_BUDGET) -gt 0 ]; then \
			printf '%-24s %10s bytes budget (CONFIG_SIZE_BUDGET, %s): %s\n' cvmmap_streamer \
				$(CONFIG_SIZE_BUDGET) "$$($(CC) -dumpmachine)" \
				"$$([ $$n -le $(CONFIG_SIZE_BUDGET) ] && echo ok || echo OVER)"; fi; done

FUZZ_SECONDS ?= 10
FUZZ_TARGETS ?= $(fuzz-y)
fuzz:
	$(Q)SRCTREE=$(srctree) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" \
		sh $(srctree)/scripts/fuzz.sh

# ---------------------------------------------------------------- install
# install-strip (GNU convention) or INSTALL_STRIP=y: the installed programs
# are stripped with $(STRIP), which follows CROSS_COMPILE; the build tree
# keeps its symbols (docs/deploy.md).
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_STRIP ?=
# do_install,STRIP?: the programs (stripped when $(1) is y or 1), then the
# unit, the env example and the licence (support/install/install-extras.sh).
define do_install
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin
	$(Q)for p in $(progs); do install -m 0755 $$p $(DESTDIR)$(PREFIX)/bin/; done
	$(Q)$(if $(filter y 1,$(1)),for p in $(notdir $(progs)); do \
		$(STRIP) $(DESTDIR)$(PREFIX)/bin/$$p || exit 1; done)
	$(Q)if [ -d $(srctree)/support/install ]; then \
		SRCTREE=$(srctree) DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" \
		sh $(srctree)/support/install/install-extras.sh; fi
endef
install: $(progs)
	$(call do_install,$(INSTALL_STRIP))
install-strip: $(progs)
	$(call do_install,y)

clean:
	$(Q)rm -rf $(objtree)/obj $(objtree)/bin $(objtree)/test $(objtree)/fake \
		$(objtree)/include $(objtree)/libcvmmap.a

distclean: clean
	$(Q)rm -rf $(srctree)/build $(srctree)/.config $(srctree)/.config.old
	$(Q)$(if $(O),rm -f $(objtree)/.config $(objtree)/.config.old)

help:
	@sed -n '2,10p' $(srctree)/Makefile | sed 's/^# \{0,1\}//'
# Objects made only for a test binary (pattern-rule chains) are kept.  Not
# .SECONDARY: that would also let a missing library object (new in a
# Kbuild list) go unbuilt while libcvmmap.a looks up to date.
.PRECIOUS: $(objtree)/obj/%.o
