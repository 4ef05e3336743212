#!/usr/bin/env bash
# Builds the real binaries Archway's tests read: Examples/hello with every cross gcc, musl-gcc,
# zig cc against an old glibc, and Go for linux, darwin and windows; plus variants (static,
# static-pie, shared library, object, stripped, no section headers, C++).
#
#   Scripts/build-fixtures.sh [OUT]      (default: .build-fixtures)
#
# OUT/manifest.tsv lists each file with what it was built to be (not what Archway says it is):
#   file  platform  libc  linkage  type  builder
# Tests compare Archway's facts with this and with independent readers (readelf, file, pyelftools).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.build-fixtures}
src=$root/Examples/hello
mkdir -p "$out"
out=$(cd "$out" && pwd)
export ZIG_GLOBAL_CACHE_DIR=${ZIG_GLOBAL_CACHE_DIR:-$HOME/.cache/zig}
# Not -trimpath: it is part of every package's key in Go's build cache, and without it the tests'
# Go builds (the same standard library, for the same targets) find it there.
export GOCACHE=${GOCACHE:-$HOME/.cache/go-build}

# Each group writes its own part of the manifest (part N), joined in order at the end.
part() { manifest=$out/manifest.part$1.tmp; : >"$manifest"; }
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$manifest"; }
zig() { python3 -m ziglang "$@"; }

