# Install layout and the Debian package (CPack DEB) of FS-LLM Studio, included from the top-level
# CMakeLists.txt after the targets exist. The binaries install themselves (app/CMakeLists.txt:
# fsllm and fsllm-studio to bin/); this file adds the shared data, the desktop integration and
# the package metadata.
#
#   <prefix>/share/fsllm/{demo,corpus,models}   what ResourceLocator and TinyCheckpoint look for
#   <prefix>/share/applications/fsllm-studio.desktop
#   <prefix>/share/icons/hicolor/scalable/apps/fsllm-studio.svg
#   <prefix>/share/metainfo/io.github.fsllm_studio.FsLlmStudio.metainfo.xml
#   <prefix>/share/doc/fsllm-studio/copyright   (GPL-3.0-or-later, machine-readable)
#
# Build the package from the build folder with `cpack -G DEB` (or `cmake --build . --target
# package`). Debian dependency names are those of Debian 12 (bookworm). Configure with
# -DCMAKE_INSTALL_PREFIX=/usr for a distribution package: the programs compile the install
# prefix's share/fsllm into their resource search path, so the package installs under the same
# prefix the build was configured with.
include(GNUInstallDirs)

set(_fsllm_resources "${PROJECT_SOURCE_DIR}/resources")
set(_fsllm_share "${CMAKE_INSTALL_DATADIR}/fsllm")

install(DIRECTORY "${_fsllm_resources}/demo" "${_fsllm_resources}/corpus"
        DESTINATION "${_fsllm_share}" COMPONENT runtime)
# The bundled default model, when another build step has produced it.
if(EXISTS "${_fsllm_resources}/models")
    install(DIRECTORY "${_fsllm_resources}/models" DESTINATION "${_fsllm_share}"
            COMPONENT runtime)
endif()

if(FSLLM_BUILD_GUI)
    install(FILES "${_fsllm_resources}/fsllm-studio.desktop"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/applications" COMPONENT runtime)
    install(FILES "${_fsllm_resources}/icons/fsllm-studio.svg"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps" COMPONENT runtime)
    install(FILES "${_fsllm_resources}/io.github.fsllm_studio.FsLlmStudio.metainfo.xml"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/metainfo" COMPONENT runtime)
endif()
# The licence: GPL-3.0-or-later (QCustomPlot, which the studio links, is GPL-3.0).
install(FILES "${CMAKE_CURRENT_LIST_DIR}/copyright"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/fsllm-studio" COMPONENT runtime)

# --- CPack: one Debian package with both programs -------------------------------------------
set(CPACK_PACKAGE_NAME "fsllm-studio")
set(CPACK_PACKAGE_VENDOR "FS-LLM Studio")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Fine-tune decoder LLMs as classifiers with decay-weighted attention masks")
set(CPACK_PACKAGE_DESCRIPTION
    "FS-LLM Studio turns LLaMA-family decoder models into sentence and token classifiers with \
the FS-LLMs method (decay-weighted or bidirectional attention masks, an RMSNorm + SwiGLU head, \
LoRA fine-tuning). It contains the desktop studio (fsllm-studio: live training curves, \
attention inspection, run comparison with PNG/PDF/SVG figures and CSV/Markdown/LaTeX tables) \
and the headless command-line tool (fsllm).")
set(CPACK_PACKAGE_CONTACT "FS-LLM Studio developers <fsllm-studio@users.noreply.github.com>")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/fsllm-studio/fsllm-studio")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "fsllm-studio")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Declared explicitly (dpkg-shlibdeps would miss the OpenMP BLAS LibTorch loads at run time and
# the Qt plugins): LibTorch 1.13 (Debian's CPU build), its OpenMP OpenBLAS (docs/design.md §7), spdlog
# and fmt, Gloo when data-parallel training is built, and for the studio Qt 6 (widgets, SVG, print support for PDF export) and QCustomPlot.
set(_fsllm_depends
    "libc6 (>= 2.36)"
    "libstdc++6 (>= 12)"
    "libgcc-s1"
    "libtorch1.13 (>= 1.13.1)"
    "libopenblas0-openmp"
    "libspdlog1.10"
    "libfmt9"
    "libpcre2-8-0 (>= 10.42)"
    "libicu72")
if(FSLLM_GLOO_INCLUDE_DIR AND FSLLM_GLOO_LIBRARY) # data-parallel training (model/CMakeLists.txt)
    list(APPEND _fsllm_depends "libgloo0")
endif()
if(FSLLM_BUILD_GUI)
    list(APPEND _fsllm_depends
        "libqt6core6 (>= 6.4)"
        "libqt6gui6 (>= 6.4)"
        "libqt6widgets6 (>= 6.4)"
        "libqt6svg6 (>= 6.4)"
        "libqt6printsupport6 (>= 6.4)"
        "libqt6concurrent6 (>= 6.4)"
        "libqcustomplot2.1-qt6 (>= 2.1)")
endif()
string(JOIN ", " CPACK_DEBIAN_PACKAGE_DEPENDS ${_fsllm_depends})
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "xdg-utils")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3-torch")

include(CPack)
