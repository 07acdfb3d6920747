#!/bin/sh
# fetch.sh NAME URL SHA256 FILE — a third-party suite's source tarball: FILE, downloaded from URL unless it exists, checked against SHA256.
#
# Python's urllib fetches (no curl or wget on a bare machine).  NAME
# prefixes the messages (node-suite, coreutils-suite).  Exit 1 when the
# download fails or the file is not the expected one.
set -eu
NAME=$1 URL=$2 SHA=$3 T=$4
if [ ! -f "$T" ]; then
	python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$URL" "$T.part" ||
		{ echo "$NAME: could not fetch $URL"; rm -f "$T.part"; exit 1; }
	mv "$T.part" "$T"
fi
echo "$SHA  $T" | sha256sum -c --quiet - || { echo "$NAME: $T is not $(basename "$URL")"; exit 1; }
