#!/usr/bin/env python3
"""Writes the corrupt sentencepiece normalization tables (precompiled_charsmap) of the bad-input
corpus. Each is a small hand-built darts-clone table that maps "a" to "b" (4-byte trie size,
768 trie units, the strings "b\\0"), broken in one way. tst_badinputs appends one to a valid
tokenizer.model as an extra normalizer_spec (protobuf merges it; its charsmap wins).
Run: python3 make_charsmaps.py   (in this folder)"""
import struct

UNITS = 768


def table(root_offset=256, leaf_value=0, strings=b"b\0", size_field=None):
    units = [0] * UNITS
    child = 256 ^ ord("a")
    units[0] = root_offset << 10                                  # root: children at 256 ^ c
    units[child] = ord("a") | (1 << 8) | ((child ^ 512) << 10)    # label 'a', has a leaf at 512
    units[512] = (1 << 31) | leaf_value                           # leaf: offset into strings
    trie = b"".join(struct.pack("<I", u) for u in units)
    size = len(trie) if size_field is None else size_field
    return struct.pack("<I", size) + trie + strings


CASES = {
    "charsmap_leaf_past_strings.bin": table(leaf_value=0x7FFFFF00),  # 2 GB past the strings
    "charsmap_children_past_trie.bin": table(root_offset=0x3FFF00),  # 16 MB past the table
    "charsmap_trie_size_too_large.bin": table(size_field=UNITS * 4 + 5),
}

for name, data in CASES.items():
    with open(name, "wb") as f:
        f.write(data)
