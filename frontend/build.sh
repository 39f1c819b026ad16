#!/usr/bin/env bash
# Build Community Hub's front-end assets into hub/core/static/hub/.
# Run via `npm run build` (after `npm ci`), or `make assets` from the repo root.
set -euo pipefail

cd "$(dirname "$0")"

OUT=../hub/core/static/hub
GOVUK=node_modules/govuk-frontend/dist/govuk
SASS=node_modules/.bin/sass

# SHA-256 of the upstream footer mixin that src/_footer.scss was forked from
# (govuk-frontend 6.6.0). See src/_footer.scss.
UPSTREAM_FOOTER_SHA256=56dd6a5b5ea04cba29237f2264a1487a8230eb22b4b0c6f54a408e521706c309

fail() { echo "build.sh: $*" >&2; exit 1; }

[ -d "$GOVUK" ] && [ -x "$SASS" ] || fail "dependencies missing: run 'npm ci' in frontend/ first"

mkdir -p "$OUT"

footer_sha=$(sha256sum "$GOVUK/components/footer/_mixin.scss" | cut -d' ' -f1)
if [ "$footer_sha" != "$UPSTREAM_FOOTER_SHA256" ]; then
  echo "build.sh: WARNING: govuk-frontend's footer styles changed since src/_footer.scss was forked;" >&2
  echo "build.sh: WARNING: re-apply the upstream changes there and update UPSTREAM_FOOTER_SHA256." >&2
fi

# Components are listed one by one in src/hub.scss (all but GOV.UK's header
# and footer): warn when an upgrade adds one we don't load yet.
for c in $(grep -oE '^@use "[a-z-]+"' "$GOVUK/components/_index.scss" | tr -d '"' | cut -d' ' -f2); do
  case "$c" in header|footer) continue ;; esac
  grep -q "components/$c\"" src/hub.scss ||
    echo "build.sh: WARNING: govuk-frontend component '$c' is not loaded by src/hub.scss" >&2
done

# 1. Stylesheet: compressed, no source map
"$SASS" --no-source-map --style=compressed --load-path=node_modules --quiet-deps \
  src/hub.scss "$OUT/hub.css"

# 2. GOV.UK Frontend JavaScript (ES module bundle), without the source map
#    comment: the map is not shipped, and Django's ManifestStaticFilesStorage
#    fails on references to missing files.
sed -e 's|//# sourceMappingURL=[^[:space:]]*$||' "$GOVUK/govuk-frontend.min.js" > "$OUT/govuk-frontend.min.js"

# 3. No GOV.UK images or fonts are copied: the crown / Royal Arms images and
#    the GDS Transport font are reserved for GOV.UK. Our favicon.svg, init.js
#    and supported.js are hand-written and live in $OUT directly.

# 4. Checks
css="$OUT/hub.css"
js="$OUT/govuk-frontend.min.js"
grep -qi 'GDS Transport' "$css" && fail "hub.css mentions GDS Transport"
grep -qiE 'crown|crest' "$css" && fail "hub.css mentions the crown or crest"
grep -q '@font-face' "$css" && fail "hub.css contains @font-face rules"
grep -q 'sourceMappingURL' "$css" "$js" && fail "output references a source map"

# Every url(...) in the CSS must be a data: URI or a file shipped next to it
status=0
while IFS= read -r ref; do
  ref=${ref#url(}; ref=${ref%)}; ref=${ref//[\"\']/}
  case "$ref" in
    data:*|\#*) continue ;;
    /*|*://*) echo "build.sh: absolute url($ref) in hub.css: use a path relative to hub.css" >&2; status=1 ;;
    *) [ -f "$OUT/${ref%%[?#]*}" ] || { echo "build.sh: hub.css references missing file $ref" >&2; status=1; } ;;
  esac
done < <(grep -oE 'url\([^)]*\)' "$css" || true)
[ "$status" -eq 0 ] || fail "unresolved url() references in hub.css"

for f in hub.css govuk-frontend.min.js init.js supported.js favicon.svg; do
  [ -s "$OUT/$f" ] || fail "missing $OUT/$f"
done

echo "build.sh: built $(cd "$OUT" && pwd)"
ls -l "$OUT"
