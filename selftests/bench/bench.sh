#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: `make bench` - 8250 vs ttydpc on two identical QEMU pci-serial
# UARTs, one boot per DPC design (selftests/bench/README.rst).
#
# Builds ttydpc.ko (in a private copy of the tree, against KDIR's headers),
# the guest program and an initramfs, then runs bench.py: one VM boot per
# design in DPCS, every workload alternating 8250 and ttydpc inside the
# boot. Writes BENCH_OUT/results.md, results.png, results.json, and per boot
# BENCH_OUT/<design>/{results.json,console.log,trace.log,...}.
# Not part of pass/fail: exits non-zero only when the harness itself fails.
#
# Environment:
#   KVER=<6.1 lane release>    guest kernel release (image from make deps;
#                              default: what linux-image-amd64 depends on)
#   DPCS="isr custom both"     designs, one boot each
#   BENCH_OUT=build/bench      output directory
#   BENCH_ARGS="..."           extra bench.py options (sizes, repetitions:
#                              bench.py run --help); QUICK=1 for a short run
#   SKIP_BUILD=1               reuse BENCH_OUT's module, guest and initramfs
#   BENCH_DOCS=0               do not copy the plots into Documentation/
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../vm/lib.sh
. "$BENCH_DIR/../vm/lib.sh"

KVER=${KVER:-$(lane_release 6.1)}
read -r -a DESIGNS <<<"${DPCS:-isr custom both}"
OUT=${BENCH_OUT:-$TOP_DIR/build/bench}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
KERNEL=$(kernel_image "$KVER")
[[ -s $KERNEL ]] || die "no kernel image $KERNEL (make deps)"
command -v gnuplot >/dev/null || log "warning: gnuplot missing (apt-get install gnuplot-nox): no PNG"
t0=$(date +%s)

# The driver revision measured: HEAD, and whether the module's sources differ.
rev=$(git -C "$TOP_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$TOP_DIR" status --porcelain -- src include Kbuild Makefile 2>/dev/null) ]]; then
	rev="$rev + uncommitted changes in src/ include/ Kbuild Makefile"
fi
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
	rm -rf "$OUT/module"
	mkdir -p "$OUT/module"
	build_module "$KVER" "$OUT/module"
	log "building bench_guest"
	${CC:-gcc} -O2 -static -Wall -Wextra -D_GNU_SOURCE \
		-o "$OUT/bench_guest" "$BENCH_DIR/bench_guest.c"
	"$VM_DIR/mkinitramfs.sh" -o "$OUT/initrd.cpio" -k "$OUT/module/ttydpc.ko" \
		-x "$OUT/bench_guest"
fi

args=()
if [[ ${QUICK:-0} == 1 ]]; then
	args+=(--reps 1 --xfer-secs 2 --ftrace-secs 1 --echo-n 500 --echo-reps 1
		--only "regs,thru,irqtime,echo,mixed")
fi
read -r -a extra <<<"${BENCH_ARGS:-}"
args+=("${extra[@]}")

designs=$(IFS=,; echo "${DESIGNS[*]}")
for d in "${DESIGNS[@]}"; do
	rm -rf "${OUT:?}/$d"
done
rc=0
python3 "$BENCH_DIR/bench.py" run --kernel "$KERNEL" --initrd "$OUT/initrd.cpio" \
	--out "$OUT" --designs "$designs" "${args[@]}" || rc=$?

# What the report records about this run.
qemu=$("${QEMU:-qemu-system-x86_64}" --version | head -n1)
sizes=$(python3 "$BENCH_DIR/bench.py" run --out "$OUT" --print-sizes "${args[@]}")
python3 - "$OUT/meta.json" "$qemu" "$(uname -srm) $(nproc) CPUs" "$sizes" \
	"$(($(date +%s) - t0))" "$rev" "$t0" <<'EOF'
import datetime, json, sys
out, qemu, host, sizes, secs, rev, t0 = sys.argv[1:]
json.dump({"date": datetime.datetime.fromtimestamp(int(t0)).isoformat(" ", "seconds"),
           "qemu": qemu, "host": host, "sizes": sizes, "wall_s": int(secs),
           "source": rev}, open(out, "w"))
EOF
python3 "$BENCH_DIR/bench.py" report --out "$OUT" --designs "$designs" --meta "$OUT/meta.json"
# The plots Documentation/ttydpc/performance.rst shows: a full run (not
# QUICK) of every design replaces them; BENCH_DOCS=0 leaves them alone.
docs=$TOP_DIR/Documentation/ttydpc/bench
if [[ ${QUICK:-0} != 1 && ${BENCH_DOCS:-1} != 0 && -s $OUT/results.png ]]; then
	mkdir -p "$docs"
	cp "$OUT/results.png" "$OUT/results.md" "$docs/"
	[[ -s $OUT/rx-trigger.png ]] && cp "$OUT/rx-trigger.png" "$docs/"
	log "copied the plots and results.md to $docs"
fi
log "results: $OUT/results.md $OUT/results.png ($(($(date +%s) - t0)) s)"
((rc == 0)) || log "some boots failed (see $OUT/bench.log): their figures are partial"
exit "$rc"
