#!/bin/sh
# Runs the .halcyon/ hooks of one app the way docs/recipe.md says the engine does, without the
# engine: no hashing, archiving or storage. Then runs the installed launcher and checks it.
#
# usage: examples/simulate.sh APP_DIR WORK_DIR
#   SIMULATE_OFFLINE=1  run build, install, post-install and the launcher with no network
#                       (unshare -n; needs root or user namespaces).
#
# WORK_DIR layout (kept between runs, like a cache):
#   source/        copy of APP_DIR                      HALCYON_SOURCE_DIR
#   toolchain/     toolchain layer, reused once built   HALCYON_TOOLCHAIN_DIR
#   dependencies/  dependencies layer, reused once built HALCYON_DEPENDENCIES_DIR
#   build/         build dir: the previous build with the source copied over it
#   install/       install dir, made afresh each run
#   root/PREFIX/   where install/ is "deployed"; post-install and the launcher run there
#
# Conventions of these examples (not of the recipe): the launcher is bin/NAME for the label
# NAME-VERSION, and it prints "Hello from NAME VERSION" and its args.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 APP_DIR WORK_DIR" >&2; exit 2; }
app=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
magic=$app/.halcyon
[ -x "$magic/build" ] && [ -x "$magic/install" ] || {
    echo "simulate: $magic/build and $magic/install must exist and be executable" >&2
    exit 1
}

label=$(cat "$magic/label")
if [ -f "$magic/toolchain" ]; then
    toolchain=$(cat "$magic/toolchain")
else
    toolchain=jdk-$(java -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java.specification.version = //p')
fi
# <os>-<distro>-<version>-<arch>, as in the original Halcyon (e.g. linux-debian-12-x86_64).
platform=$(. /etc/os-release 2>/dev/null; echo "$(uname -s | tr 'A-Z' 'a-z')-${ID:-unknown}-${VERSION_ID:-0}-$(uname -m)")
prefix=/app
root=$work/root

offline=
if [ "${SIMULATE_OFFLINE:-}" = 1 ]; then
    unshare -n true 2>/dev/null || { echo "simulate: unshare -n does not work here" >&2; exit 1; }
    offline="unshare -n"
fi

# A digest of every file's path and content, to prove a hook left a directory alone.
fingerprint() {
    (cd "$1" && find . -type f -exec cksum {} + | LC_ALL=C sort | cksum)
}

now() { date +%s.%N; }
report=$work/report.txt
: > "$report"

# run_hook HOOK LAYER_DIR [NAME=VALUE...]: the hook runs in LAYER_DIR with $1 = LAYER_DIR, the
# run's settings, the layer dirs that exist, plus the given variables; nothing else HALCYON_*.
run_hook() {
    hook=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    set -- HALCYON_LAYER_DIR="$dir" HALCYON_SOURCE_DIR="$work/source" \
        HALCYON_LABEL="$label" HALCYON_TOOLCHAIN="$toolchain" HALCYON_PLATFORM="$platform" \
        HALCYON_PREFIX="$prefix" HALCYON_ROOT="$root" "$@"
    [ -f "$work/toolchain.done" ] && set -- HALCYON_TOOLCHAIN_DIR="$work/toolchain" "$@"
    [ -f "$work/dependencies.done" ] && set -- HALCYON_DEPENDENCIES_DIR="$work/dependencies" "$@"
    wrap=
    case $hook in build|install|post-install) wrap=$offline ;; esac
    echo "== $hook ($dir)${wrap:+ offline}"
    start=$(now)
    (
        # Drop every HALCYON_* the caller set, so that nothing but the above leaks in.
        for var in $(env | sed -n 's/^\(HALCYON_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$var"; done
        cd "$dir" && $wrap env "$@" "$magic/$hook" "$dir"
    ) || { echo "simulate: hook $hook failed (exit $?)" >&2; exit 1; }
    printf '%-18s %6.1f s  %6s  %s\n' "$hook" "$(echo "$(now) $start" | awk '{print $1 - $2}')" \
        "$(du -sh "$dir" | cut -f1)" "$dir" | tee -a "$report"
}

rm -rf "$work/source"
cp -R "$app" "$work/source"
rm -rf "$work/source/target"   # a developer's local build output is not source
source_print=$(fingerprint "$work/source")

for layer in toolchain dependencies; do
    [ -x "$magic/$layer-build" ] || continue
    if [ -f "$work/$layer.done" ]; then
        echo "== $layer-build: layer reused from a previous run"
        printf '%-18s %8s  %6s  %s\n' "$layer-build" reused "$(du -sh "$work/$layer" | cut -f1)" \
            "$work/$layer" >> "$report"
    else
        rm -rf "${work:?}/$layer"
        run_hook "$layer-build" "$work/$layer"
        touch "$work/$layer.done"
    fi
    eval "${layer}_print=\$(fingerprint \"\$work/\$layer\")"
done

# Incremental, as the recipe says: the source is copied over the previous build of the label.
mkdir -p "$work/build"
cp -R "$work/source/." "$work/build/"
run_hook build "$work/build" HALCYON_BUILD_DIR="$work/build"

rm -rf "$work/install"
run_hook install "$work/install" HALCYON_BUILD_DIR="$work/build" HALCYON_INSTALL_DIR="$work/install"

# The deploy: install/ lands at ROOT/PREFIX, a different path, which proves it is relocatable.
rm -rf "$root"
mkdir -p "$root$prefix"
cp -R "$work/install/." "$root$prefix/"
[ ! -x "$magic/post-install" ] || run_hook post-install "$root$prefix"

# No hook may write to the source or to a layer made by an earlier hook.
[ "$(fingerprint "$work/source")" = "$source_print" ] || { echo "simulate: a hook changed the source tree" >&2; exit 1; }
for layer in toolchain dependencies; do
    [ -x "$magic/$layer-build" ] || continue
    eval "before=\$${layer}_print"
    [ "$(fingerprint "$work/$layer")" = "$before" ] || { echo "simulate: a later hook changed the $layer layer" >&2; exit 1; }
done

name=${label%-*} version=${label##*-}
launcher=$root$prefix/bin/$name
echo "== run $launcher"
out=$(cd / && $offline "$launcher" one "two words")
echo "$out"
echo "$out" | grep -q "Hello from $name $version" || { echo "simulate: no 'Hello from $name $version' in the output" >&2; exit 1; }
echo "$out" | grep -q "one, two words" || { echo "simulate: the args did not reach the app" >&2; exit 1; }
echo "== OK: $label ($toolchain, $platform)"
echo "== hook timings and layer sizes"; cat "$report"
