#!/bin/sh
# Measures the dependencies layer of examples/hello-maven after one dependency is bumped
# (commons-lang3 3.17.0 -> 3.18.0): built from nothing vs extended from the previous layer.
#
#   examples/measure-partial.sh [WORK_DIR]     (needs Maven Central; about 2 minutes)
#
# Both runs start on a fresh machine (own HALCYON_BASE and cache) from the same bucket, which the
# first build of the unbumped app filled; for "from nothing" the bucket copy has its dependencies
# archives removed, so the toolchain is restored in both. "Fetched" is what Maven downloaded into
# the layer (the layer's size, minus the restored partial layer for the extended run) plus what
# the constraints hook's own repository gained.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
jar=$here/halcyon-cli/target/halcyon-cli.jar
[ -f "$jar" ] || { echo "build the CLI first: mvn -B -o package -pl halcyon-cli -am -DskipTests" >&2; exit 1; }
work=${1:-$(mktemp -d)}
mkdir -p "$work"
halcyon() { java -XX:TieredStopAtLevel=1 -jar "$jar" "$@"; }
size() { du -sb "$1" | cut -f1; }
deps_dir() { dirname "$(grep -l '^kind=dependencies' $(find "$1" -name .halcyon-tag -path '*dependencies*'))"; }

rm -rf "$work/app" "$work/bumped" "$work/seed" "$work/scratch" "$work/extended" "$work"/*-cache \
    "$work/bucket" "$work/crepo"
cp -R "$here/examples/hello-maven" "$work/app"
cp -R "$here/examples/hello-maven" "$work/bumped"
sed -i 's|<version>3.17.0</version>|<version>3.18.0</version>|' "$work/bumped/pom.xml"
grep -q 3.18.0 "$work/bumped/pom.xml"

echo "== seed: the unbumped app, built from nothing (fills the bucket)"
HALCYON_BASE=$work/seed HALCYON_CACHE=$work/seed-cache HALCYON_STORAGE_DIR=$work/bucket HALCYON_CONSTRAINTS_REPO=$work/crepo \
    halcyon build "$work/app" 2>&1 | grep -- '----->'
seed_deps=$(size "$(deps_dir "$work/seed")")

run() { # name bucket
    rm -rf "$work/$1-crepo" && cp -R "$work/crepo" "$work/$1-crepo"
    before=$(size "$work/$1-crepo")
    start=$(date +%s.%N)
    HALCYON_BASE=$work/$1 HALCYON_CACHE=$work/$1-cache HALCYON_STORAGE_DIR=$2 HALCYON_CONSTRAINTS_REPO=$work/$1-crepo \
        halcyon build --json "$work/bumped" >"$work/$1.json" 2>"$work/$1.err"
    end=$(date +%s.%N)
    grep -- '----->' "$work/$1.err"
    layer=$(size "$(deps_dir "$work/$1")")
    hook=$(( $(size "$work/$1-crepo") - before ))
    secs=$(python3 -c "import json,sys;d=json.load(open('$work/$1.json'));print([l['seconds'] for l in d['layers'] if l['kind']=='dependencies'][0])")
    echo "$1: dependencies layer $secs s (whole run $(python3 -c "print(round($end-$start,1))") s), layer $layer bytes, constraints hook fetched $hook bytes"
    eval "${1}_layer=$layer ${1}_hook=$hook ${1}_secs=$secs"
}

echo "== bumped, from nothing (bucket without dependencies archives)"
rm -rf "$work/bucket-nodeps" && cp -R "$work/bucket" "$work/bucket-nodeps"
find "$work/bucket-nodeps" -name 'halcyon-dependencies-*' -exec rm -f {} +
run scratch "$work/bucket-nodeps"
echo "== bumped, extended from the seed's layer"
rm -rf "$work/bucket-ext" && cp -R "$work/bucket" "$work/bucket-ext"
run extended "$work/bucket-ext"

echo "== summary (load: $(uptime | sed 's/.*load average: //'))"
echo "from nothing: ${scratch_secs} s, fetched $((scratch_layer + scratch_hook)) bytes"
echo "extended:     ${extended_secs} s, fetched $((extended_layer - seed_deps + extended_hook)) bytes" \
    "(layer $extended_layer - restored $seed_deps + hook $extended_hook)"
