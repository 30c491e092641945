# SPDX-License-Identifier: GPL-2.0
# ttydpc out-of-tree build and test entry points.
#
#   make                 build ttydpc.ko for KDIR (default: the running kernel)
#   make install         module (updates/), depmod, boot-time binding, user
#                        tools; DESTDIR stages it. make uninstall undoes it
#   make dkms-install    the same with the module under DKMS (rebuilt for
#                        each new kernel); make dkms-uninstall
#   make demo            QEMU PC with a ttyDPC0 shell, reached with picocom
#   make check           what CI runs: every lane in QEMU, within 45 min cold on 2 cores
#   make check-quick     the edit-and-test loop: 6.1, one design, the whole suite
#   make check-full      every kernel x design at full counts, the full debug lane

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PWD  := $(shell pwd)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean

.PHONY: all modules clean

# --- install (Documentation/ttydpc/install.rst) ------------------------------
VERSION := $(shell cat $(PWD)/VERSION)
# The release whose /lib/modules gets the module: KVER (with KDIR its
# headers; give KVER, not only KDIR, for another kernel than the running).
MODREL := $(KVER)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
UDEVRULESDIR ?= /etc/udev/rules.d
SYSTEMDUNITDIR ?= /etc/systemd/system
MODPROBEDIR ?= /etc/modprobe.d
SYSCONFDIR ?= /etc
INSTALL_MOD_DIR ?= updates
DEPMOD ?= depmod
DKMS ?= dkms
INSTALL ?= install
# Only the files a module build needs, as git tracks them (a build in the
# working tree leaves objects that must not reach DKMS's copy).
DKMS_FILES := Kbuild Makefile VERSION CHANGELOG dkms.conf src include
DKMS_SRC := $(DESTDIR)/usr/src/ttydpc-$(VERSION)
systemctl = $(shell command -v systemctl 2>/dev/null)

install: install-module install-boot install-tools
	@echo "ttydpc $(VERSION) installed for $(MODREL); ports to take at boot: $(DESTDIR)$(SYSCONFDIR)/ttydpc.conf"

# The kernel's modules_install signs (when the headers have a key) and
# compresses (6.12: .ko.xz) the way the kernel's own modules are.
install-module: modules
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) -a $(MODREL)

# ttydpc-bind, its unit and udev rule (paths follow SBINDIR), and the two
# configuration files, which are never overwritten.
install-boot:
	$(INSTALL) -D -m 0755 tools/boot/ttydpc-bind $(DESTDIR)$(SBINDIR)/ttydpc-bind
	$(INSTALL) -d $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/local/sbin/|$(SBINDIR)/|g; s|/etc/ttydpc.conf|$(SYSCONFDIR)/ttydpc.conf|g' \
		tools/boot/60-ttydpc.rules >$(DESTDIR)$(UDEVRULESDIR)/60-ttydpc.rules
	sed 's|/usr/local/sbin/|$(SBINDIR)/|g; s|/etc/ttydpc.conf|$(SYSCONFDIR)/ttydpc.conf|g' \
		tools/boot/ttydpc-bind.service >$(DESTDIR)$(SYSTEMDUNITDIR)/ttydpc-bind.service
	test -e $(DESTDIR)$(MODPROBEDIR)/ttydpc.conf || \
		$(INSTALL) -D -m 0644 tools/boot/ttydpc.modprobe.conf $(DESTDIR)$(MODPROBEDIR)/ttydpc.conf
	test -e $(DESTDIR)$(SYSCONFDIR)/ttydpc.conf || \
		$(INSTALL) -D -m 0644 tools/boot/ttydpc.conf $(DESTDIR)$(SYSCONFDIR)/ttydpc.conf
ifneq ($(systemctl),)
	$(systemctl) $(if $(DESTDIR),--root=$(DESTDIR)) enable ttydpc-bind.service
	$(if $(DESTDIR),,-$(systemctl) daemon-reload)
