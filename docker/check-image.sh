#!/usr/bin/env bash
# Repeats every step of docker/Dockerfile without a container engine, as the image's user, and runs
# the image's command (the nightly launch, here against the built-in demo tenant):
#   ./mvnw -q -DskipTests package && sudo docker/check-image.sh
# Needs root (to act as uid 10001 with setpriv, as USER warehouse does) and Java 17+ on the PATH.
# What it cannot check: the base image itself (docker.io/library/eclipse-temurin:17-jre: its Java and its libc, which
# DuckDB's native library needs), and docker's own handling of COPY and VOLUME.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "run as root: the image's steps run as root, then as uid 10001" >&2; exit 2; }
jar=target/entra-warehouse-exec.jar
[ -f "$jar" ] || { echo "build the jar first: ./mvnw -q -DskipTests package" >&2; exit 2; }
uid=10001
root=$(mktemp -d /tmp/entra-image.XXXXXX)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"

echo "== stage 'layers' (root): extract the jar into its layers"
mkdir -p "$root/build"
cp "$jar" "$root/build/entra-warehouse.jar"
(cd "$root/build" && java -Djarmode=tools -jar entra-warehouse.jar extract --layers --launcher --destination extracted)
for layer in dependencies spring-boot-loader snapshot-dependencies application; do
  printf '   %-22s %s\n' "$layer" "$(du -sh "$root/build/extracted/$layer" | cut -f1)"
done

echo "== final stage, RUN as root: the volume the user owns and the connector folder"
opt="$root/opt/entra-warehouse"
mkdir -p "$root/warehouse" "$opt/lib"
chown "$uid" "$root/warehouse"

echo "== COPY: layers, launcher, jobs"
for layer in dependencies spring-boot-loader snapshot-dependencies application; do
  cp -a "$root/build/extracted/$layer/." "$opt/"
done
install -D -m 755 docker/entra-warehouse "$opt/bin/entra-warehouse"
cp -a jobs "$opt/jobs"

# useradd, as in the image: a passwd entry for the user, bind-mounted over /etc/passwd in a private
# mount namespace for the commands below, so this machine's own users are not touched.
cp /etc/passwd "$root/passwd"
echo "warehouse:x:$uid:$uid::/warehouse:/usr/sbin/nologin" >> "$root/passwd"
as_user() {
  (cd "$root/warehouse" && unshare --mount sh -c 'mount --bind "$0" /etc/passwd && exec "$@"' \
    "$root/passwd" setpriv --reuid="$uid" --regid="$uid" --clear-groups \
    env -i PATH="$PATH" HOME="$root/warehouse" ENTRA_WAREHOUSE_DIRECTORY="$root/warehouse" \
    JAVA_OPTS="-Djava.io.tmpdir=$root/warehouse" "$@")
}

echo "== USER $uid: the application folder is read-only to it"
if as_user touch "$opt/lib/probe" 2>/dev/null; then
  echo "FAIL: uid $uid can write to $opt/lib" >&2; exit 1
fi

echo "== USER $uid, WORKDIR /warehouse: ENTRYPOINT + CMD (run @jobs/nightly.args)"
as_user "$opt/bin/entra-warehouse" run @jobs/nightly.args
echo "== USER $uid: status"
as_user "$opt/bin/entra-warehouse" status --last 1
owner=$(stat -c %u "$root/warehouse/entra.duckdb")
[ "$owner" = "$uid" ] || { echo "FAIL: entra.duckdb is owned by $owner, not $uid" >&2; exit 1; }
echo "OK: every step of docker/Dockerfile ran; the load ran as uid $uid and wrote only to /warehouse"
