#!/usr/bin/env bash
# Builds Ward's own images (images/: the load balancer) and the clinic sample's (examples/clinic/app/)
# from Debian packages and puts them on every node of the local cluster (there is no registry, and
# Ward never runs the docker CLI: images are root filesystems imported through `./ward image import`).
#
#   scripts/build-images.sh [IMAGE...]      IMAGE: a folder of images/ or examples/clinic/app (default: all)
#
# Each image is a folder with a recipe (build.conf: tag, packages, image settings, shell steps) and
# a rootfs/ tree copied into the image. Its build hash covers the recipe, those files and this
# script; the built root filesystem is kept as /var/cache/ward/images/NAME.HASH.tar, so a second run
# with nothing changed builds nothing and imports nothing.
#
# Environment: DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR (default: the ones apt already uses),
# WARD_CACHE (default /var/cache/ward), WARD (default ./ward), WARD_CLUSTER_DIR (the cluster the images
# go to, as for the ward command; the Docker tests and benchmarks have clusters of their own).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
self="$root/scripts/build-images.sh"
ward="${WARD:-$root/ward}"   # the ward command (another build of it may be given)
# Where image folders are: Ward's own, then the sample's. Names are unique across both.
image_roots=("$root/images" "$root/examples/clinic/app")
cache="${WARD_CACHE:-/var/cache/ward}"
base_tar="$cache/rootfs/bookworm-minbase.tar"
cluster_key="$(basename "${WARD_CLUSTER_DIR:-/var/lib/ward/cluster}")"   # which cluster an import marker is about
work="$cache/build"           # scratch chroots; nothing here outlives a run
suite=bookworm

say() { echo "build-images: $*"; }
die() { echo "build-images: $*" >&2; exit 1; }

# --- Chroot mounts -------------------------------------------------------------------------------
# Package scripts need /proc, /sys and /dev. Every mount lives under $work, so cleaning up means
# unmounting whatever is mounted there (deepest first), whatever step failed or was interrupted.
unmount_all() {
  local target
  findmnt -rn -o TARGET | { grep -E "^$work/" || true; } | sort -r | while read -r target; do
    umount "$target" 2>/dev/null || umount -l "$target"
  done
}

# Removes a scratch folder, but never while something is mounted inside it: rm -rf through a bound
# /dev would delete the host's device nodes. --one-file-system is the second safety net.
remove_tree() {
  unmount_all
  if findmnt -rn -o TARGET | grep -qE "^$1(/|$)"; then
    die "$1 still has mounts; not removing it"
  fi
  rm -rf --one-file-system "$1"
}

