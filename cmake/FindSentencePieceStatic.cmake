# Finds the static sentencepiece 0.1.97 that installer/install-deps.sh builds into
# ${FSLLM_DEPS_DIR}/sentencepiece (docs/design.md §8: Debian's shared libsentencepiece exports a bundled
# protobuf that collides with LibTorch's). Defines the imported target SentencePiece::static.
set(FSLLM_DEPS_DIR "${PROJECT_SOURCE_DIR}/.deps" CACHE PATH "Where install-deps.sh put built dependencies")
set(_spm_root "${FSLLM_DEPS_DIR}/sentencepiece")

find_path(SentencePieceStatic_INCLUDE_DIR sentencepiece_processor.h
    PATHS "${_spm_root}/include" NO_DEFAULT_PATH)
find_library(SentencePieceStatic_LIBRARY NAMES libsentencepiece.a
    PATHS "${_spm_root}/lib" "${_spm_root}/lib64" NO_DEFAULT_PATH)
find_library(SentencePieceStatic_TRAIN_LIBRARY NAMES libsentencepiece_train.a
    PATHS "${_spm_root}/lib" "${_spm_root}/lib64" NO_DEFAULT_PATH)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SentencePieceStatic
    REQUIRED_VARS SentencePieceStatic_LIBRARY SentencePieceStatic_TRAIN_LIBRARY
                  SentencePieceStatic_INCLUDE_DIR
    FAIL_MESSAGE "static sentencepiece not found under ${_spm_root}: run installer/install-deps.sh first")

if(SentencePieceStatic_FOUND AND NOT TARGET SentencePiece::static)
    find_package(Threads REQUIRED)
    add_library(SentencePiece::static INTERFACE IMPORTED)
    # The trainer archive depends on the processor archive: list it first.
    set_target_properties(SentencePiece::static PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${SentencePieceStatic_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES "${SentencePieceStatic_TRAIN_LIBRARY};${SentencePieceStatic_LIBRARY};Threads::Threads"
        # Keep sentencepiece's bundled protobuf-lite symbols out of every linked binary's
        # dynamic symbol table, so they cannot interpose on LibTorch's libprotobuf.
        INTERFACE_LINK_OPTIONS "-Wl,--exclude-libs,libsentencepiece.a:libsentencepiece_train.a")
endif()
