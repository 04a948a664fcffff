#!/usr/bin/env bash
# Writes demo-media/OSD$/…: the demo site's package sources as they would sit on \\cm01.contoso.com\OSD$, with
# small real WIMs (wimlib) carrying the editions and builds the demo site's ImageProperty / ImageOSVersion say,
# except for the deliberate drifts listed in demo-media/README.md. Map it with
#   MEDIA_PATH_MAP=\\cm01.contoso.com\OSD$=<repo>/demo-media/OSD$
# The packages come from src/services/demo/demo-site.ts, so the media follow the demo site when it changes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/make-wim-fixtures.sh

root="demo-media/OSD\$"
rm -rf "${root}"
mkdir -p "${root}"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
make_tree "${work}/tree"
make_tree "${work}/bulky"
deterministic_noise "${work}/bulky/Windows/System32/ntoskrnl.exe" 5000 demo

# One line per edition on the share: id|class|source|build|revision|index|name|description|editionId|type|arch|bytes|format|buildFile
# The drifts are applied here, on top of what the demo site says ConfigMgr recorded.
node -r ts-node/register/transpile-only -e '
  const { demoPackageSpecs } = require("./src/services/demo/demo-site");
  const { clientEditions, windowsBuild } = require("./src/services/demo/demo-media");
  const BOM_CRLF = "bom-crlf:";
  // What is on the share where it differs from ConfigMgr (see demo-media/README.md).
  const drift = {
    // Serviced on the share with the April 2026 LCU, image properties never reloaded in ConfigMgr.
    PS100012: (m) => ({ build: windowsBuild(26100, 8246), editions: m.editions }),
    // The WIM still carries Education and Pro next to Enterprise; ConfigMgr lists Enterprise only.
    PS10000C: (m) => ({ build: m.build, editions: clientEditions("Windows 11", ["Education", "Enterprise", "Pro"], m.build) }),
    // The lab capture ConfigMgr could not read: an Enterprise WIM whose write-in-progress flag is still set.
    PS10001C: () => ({ build: windowsBuild(26100, 1742), editions: clientEditions("Windows 11", ["Enterprise"], windowsBuild(26100, 1742)) }),
  };
  const buildFile = {
    PS100012: "26100.8246",                               // the admin updated the file after servicing
    PS100017: null,                                       // no build file at all
    PS100018: "26200.8037",                               // forgotten: the WIM is 26200.8246
    PS10001A: "latest from Ciarán – ask before using!!",  // not a build number
    PS10001F: BOM_CRLF + "20348.4893",                    // written by Notepad on Windows: BOM and CRLF, still fine
  };
  const format = { PS100017: "esd", PS100021: "swm", PS10001C: "in-progress" };
  for (const spec of demoPackageSpecs()) {
    const media = drift[spec.id] ? drift[spec.id](spec.media) : spec.media;
    if (!media) continue;
    const file = spec.id in buildFile ? buildFile[spec.id] : spec.version;
    for (const e of media.editions) {
      console.log([spec.id, spec.packageClass, spec.source.replace(/\\/g, "/"), media.build.build, media.build.revision,
        e.index, e.name, e.description, e.editionId, e.installationType, e.architecture, e.sizeBytes,
        format[spec.id] ?? "wim", file === null ? "-" : file].join("|"));
    }
  }
' >"${work}/editions.txt"

arch_number() { case "$1" in x86) echo 0 ;; x64) echo 9 ;; ARM64) echo 12 ;; esac; }
branch_of_build() { case "$1" in 20348) echo fe_release ;; *) branch_of "$1" ;; esac; }

# flags_of EDITIONID INSTALLATIONTYPE: FLAGS as Microsoft's media write them (Server Core adds "Core").
flags_of() { if [[ "$2" == "Server Core" ]]; then echo "$1Core"; else echo "$1"; fi; }

