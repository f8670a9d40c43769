#!/usr/bin/env bash
# Images for the in-cluster services of the ldap and mcp topics on kind, built without any registry (issue 19):
# Debian's slapd and mariadb-server packages (debootstrap), their binaries with the libraries they load, and a small
# start script that keeps the environment the lab's manifests set (src/platforms/kind/services.ts). OCI archives in
# <cache>/kind/images, which the kind platform loads into its nodes (`kind load image-archive`) and names in its
# manifests (toolchain.ts LOCAL_IMAGES). Separate from build-kind.sh so that changing it never rebuilds the node image.
# Expected time on 2 cores: ~2 min the first time (the package download and debootstrap), seconds afterwards.
set -euo pipefail
SUITE=bookworm
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${LAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-lab}
kdir=$cache/kind
images=$kdir/images
rootfs=$kdir/services-rootfs
mkdir -p "$images"
started=$(date +%s)
say() { printf '\033[1m[build-kind-services %3ss]\033[0m %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }
die() { printf '[build-kind-services] %s\n' "$*" >&2; exit "${2:-3}"; }
[ "$(id -u)" = 0 ] || die "run as root: debootstrap builds a root filesystem"
for c in debootstrap python3; do command -v $c >/dev/null || die "$c is missing (bash scripts/build-kind.sh installs it)"; done
[ -x /bin/busybox ] || die "/bin/busybox is missing (apt-get install busybox-static)"
exec 9>"$kdir/.services.lock"; flock 9

# Rebuilt when this script changes (a stamp of its contents). Names are fully qualified: containerd in the node looks
# the manifests' short names up as docker.io/…
stamp=$(sha256sum "$0" | cut -c1-16)
if [ -s "$images/openldap.tar" ] && [ -s "$images/mariadb.tar" ] && [ "$(cat "$kdir/services.stamp" 2>/dev/null)" = "$stamp" ]; then
  say "ready: $(cat "$kdir/services-images.txt" 2>/dev/null | tr '\n' ' ')"; exit 0
fi
if [ ! -x "$rootfs/usr/sbin/slapd" ] || [ ! -x "$rootfs/usr/sbin/mariadbd" ]; then
  say "Debian $SUITE with slapd and mariadb-server (debootstrap, ~2 min)"
  rm -rf "$rootfs.tmp"
  debootstrap --variant=minbase --include=slapd,ldap-utils,mariadb-server "$SUITE" "$rootfs.tmp" >"$kdir/services-debootstrap.log" 2>&1 \
    || die "debootstrap failed: see $kdir/services-debootstrap.log"
  rm -rf "$rootfs"; mv "$rootfs.tmp" "$rootfs"
fi

# Files of the services' root filesystem, each with the shared libraries it loads (symlinks kept, their targets too).
with_libs() { local to=$1; shift; for f in "$@"; do
  mkdir -p "$to$(dirname "$f")"; cp -a "$rootfs$f" "$to$f"
  [ -L "$rootfs$f" ] && { local r; r=$(chroot "$rootfs" readlink -f "$f"); mkdir -p "$to$(dirname "$r")"; cp -a "$rootfs$r" "$to$r"; }
  for l in $(chroot "$rootfs" ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do mkdir -p "$to$(dirname "$l")"; cp -L "$rootfs$l" "$to$l"; done
done; }
tree() { local t; t=$(mktemp -d); mkdir -p "$t/bin" "$t/tmp" "$t/etc" "$t/run"; chmod 1777 "$t/tmp"
  cp /bin/busybox "$t/bin/busybox"; for a in $(/bin/busybox --list); do [ -e "$t/bin/$a" ] || ln -s busybox "$t/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$t/etc/passwd"; echo 'root:x:0:' > "$t/etc/group"; echo "$t"; }
ver() { chroot "$rootfs" dpkg-query -W -f '${Version}' "$1" | sed 's/^[0-9]*://; s/[+~-].*//'; }

# ---- OpenLDAP: slapd, slapadd, slappasswd, the mdb backend, the schemas ------------------------------------------
t=$(tree)
with_libs "$t" /usr/sbin/slapd /usr/sbin/slapadd /usr/sbin/slappasswd /usr/bin/ldapsearch /usr/bin/ldapwhoami
for m in "$rootfs"/usr/lib/ldap/back_mdb*.so*; do with_libs "$t" "${m#"$rootfs"}"; done
mkdir -p "$t/etc/ldap"; cp -a "$rootfs/etc/ldap/schema" "$t/etc/ldap/"
mkdir -p "$t/usr/local/bin"
# The environment of the osixia/openldap image that services.ts sets: LDAP_DOMAIN (the suffix dc=…; rootdn cn=admin),
# LDAP_ORGANISATION, LDAP_ADMIN_PASSWORD_FILE, LDAP_SEED_INTERNAL_LDIF_PATH (*.ldif added once). Other arguments
# (osixia's --copy-service) are ignored. The same access rules as the local platform (src/platforms/local/ldap.ts).
cat > "$t/usr/local/bin/entrypoint" <<'EOF'
#!/bin/sh
set -eu
domain=${LDAP_DOMAIN:-example.com}
suffix=$(echo "$domain" | sed 's/^/dc=/; s/\./,dc=/g')
d=/var/lib/ldap; conf=/run/slapd/slapd.conf
mkdir -p "$d" /run/slapd; chmod 0700 "$d" /run/slapd
# The clear password never enters the config: slappasswd hashes the Secret file's contents.
hash=$(slappasswd -T "${LDAP_ADMIN_PASSWORD_FILE:?}")
umask 077
cat > "$conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile /run/slapd/slapd.pid
database mdb
maxsize 67108864
suffix "$suffix"
rootdn "cn=admin,$suffix"
rootpw $hash
directory $d
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by users read
  by * none
CONF
if [ ! -s "$d/data.mdb" ]; then
  dc=${domain%%.*}
  printf 'dn: %s\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\no: %s\ndc: %s\n' "$suffix" "${LDAP_ORGANISATION:-$domain}" "$dc" > /run/slapd/base.ldif
  slapadd -f "$conf" -l /run/slapd/base.ldif
  for f in "${LDAP_SEED_INTERNAL_LDIF_PATH:-/seed}"/*.ldif; do [ -f "$f" ] && slapadd -f "$conf" -l "$f"; done
fi
echo "slapd: $suffix on ldap:///"
exec slapd -d 0 -h ldap:/// -f "$conf"
EOF
chmod 0755 "$t/usr/local/bin/entrypoint"
ldap_ref=vault-lab/openldap:$(ver slapd)
python3 "$root/scripts/kind/mkimg.py" "$t" "docker.io/$ldap_ref" "$images/openldap.tar" --entrypoint /usr/local/bin/entrypoint
rm -rf "$t"
say "$ldap_ref ($(du -h "$images/openldap.tar" | cut -f1))"

# ---- MariaDB: mariadbd, the client, the system tables and error messages ------------------------------------------
t=$(tree)
with_libs "$t" /usr/sbin/mariadbd /usr/bin/mariadb /usr/bin/my_print_defaults
mkdir -p "$t/usr/share" "$t/usr/lib/mysql/plugin"; cp -a "$rootfs/usr/share/mysql" "$t/usr/share/"
echo 'mysql:x:101:101:MariaDB:/var/lib/mysql:/bin/sh' >> "$t/etc/passwd"; echo 'mysql:x:101:' >> "$t/etc/group"
mkdir -p "$t/usr/local/bin"
# The environment of the official mariadb image that services.ts sets: MARIADB_ROOT_PASSWORD, and
# /docker-entrypoint-initdb.d/*.sql run once on an empty data directory.
cat > "$t/usr/local/bin/entrypoint" <<'EOF'
#!/bin/sh
set -eu
d=/var/lib/mysql; s=/run/mysqld/mysqld.sock
mkdir -p "$d" /run/mysqld
if [ ! -f "$d/.initialised" ]; then
  rm -rf "${d:?}"/*
  # What mariadb-install-db runs: the system tables, by mariadbd --bootstrap.
  pw=$(printf '%s' "${MARIADB_ROOT_PASSWORD:?}" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g")
  { printf '%s\n' 'CREATE DATABASE IF NOT EXISTS mysql;' 'use mysql;' 'SET @auth_root_socket=NULL;'
    cat /usr/share/mysql/mysql_system_tables.sql /usr/share/mysql/mysql_performance_tables.sql /usr/share/mysql/mysql_system_tables_data.sql /usr/share/mysql/maria_add_gis_sp_bootstrap.sql | sed '/@current_hostname/d'
  } | mariadbd --no-defaults --user=root --datadir="$d" --bootstrap --log-warnings=0 --enforce-storage-engine=""
  # Accounts need the grant tables: a server on its socket only, as the official image's entrypoint does.
  mariadbd --no-defaults --user=root --datadir="$d" --socket="$s" --skip-networking & tmp=$!
  for _ in $(seq 60); do mariadb --no-defaults --socket="$s" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
  { # root only with the password (kubectl port-forward arrives from 127.0.0.1 inside the pod).
    echo "DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost';"
    echo "FLUSH PRIVILEGES;"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$pw';"
    echo "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    for f in /docker-entrypoint-initdb.d/*.sql; do [ -f "$f" ] && cat "$f"; done
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';"
    echo "SHUTDOWN;"
  } > /run/mysqld/init.sql
  chmod 0600 /run/mysqld/init.sql
  mariadb --no-defaults --socket="$s" -uroot < /run/mysqld/init.sql
  wait $tmp || true
  rm -f /run/mysqld/init.sql; touch "$d/.initialised"
fi
echo "mariadbd on :3306"
exec mariadbd --no-defaults --user=root --datadir="$d" --socket="$s" --bind-address=0.0.0.0 --port=3306 --skip-name-resolve
EOF
chmod 0755 "$t/usr/local/bin/entrypoint"
db_ref=vault-lab/mariadb:$(ver mariadb-server)
python3 "$root/scripts/kind/mkimg.py" "$t" "docker.io/$db_ref" "$images/mariadb.tar" --entrypoint /usr/local/bin/entrypoint
rm -rf "$t"
say "$db_ref ($(du -h "$images/mariadb.tar" | cut -f1))"
printf '%s\n' "$ldap_ref" "$db_ref" > "$kdir/services-images.txt"
echo "$stamp" > "$kdir/services.stamp"
say "ready: $ldap_ref, $db_ref in $images"
