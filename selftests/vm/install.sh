#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh dkms OUT [LANE...]
# install.sh boot OUT LANE SELFTESTS_DIR
#
# make check's install stage (Documentation/ttydpc/install.rst), each part
# TAP on stdout and "pass fail skip note" in OUT/result.
#
#   dkms  DKMS builds ttydpc for each LANE (default: 6.1 6.12, the newest
#         headers as lib.sh's lane_release resolves them) from a clean copy:
#         `make dkms-source` (the files git tracks) into a scratch root,
#         then dkms add/build/install with --dkmstree/--sourcetree/--installtree
#         and a scratch MOK key there, and no depmod, so /usr/src,
#         /var/lib/dkms and /lib/modules stay as they were (checked).
#   boot  `make install DESTDIR=OUT/stage` from a clean copy of the tracked
#         files for LANE's kernel, host checks of the staged tree (and of
#         make uninstall on a copy), then one VM boot whose initramfs is
#         that tree plus an /etc/ttydpc.conf naming the PCI data port and
#         the PNP port at 0x3e8; the guest (install-guest.sh) loads the
#         module with modprobe and runs the unit's ExecStart.
# Environment: BOOT_TIMEOUT (300 s for the boot), TTYDPC_INSTALL_PNP (the PNP
# device ttydpc.conf names, default 00:00: QEMU pc's COM3 at 0x3e8), and
# make's own variables (DEPMOD=true shows the boot failing without depmod).
set -euo pipefail
# shellcheck source=selftests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { sed -n '4,21s/^# \{0,1\}//p' "$0" >&2; exit 2; }
(($# >= 2)) || usage
cmd=$1 OUT=$2
shift 2
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
VERSION=$(cat "$TOP_DIR/VERSION")

n=0 npass=0 nfail=0
ok() {
	n=$((n + 1))
	if [[ $1 == 0 ]]; then
		npass=$((npass + 1))
		echo "ok $n $2"
	else
		nfail=$((nfail + 1))
		echo "not ok $n $2"
	fi
}
comment() { sed 's/^/# /'; }

# copy_tracked DEST: the files git tracks, as they are in the working tree
# (a developer's edits count; untracked files and build products do not).
copy_tracked() {
	mkdir -p "$1"
	if git -C "$TOP_DIR" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$TOP_DIR" ls-files -z |
			tar -C "$TOP_DIR" --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$1" -xf -
	else
		tar -C "$TOP_DIR" --exclude=./.git --exclude=./build --exclude='*.o' --exclude='*.ko' \
			--exclude='*.cmd' --exclude='*.mod' --exclude='*.mod.c' -cf - . | tar -C "$1" -xf -
	fi
}

# The machine state DKMS could touch: must be the same after the run.
machine_state() {
	ls -A /usr/src /var/lib/dkms 2>/dev/null
	find /lib/modules -maxdepth 3 -path '*/updates/dkms*' 2>/dev/null
	stat -c '%n %Y' /lib/modules/*/modules.dep 2>/dev/null || true
}

do_dkms() {
	local lanes=("$@") root tree rel lane f ver vm signer before log rc
	((${#lanes[@]})) || lanes=(6.1 6.12)
	command -v dkms >/dev/null || { echo "1..1"; ok 1 "dkms installed (apt-get install dkms)"; return; }
	echo "TAP version 13"
	echo "1..$((3 + 3 * ${#lanes[@]}))"
	before=$(machine_state)
	root=$OUT/root tree=$OUT/tree
	rm -rf "$root" "$tree" "$OUT/inst" "$OUT/keys"
	mkdir -p "$root" "$tree" "$OUT/inst" "$OUT/keys"
	log=$OUT/dkms.log
	: >"$log"
	rc=0
	make -s -C "$TOP_DIR" dkms-source DESTDIR="$root" >>"$log" 2>&1 || rc=$?
	((rc == 0)) || comment <"$log"
	f=$(find "$root/usr/src/ttydpc-$VERSION" -type f 2>/dev/null | wc -l || true)
	ok $rc "make dkms-source: ttydpc-$VERSION, $f tracked files, dkms.conf's version is VERSION"
	# A scratch tree for everything dkms writes, and a scratch MOK key
	# (dkms would otherwise create /var/lib/dkms/mok.key).
	local D=(env mok_signing_key="$OUT/keys/mok.key" mok_certificate="$OUT/keys/mok.pub"
		dkms --no-depmod --dkmstree "$tree" --sourcetree "$root/usr/src" --installtree "$OUT/inst")
	rc=0
	"${D[@]}" add "ttydpc/$VERSION" >>"$log" 2>&1 || rc=$?
	((rc == 0)) || tail -n 20 "$log" | comment
	ok $rc "dkms add ttydpc/$VERSION"
	for lane in "${lanes[@]}"; do
		rel=$(lane_release "$lane")
		if nice -n 10 "${D[@]}" build "ttydpc/$VERSION" -k "$rel" >>"$log" 2>&1; then
			ok 0 "dkms build for $lane ($rel)"
		else
			tail -n 30 "$log" | comment
			find "$tree" -name make.log -path "*$rel*" -exec tail -n 20 {} \; | comment
			ok 1 "dkms build for $lane ($rel)"
		fi
		f=$(compgen -G "$tree/ttydpc/$VERSION/$rel/*/module/ttydpc.ko*" | head -n1 || true)
		ver='' vm='' signer=''
		if [[ -n $f ]]; then
			ver=$(modinfo -F version "$f" 2>/dev/null || true)
			vm=$(modinfo -F vermagic "$f" 2>/dev/null || true)
			signer=$(modinfo -F signer "$f" 2>/dev/null || true)
		fi
		echo "# ${f#"$OUT"/}: version '$ver', vermagic '$vm', signer '${signer:-none}'"
		rc=0
		[[ -n $f && $ver == "$VERSION" && $vm == "$rel "* ]] || rc=1
		ok $rc "DKMS module for $rel: version $VERSION, vermagic $rel"
		# dkms install into the scratch install tree (no depmod: that
		# would run on the machine's own /lib/modules).
		rc=0
		mkdir -p "$OUT/inst/$rel"
		"${D[@]}" install "ttydpc/$VERSION" -k "$rel" >>"$log" 2>&1 || rc=$?
		compgen -G "$OUT/inst/$rel/updates/dkms/ttydpc.ko*" >/dev/null || rc=1
		((rc == 0)) || tail -n 10 "$log" | comment
		ok $rc "dkms install for $rel: <installtree>/$rel/updates/dkms/ttydpc.ko"
	done
	rm -rf "$root" "$tree" "$OUT/inst" "$OUT/keys"
	rc=0
	[[ $(machine_state) == "$before" ]] || rc=1
	ok $rc "/usr/src, /var/lib/dkms, /lib/modules/*/updates/dkms and modules.dep unchanged"
}

do_boot() {
	local lane=$1 tests=$2 rel src stage u rc f kimg
	rel=$(lane_release "$lane")
	kimg=$(kernel_image "$rel")
	echo "TAP version 13"
	echo "1..5"
	src=$OUT/src stage=$OUT/stage u=$OUT/stage-uninstall
	rm -rf "$src" "$stage" "$u"
	copy_tracked "$src"
	# The configuration the guest boots with, there before make install,
	# which must not overwrite it.
	mkdir -p "$stage/etc/modprobe.d"
	printf '# make check install boot\npci 0000:00:10.0\npnp %s\n' "${TTYDPC_INSTALL_PNP:-00:00}" >"$stage/etc/ttydpc.conf"
	printf 'options ttydpc dpc=custom\n' >"$stage/etc/modprobe.d/ttydpc.conf"
	cp "$stage/etc/ttydpc.conf" "$OUT/ttydpc.conf"
	rc=0
	make -C "$src" -j"$(nproc)" install DESTDIR="$stage" KVER="$rel" KDIR="$(headers_dir "$rel")" \
		>"$OUT/make-install.log" 2>&1 || rc=$?
	((rc == 0)) || tail -n 20 "$OUT/make-install.log" | comment
	ok $rc "make install DESTDIR=<stage> KVER=$rel"
	# What a real install puts where.
	rc=0
	f=$(compgen -G "$stage/lib/modules/$rel/updates/ttydpc.ko*" | head -n1 || true)
	[[ -n $f ]] || { echo "# no module under lib/modules/$rel/updates"; rc=1; }
	grep -q '^updates/ttydpc.ko[^:]*:' "$stage/lib/modules/$rel/modules.dep" 2>/dev/null ||
		{ echo "# modules.dep does not list updates/ttydpc.ko"; rc=1; }
	for f in usr/local/sbin/ttydpc-bind etc/udev/rules.d/60-ttydpc.rules \
		etc/systemd/system/ttydpc-bind.service; do
		[[ -f $stage/$f ]] || { echo "# $f missing"; rc=1; }
	done
	[[ -x $stage/usr/local/sbin/ttydpc-bind ]] || rc=1
	cmp -s "$stage/etc/ttydpc.conf" "$OUT/ttydpc.conf" || { echo "# etc/ttydpc.conf overwritten"; rc=1; }
	grep -qx 'options ttydpc dpc=custom' "$stage/etc/modprobe.d/ttydpc.conf" ||
		{ echo "# etc/modprobe.d/ttydpc.conf overwritten"; rc=1; }
	ok $rc "staged: module in updates/ and modules.dep, ttydpc-bind, udev rule, unit; configs kept"
	# make uninstall on a copy: everything but the two configs goes.
	rc=0
	cp -a "$stage" "$u"
	make -C "$src" uninstall DESTDIR="$u" KVER="$rel" KDIR="$(headers_dir "$rel")" \
		>"$OUT/make-uninstall.log" 2>&1 || rc=$?
	left=$(find "$u" -type f ! -path "$u/lib/modules/*/modules.*" | sed "s|^$u|.|" | sort | tr '\n' ' ' || true)
	echo "# after make uninstall: $left"
	[[ $left == "./etc/modprobe.d/ttydpc.conf ./etc/ttydpc.conf " ]] || rc=1
	rm -rf "$u"
	ok $rc "make uninstall removes all but the two configuration files"

	# The boot: the staged tree over the usual initramfs, no ttydpc.ko of
	# /init's own (ttydpc_nomod=1 leaves every port to 8250).
	rc=0
	"$VM_DIR/mkinitramfs.sh" -o "$OUT/initrd.cpio" -t "$tests" -r "$stage" \
		-x "$VM_DIR/install-guest.sh" >"$OUT/mkinitramfs.log" 2>&1 || rc=$?
	ok $rc "initramfs from the staged tree"
	local tmo=${BOOT_TIMEOUT:-300}
	"$VM_DIR/run-vm.sh" -p -t "$tmo" -o "$OUT" -k "$kimg" -i "$OUT/initrd.cpio" \
		-a "ttydpc_nomod=1 ttydpc_mode=check ttydpc_run=/usr/bin/install-guest.sh ttydpc_timeout=$((tmo - 30)) TTYDPC_VERSION=$VERSION ${TTYDPC_INSTALL_PNP:+TTYDPC_INSTALL_PNP=$TTYDPC_INSTALL_PNP} ${CHECK_APPEND:-}" ||
		true
	local tap
	tap=$(tr -d '\r' <"$OUT/console.log" 2>/dev/null | sed -n '/^==== ttydpc: selftests begin ====$/,/^==== ttydpc: selftests end/p' || true)
	local gp gf
	gp=$(grep -cE '^ok [0-9]+' <<<"$tap" || true)
	gf=$(grep -cE '^not ok [0-9]+' <<<"$tap" || true)
	# The guest's cases, indented: they count in the result too.
	grep -E '^(not )?ok |^# ' <<<"$tap" | sed 's/^/    /'
	rc=0
	grep -q '^# Totals: pass:[0-9]* fail:0 skip:0$' <<<"$tap" || rc=1
	[[ ! -e $OUT/timeout ]] || { echo "# VM killed after ${tmo}s"; rc=1; }
	ok $rc "install boot on $rel: $gp guest checks passed, $gf failed (logs: $OUT/console.log)"
}

t0=$(date +%s)
case $cmd in
dkms) do_dkms "$@" | tee "$OUT/tap.txt" ;;
boot) (($# == 2)) || usage; do_boot "$@" | tee "$OUT/tap.txt" ;;
*) usage ;;
esac
pass=$(grep -cE '^[[:space:]]*ok [0-9]+' "$OUT/tap.txt" || true)
fail=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$OUT/tap.txt" || true)
plan=$(grep -m1 -oE '^1\.\.[0-9]+' "$OUT/tap.txt" | cut -d. -f3 || true)
top=$(grep -cE '^(not )?ok [0-9]+' "$OUT/tap.txt" || true)
note=
[[ -z $plan || $top -ge $plan ]] || note="only $top of $plan planned results"
echo "$pass $fail 0 $note" >"$OUT/result"
echo "$cmd: $pass passed, $fail failed in $(($(date +%s) - t0))s${note:+ ($note)}"
((fail == 0)) && [[ -z $note ]]