# C with the cross gccs and musl-gcc, and zig for Linux.
c_and_zig_linux() {
  part 1
  # C with each Debian cross gcc: dynamic PIE by default.
  while read -r prefix platform; do
    name=c-gcc-${platform//\//-}
    "${prefix}gcc" -O2 -o "$out/$name" "$src/hello.c"
    record "$name" "$platform" glibc dynamic pie "${prefix}gcc"
  done <<'LIST'
x86_64-linux-gnu- linux/amd64
i686-linux-gnu- linux/386
aarch64-linux-gnu- linux/arm64
arm-linux-gnueabihf- linux/arm/v7
arm-linux-gnueabi- linux/arm/v5
riscv64-linux-gnu- linux/riscv64
powerpc64le-linux-gnu- linux/ppc64le
s390x-linux-gnu- linux/s390x
mips64el-linux-gnuabi64- linux/mips64le
LIST

  # Linked for 4 KiB pages only, which 16 and 64 KiB-page kernels of these arches refuse.
  aarch64-linux-gnu-gcc -O2 -Wl,-z,max-page-size=4096 -o "$out/c-gcc-page4k-arm64" "$src/hello.c"
  record c-gcc-page4k-arm64 linux/arm64 glibc dynamic pie "aarch64-linux-gnu-gcc -z max-page-size=4096"
  powerpc64le-linux-gnu-gcc -O2 -Wl,-z,max-page-size=4096 -o "$out/c-gcc-page4k-ppc64le" "$src/hello.c"
  record c-gcc-page4k-ppc64le linux/ppc64le glibc dynamic pie "powerpc64le-linux-gnu-gcc -z max-page-size=4096"

  # Shared libraries that ask for an executable stack, which glibc 2.41 and later refuse to dlopen.
  gcc -O2 -shared -fPIC -Wl,-z,execstack -o "$out/libexecstack.so" "$src/hello.c"
  record libexecstack.so linux/amd64 glibc dynamic shared-library "gcc -z execstack"
  aarch64-linux-gnu-gcc -O2 -shared -fPIC -Wl,-z,execstack -o "$out/libexecstack-arm64.so" "$src/hello.c"
  record libexecstack-arm64.so linux/arm64 glibc dynamic shared-library "aarch64-linux-gnu-gcc -z execstack"

  # Variants of linkage and type.
  gcc -O2 -static -o "$out/c-gcc-static-amd64" "$src/hello.c"
  record c-gcc-static-amd64 linux/amd64 none static executable gcc
  aarch64-linux-gnu-gcc -O2 -static -o "$out/c-gcc-static-arm64" "$src/hello.c"
  record c-gcc-static-arm64 linux/arm64 none static executable aarch64-linux-gnu-gcc
  gcc -O2 -static-pie -o "$out/c-gcc-static-pie-amd64" "$src/hello.c"
  record c-gcc-static-pie-amd64 linux/amd64 none static-pie pie gcc
  gcc -O2 -no-pie -o "$out/c-gcc-nopie-amd64" "$src/hello.c"
  record c-gcc-nopie-amd64 linux/amd64 glibc dynamic executable gcc
  gcc -O2 -shared -fPIC -Wl,-soname,libhello.so.1 -Wl,-rpath,'$ORIGIN/../lib' -Wl,--enable-new-dtags \
    -o "$out/libhello-runpath.so" "$src/hello.c"
  record libhello-runpath.so linux/amd64 glibc dynamic shared-library gcc
  aarch64-linux-gnu-gcc -O2 -shared -fPIC -Wl,-soname,libhello.so.1 -Wl,-rpath,/opt/hello/lib -Wl,--disable-new-dtags \
    -o "$out/libhello-rpath-arm64.so" "$src/hello.c"
  record libhello-rpath-arm64.so linux/arm64 glibc dynamic shared-library aarch64-linux-gnu-gcc
  s390x-linux-gnu-gcc -O2 -c -o "$out/hello-s390x.o" "$src/hello.c"
  record hello-s390x.o linux/s390x unknown "" relocatable s390x-linux-gnu-gcc
  printf '#include <string>\n#include <iostream>\nint main(int c, char**v){std::string s(v[0]); std::cout << s.size() << std::endl; return 0;}\n' >"$out/cxx.cc"
  g++ -O2 -o "$out/cxx-gxx-amd64" "$out/cxx.cc"
  rm "$out/cxx.cc"
  record cxx-gxx-amd64 linux/amd64 glibc dynamic pie g++
  cp "$out/c-gcc-linux-arm64" "$out/c-gcc-stripped-arm64"
  aarch64-linux-gnu-strip "$out/c-gcc-stripped-arm64"
  record c-gcc-stripped-arm64 linux/arm64 glibc dynamic pie aarch64-linux-gnu-strip
  # What sstrip leaves: no section header table at all. Everything must come from program headers.
  for f in c-gcc-linux-riscv64 c-gcc-linux-s390x c-gcc-linux-arm-v7; do
    python3 - "$out/$f" "$out/$f-noshdr" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
wide, big = data[4] == 2, data[5] == 2
e = ">" if big else "<"
if wide:
    struct.pack_into(e + "Q", data, 40, 0)
    struct.pack_into(e + "HHH", data, 58, 0, 0, 0)
else:
    struct.pack_into(e + "I", data, 32, 0)
    struct.pack_into(e + "HHH", data, 46, 0, 0, 0)
open(sys.argv[2], "wb").write(data)
PY
  done
  record c-gcc-linux-riscv64-noshdr linux/riscv64 glibc dynamic pie sstrip-like
  record c-gcc-linux-s390x-noshdr linux/s390x glibc dynamic pie sstrip-like
  record c-gcc-linux-arm-v7-noshdr linux/arm/v7 glibc dynamic pie sstrip-like
  # Built for NEON: more than Debian armhf's baseline (VFPv3-D16), which its ARM attributes say.
  arm-linux-gnueabihf-gcc -O2 -mfpu=neon -o "$out/c-gcc-linux-arm-v7-neon" "$src/hello.c" -lm
  record c-gcc-linux-arm-v7-neon linux/arm/v7 glibc dynamic pie "arm-linux-gnueabihf-gcc -mfpu=neon"

  # musl.
  musl-gcc -O2 -static -o "$out/c-musl-static-amd64" "$src/hello.c"
  record c-musl-static-amd64 linux/amd64 none static executable musl-gcc
  musl-gcc -O2 -o "$out/c-musl-dynamic-amd64" "$src/hello.c"
  record c-musl-dynamic-amd64 linux/amd64 musl dynamic pie musl-gcc
  # A musl shared library: its DT_NEEDED is musl's soname, plain libc.so (as in musllinux wheels).
  musl-gcc -O2 -shared -fPIC -o "$out/libhello-musl.so" "$src/hello.c"
  record libhello-musl.so linux/amd64 musl dynamic shared-library musl-gcc

  # zig cc against an old glibc floor, and musl (zig links executables without PIE by default).
  zig cc -target aarch64-linux-gnu.2.17 -O2 -o "$out/c-zig-arm64-gnu2.17" "$src/hello.c"
  record c-zig-arm64-gnu2.17 linux/arm64 glibc dynamic executable "zig cc aarch64-linux-gnu.2.17"
  zig cc -target x86_64-linux-gnu.2.17 -O2 -o "$out/c-zig-amd64-gnu2.17" "$src/hello.c"
  record c-zig-amd64-gnu2.17 linux/amd64 glibc dynamic executable "zig cc x86_64-linux-gnu.2.17"
  zig cc -target aarch64-linux-musl -O2 -o "$out/c-zig-arm64-musl" "$src/hello.c"
  record c-zig-arm64-musl linux/arm64 none static executable "zig cc aarch64-linux-musl"
  # musl without symbol versions: the musl release a binary needs is read from the names it imports.
  # zig's musl (1.2.5) redirects clock_gettime and stat to 1.2's 64-bit time symbols on 32-bit arm;
  # Debian's musl-gcc (1.2.3) gives qsort_r, new in 1.2.3.
  printf '#include <stdio.h>\n#include <time.h>\n#include <sys/stat.h>\nint main(int c, char **v) {\n  struct timespec t; struct stat s;\n  clock_gettime(CLOCK_REALTIME, &t); stat(v[0], &s);\n  printf("%%d\\n", t.tv_sec > 0 && s.st_size > 0); return 0;\n}\n' >"$out/time64.c"
  zig cc -target arm-linux-musleabihf -mcpu=generic+v7a+vfp3d16-neon -dynamic -O2 -o "$out/c-zig-arm-musl-time64" "$out/time64.c"
  record c-zig-arm-musl-time64 linux/arm/v7 musl dynamic executable "zig cc arm-linux-musleabihf -dynamic"
  printf '#define _GNU_SOURCE\n#include <stdio.h>\n#include <stdlib.h>\nstatic int up(const void *a, const void *b, void *d) { return *(const int *)a - *(const int *)b; }\nint main(void) {\n  int v[] = {3, 1, 2}; qsort_r(v, 3, sizeof *v, up, NULL);\n  printf("%%d%%d%%d\\n", v[0], v[1], v[2]); return 0;\n}\n' >"$out/qsortr.c"
  musl-gcc -O2 -o "$out/c-musl-dynamic-qsortr-amd64" "$out/qsortr.c"
  record c-musl-dynamic-qsortr-amd64 linux/amd64 musl dynamic pie musl-gcc
  rm -f "$out/time64.c" "$out/qsortr.c"
}

go_programs() {
  part 2
  # Go, without cgo: static for linux, Mach-O for darwin, PE for windows.
  while read -r goos goarch goarm platform type; do
    [ "$goarm" = - ] && goarm=
    name=go-$goos-$goarch${goarm:+v$goarm}
    case $goos in windows) name=$name.exe ;; esac
    GOOS=$goos GOARCH=$goarch GOARM=$goarm CGO_ENABLED=0 go build -o "$out/$name" "$src/hello.go"
    case $goos in linux) libc=none linkage=static ;; *) libc=system linkage=dynamic ;; esac
    record "$name" "$platform" "$libc" "$linkage" "$type" "go $goos/$goarch"
  done <<'LIST'