endif
	$(if $(DESTDIR),,-udevadm control --reload)

install-tools:
	$(if $(wildcard tools/Makefile),$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX))

# The configuration files stay: they are the user's.
uninstall: uninstall-boot uninstall-tools
	rm -f $(DESTDIR)/lib/modules/$(MODREL)/$(INSTALL_MOD_DIR)/ttydpc.ko*
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) -a $(MODREL)

uninstall-boot:
ifneq ($(systemctl),)
	-$(systemctl) $(if $(DESTDIR),--root=$(DESTDIR)) disable ttydpc-bind.service
endif
	rm -f $(DESTDIR)$(SBINDIR)/ttydpc-bind $(DESTDIR)$(UDEVRULESDIR)/60-ttydpc.rules \
		$(DESTDIR)$(SYSTEMDUNITDIR)/ttydpc-bind.service
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/ttydpc.conf and $(DESTDIR)$(MODPROBEDIR)/ttydpc.conf"

uninstall-tools:
	$(if $(wildcard tools/Makefile),$(MAKE) -C tools uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX))

# dkms.conf names the version too: the two must agree.
dkms-check:
	@grep -qx 'PACKAGE_VERSION="$(VERSION)"' dkms.conf || \
		{ echo "dkms.conf: PACKAGE_VERSION is not VERSION's $(VERSION)" >&2; exit 1; }

# DKMS_SRC gets the tracked files (or, outside git, the same list minus
# build products); a version already added is replaced.
dkms-source: dkms-check
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	if git -C $(PWD) rev-parse --git-dir >/dev/null 2>&1; then \
		git -C $(PWD) ls-files -z -- $(DKMS_FILES) | tar -C $(PWD) --null -T - -cf - | tar -C $(DKMS_SRC) -xf -; \
	else \
		tar -C $(PWD) --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' --exclude='*.mod' \
			--exclude='*.mod.c' -cf - $(DKMS_FILES) | tar -C $(DKMS_SRC) -xf -; \
	fi

dkms-install: dkms-source
	-$(DKMS) remove ttydpc/$(VERSION) --all >/dev/null 2>&1
	$(DKMS) add ttydpc/$(VERSION)
	$(DKMS) build ttydpc/$(VERSION) -k $(MODREL)
	$(DKMS) install ttydpc/$(VERSION) -k $(MODREL)
	$(MAKE) install-boot install-tools
	@echo "ttydpc $(VERSION) under DKMS (dkms status); ports to take at boot: $(SYSCONFDIR)/ttydpc.conf"

dkms-uninstall: uninstall-boot uninstall-tools
	-$(DKMS) remove ttydpc/$(VERSION) --all
	rm -rf $(DKMS_SRC)

.PHONY: install install-module install-boot install-tools uninstall uninstall-boot uninstall-tools
.PHONY: dkms-check dkms-source dkms-install dkms-uninstall

# Test entry points (selftests/vm/README). Lanes and designs come from the
# environment or the command line: make check KERNELS=6.1 DPCS=isr
check:
	TIER=check selftests/vm/check.sh

check-quick:
	TIER=quick selftests/vm/check.sh

check-full:
	TIER=full selftests/vm/check.sh

demo:
	selftests/vm/demo.sh

deps:
	selftests/vm/deps.sh

.PHONY: check check-quick check-full demo deps

bench:
	selftests/bench/bench.sh

.PHONY: bench

# Debug-kernel lane (KASAN, lockdep, UBSAN, kmemleak; fuzz and stress) on
# its own at the full counts, with a random seed. make check runs it at
# short counts with a fixed seed (DEBUG=0 leaves it out), check-full at
# the full counts beside the other lanes.
check-debug:
	selftests/debug/check-debug.sh

.PHONY: check-debug

# The user guide and references (Documentation/) as HTML in build/docs.
# Needs python3-sphinx; any Sphinx warning fails the build (-W).
docs:
	sphinx-build -W --keep-going -b html Documentation build/docs

.PHONY: docs
