#!/usr/bin/env bash
# Installs archway as one binary, with the Swift runtime and Foundation linked in
# (--static-swift-stdlib), so it runs where no Swift is installed (it needs glibc 2.35 or newer,
# libstdc++ and libxml2, as Debian 12 and Ubuntu 22.04 have). Also installs the shell completions
# (bash, zsh, fish) and a man page. `archway --version` then names the commit it was built from.
#
#   Scripts/install.sh [--prefix DIR]      (default /usr/local)
#
# DIR/bin/archway
# DIR/share/bash-completion/completions/archway, DIR/share/zsh/site-functions/_archway,
# DIR/share/fish/vendor_completions.d/archway.fish, DIR/share/man/man1/archway.1
# DIR/share/archway/ (the environment recipes and the matrix schema)
#
# The build is a release build in .build-install/ (about 4 minutes the first time on 2 cores).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=/usr/local
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# The commit --version names: $ARCHWAY_COMMIT when given (a checkout without .git, as GitHub hands an
# action), else the checkout's, marked when it has uncommitted changes.
commit=${ARCHWAY_COMMIT:-}
if [ -z "$commit" ]; then
  commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  if [ "$commit" != unknown ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit-modified"
  fi
fi
case "$commit" in *[!A-Za-z0-9._/+-]*) echo "install.sh: ARCHWAY_COMMIT '$commit' is not a commit or ref" >&2; exit 2 ;; esac
build=$root/.build-install
# One install at a time per checkout: another would relink the binary this one is copying.
mkdir -p "$build"
exec 9>"$build/install.lock"
flock 9
echo "install.sh: building archway $commit (release, Swift runtime linked in)"
# Both products with the same flags: a build with other flags in the same folder would relink the
# other one next time (half a minute each), and a second install with nothing changed takes seconds.
flags=(--package-path "$root" --build-path "$build" -c release --static-swift-stdlib
  -Xcc "-DARCHWAY_COMMIT=\"$commit\"" -q)
swift build "${flags[@]}" --product archway
# swift-argument-parser's man page writer, run on the installed binary below.
swift build "${flags[@]}" --product generate-manual
binary=$build/release/archway

mkdir -p "$prefix/bin"
prefix=$(cd "$prefix" && pwd)
# Written beside the old one and renamed over it: a running archway is never cut short.
strip -o "$prefix/bin/.archway.new" "$binary"
chmod 755 "$prefix/bin/.archway.new"
mv -f "$prefix/bin/.archway.new" "$prefix/bin/archway"

installed=$prefix/bin/archway
# What an installed archway reads besides itself: the environment recipes (`env:` cells) and the
# schema `archway init` points at, in DIR/share/archway (the binary looks there, beside bin/).
share=$prefix/share/archway
staged=$(mktemp -d "$prefix/.archway-share.XXXXXX")
trap 'rm -rf "$staged"' EXIT
mkdir -p "$staged/Containers"
for recipe in "$root"/Containers/*/environment.yml; do
  folder=$(dirname "$recipe")
  cp -R "$folder" "$staged/Containers/"
done
cp -R "$root/Containers/seccomp" "$staged/Containers/"
cp "$root/Matrix/archway.schema.json" "$staged/"
rm -rf "$share.old"
[ ! -e "$share" ] || mv "$share" "$share.old"
mkdir -p "$prefix/share"
mv "$staged" "$share"
rm -rf "$share.old"
completion() { # shell, file
  mkdir -p "$(dirname "$2")"
  "$installed" --generate-completion-script "$1" >"$2.new"
  mv -f "$2.new" "$2"
}
completion bash "$prefix/share/bash-completion/completions/archway"
completion zsh "$prefix/share/zsh/site-functions/_archway"
completion fish "$prefix/share/fish/vendor_completions.d/archway.fish"
man=$prefix/share/man/man1
mkdir -p "$man"
pages=$(mktemp -d "$man/.archway.XXXXXX")
trap 'rm -rf "$pages"' EXIT  # the share folder is in place by now
date=$(git -C "$root" log -1 --format=%cs 2>/dev/null || date +%F)
"$build/release/generate-manual" "$installed" --date "$date" --output-directory "$pages" >/dev/null
mv -f "$pages/archway.1" "$man/archway.1"

echo "install.sh: $("$installed" --version) installed as $installed"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "install.sh: add $prefix/bin to PATH" ;; esac