linux amd64 - linux/amd64 executable
linux 386 - linux/386 executable
linux arm64 - linux/arm64 executable
linux arm 7 linux/arm/v7 executable
linux arm 5 linux/arm/v5 executable
linux riscv64 - linux/riscv64 executable
linux ppc64le - linux/ppc64le executable
linux s390x - linux/s390x executable
linux mips64le - linux/mips64le executable
linux loong64 - linux/loong64 executable
darwin amd64 - darwin/amd64 executable
darwin arm64 - darwin/arm64 pie
windows amd64 - windows/amd64 executable
windows arm64 - windows/arm64 executable
windows 386 - windows/386 executable
LIST

  # Programs for other systems, which no Linux runs though most say "System V" in their ELF header:
  # Go for seven of them, zig C for the BSDs.
  for target in android/arm64 dragonfly/amd64 freebsd/amd64 illumos/amd64 netbsd/amd64 openbsd/amd64 solaris/amd64; do
    GOOS=${target%/*} GOARCH=${target#*/} CGO_ENABLED=0 go build -o "$out/go-${target/\//-}" "$src/hello.go"
    record "go-${target/\//-}" "$target" system dynamic executable "go $target"
  done
  sed -i -E 's/^(go-(dragonfly|freebsd|netbsd)-amd64\t[^\t]*\t)system\tdynamic/\1none\tstatic/; s/^(go-android-arm64\t[^\t]*\t)system\tdynamic\texecutable/\1bionic\tdynamic\tpie/' "$manifest"
}

