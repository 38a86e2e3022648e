#!/usr/bin/env bash
# Builds the Debian package: deploy/debian/build.sh [OUTDIR] writes OUTDIR/groupware_<version>_<arch>.deb
# (default dist/). The server is published self-contained (Debian 12 ships no .NET runtime), so the
# package depends on Debian's libraries only. Needs the .NET SDK, dpkg-deb and fakeroot-free
# dpkg-deb --root-owner-group (dpkg >= 1.19).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$root/deploy/debian"
out=$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)

arch=$(dpkg --print-architecture)
case "$arch" in
  amd64) rid=linux-x64 ;;
  arm64) rid=linux-arm64 ;;
  *) echo "build.sh: no .NET runtime identifier for Debian architecture $arch" >&2; exit 1 ;;
esac

# <release>~git<commit date>.<commit>: sorts by date between releases; a tree with changes says so.
release=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$root/Directory.Build.props")
version="$release"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  version="$release~git$(git -C "$root" log -1 --format=%cd --date=format:%Y%m%d%H%M%S).$(git -C "$root" log -1 --format=%h)"
  git -C "$root" diff --quiet HEAD 2>/dev/null || version="$version.dirty"
fi

stage=$(mktemp -d)
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT
echo "[deb] publishing groupware $version for $rid" >&2
dotnet publish "$root/Server/Groupware.Server/Groupware.Server.csproj" -c Release -r "$rid" --self-contained true \
  -p:Version="$release" -p:DebugType=none -p:GenerateDocumentationFile=false -nologo -v quiet -clp:ErrorsOnly \
  -o "$stage/usr/lib/groupware"

install -d "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/groupware/tls" "$stage/etc/logrotate.d" \
  "$stage/usr/share/doc/groupware/examples" "$stage/DEBIAN"
# A wrapper, not a symlink: the runtime finds its files next to the real executable either way,
# and the wrapper keeps `groupware` working when /usr/lib/groupware is replaced during an upgrade.
install -m 0755 "$here/groupware.sh" "$stage/usr/bin/groupware"
install -m 0644 "$root/deploy/systemd/groupware.service" "$root/deploy/systemd/groupware@.service" "$stage/lib/systemd/system/"
install -m 0640 "$root/deploy/config/secure-node.json" "$stage/etc/groupware/groupware.json"
install -m 0644 "$root/deploy/config/secure-node.json" "$root/deploy/config/legacy-node.json" "$stage/usr/share/doc/groupware/examples/"
install -m 0644 "$root/README.md" "$stage/usr/share/doc/groupware/README.md"
install -m 0644 "$root/deploy/README.md" "$stage/usr/share/doc/groupware/deploy.md"
install -m 0644 "$root/LICENSE" "$stage/usr/share/doc/groupware/copyright"
cp -r "$root/deploy/monitoring" "$stage/usr/share/doc/groupware/monitoring"
cp -r "$root/deploy/postfix" "$stage/usr/share/doc/groupware/postfix"
install -m 0644 "$here/logrotate" "$stage/etc/logrotate.d/groupware"
for script in postinst prerm postrm; do install -m 0755 "$here/$script" "$stage/DEBIAN/$script"; done
printf '/etc/groupware/groupware.json\n/etc/logrotate.d/groupware\n' > "$stage/DEBIAN/conffiles"

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" "$here/control" > "$stage/DEBIAN/control"
deb="$out/groupware_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
