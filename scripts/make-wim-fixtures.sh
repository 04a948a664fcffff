#!/usr/bin/env bash
# Writes the small, real WIM/ESD/SWM files under test/fixtures/wim/ with wimlib (Debian `wimtools`), and the
# broken copies the reader must refuse. The files are committed; run this again only to change them.
#
# Deterministic where wimlib allows: source files get fixed timestamps, every image gets fixed CREATIONTIME /
# LASTMODIFICATIONTIME, and every header gets a fixed GUID, so two runs give the same bytes. The tests compare the
# reader with what `wiminfo` prints for the committed files, so they never depend on a run's timestamps.
#
# Usage: scripts/make-wim-fixtures.sh [output-dir]   (default: test/fixtures/wim)
set -euo pipefail

# ---- helpers (scripts/make-demo-media.sh sources this file for them) ----

# Fixed timestamp for every source file, so captures do not depend on when the script runs.
FIXED_FILE_TIME="2025-09-15 00:00:00 UTC"

# make_tree DIR: a miniature Windows tree (a few folders and files).
make_tree() {
  local dir="$1"
  mkdir -p "${dir}/Windows/System32/config" "${dir}/Windows/Boot/EFI" "${dir}/Program Files/Common Files" "${dir}/Users/Default"
  printf 'regf placeholder\n' >"${dir}/Windows/System32/config/SOFTWARE"
  printf 'MZ placeholder\n' >"${dir}/Windows/System32/winload.efi"
  printf 'bootmgr placeholder\n' >"${dir}/Windows/Boot/EFI/bootmgfw.efi"
  printf 'NTUSER placeholder\n' >"${dir}/Users/Default/NTUSER.DAT"
  find "${dir}" -exec touch -h -d "${FIXED_FILE_TIME}" {} +
}

# deterministic_noise FILE BYTES SEED: incompressible but reproducible bytes (so a split set really splits).
deterministic_noise() {
  node -e '
    const { createHash } = require("node:crypto");
    const [file, size, seed] = process.argv.slice(1);
    const chunks = []; let block = Buffer.from(seed);
    for (let total = 0; total < Number(size); total += 32) { block = createHash("sha256").update(block).digest(); chunks.push(block); }
    require("node:fs").writeFileSync(file, Buffer.concat(chunks).subarray(0, Number(size)));
  ' "$1" "$2" "$3"
  touch -d "${FIXED_FILE_TIME}" "$1" "$(dirname "$1")"
}

# props FILE INDEX NAME=VALUE...: sets image properties with wiminfo (wimlib rewrites the XML in place).
props() {
  local file="$1" index="$2"
  shift 2
  local args=()
  for property in "$@"; do args+=(--image-property "${property}"); done
  wiminfo "${file}" "${index}" "${args[@]}" >/dev/null
}

# branch_of BUILD: the servicing branch Microsoft's media carry for the build.
branch_of() {
  case "$1" in
    19041) echo vb_release ;;
    22621) echo ni_release ;;
    *) echo ge_release ;;
  esac
}

# client_props FILE INDEX EDITIONID ARCH BUILD SPBUILD PKEYCONFIGVERSION DISPLAYNAME
client_props() {
  props "$1" "$2" \
    "WINDOWS/ARCH=$4" "WINDOWS/PRODUCTNAME=Microsoft® Windows® Operating System" "WINDOWS/EDITIONID=$3" \
    "WINDOWS/INSTALLATIONTYPE=Client" "WINDOWS/PRODUCTTYPE=WinNT" "WINDOWS/PRODUCTSUITE=Terminal Server" \
    "WINDOWS/LANGUAGES/LANGUAGE=en-US" "WINDOWS/LANGUAGES/DEFAULT=en-US" \
    "WINDOWS/VERSION/MAJOR=10" "WINDOWS/VERSION/MINOR=0" "WINDOWS/VERSION/BUILD=$5" "WINDOWS/VERSION/SPBUILD=$6" \
    "WINDOWS/VERSION/SPLEVEL=0" "WINDOWS/VERSION/BRANCH=$(branch_of "$5")" \
    "WINDOWS/SERVICINGDATA/PKEYCONFIGVERSION=$7" "DISPLAYNAME=$8" "DISPLAYDESCRIPTION=$8"
}