# zig C for the BSDs, macOS and Windows.
zig_other_systems() {
  part 3
  for target in x86_64-freebsd aarch64-freebsd x86_64-netbsd x86_64-openbsd; do
    os=${target#*-} arch=${target%%-*}
    case $arch in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
    zig cc -target "$target" -O2 -o "$out/c-zig-$os-$arch" "$src/hello.c"
    record "c-zig-$os-$arch" "$os/$arch" system dynamic executable "zig cc $target"
  done
  sed -i -E 's/^(c-zig-openbsd-amd64\t.*)\texecutable\t/\1\tpie\t/' "$manifest"

  # macOS as zig links it: an arm64 executable the linker signs ad hoc and an unsigned x86_64 one,
  # both with LC_UUID (Go before 1.24 writes none).
  zig cc -target aarch64-macos.13.0 -O2 -o "$out/c-zig-darwin-arm64" "$src/hello.c"
  record c-zig-darwin-arm64 darwin/arm64 system dynamic pie "zig cc aarch64-macos.13.0"
  zig cc -target x86_64-macos.13.0 -O2 -o "$out/c-zig-darwin-amd64" "$src/hello.c"
  record c-zig-darwin-amd64 darwin/amd64 system dynamic pie "zig cc x86_64-macos.13.0"

  # Windows as zig's MinGW target links it (the Universal CRT, `api-ms-win-crt-*`), and programs that
  # need DLLs a clean Windows lacks: one of the project's own (greet.dll, beside it), the Visual C++
  # runtime and the MinGW runtime (import libraries made by zig's llvm-dlltool, as the real ones are).
  wintmp=$(mktemp -d)
  printf 'int greet(int x) { return x + 1; }\n' >"$wintmp/greet.c"
  printf '#include <stdio.h>\nint greet(int);\nint main(void) { printf("%%d\\n", greet(41)); return 0; }\n' >"$wintmp/app.c"
  printf '#include <stdio.h>\nvoid __std_terminate(void);\nint main(int c, char **v) { if (c > 9) __std_terminate(); puts("started"); return 0; }\n' >"$wintmp/vcruntime.c"
  printf '#include <stdio.h>\nint pthread_self(void);\nint main(int c, char **v) { if (c > 9) pthread_self(); puts("started"); return 0; }\n' >"$wintmp/mingwrt.c"
  printf 'LIBRARY VCRUNTIME140.dll\nEXPORTS\n__std_terminate\n' >"$wintmp/vcruntime140.def"
  printf 'LIBRARY libwinpthread-1.dll\nEXPORTS\npthread_self\n' >"$wintmp/winpthread.def"
  zig cc -target x86_64-windows-gnu -O2 -o "$out/c-zig-windows-amd64.exe" "$src/hello.c"
  record c-zig-windows-amd64.exe windows/amd64 system dynamic executable "zig cc x86_64-windows-gnu"
  zig cc -target x86_64-windows-gnu -O2 -shared -o "$wintmp/greet.dll" "$wintmp/greet.c"
  cp "$wintmp/greet.dll" "$out/greet.dll"
  record greet.dll windows/amd64 system dynamic shared-library "zig cc x86_64-windows-gnu -shared"
  zig cc -target x86_64-windows-gnu -O2 -o "$out/c-zig-windows-greet.exe" "$wintmp/app.c" "$wintmp/greet.lib"
  record c-zig-windows-greet.exe windows/amd64 system dynamic executable "zig cc x86_64-windows-gnu greet.lib"
  zig dlltool -m i386:x86-64 -d "$wintmp/vcruntime140.def" -l "$wintmp/vcruntime140.lib"
  zig dlltool -m i386:x86-64 -d "$wintmp/winpthread.def" -l "$wintmp/winpthread.lib"
  zig cc -target x86_64-windows-gnu -O2 -o "$out/c-zig-windows-vcruntime.exe" "$wintmp/vcruntime.c" "$wintmp/vcruntime140.lib"
  record c-zig-windows-vcruntime.exe windows/amd64 system dynamic executable "zig cc x86_64-windows-gnu vcruntime140.lib"
  zig cc -target x86_64-windows-gnu -O2 -o "$out/c-zig-windows-mingwrt.exe" "$wintmp/mingwrt.c" "$wintmp/winpthread.lib"
  record c-zig-windows-mingwrt.exe windows/amd64 system dynamic executable "zig cc x86_64-windows-gnu winpthread.lib"
  # Functions newer than the default Windows (Server 2016): GetTempPath2W is Server 2022's,
  # GetSystemTimePreciseAsFileTime Windows 8's. wine stubs what it lacks, so the program runs there.
  printf '#include <windows.h>\n#include <stdio.h>\nint main(int c, char **v) {\n  WCHAR p[MAX_PATH + 1]; FILETIME t;\n  if (c > 9) { GetSystemTimePreciseAsFileTime(&t); GetTempPath2W(MAX_PATH + 1, p); }\n  puts("started"); return 0;\n}\n' >"$wintmp/newapi.c"
  zig cc -target x86_64-windows-gnu -O2 -DNTDDI_VERSION=0x0A00000A -o "$out/c-zig-windows-newapi.exe" "$wintmp/newapi.c"
  record c-zig-windows-newapi.exe windows/amd64 system dynamic executable "zig cc x86_64-windows-gnu NTDDI_WIN10_FE"
  # A delay-loaded DLL (loaded when a function of it is first called): zig cc takes no /DELAYLOAD,
  # so zig's own lld-link line is run again with it (`--verbose-link` prints it; a private cache
  # folder makes zig link, not take the last link from its cache). ReleaseFast is the mode of the
  # MinGW runtime `zig cc -O2` built above; another would build it all again (a minute and a half).
  delay_link=$(cd "$wintmp" && zig build-exe -target x86_64-windows-gnu -O ReleaseFast -lc app.c greet.lib \
    --cache-dir "$wintmp/zig-cache" --verbose-link -femit-bin=delay.exe 2>&1 | grep '^lld-link ' | tail -1)
  [ -n "$delay_link" ] || { echo "build-fixtures: zig printed no lld-link line" >&2; exit 1; }
  read -r -a delay_words <<<"$delay_link"
  (cd "$wintmp" && zig "${delay_words[@]}" -DELAYLOAD:greet.dll)
  cp "$wintmp/delay.exe" "$out/c-zig-windows-delay.exe"
  record c-zig-windows-delay.exe windows/amd64 system dynamic executable "zig lld-link -DELAYLOAD:greet.dll"
  # Authenticode, as osslsigncode signs with a certificate of our own (the certificate is not judged).
  openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=Archway test signer" -days 3650 \
    -keyout "$wintmp/key.pem" -out "$wintmp/cert.pem" 2>/dev/null
  rm -f "$out/c-zig-windows-signed.exe"  # osslsigncode overwrites nothing
  osslsigncode sign -certs "$wintmp/cert.pem" -key "$wintmp/key.pem" -n "Archway fixture" \
    -in "$out/c-zig-windows-amd64.exe" -out "$out/c-zig-windows-signed.exe" >/dev/null
  record c-zig-windows-signed.exe windows/amd64 system dynamic executable "zig cc x86_64-windows-gnu, osslsigncode"
  rm -rf "$wintmp" "$out"/*.pdb

  # A program that needs a dylib of the project's own, shipped beside it (@rpath, LC_RPATH
  # @loader_path), and one that needs the same library where Homebrew put it on the builder.
  mactmp=$(mktemp -d)
  printf 'int greet(int x) { return x + 1; }\n' >"$mactmp/greet.c"
  printf '#include <stdio.h>\nint greet(int);\nint main(void) { printf("%%d\\n", greet(41)); return 0; }\n' >"$mactmp/app.c"
  zig cc -target aarch64-macos.13.0 -O2 -shared -Wl,-install_name,@rpath/libgreet.dylib -o "$out/libgreet.dylib" "$mactmp/greet.c"
  record libgreet.dylib darwin/arm64 system dynamic shared-library "zig cc aarch64-macos.13.0 -shared"
  zig cc -target aarch64-macos.13.0 -O2 -Wl,-rpath,@loader_path -o "$out/c-zig-darwin-greet" "$mactmp/app.c" "$out/libgreet.dylib"
  record c-zig-darwin-greet darwin/arm64 system dynamic pie "zig cc aarch64-macos.13.0 libgreet.dylib"
  zig cc -target aarch64-macos.13.0 -O2 -shared -Wl,-install_name,/opt/homebrew/lib/libgreet.dylib \
    -o "$mactmp/libgreet.dylib" "$mactmp/greet.c"
  zig cc -target aarch64-macos.13.0 -O2 -o "$out/c-zig-darwin-brew" "$mactmp/app.c" "$mactmp/libgreet.dylib"
  record c-zig-darwin-brew darwin/arm64 system dynamic pie "zig cc aarch64-macos.13.0 /opt/homebrew/lib/libgreet.dylib"
  rm -rf "$mactmp"
}

go124_and_mingw() {
  part 4
  # Go 1.24, whose linker writes LC_UUID, from Debian 13's golang-1.24 packages (unpacked beside the
  # build, never installed: this host's Go stays the one Debian 12 ships).
  go124=$root/.build-tools/go1.24
  if [ ! -x "$go124/usr/lib/go-1.24/bin/go" ]; then
    apt=$root/.build-tools/apt-trixie
    mkdir -p "$apt/lists/partial" "$apt/debs"
    echo 'deb http://deb.debian.org/debian trixie main' >"$apt/sources.list"
    trixie=(-o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$apt/lists"
      -o Dir::Cache="$apt" -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)")
    apt-get "${trixie[@]}" update -qq
    (cd "$apt/debs" && apt-get "${trixie[@]}" download -qq golang-1.24-go golang-1.24-src)
    rm -rf "$go124" && mkdir -p "$go124"
    for deb in "$apt"/debs/golang-1.24-*.deb; do dpkg-deb -x "$deb" "$go124"; done
    rm -rf "$apt"
  fi
  GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 GOTOOLCHAIN=local GOROOT="$go124/usr/lib/go-1.24" \
    "$go124/usr/lib/go-1.24/bin/go" build -o "$out/go1.24-darwin-arm64" "$src/hello.go"
  record go1.24-darwin-arm64 darwin/arm64 system dynamic pie "go1.24 darwin/arm64"
  GOOS=windows GOARCH=amd64 CGO_ENABLED=0 GOTOOLCHAIN=local GOROOT="$go124/usr/lib/go-1.24" \
    "$go124/usr/lib/go-1.24/bin/go" build -o "$out/go1.24-windows-amd64.exe" "$src/hello.go"
  record go1.24-windows-amd64.exe windows/amd64 system dynamic executable "go1.24 windows/amd64"
  GOOS=darwin GOARCH=amd64 GOAMD64=v3 CGO_ENABLED=0 GOTOOLCHAIN=local GOROOT="$go124/usr/lib/go-1.24" \
    "$go124/usr/lib/go-1.24/bin/go" build -o "$out/go1.24-darwin-amd64-v3" "$src/hello.go"
  record go1.24-darwin-amd64-v3 darwin/amd64 system dynamic pie "go1.24 darwin/amd64 GOAMD64=v3"

  # The mingw-w64 headers and import definitions the Windows function table is generated from
  # (Scripts/generate-windows-functions.py; the test suite regenerates it), from the ziglang release
  # the table names: the installed zig's when it is that release, else its wheel from PyPI.
  table_zig=$(sed -n 's/^  static let source = "ziglang \(.*\)"$/\1/p' "$root/Sources/ArchwayKit/Target/WindowsFunctionTable.swift")
  mingw=$root/.build-tools/mingw-w64-ziglang-$table_zig
  if [ ! -d "$mingw/mingw/lib64" ]; then
    rm -rf "$mingw.tmp" && mkdir -p "$mingw.tmp"
    if [ "$(zig version)" = "$table_zig" ]; then
      libc=$(python3 -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')/lib/libc
      mkdir -p "$mingw.tmp/include" "$mingw.tmp/mingw"
      cp -r "$libc/include/any-windows-any" "$mingw.tmp/include/"
      cp -r "$libc/mingw/lib-common" "$libc/mingw/lib64" "$mingw.tmp/mingw/"
    else
      python3 -m pip download -q --no-deps --only-binary=:all: -d "$mingw.tmp/wheel" "ziglang==$table_zig"
      python3 - "$mingw.tmp" <<'PY'
import glob, sys, zipfile
out = sys.argv[1]
with zipfile.ZipFile(glob.glob(out + "/wheel/*.whl")[0]) as wheel:
    for name in wheel.namelist():
        for part in ("include/any-windows-any/", "mingw/lib-common/", "mingw/lib64/"):
            if name.startswith("ziglang/lib/libc/" + part) and not name.endswith("/"):
                wheel.extract(name, out + "/wheel")
PY
      mv "$mingw.tmp/wheel/ziglang/lib/libc/include" "$mingw.tmp/wheel/ziglang/lib/libc/mingw" "$mingw.tmp/"
      rm -rf "$mingw.tmp/wheel"
    fi
    mv "$mingw.tmp" "$mingw"
  fi
}

# Two lanes, zig in one and Go in the other, each mostly one process at a time: on two cores this
# takes about half as long as one lane did.
(c_and_zig_linux; zig_other_systems) &
zig_lane=$!
(go_programs; go124_and_mingw) &
go_lane=$!
status=0
wait "$zig_lane" || status=1
wait "$go_lane" || status=1
[ "$status" -eq 0 ] || { echo "build-fixtures: a build failed (see above)" >&2; exit 1; }
manifest=$out/manifest.tsv.tmp
cat "$out"/manifest.part{1,2,3,4}.tmp >"$manifest"
rm -f "$out"/manifest.part*.tmp

# Files that are not binaries at all.
printf 'just text\n' >"$out/notes.txt"
record notes.txt - - - - -
mv "$manifest" "$out/manifest.tsv"
echo "build-fixtures: $(($(wc -l <"$out/manifest.tsv"))) files in $out"
