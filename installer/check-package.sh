#!/usr/bin/env bash
# Builds the Debian package from a configured build folder (cpack -G DEB) and checks that it
# holds what a desktop install needs: both programs, the desktop entry, the icon, the AppStream
# metainfo, the demo data and the copyright file (GPL-3.0-or-later), that it declares its
# dependencies and a real maintainer. Used by .ci/run.
#   installer/check-package.sh [BUILD_DIR]
set -euo pipefail
repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
buildDir="${1:-${repoDir}/build}"
(cd "${buildDir}" && cpack -G DEB >/dev/null)
deb="$(ls -t "${buildDir}"/fsllm-studio_*.deb | head -n 1)"
contents="$(dpkg-deb -c "${deb}")"
missing=0
for path in /bin/fsllm /bin/fsllm-studio /share/applications/fsllm-studio.desktop \
    /share/icons/hicolor/scalable/apps/fsllm-studio.svg \
    /share/metainfo/io.github.fsllm_studio.FsLlmStudio.metainfo.xml /share/fsllm/demo/brown_genre_train.tsv \
    /share/fsllm/corpus/tiny_corpus.txt /share/doc/fsllm-studio/copyright; do
    if ! grep -q -- "${path}\$" <<<"${contents}"; then
        echo "[package] missing: ${path}" >&2
        missing=1
    fi
done
depends="$(dpkg-deb -f "${deb}" Depends)"
for dependency in libtorch1.13 libopenblas0-openmp libgloo0 libqt6widgets6 libqcustomplot2.1-qt6 libpcre2-8-0 libicu72; do
    grep -q "${dependency}" <<<"${depends}" || { echo "[package] Depends lacks ${dependency}" >&2; missing=1; }
done
maintainer="$(dpkg-deb -f "${deb}" Maintainer)"
grep -q "invalid" <<<"${maintainer}" && { echo "[package] placeholder maintainer: ${maintainer}" >&2; missing=1; }
# The licence travels with the package (DEP-5 copyright) and in the AppStream metainfo.
workDir="$(mktemp -d)"
trap 'rm -rf "${workDir}"' EXIT
dpkg-deb -x "${deb}" "${workDir}"
grep -rq "^License: GPL-3.0-or-later" "${workDir}" --include=copyright ||
    { echo "[package] copyright does not declare GPL-3.0-or-later" >&2; missing=1; }
grep -rq "<project_license>GPL-3.0-or-later</project_license>" "${workDir}" --include='*.metainfo.xml' ||
    { echo "[package] metainfo does not declare GPL-3.0-or-later" >&2; missing=1; }
[[ "${missing}" -eq 0 ]] || exit 1
echo "[package] ${deb}: $(stat -c %s "${deb}") bytes, $(wc -l <<<"${contents}") entries; contents and dependencies checked"
