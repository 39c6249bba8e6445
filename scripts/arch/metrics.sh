#!/usr/bin/env bash
# Structure figures for sqlx-cratedb (issue 11; ARCHITECTURE.md). Run from the repository root
# (or give it as $1; the scripts beside this one are used). Reads only; prints one figure a line.
set -uo pipefail  # a grep that finds nothing is a figure (0), not a failure
layers="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/layers.py"
root="${1:-.}"
cd "$root"
src=sqlx-cratedb/src
echo "== layers (sqlx Database hub exempt) =="
python3 "$layers" "$src" --largest 6
echo "== layers (no hub exemption) =="
python3 "$layers" "$src" --hub none | sed -n '2p'
echo "== source files over 600 lines =="
find "$src" -name '*.rs' -exec wc -l {} + | awk '$2 != "total" && $1 > 600' | wc -l
echo "== duplicated blocks of 6+ lines (duplicates, sqlx-cratedb/src) =="
(cd "$src" && duplicates --most 1 --seconds 60 | head -1)
echo "== files naming the GEO_SHAPE type (what a new type touches) =="
grep -rlE 'GEO_SHAPE|GeoShape|geo_shape' "$src" | grep -v '^$' | sort | tr '\n' ' '; echo
grep -rlE 'GEO_SHAPE|GeoShape|geo_shape' "$src" | wc -l
echo "== cfg(feature = \"pgwire\") sites outside pgwire-only files =="
grep -rn 'feature = "pgwire"' "$src" | grep -v '/pgwire/' | wc -l
echo "== pub(crate) fields of the pgwire connection (connection/pgwire) =="
grep -rhE '^\s+pub\(crate\) [a-z_]+:' "$src"/connection/pgwire/ | wc -l
echo "== places that set the pgwire broken flag =="
grep -rnE 'broken = Some|fn mark_broken' "$src" | wc -l
echo "== ParameterStatus handling sites =="
grep -rn 'Message::ParameterStatus' "$src"/connection | wc -l
echo "== rustdoc links to files outside the crates (cratedb-reference.md etc.) =="
grep -rn 'cratedb-reference\|architecture\.md\|house-style' "$src" | wc -l
echo "== identifier-quoting functions in the workspace (goal: 1, cratedb-quote) =="
grep -rnE 'fn quote(_ident|_identifier)?\((ident|name): &str' --include=*.rs cratedb-quote sqlx-cratedb sea-cratedb sqlx-cratedb-arrow tests examples | wc -l
echo "== sea-cratedb layers (cycles; backend/ and extension/ never import each other) =="
python3 "$layers" sea-cratedb/src --hub none | sed -n '2p'
grep -rlE 'crate::extension|extension::\{' sea-cratedb/src/backend | wc -l
grep -rlE 'crate::backend|backend::' sea-cratedb/src/extension | wc -l