# server_props FILE INDEX INSTALLATIONTYPE DISPLAYNAME [EDITIONID] [SPBUILD]: Server 2025 (build 26100, its own 32xxx revisions)
server_props() {
  local revision="${6:-32230}"
  props "$1" "$2" \
    "WINDOWS/ARCH=9" "WINDOWS/PRODUCTNAME=Microsoft® Windows® Operating System" "WINDOWS/EDITIONID=${5:-ServerStandard}" \
    "WINDOWS/INSTALLATIONTYPE=$3" "WINDOWS/PRODUCTTYPE=ServerNT" "WINDOWS/PRODUCTSUITE=Terminal Server" \
    "WINDOWS/LANGUAGES/LANGUAGE=en-US" "WINDOWS/LANGUAGES/LANGUAGE[2]=de-DE" "WINDOWS/LANGUAGES/DEFAULT=en-US" \
    "WINDOWS/VERSION/MAJOR=10" "WINDOWS/VERSION/MINOR=0" "WINDOWS/VERSION/BUILD=26100" "WINDOWS/VERSION/SPBUILD=${revision}" \
    "WINDOWS/VERSION/SPLEVEL=0" "WINDOWS/VERSION/BRANCH=ge_release" \
    "WINDOWS/SERVICINGDATA/PKEYCONFIGVERSION=10.0.26100.${revision};2016-01-01T00:00:00Z" "DISPLAYNAME=$4" "DISPLAYDESCRIPTION=$4"
}

# finish FILE IMAGE_COUNT HIGHPART: fixed creation/modification FILETIMEs for every image, then a fixed GUID.
finish() {
  local file="$1" count="$2" high="$3" index
  for ((index = 1; index <= count; index++)); do
    props "${file}" "${index}" "CREATIONTIME/HIGHPART=${high}" "CREATIONTIME/LOWPART=0x1E0A6000" \
      "LASTMODIFICATIONTIME/HIGHPART=${high}" "LASTMODIFICATIONTIME/LOWPART=$(printf '0x%08X' $((0x1E0A6000 + index * 0x1000000)))"
  done
  # Each wiminfo rewrite appends a new XML copy; rebuilding keeps the fixture a few KB (pipable stays pipable).
  local pipable=()
  [[ "$(head -c 5 "${file}")" == "WLPWM" ]] && pipable=(--pipable)
  wimlib-imagex optimize "${file}" "${pipable[@]}" >/dev/null 2>&1
  set_guid "${file}"
}

# set_guid FILE [SEED]: a GUID derived from the seed (default: the file name, minus a split part's number), in
# the header at the start and, for pipable WIMs, in the final header at the end too.
set_guid() {
  node -e '
    const fs = require("node:fs"); const { createHash } = require("node:crypto");
    const [file, seed] = process.argv.slice(1);
    const guid = createHash("md5").update(seed).digest();
    const fd = fs.openSync(file, "r+"); const size = fs.fstatSync(fd).size;
    fs.writeSync(fd, guid, 0, 16, 0x18);
    const tail = Buffer.alloc(8); fs.readSync(fd, tail, 0, 8, size - 208);
    if (tail.toString("latin1") === "WLPWM\0\0\0") fs.writeSync(fd, guid, 0, 16, size - 208 + 0x18);
    fs.closeSync(fd);
  ' "$1" "${2:-$(basename "$1" | sed -E 's/[0-9]*\.swm$/.swm/')}"
}

