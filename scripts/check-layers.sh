#!/bin/sh
# check-layers.sh SRC LAYER:USED,USED,... ...
#
# Fails (exit 1) when a file under SRC/<layer>/ includes a header of a layer
# the rules do not let it use, and names every such include. The rules come
# from CMakeLists.txt (KOUAN_USES_<layer>), e.g. "domain:common,domain".
set -eu
src=$1
shift
bad=0
for rule in "$@"; do
	layer=${rule%%:*}
	uses=$(printf '%s' "${rule#*:}" | tr ',' ' ')
	[ -d "$src/$layer" ] || continue
	for f in "$src/$layer"/*.c "$src/$layer"/*.h; do
		[ -e "$f" ] || continue
		for used in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\)\/.*/\1/p' "$f" | sort -u); do
			ok=0
			for u in $uses; do
				[ "$u" = "$used" ] && ok=1
			done
			if [ $ok = 0 ]; then
				grep -n "#[[:space:]]*include[[:space:]]*\"$used/" "$f" | sed "s|^|$f:|;s|\$| ($layer may not use $used)|"
				bad=1
			fi
		done
	done
done
if [ $bad = 0 ]; then
	echo "check-layers: every include stays within its layer's uses"
fi
exit $bad
