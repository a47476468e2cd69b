#!/usr/bin/env bash
# Install xlsx-tools into ./.venv. With --test, also what the tests need:
# LibreOffice Calc and Writer (a real spreadsheet engine; Word documents converted and exported),
# Gnumeric (a second spreadsheet engine), poppler-utils (pdftotext), a CJK font, and Chromium (with
# chromedriver) and Firefox ESR for the web pages, from Debian's packages, and the Python test extra.
set -euo pipefail
cd "$(dirname "$0")/.."

extra=""
if [ "${1:-}" = "--test" ]; then
  extra="[test]"
  need=""
  command -v soffice >/dev/null 2>&1 || need="$need libreoffice-calc-nogui"
  dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || need="$need libreoffice-writer-nogui"  # .doc/.rtf conversion, Word→HTML/PDF in the document tests
  /usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need="$need python3-uno"  # tests edit workbooks through LibreOffice's UNO API
  command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
  command -v ssconvert >/dev/null 2>&1 || need="$need gnumeric"  # a second spreadsheet engine: the live checks must agree in both
  { command -v fc-list >/dev/null 2>&1 && fc-list | grep -qiE "wqy|noto.*cjk"; } || need="$need fonts-wqy-microhei"
  # the web pages of `xlsx-tools serve` are tested in a real browser: Debian's Chromium and its driver (nothing downloaded at run time)
  { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || need="$need chromium chromium-driver"
  command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1 || need="$need firefox-esr"  # and in Firefox (WebDriver BiDi, no geckodriver)
  if [ -n "$need" ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "Installing Debian packages:$need"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $need
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".$extra"
echo "xlsx-tools installed in .venv"