# or_byte FILE OFFSET MASK / put_u32 FILE OFFSET VALUE / replace_utf16 FILE OLD NEW (same length): patch a copy.
or_byte() {
  node -e 'const fs = require("node:fs"); const [f, o, m] = process.argv.slice(1); const b = fs.readFileSync(f); b[Number(o)] |= Number(m); fs.writeFileSync(f, b);' "$@"
}
put_u32() {
  node -e 'const fs = require("node:fs"); const [f, o, v] = process.argv.slice(1); const b = fs.readFileSync(f); b.writeUInt32LE(Number(v), Number(o)); fs.writeFileSync(f, b);' "$@"
}
replace_utf16() {
  node -e '
    const fs = require("node:fs"); const [f, from, to] = process.argv.slice(1);
    if (from.length !== to.length) throw new Error("replace_utf16 keeps the length: " + from + " / " + to);
    const b = fs.readFileSync(f); const needle = Buffer.from(from, "utf16le"); const at = b.lastIndexOf(needle);
    if (at < 0) throw new Error(from + " not found in " + f);
    Buffer.from(to, "utf16le").copy(b, at); fs.writeFileSync(f, b);
  ' "$@"
}

# set_xml FILE JS_EXPRESSION: gives FILE a new XML resource, the expression's value for the current XML text
# (`xml`, BOM included), appended at the end of the file with the header's XML entry pointed at it.
set_xml() {
  node -e '
    const fs = require("node:fs"); const [file, expression] = process.argv.slice(1);
    const bytes = fs.readFileSync(file);
    const size = Number(bytes.readBigUInt64LE(0x48) & 0xffffffffffffffn); const offset = Number(bytes.readBigUInt64LE(0x50));
    const xml = bytes.subarray(offset, offset + size).toString("utf16le");
    const next = Buffer.from(new Function("xml", "return " + expression)(xml), "utf16le");
    const header = Buffer.from(bytes.subarray(0, 208)); const flags = header[0x4f];
    header.writeBigUInt64LE(BigInt(next.length), 0x48); header[0x4f] = flags;
    header.writeBigUInt64LE(BigInt(bytes.length), 0x50);
    header.writeBigUInt64LE(BigInt(next.length), 0x58);
    fs.writeFileSync(file, Buffer.concat([header, bytes.subarray(208), next]));
  ' "$@"
}

