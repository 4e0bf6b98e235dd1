#!/usr/bin/env bash
# Install the Debian packages the platform and its tests need, only when one is missing.
# chromium: browser tests; espeak-ng + sox: generated speech in tests; ffmpeg: openai-whisper's
# audio loader; fonts-noto-core: Urdu glyphs in screenshots and PDFs; poppler-utils: pdftotext;
# libpango: WeasyPrint's PDF rendering; gettext: compiling Urdu translations; nodejs + npm:
# installing axe-core (accessibility checks) from the npm registry.
set -euo pipefail
packages=(chromium espeak-ng sox ffmpeg fonts-noto-core poppler-utils libpango-1.0-0 libpangoft2-1.0-0 gettext nodejs)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
