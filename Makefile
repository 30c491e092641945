# SPDX-License-Identifier: GPL-2.0
# ttydpc out-of-tree build and test entry points.
#
#   make                 build ttydpc.ko for KDIR (default: the running kernel)
#   make demo            QEMU PC with a ttyDPC0 shell, reached with picocom
#   make check           the whole selftest suite in QEMU (KERNELS, DPCS select lanes)

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
	selftests/vm/check.sh

demo:
	selftests/vm/demo.sh

deps:
	selftests/vm/deps.sh

.PHONY: check demo deps

bench:
	selftests/bench/bench.sh

.PHONY: bench

# Debug-kernel lane (KASAN, lockdep, UBSAN, kmemleak; fuzz and stress) at
# the full counts (soak 64 MiB each way). make check runs it too, with a
# fixed seed, the soak's VM beside the other lanes at nice 19 and the rest
# after them (DEBUG=0 leaves it out); here on its own, with a random seed.
check-debug:
	selftests/debug/check-debug.sh

.PHONY: check-debug