make_fixtures() {
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out="${1:-test/fixtures/wim}"
mkdir -p "${out}"
rm -f "${out}"/*.wim "${out}"/*.esd "${out}"/*.swm
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# A miniature Windows tree, so each image has a few directories and files like the real thing.
make_tree "${work}/tree"

# --- Windows 11 25H2 Enterprise, one index (the Enterprise-only media admins keep after servicing) ---
f="${out}/win11-25h2-enterprise.wim"
wimcapture "${work}/tree" "${f}" "Windows 11 Enterprise" "Windows 11 Enterprise" --flags=Enterprise >/dev/null
client_props "${f}" 1 Enterprise 9 26200 6584 "10.0.26200.6584;2025-09-15T00:00:00Z" "Windows 11 Enterprise"
finish "${f}" 1 0x01DC25F0

# --- Windows 11 24H2 business + consumer editions: the 11 indexes of the ISO ---
f="${out}/win11-24h2-eleven-editions.wim"
index=0
for edition in "Home:Core" "Home N:CoreN" "Education:Education" "Education N:EducationN" "Pro:Professional" \
  "Pro N:ProfessionalN" "Pro Education:ProfessionalEducation" "Pro Education N:ProfessionalEducationN" \
  "Pro for Workstations:ProfessionalWorkstation" "Enterprise:Enterprise" "Enterprise N:EnterpriseN"; do
  index=$((index + 1))
  label="${edition%%:*}"
  id="${edition##*:}"
  if ((index == 1)); then
    wimcapture "${work}/tree" "${f}" "Windows 11 ${label}" "Windows 11 ${label}" --flags="${id}" >/dev/null
  else
    wimappend "${work}/tree" "${f}" "Windows 11 ${label}" "Windows 11 ${label}" --flags="${id}" >/dev/null
  fi
  client_props "${f}" "${index}" "${id}" 9 26100 4349 "10.0.26100.4349;2024-09-14T00:00:00Z" "Windows 11 ${label}"
done
finish "${f}" 11 0x01DAF8A0

# --- Windows 10 22H2 Enterprise: the WIM keeps the 2004 baseline build 19041, PKEYCONFIGVERSION too ---
f="${out}/win10-22h2-enterprise.wim"
wimcapture "${work}/tree" "${f}" "Windows 10 Enterprise" "Windows 10 Enterprise" --flags=Enterprise >/dev/null
client_props "${f}" 1 Enterprise 9 19041 6575 "10.0.19041.6575;2019-12-06T00:00:00Z" "Windows 10 Enterprise"
finish "${f}" 1 0x01DC53A0

# --- Windows 11 23H2 Enterprise: the WIM says 22621 (22H2's build); only the package name says 23H2 ---
f="${out}/win11-23h2-enterprise.wim"
wimcapture "${work}/tree" "${f}" "Windows 11 Enterprise" "Windows 11 Enterprise" --flags=Enterprise >/dev/null
client_props "${f}" 1 Enterprise 9 22621 2428 "10.0.22621.2428;2022-05-07T00:00:00Z" "Windows 11 Enterprise"
finish "${f}" 1 0x01DA0000

# --- Windows Server 2025 Standard: Core (index 1) and Desktop Experience (index 2), two languages ---
f="${out}/ws2025-standard.wim"
wimcapture "${work}/tree" "${f}" "Windows Server 2025 Standard" "Windows Server 2025 Standard (Server Core)" \
  --flags=ServerStandardCore >/dev/null
wimappend "${work}/tree" "${f}" "Windows Server 2025 Standard (Desktop Experience)" \
  "Windows Server 2025 Standard (Desktop Experience)" --flags=ServerStandard >/dev/null
server_props "${f}" 1 "Server Core" "Windows Server 2025 Standard"
server_props "${f}" 2 "Server" "Windows Server 2025 Standard (Desktop Experience)"
finish "${f}" 2 0x01DC8000

# --- An ESD: the 24H2 media exported solid (LZMS, version 0xE00), Pro and Enterprise only ---
f="${out}/win11-24h2-pro-enterprise.esd"
wimlib-imagex export "${out}/win11-24h2-eleven-editions.wim" 5 "${f}" --solid >/dev/null
wimlib-imagex export "${out}/win11-24h2-eleven-editions.wim" 10 "${f}" --solid >/dev/null
set_guid "${f}"

# --- A split set: Enterprise 25H2 with a few incompressible files, split in parts of a few KB ---
make_tree "${work}/bulky"
deterministic_noise "${work}/bulky/Windows/System32/ntoskrnl.exe" 3000 1
deterministic_noise "${work}/bulky/Windows/System32/hal.dll" 3000 2
wimcapture "${work}/bulky" "${work}/split-source.wim" "Windows 11 Enterprise" "Windows 11 Enterprise" --flags=Enterprise >/dev/null
client_props "${work}/split-source.wim" 1 Enterprise 9 26200 6584 "10.0.26200.6584;2025-09-15T00:00:00Z" "Windows 11 Enterprise"
finish "${work}/split-source.wim" 1 0x01DC25F0
wimlib-imagex split "${work}/split-source.wim" "${out}/install.swm" 0.003 >/dev/null
for part in "${out}"/install*.swm; do set_guid "${part}"; done

# --- A pipable WIM (wimlib's WLPWM variant: the complete header is the last 208 bytes) ---
f="${out}/pipable.wim"
wimcapture "${work}/tree" "${f}" "Windows 11 Enterprise" "Windows 11 Enterprise" --flags=Enterprise --pipable >/dev/null 2>&1
client_props "${f}" 1 Enterprise 9 26100 4349 "10.0.26100.4349;2024-09-14T00:00:00Z" "Windows 11 Enterprise"
finish "${f}" 1 0x01DAF8A0

# --- Good but sparse: an image without WINDOWS, an image without WINDOWS/VERSION (fields missing, not errors) ---
f="${out}/no-windows-element.wim"
cp "${out}/win11-25h2-enterprise.wim" "${f}"
wiminfo "${f}" 1 --image-property WINDOWS= >/dev/null
f="${out}/no-version-element.wim"
cp "${out}/win11-25h2-enterprise.wim" "${f}"
wiminfo "${f}" 1 --image-property WINDOWS/VERSION= >/dev/null

# --- Good: names with the characters XML escapes (&, <, >, quotes), which must read back as written ---
f="${out}/escaped-names.wim"
cp "${out}/win11-25h2-enterprise.wim" "${f}"
props "${f}" 1 "DISPLAYNAME=R&D <Lab> \"Gold\" 'x64' © Enterprise" "DESCRIPTION=Tom & Jerry's <test> image"
wimlib-imagex optimize "${f}" >/dev/null 2>&1
set_guid "${f}"

# --- Broken files (copies of a good one, patched; each patch says what it does) ---
good="${out}/win11-25h2-enterprise.wim"
: >"${out}/broken-empty.wim"
head -c 100 "${good}" >"${out}/broken-truncated-header.wim"
# Cut the last 200 bytes: wimlib writes the XML last, so the XML range now runs past the end of the file.
head -c "$(($(stat -c %s "${good}") - 200))" "${good}" >"${out}/broken-truncated-xml.wim"
printf 'This is a text file someone renamed to install.wim.\r\n%.0s' {1..8} >"${out}/broken-not-a-wim.wim"
cp "${good}" "${out}/broken-write-in-progress.wim"
or_byte "${out}/broken-write-in-progress.wim" $((0x10)) 0x40            # header flags |= WRITE_IN_PROGRESS
cp "${good}" "${out}/broken-compressed-xml.wim"
or_byte "${out}/broken-compressed-xml.wim" $((0x48 + 7)) 0x04          # XML resource flags |= COMPRESSED
cp "${good}" "${out}/broken-image-count.wim"
put_u32 "${out}/broken-image-count.wim" $((0x2C)) 2                   # header says 2 images, the XML has 1
cp "${good}" "${out}/broken-header-size.wim"
put_u32 "${out}/broken-header-size.wim" $((0x08)) 200                 # header size 200 instead of 208
cp "${good}" "${out}/broken-xml-syntax.wim"
replace_utf16 "${out}/broken-xml-syntax.wim" '</NAME>' '</NAMX>'      # mismatched closing tag
cp "${good}" "${out}/broken-image-without-index.wim"
replace_utf16 "${out}/broken-image-without-index.wim" 'INDEX=' 'INDEY='  # IMAGE without an INDEX attribute
cp "${good}" "${out}/broken-not-wim-root.wim"
replace_utf16 "${out}/broken-not-wim-root.wim" '<WIM>' '<XIM>'         # root element is not WIM (both tags)
replace_utf16 "${out}/broken-not-wim-root.wim" '</WIM>' '</XIM>'

# A DOCTYPE that declares an entity used in NAME: Windows image tools never write one, so it is refused, not expanded.
cp "${good}" "${out}/broken-doctype-entity.wim"
set_xml "${out}/broken-doctype-entity.wim" 'xml.replace("<WIM>", "<!DOCTYPE WIM [<!ENTITY edition \"Education\">]><WIM>").replace("<NAME>Windows 11 Enterprise</NAME>", "<NAME>Windows 11 &edition;</NAME>")'
# "Billion laughs": ten levels of ten references, 10^9 copies of "lol" if expanded.
cp "${good}" "${out}/broken-billion-laughs.wim"
set_xml "${out}/broken-billion-laughs.wim" '(() => { let d = "<!ENTITY lol0 \"lol\">"; for (let i = 1; i < 10; i++) d += "<!ENTITY lol" + i + " \"" + ("&lol" + (i - 1) + ";").repeat(10) + "\">"; return xml.replace("<WIM>", "<!DOCTYPE WIM [" + d + "]><WIM>").replace("<NAME>Windows 11 Enterprise</NAME>", "<NAME>&lol9;</NAME>"); })()'

du -sh "${out}"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then make_fixtures "$@"; fi