declare -A last_index=()
while IFS='|' read -r id class source build revision index name description edition type arch bytes format build_file; do
  wim="${work}/${id}.wim"
  tree="${work}/tree"
  [[ "${format}" == "swm" ]] && tree="${work}/bulky"
  if [[ "${index}" == 1 ]]; then
    wimcapture "${tree}" "${wim}" "${name}" "${description}" --flags="$(flags_of "${edition}" "${type}")" >/dev/null
  else
    wimappend "${tree}" "${wim}" "${name}" "${description}" --flags="$(flags_of "${edition}" "${type}")" >/dev/null
  fi
  product_type=WinNT
  [[ "${type}" == Server* ]] && product_type=ServerNT
  props "${wim}" "${index}" \
    "WINDOWS/ARCH=$(arch_number "${arch}")" "WINDOWS/PRODUCTNAME=Microsoft® Windows® Operating System" \
    "WINDOWS/EDITIONID=${edition}" "WINDOWS/INSTALLATIONTYPE=${type}" "WINDOWS/PRODUCTTYPE=${product_type}" \
    "WINDOWS/LANGUAGES/LANGUAGE=en-US" "WINDOWS/LANGUAGES/DEFAULT=en-US" \
    "WINDOWS/VERSION/MAJOR=10" "WINDOWS/VERSION/MINOR=0" "WINDOWS/VERSION/BUILD=${build}" \
    "WINDOWS/VERSION/SPBUILD=${revision}" "WINDOWS/VERSION/SPLEVEL=0" "WINDOWS/VERSION/BRANCH=$(branch_of_build "${build}")" \
    "WINDOWS/SERVICINGDATA/PKEYCONFIGVERSION=10.0.${build}.${revision};2025-01-01T00:00:00Z" \
    "DISPLAYNAME=${name}" "DISPLAYDESCRIPTION=${description}" "TOTALBYTES=${bytes}"
  last_index["${id}"]="${index}|${class}|${source}|${format}|${build_file}"
done <"${work}/editions.txt"

for id in $(printf '%s\n' "${!last_index[@]}" | sort); do
  IFS='|' read -r count class source format build_file <<<"${last_index[${id}]}"
  wim="${work}/${id}.wim"
  finish "${wim}" "${count}" 0x01DCA000
  if [[ "${class}" == SMS_ImagePackage ]]; then
    mkdir -p "${root}/$(dirname "${source}")"
    cp "${wim}" "${root}/${source}"
    # The capture that was still being written when ConfigMgr read it: set the header's write-in-progress flag.
    [[ "${format}" == in-progress ]] && or_byte "${root}/${source}" $((0x10)) 0x40
    continue
  fi
  folder="${root}/${source}"
  mkdir -p "${folder}/sources" "${folder}/boot" "${folder}/efi/boot"
  printf 'MZ setup.exe placeholder (demo media)\n' >"${folder}/setup.exe"
  printf 'boot.sdi placeholder\n' >"${folder}/boot/boot.sdi"
  printf 'bootx64.efi placeholder\n' >"${folder}/efi/boot/bootx64.efi"
  case "${format}" in
    esd) wimlib-imagex export "${wim}" all "${folder}/sources/install.esd" --solid >/dev/null && set_guid "${folder}/sources/install.esd" ;;
    swm)
      wimlib-imagex split "${wim}" "${folder}/sources/install.swm" 0.005 >/dev/null
      for part in "${folder}"/sources/install*.swm; do set_guid "${part}" "${id}"; done
      ;;
    *) cp "${wim}" "${folder}/sources/install.wim" ;;
  esac
  case "${build_file}" in
    -) ;;
    bom-crlf:*) printf '\xEF\xBB\xBF%s\r\n' "${build_file#bom-crlf:}" >"${folder}/BuildNumber.txt" ;;
    *) printf '%s\n' "${build_file}" >"${folder}/BuildNumber.txt" ;;
  esac
done

# The unmodified business-editions ISO still has the autorun.inf of the DVD it was copied from.
printf '[AutoRun.Amd64]\r\nopen=setup.exe\r\nicon=setup.exe,0\r\n' >"${root}/Upgrade/Win11-24H2-x64-AllEditions/autorun.inf"

find "${root}" -exec touch -h -d "${FIXED_FILE_TIME}" {} +
du -sh demo-media
