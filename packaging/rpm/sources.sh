#!/usr/bin/env bash
# Writes the two sources of packaging/rpm/stretchdr.spec for the checked-out commit into DIR
# (default: ~/rpmbuild/SOURCES), then prints the rpmbuild command that builds the package.
# Needs git and cargo with network access once (cargo vendor); rpmbuild needs neither.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
out=${1:-$HOME/rpmbuild/SOURCES}
spec="$root/packaging/rpm/stretchdr.spec"
version=$(sed -n 's/^Version: *//p' "$spec")
commit=$(git -C "$root" rev-parse --short=12 HEAD)
mkdir -p "$out"

git -C "$root" archive --format=tar.gz --prefix="stretchdr-$version/" \
  -o "$out/stretchdr-$version.tar.gz" HEAD

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Every crate of Cargo.lock; the configuration cargo prints is the one %prep writes.
(cd "$root" && cargo vendor --locked --quiet "$work/vendor" > /dev/null)
tar -C "$work" -czf "$out/stretchdr-$version-vendor.tar.gz" vendor

echo "rpmbuild -ba --define 'commit $commit' --define '_sourcedir $out' $spec"
