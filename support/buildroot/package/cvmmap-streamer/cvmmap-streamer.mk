# SPDX-License-Identifier: GPL-2.0-or-later
################################################################################
#
# cvmmap-streamer
#
################################################################################

# Built from the checkout holding this BR2_EXTERNAL tree (support/buildroot);
# support/buildroot/README.md shows a git site instead.
CVMMAP_STREAMER_VERSION = 0.1.0
CVMMAP_STREAMER_SITE = $(BR2_EXTERNAL_CVMMAP_STREAMER_PATH)/../..
CVMMAP_STREAMER_SITE_METHOD = local
# A developer checkout holds native builds (build/, .config): keep them out.
CVMMAP_STREAMER_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--exclude=/build --exclude=/.config --exclude=/.config.old

# GPL, and x264/x265 are linked into the programs: `make legal-info`
# collects LICENSE and the source (docs/deploy.md, "Licence and firmware").
CVMMAP_STREAMER_LICENSE = GPL-2.0+
CVMMAP_STREAMER_LICENSE_FILES = LICENSE

CVMMAP_STREAMER_DEPENDENCIES = host-pkgconf zeromq \
	$(if $(BR2_PACKAGE_CVMMAP_STREAMER_X264),x264) \
	$(if $(BR2_PACKAGE_CVMMAP_STREAMER_X265),x265)

# Our own Kconfig, built out of tree in $(@D)/build, where the .config lives.
ifeq ($(BR2_PACKAGE_CVMMAP_STREAMER_USE_DEFCONFIG),y)
CVMMAP_STREAMER_KCONFIG_DEFCONFIG = \
	$(call qstrip,$(BR2_PACKAGE_CVMMAP_STREAMER_DEFCONFIG))_defconfig
else
CVMMAP_STREAMER_KCONFIG_FILE = \
	$(call qstrip,$(BR2_PACKAGE_CVMMAP_STREAMER_CUSTOM_CONFIG_FILE))
endif
CVMMAP_STREAMER_KCONFIG_DOTCONFIG = build/.config
CVMMAP_STREAMER_KCONFIG_OPTS = O=$(CVMMAP_STREAMER_DIR)/build
# `make savedefconfig` writes $(O)/defconfig, not the $(@D)/defconfig that
# -update-defconfig would copy: offer -update-config (full .config) only.
CVMMAP_STREAMER_KCONFIG_SUPPORTS_DEFCONFIG = NO

# Buildroot's libraries are shared, and the static modes name Debian's
# archive set (vendor/README.md): always link dynamically, with pkg-config
# looking into staging.  NVENC needs the host's ffnvcodec headers and is
# not how Jetson Orin/Xavier encode: off.
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
	$(call KCONFIG_ENABLE_OPT,CONFIG_LINK_DYNAMIC)
	$(call KCONFIG_DISABLE_OPT,CONFIG_NVENC)
	$(call $(CVMMAP_STREAMER_X264_OPT),CONFIG_ENC_X264)
	$(call $(CVMMAP_STREAMER_X265_OPT),CONFIG_ENC_X265)
endef

CVMMAP_STREAMER_MAKE_OPTS = \
	O=$(@D)/build \
	CROSS_COMPILE="$(TARGET_CROSS)" \
	CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS)" \
	PKG_CONFIG_LIBDIR="$(STAGING_DIR)/usr/lib/pkgconfig:$(STAGING_DIR)/usr/share/pkgconfig" \
	WERROR=0

define CVMMAP_STREAMER_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(CVMMAP_STREAMER_MAKE_OPTS) all
endef

define CVMMAP_STREAMER_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(CVMMAP_STREAMER_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) PREFIX=/usr \
		SYSTEMD_UNITDIR=$(if $(BR2_INIT_SYSTEMD),/usr/lib/systemd/system,none) \
		install
endef

$(eval $(kconfig-package))
