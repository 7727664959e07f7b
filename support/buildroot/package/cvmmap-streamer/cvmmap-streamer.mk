################################################################################
#
# cvmmap-streamer  (SPDX-License-Identifier: GPL-2.0-or-later)
#
################################################################################

# Built from the checkout holding this BR2_EXTERNAL tree (support/buildroot);
# support/buildroot/README.md shows the git variant and its .hash line.
CVMMAP_STREAMER_VERSION = 0.1.0
CVMMAP_STREAMER_SITE = $(BR2_EXTERNAL_CVMMAP_STREAMER_PATH)/../..
CVMMAP_STREAMER_SITE_METHOD = local
# A developer checkout holds native builds (build/, .config): keep them out.
CVMMAP_STREAMER_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--exclude=/build --exclude=/.config --exclude=/.config.old

# GPL-2.0+, and x264/x265 (GPL-2.0+) and zeromq (MPL-2.0) are linked into
# the programs, which are therefore GPL works: `make legal-info` collects
# LICENSE (checked against the .hash file), this source and the
# libraries' own entries (docs/deploy.md, "Licence and firmware").
CVMMAP_STREAMER_LICENSE = GPL-2.0+
CVMMAP_STREAMER_LICENSE_FILES = LICENSE

CVMMAP_STREAMER_DEPENDENCIES = host-pkgconf zeromq \
	$(if $(BR2_PACKAGE_CVMMAP_STREAMER_X264),x264) \
	$(if $(BR2_PACKAGE_CVMMAP_STREAMER_X265),x265)

# Our own Kconfig, built out of tree in $(@D)/build, where the .config lives.
# A custom file may be a full .config, a defconfig or any fragment, and
# fragments may be merged on top: the tree expands them without a host
# Kconfig front end (scripts/kconfig/miniconf.sh).
ifeq ($(BR2_PACKAGE_CVMMAP_STREAMER_USE_DEFCONFIG),y)
CVMMAP_STREAMER_KCONFIG_DEFCONFIG = \
	$(call qstrip,$(BR2_PACKAGE_CVMMAP_STREAMER_DEFCONFIG))_defconfig
else
CVMMAP_STREAMER_KCONFIG_FILE = \
	$(call qstrip,$(BR2_PACKAGE_CVMMAP_STREAMER_CUSTOM_CONFIG_FILE))
endif
CVMMAP_STREAMER_KCONFIG_FRAGMENT_FILES = \
	$(call qstrip,$(BR2_PACKAGE_CVMMAP_STREAMER_CONFIG_FRAGMENT_FILES))
CVMMAP_STREAMER_KCONFIG_DOTCONFIG = build/.config
CVMMAP_STREAMER_KCONFIG_OPTS = O=$(CVMMAP_STREAMER_DIR)/build
# `make savedefconfig` writes $(O)/defconfig, not the $(@D)/defconfig that
# -update-defconfig would copy: offer -update-config (full .config) only.
CVMMAP_STREAMER_KCONFIG_SUPPORTS_DEFCONFIG = NO

# Link mode: fully static with BR2_STATIC_LIBS (or when asked), from
# Buildroot's own static libraries as pkg-config lists them
# (STATIC_LIBS=pkg-config), else dynamic.  NVENC needs the host's
# ffnvcodec headers and is not how Jetson Orin/Xavier encode, the ZED
# tools are workstation tools (libavcodec): both off.
ifeq ($(BR2_PACKAGE_CVMMAP_STREAMER_FULLY_STATIC),y)
CVMMAP_STREAMER_LINK = CONFIG_LINK_FULLY_STATIC
else
CVMMAP_STREAMER_LINK = CONFIG_LINK_DYNAMIC
endif
ifeq ($(BR2_PACKAGE_CVMMAP_STREAMER_X264),y)
CVMMAP_STREAMER_X264_OPT = KCONFIG_ENABLE_OPT
else
CVMMAP_STREAMER_X264_OPT = KCONFIG_DISABLE_OPT
endif
ifeq ($(BR2_PACKAGE_CVMMAP_STREAMER_X265),y)
CVMMAP_STREAMER_X265_OPT = KCONFIG_ENABLE_OPT
else
CVMMAP_STREAMER_X265_OPT = KCONFIG_DISABLE_OPT
endif
define CVMMAP_STREAMER_KCONFIG_FIXUP_CMDS
	$(call KCONFIG_DISABLE_OPT,CONFIG_LINK_FULLY_STATIC)
	$(call KCONFIG_DISABLE_OPT,CONFIG_LINK_MOSTLY_STATIC)
	$(call KCONFIG_DISABLE_OPT,CONFIG_LINK_DYNAMIC)
	$(call KCONFIG_ENABLE_OPT,$(CVMMAP_STREAMER_LINK))
	$(call KCONFIG_DISABLE_OPT,CONFIG_NVENC)
	$(call KCONFIG_DISABLE_OPT,CONFIG_TOOLS_ZED)
	$(call $(CVMMAP_STREAMER_X264_OPT),CONFIG_ENC_X264)
	$(call $(CVMMAP_STREAMER_X265_OPT),CONFIG_ENC_X265)
endef

CVMMAP_STREAMER_MAKE_OPTS = \
	O=$(@D)/build \
	CROSS_COMPILE="$(TARGET_CROSS)" \
	CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS)" \
	PKG_CONFIG_LIBDIR="$(STAGING_DIR)/usr/lib/pkgconfig:$(STAGING_DIR)/usr/share/pkgconfig" \
	STATIC_LIBS=pkg-config \
	WERROR=0

define CVMMAP_STREAMER_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(CVMMAP_STREAMER_MAKE_OPTS) all
endef

# The programs and /etc/cvmmap-streamer/cvmmap-streamer.env.example; the
# init integration comes from the INIT_SYSTEMD / INIT_SYSV steps below.
define CVMMAP_STREAMER_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(CVMMAP_STREAMER_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) PREFIX=/usr SYSTEMD_UNITDIR=none install
endef

# Buildroot's systemd is >= 254: the unit's RestartSteps= lines are enabled.
define CVMMAP_STREAMER_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(@D)/support/systemd/cvmmap-streamer@.service \
		$(TARGET_DIR)/usr/lib/systemd/system/cvmmap-streamer@.service
	$(SED) 's|@BINDIR@|/usr/bin|g; s/^#\(Restart\(Steps\|MaxDelaySec\)=\)/\1/' \
		$(TARGET_DIR)/usr/lib/systemd/system/cvmmap-streamer@.service
endef

# BusyBox or SysV init: one streamer per /etc/cvmmap-streamer/<name>.env,
# the env files of the systemd unit, run as the user below.
define CVMMAP_STREAMER_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(CVMMAP_STREAMER_PKGDIR)/S95cvmmap-streamer \
		$(TARGET_DIR)/etc/init.d/S95cvmmap-streamer
endef

# The unit allocates its user dynamically (or uses this one); the init
# script needs it.
define CVMMAP_STREAMER_USERS
	cvmmap-streamer -1 cvmmap-streamer -1 * - - - cvmmap-streamer daemon
endef

$(eval $(kconfig-package))
