#!/usr/bin/env bash
# Opens a rollup CSV in a real spreadsheet program and checks that the Chinese survives:
# LibreOffice Calc (Debian's libreoffice-calc, installed on first use) converts the golden
# comparison.csv to HTML headless, and the result must show the Chinese headers and library
# names in the right cells, with no mojibake and no stray byte-order mark.
#
#   bash scripts/check-csv-libreoffice.sh [file.csv]
#
# Not part of `npm test`: the install is several hundred MB. Exits non-zero on any failure.
#
# The import filter names no character set (`CSV:44,34,,1`: comma, double quote, charset left
# to LibreOffice, start at line 1). LibreOffice 7.4 (Debian 12) does not take the charset from
# the BOM in a headless conversion: it decodes with the locale's charset, so the check runs
# under C.UTF-8, and a second, informational run under LANG=C reports whether this LibreOffice
# honours the BOM on its own (Excel does; that is what the BOM is for).
set -euo pipefail
cd "$(dirname "$0")/.."

csv="${1:-domain/rollup/__fixtures__/golden/comparison.csv}"
[ -f "$csv" ] || { echo "No such file: $csv" >&2; exit 2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v soffice >/dev/null 2>&1; then
  echo "Installing libreoffice-calc (soffice not found)…"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends libreoffice-calc
fi
soffice --version

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$csv" "$work/input.csv"

# Converts input.csv to HTML under the given locale; prints the output file's path.
convert() {
  local locale="$1" out="$work/out-$1"
  LANG="$locale" LC_ALL="$locale" timeout 180 soffice \
    -env:UserInstallation="file://$work/profile" --headless \
    --infilter='CSV:44,34,,1' --convert-to 'html:HTML (StarCalc)' \
    --outdir "$out" "$work/input.csv" >"$work/soffice-$locale.log" 2>&1 || {
    cat "$work/soffice-$locale.log" >&2
    return 1
  }
  [ -s "$out/input.html" ] || { echo "LibreOffice wrote no HTML" >&2; return 1; }
  echo "$out/input.html"
}

failures=0
check() {
  local description="$1"
  shift
  if "$@"; then echo "ok   $description"; else echo "FAIL $description"; failures=$((failures + 1)); fi
}

html="$(convert C.UTF-8)"
first_cell="$(grep -m 1 -o '<td[^>]*>[^<]*</td>' "$html" | sed -e 's/<[^>]*>//g')"

check 'the first header cell is exactly 馆代码 (BOM consumed, not shown)' \
  test "$first_cell" = '馆代码'
check 'the Chinese header 图书馆 is there' grep -q '>图书馆</td>' "$html"
check 'Chinese library names are there' grep -q '图书馆' "$html"
# UTF-8 read as Latin-1 or Windows-1252 shows the BOM as ï»¿, 馆 as é¦, 图书 as å¾ä¹¦;
# another encoding read as UTF-8 shows replacement characters (U+FFFD).
check 'no mojibake' bash -c "! grep -q -e 'ï»¿' -e 'é¦' -e 'å¾ä¹¦' -e $'\xef\xbf\xbd' '$html'"

if [ "$csv" = 'domain/rollup/__fixtures__/golden/comparison.csv' ]; then
  check 'the name with a comma and quotes stays in one cell' \
    grep -q '<td[^>]*>娄烦县&quot;新华&quot;书店,分馆</td>' "$html"
  check 'one header row and six library rows' \
    test "$(grep -c '<tr' "$html")" -eq 7
  check 'status labels are Chinese' grep -q '>未填报</td>' "$html"
fi

# Informational: does this LibreOffice pick UTF-8 from the BOM when the locale says otherwise?
if plain="$(convert C)" && grep -q '馆代码' "$plain"; then
  echo 'note LibreOffice took UTF-8 from the BOM under LANG=C'
else
  echo 'note LibreOffice ignored the BOM under LANG=C (it decodes with the locale charset headless)'
fi

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed for $csv" >&2
  exit 1
fi
echo "LibreOffice opens $csv without mojibake."
