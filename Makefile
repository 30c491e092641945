# SPDX-License-Identifier: GPL-2.0
# ttydpc out-of-tree build and test entry points.
#
#   make                 build ttydpc.ko for KDIR (default: the running kernel)
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
