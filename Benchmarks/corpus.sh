#!/usr/bin/env bash
# A benchmark corpus of real ELF files for many architectures, from Debian's archive: the packages
# below, for each bookworm architecture below, are downloaded as .debs and unpacked with
# `dpkg-deb -x` into CACHE/corpus/ARCH/ (CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/archway-bench).
# CACHE/corpus/elf-files.txt lists its regular (non-link) files that begin with the ELF magic,
# sorted; CACHE/corpus/manifest.txt the arch, package, version and SHA256 of each .deb.
# Progress goes to stderr; the last line of stdout is the corpus folder.
#
#   Benchmarks/corpus.sh        (ARCHES="amd64 arm64" PACKAGES="zlib1g" narrow the set)
#
# Needs only what every Debian 12 has (apt's apt-helper, gpgv, debian-archive-keyring, dpkg-deb),
# runs as root or not, and leaves the host's dpkg architectures and apt state alone: the archive's
# InRelease is checked with gpgv against Debian's keyring, each Packages.xz against the InRelease's
# SHA256, each .deb against the Packages entry's SHA256. A package whose bookworm pool file is gone
# is taken from bookworm-updates, then bookworm-security. A complete corpus (its stamp records the
# package and architecture lists) is reused without any network access.
set -euo pipefail
export LC_ALL=C
read -ra packages <<<"${PACKAGES:-coreutils busybox-static libstdc++6 zlib1g libssl3 grep sed}"
read -ra arches <<<"${ARCHES:-amd64 arm64 armhf armel i386 ppc64el s390x mips64el}"
# suite, archive: the first suite whose .deb downloads wins.
suites=(bookworm http://deb.debian.org/debian
  bookworm-updates http://deb.debian.org/debian
  bookworm-security http://deb.debian.org/debian-security)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ ${#packages[@]} -eq 0 ] || [ ${#arches[@]} -eq 0 ]; then
  echo "corpus: no packages or arches" >&2
  exit 1
fi

cache=${XDG_CACHE_HOME:-$HOME/.cache}/archway-bench
corpus=$cache/corpus
stamp=$corpus/.stamp
want="corpus 1; suites ${suites[*]}; arches ${arches[*]}; packages ${packages[*]}"
complete() { [ -f "$stamp" ] && [ "$(<"$stamp")" = "$want" ] && [ -f "$corpus/elf-files.txt" ]; }
if complete; then
  echo "corpus: cached, $(wc -l <"$corpus/elf-files.txt") ELF files" >&2
  echo "$corpus"
  exit 0
fi

log() { echo "corpus: $*" >&2; }
die() { log "error: $*"; exit 1; }
for tool in /usr/lib/apt/apt-helper gpgv dpkg-deb sha256sum flock; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
[ -r "$keyring" ] || die "$keyring is missing (apt-get install debian-archive-keyring)"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # another run may be building it
if complete; then
  echo "$corpus"
  exit 0
fi
start=$(date +%s)
index=$cache/index debs=$cache/debs
mkdir -p "$index" "$debs" "$corpus"
rm -f "$stamp"

helper=(/usr/lib/apt/apt-helper -q)
# As root, apt drops to _apt to download, which cannot write under a private $HOME.
[ "$(id -u)" = 0 ] && helper+=(-o APT::Sandbox::User=root)
# fetch URI FILE SHA256 [URI FILE SHA256]...: download, verified, all in one go; false if any failed.
fetch() {
  local args=()
  while [ $# -gt 0 ]; do
    args+=("$1" "$2.part" "SHA256:$3")
    shift 3
  done
  local ok=0 i
  "${helper[@]}" download-file "${args[@]}" >&2 || ok=1
  for ((i = 1; i < ${#args[@]}; i += 3)); do
    [ -f "${args[i]}" ] && mv -f "${args[i]}" "${args[i]%.part}"
  done
  return $ok
}
sha256() { sha256sum "$1" | cut -d' ' -f1; }

# load_index SUITE ARCHIVE: INDEX/SUITE/ARCH.list holds "package version filename sha256" for each
# wanted package of each arch, from that suite's signed InRelease and its Packages.xz (by hash).
declare -A indexed=()
load_index() {
  local suite=$1 archive=$2 dir=$index/$1 arch hash
  [ -n "${indexed[$suite]:-}" ] && return 0
  mkdir -p "$dir"
  log "index $suite"
  rm -f "$dir/InRelease"
  "${helper[@]}" download-file "$archive/dists/$suite/InRelease" "$dir/InRelease" >&2 ||
    die "could not download $archive/dists/$suite/InRelease"
  gpgv --keyring "$keyring" --output "$dir/Release" "$dir/InRelease" 2>"$dir/gpgv.log" ||
    die "bad signature on $archive/dists/$suite/InRelease: $(cat "$dir/gpgv.log")"
  local queue=() have=()
  for arch in "${arches[@]}"; do
    hash=$(awk -v f="main/binary-$arch/Packages.xz" \
      '/^[^ ]/ {sha = ($1 == "SHA256:")} sha && $3 == f {print $1}' "$dir/Release")
    if [ -z "$hash" ]; then # bookworm-security (LTS) has dropped armel, mips64el and s390x
      log "$suite has no main/binary-$arch/Packages.xz"
      rm -f "$dir/$arch.Packages.xz"
      continue
    fi
    have+=("$arch")
    if [ ! -f "$dir/$arch.Packages.xz" ] || [ "$(sha256 "$dir/$arch.Packages.xz")" != "$hash" ]; then
      queue+=("$archive/dists/$suite/main/binary-$arch/by-hash/SHA256/$hash" "$dir/$arch.Packages.xz" "$hash")
    fi
  done
  [ ${#queue[@]} -eq 0 ] || fetch "${queue[@]}" || die "could not download the $suite Packages indices"
  for arch in "${arches[@]}"; do
    : >"$dir/$arch.list"
    [[ " ${have[*]} " == *" $arch "* ]] || continue
    /usr/lib/apt/apt-helper cat-file "$dir/$arch.Packages.xz" | awk -v want=" ${packages[*]} " '
      /^Package: / {p = $2; v = f = s = ""}
      /^Version: / {v = $2}
      /^Filename: / {f = $2}
      /^SHA256: / {s = $2}
      /^$/ {if (p != "" && index(want, " " p " ")) print p, v, f, s; p = ""}
      END {if (p != "" && index(want, " " p " ")) print p, v, f, s}' >"$dir/$arch.list"
  done
  indexed[$suite]=1
}

# Each package of each arch: the first suite whose index has it and whose .deb downloads.
declare -A got=() # "arch pkg" -> "suite version path sha256"
for ((s = 0; s < ${#suites[@]}; s += 2)); do
  suite=${suites[s]} archive=${suites[s + 1]}
  missing=0
  for arch in "${arches[@]}"; do
    for pkg in "${packages[@]}"; do [ -n "${got[$arch $pkg]:-}" ] || missing=1; done
  done
  [ $missing = 1 ] || break
  load_index "$suite" "$archive"
  queue=()
  declare -A tried=()
  for arch in "${arches[@]}"; do
    mkdir -p "$debs/$arch"
    while read -r pkg version filename hash; do
      [ -z "${got[$arch $pkg]:-}" ] || continue
      deb=$debs/$arch/${filename##*/}
      if [ -f "$deb" ] && [ "$(sha256 "$deb")" = "$hash" ]; then
        got[$arch $pkg]="$suite $version $deb $hash"
      else
        rm -f "$deb"
        queue+=("$archive/$filename" "$deb" "$hash")
        tried[$arch $pkg]="$suite $version $deb $hash"
      fi
    done <"$index/$suite/$arch.list"
  done
  if [ ${#queue[@]} -gt 0 ]; then
    log "download $((${#queue[@]} / 3)) .debs from $suite"
    fetch "${queue[@]}" || log "some .debs of $suite did not download; trying the next suite"
  fi
  for key in "${!tried[@]}"; do
    read -r _ _ deb _ <<<"${tried[$key]}"
    [ -f "$deb" ] && got[$key]=${tried[$key]}
  done
  unset tried
done
for arch in "${arches[@]}"; do
  for pkg in "${packages[@]}"; do
    [ -n "${got[$arch $pkg]:-}" ] || die "no downloadable $pkg for $arch in bookworm, bookworm-updates or bookworm-security"
  done
done

log "unpack"
manifest=$corpus/manifest.txt.part
: >"$manifest"
for arch in "${arches[@]}"; do
  rm -rf "${corpus:?}/${arch:?}"
  mkdir -p "$corpus/$arch"
  keep=()
  for pkg in "${packages[@]}"; do
    read -r suite version deb hash <<<"${got[$arch $pkg]}"
    dpkg-deb -x "$deb" "$corpus/$arch"
    echo "$arch $pkg $version $suite $hash" >>"$manifest"
    keep+=("$deb")
  done
  # Drop .debs of versions no longer wanted.
  for deb in "$debs/$arch"/*; do
    [[ " ${keep[*]} " == *" $deb "* ]] || rm -f "$deb"
  done
done
mv -f "$manifest" "$corpus/manifest.txt"

log "list ELF files"
list=$corpus/elf-files.txt.part
for arch in "${arches[@]}"; do
  find "$corpus/$arch" -type f -print0
done | while IFS= read -r -d '' path; do
  magic=
  { IFS= read -r -d '' -n 4 magic <"$path"; } 2>/dev/null || true
  [ "$magic" != $'\x7fELF' ] || printf '%s\n' "$path"
done | sort >"$list"
mv -f "$list" "$corpus/elf-files.txt"

# Per arch and in all: count and size.
xargs -r -d '\n' stat -c '%s %n' <"$corpus/elf-files.txt" | awk -v root="$corpus/" -v t="$(($(date +%s) - start))" '
  {a = substr($0, index($0, " ") + 1 + length(root)); sub("/.*", "", a); n[a]++; b[a] += $1; N++; B += $1}
  END {
    for (a in n) printf "corpus: %-9s %5d ELF files %7.1f MB\n", a, n[a], b[a] / 1e6 | "sort"
    close("sort")
    printf "corpus: %-9s %5d ELF files %7.1f MB (%.1f MiB) in %d s\n", "all", N, B / 1e6, B / 1048576, t
  }' >&2
rm -rf "$index" # the Packages indices (70 MB) are stale by the next rebuild anyway
echo "$want" >"$stamp.part"
mv -f "$stamp.part" "$stamp"
echo "$corpus"