cleanup() {
  local status=$?
  unmount_all || true
  rm -rf --one-file-system "$work" 2>/dev/null || true
  rm -f "$cache"/images/*.tar.tmp "$cache"/rootfs/*.tar.tmp   # half-written tars
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_chroot() {
  mount -t proc proc "$1/proc"
  mount -t sysfs sysfs "$1/sys"
  mount --bind /dev "$1/dev"
  mount --bind /dev/pts "$1/dev/pts"
}

# Runs a shell script inside a chroot with a clean environment (the host's locale and variables
# would otherwise leak into package scripts).
in_chroot() {
  local dir=$1 script=$2
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive /usr/sbin/chroot "$dir" /bin/sh -euc "$script"
}

# --- The Debian mirror apt already uses ----------------------------------------------------------
apt_uri() { # $1: a regex the URI's path must match
  grep -rhoE '^(URIs:[[:space:]]*|deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)https?://[^[:space:]]+' \
    /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
    | grep -oE 'https?://[^[:space:]]+' | grep -E "$1" | head -n1 || true
}
mirror="${DEBIAN_MIRROR:-$(apt_uri '/debian/?$')}"
mirror="${mirror:-http://deb.debian.org/debian}"
security="${DEBIAN_SECURITY_MIRROR:-$(apt_uri '/debian-security/?$')}"

# --- The base root filesystem: debootstrap once, then reuse the tar -------------------------------
build_base() {
  local dir="$work/base"
  say "base: debootstrap --variant=minbase $suite from $mirror (once; cached as $base_tar)"
  remove_tree "$dir"
  mkdir -p "$dir" "$(dirname "$base_tar")"
  debootstrap --variant=minbase "$suite" "$dir" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # Updates and security fixes come from the same mirrors; each image runs apt-get update itself.
  {
    echo "deb $mirror $suite main"
    echo "deb $mirror $suite-updates main"
    [ -z "$security" ] || echo "deb $security $suite-security main"
  } >"$dir/etc/apt/sources.list"
  # Services must not start inside the chroot while packages are installed.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod 755 "$dir/usr/sbin/policy-rc.d"
  in_chroot "$dir" 'apt-get clean; rm -rf /var/lib/apt/lists/*'
  unmount_all
  tar -C "$dir" --numeric-owner -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar"   # only a complete tar counts as cached
  remove_tree "$dir"
}

# --- One image ------------------------------------------------------------------------------------
# The hash of everything that decides the image: this script and the image's folder (names, modes
# and contents, with fixed owners and times so a checkout elsewhere hashes the same).
build_hash() {
  { cat "$self"
    tar -C "$1" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
      --exclude=__pycache__ -cf - .
  } | sha256sum | cut -c1-12
}

build_rootfs() { # $1 name, $2 output tar; the recipe's variables are set
  local name=$1 out=$2 dir="$work/$1"
  remove_tree "$dir"
  mkdir -p "$dir"
  tar -C "$dir" --numeric-owner -xpf "$base_tar"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"   # name resolution for apt, emptied below
  mount_chroot "$dir"

  # apt's chatter goes to a log, shown only when something fails.
  say "$name: apt-get install ${packages[*]}"
  local log="$work/$name.log"
  in_chroot "$dir" "apt-get update -qq; ${prepare:-}
    apt-get install -y -qq --no-install-recommends ${packages[*]}" >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "$name: installing packages failed"; }

  # The application's files, owned by root: the service's user can read but not change them.
  tar -C "$(folder_of "$name")/rootfs" --owner=0 --group=0 --numeric-owner -cf - . \
    | tar -C "$dir" --no-same-owner -xpf -
  [ -z "${finish:-}" ] || in_chroot "$dir" "$finish"
  unmount_all

  # Smaller images: no package lists, caches, documentation, manuals or translations.
  (cd "$dir" && rm -rf var/lib/apt/lists/* var/cache/apt/* var/cache/debconf/*-old var/lib/dpkg/*-old \
    var/log/* usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian \
    tmp/* usr/sbin/policy-rc.d)
  : >"$dir/etc/resolv.conf"   # Docker mounts its own

  tar -C "$dir" --numeric-owner -cf "$out.tmp" .
  mv "$out.tmp" "$out"
  remove_tree "$dir"
}

folder_of() {
  local image_root
  for image_root in "${image_roots[@]}"; do
    [ -d "$image_root/$1" ] && { echo "$image_root/$1"; return; }
  done
  die "no image folder $1 in images/ or examples/clinic/app/"
}

build_image() {
  local name=$1 folder
  folder="$(folder_of "$1")"
  [ -f "$folder/build.conf" ] || die "no recipe $folder/build.conf"

  # A recipe sets: tag, packages (array), changes (array of Dockerfile lines for the image's
  # settings), and optionally prepare and finish: shell run in the chroot before the packages are
  # installed (apt is ready) and after the rootfs/ files are copied in.
  local tag="" prepare="" finish="" packages=() changes=()
  # shellcheck source=/dev/null
  source "$folder/build.conf"

  local hash tar_file imported started=$SECONDS
  hash="$(build_hash "$folder")"
  tar_file="$cache/images/$name.$hash.tar"
  # One marker per cluster: an import into the tests' cluster says nothing about the local cluster's nodes.
  imported="$cache/images/$name.$hash.$cluster_key.imported"
  mkdir -p "$cache/images"

  if [ -f "$tar_file" ]; then
    say "$name: $tag build $hash is cached"
  else
    say "$name: building $tag (build $hash)"
    build_rootfs "$name" "$tar_file"
    find "$cache/images" -name "$name.*.tar" ! -name "$name.$hash.tar" -delete   # older builds
    say "$name: built $(du -m "$tar_file" | cut -f1) MB in $((SECONDS - started)) s"
  fi

  # `ward image sync` succeeds when some node has the tag (copying it to nodes that lack it). The
  # marker says that what we last imported under this tag was this very build: together they mean
  # the nodes already run it. A recreated cluster has no images, so the sync fails and we import.
  if [ -f "$imported" ] && "$ward" image sync "$tag" >/dev/null 2>&1; then
    say "$name: $tag is on every node"
    return
  fi
  local args=() change
  for change in "${changes[@]}"; do args+=(-c "$change"); done
  args+=(-c "LABEL ward.build-hash=$hash")
  # This relies on `ward image import` putting the new image on every node, also on nodes that
  # hold an older build under the same tag.
  say "$name: importing $tag into the cluster"
  "$ward" image import "$tar_file" -t "$tag" "${args[@]}" 2>&1 | sed 's/^/  /'
  find "$cache/images" -name "$name.*.$cluster_key.imported" -delete
  touch "$imported"
}

# --- Main ----------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mount need it)"
for tool in debootstrap findmnt flock; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install debootstrap util-linux)"
done
mkdir -p "$cache/rootfs" "$cache/images"

# One build at a time: two runs would share the scratch folders.
exec 9>"$cache/build-images.lock"
flock -n 9 || die "another build-images.sh is running"

started=$SECONDS
[ -f "$base_tar" ] || build_base

if [ "$#" -gt 0 ]; then names=("$@"); else
  names=()
  for image_root in "${image_roots[@]}"; do
    for f in "$image_root"/*/build.conf; do names+=("$(basename "$(dirname "$f")")"); done
  done
fi
for name in "${names[@]}"; do build_image "$name"; done
say "done in $((SECONDS - started)) s"
