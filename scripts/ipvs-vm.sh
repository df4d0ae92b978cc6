#!/usr/bin/env bash
# IPVS in a VM (issue 15): this machine's kernel has no IPVS, Debian's cloud kernel has. Boots
# linux-image-cloud-amd64 under qemu (TCG: -accel kvm hangs on this machine) with an
# initramfs of busybox, ipvsadm and keepalived 2.2.7, runs SCRIPT as root inside (ip_vs and
# its schedulers loaded, lo up, the FILEs in /work, which is on PATH; an ELF program among
# them is stripped and gets its libraries too), prints what it wrote and exits with its status.
#   scripts/ipvs-vm.sh SCRIPT [FILE...]
# Nothing is installed on the host but qemu-system-x86 (apt); the kernel, ipvsadm and busybox
# are fetched with `apt-get download` and unpacked under build-vm/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 SCRIPT [FILE...]" >&2; exit 2; }
script=$(realpath "$1")
shift
VM=build-vm
mkdir -p "$VM/debs"
command -v qemu-system-x86_64 >/dev/null ||
  apt-get install -y --no-install-recommends qemu-system-x86 >/dev/null
# The cloud image's real package: the metapackage names it.
if [ ! -d "$VM/root/boot" ]; then
  (cd "$VM/debs" && apt-get download linux-image-cloud-amd64 ipvsadm busybox-static 2>/dev/null)
  kpkg=$(dpkg-deb -f "$VM"/debs/linux-image-cloud-amd64_*.deb Depends | sed 's/ .*//')
  (cd "$VM/debs" && apt-get download "$kpkg" 2>/dev/null)
  for d in "$VM"/debs/*.deb; do dpkg-deb -x "$d" "$VM/root"; done
fi
kver=$(ls "$VM/root/lib/modules")

# The initramfs: busybox, the programs and their libraries, the netfilter modules.
init=$VM/init
rm -rf "$init"
mkdir -p "$init"/{bin,sbin,proc,sys,dev,tmp,run,etc,work,lib/modules}
cp "$VM/root/bin/busybox" "$init/bin/busybox"
for a in sh mount depmod modprobe ip poweroff cat echo sleep seq ls mkdir nc httpd wget grep awk \
  sed wc kill killall ps date head tail sort printf true false; do
  ln -sf busybox "$init/bin/$a"
done
libs_of() {
  ldd "$1" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib64/ { print $1 }' |
    while read -r lib; do cp -L --parents "$lib" "$init/"; done
}
for p in "$VM/root/sbin/ipvsadm" /usr/sbin/keepalived; do
  cp "$p" "$init/bin/"
  libs_of "$p"
done
for f in "$@"; do
  if [ "$(head -c4 "$f" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; then
    strip -o "$init/work/$(basename "$f")" "$f"  # a smaller initramfs
    libs_of "$f"
  else
    cp -r "$f" "$init/work/"
  fi
done
init_abs=$(realpath "$init")
(cd "$VM/root" && cp -r --parents "lib/modules/$kver/kernel/net/netfilter" \
  "lib/modules/$kver/kernel/net/ipv4" "lib/modules/$kver/kernel/net/ipv6" \
  "lib/modules/$kver/kernel/lib" "lib/modules/$kver/kernel/drivers/net/dummy.ko" \
  "lib/modules/$kver/kernel/net/bridge" "lib/modules/$kver/kernel/net/802" \
  "lib/modules/$kver/kernel/net/llc" \
  "lib/modules/$kver/kernel/drivers/net/veth.ko" "$init_abs/")
cp "$VM/root/lib/modules/$kver"/modules.{order,builtin} "$init/lib/modules/$kver/"
echo "root:x:0:0:root:/:/bin/sh" >"$init/etc/passwd"
echo "root:x:0:" >"$init/etc/group"
cp "$script" "$init/work/test.sh"
cat >"$init/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
depmod
for m in ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_sh ip_vs_mh ip_vs_sed ip_vs_nq \
  ip_vs_dh ip_vs_lblc ip_vs_lblcr ip_vs_fo ip_vs_ovf ip_vs_twos dummy veth bridge; do modprobe $m 2>/dev/null; done
ip link set lo up
# An interface for VRRP (lvs_sync_daemon follows an instance); nothing answers on it.
ip link add d0 type dummy && ip addr add 10.1.0.1/24 dev d0 && ip link set d0 multicast on up
export PATH=/work:/bin
cd /work
echo "=== vm: begin"
sh /work/test.sh
echo "=== vm: end $?"
poweroff -f
INIT
chmod 755 "$init/init" "$init/work/test.sh"
bb=$(realpath "$VM/root/bin/busybox")
(cd "$init" && find . | "$bb" cpio -o -H newc 2>/dev/null | gzip -1) >"$VM/initrd.gz"

log=$VM/console.log
timeout 600 qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot \
  -kernel "$VM/root/boot/vmlinuz-$kver" -initrd "$VM/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 loglevel=3" >"$log" 2>&1 || true
tr -d '\r' <"$log" | sed -n '/=== vm: begin/,/^=== vm: end/p' | sed '1d;$d'
rc=$(tr -d '\r' <"$log" | sed -n 's/^=== vm: end \([0-9]*\).*/\1/p' | tail -1)
[ -n "$rc" ] || { echo "the VM did not finish; its console:" >&2; tail -30 "$log" >&2; exit 1; }
exit "$rc"
