#!/usr/bin/python3
"""Reference outputs for a real pretrained model: Andrej Karpathy's stories260K (llama2.c, MIT;
tests/data/reference/stories260K/README.md says where it comes from), run by the independent
float64 LLaMA decoder of make_family_reference.py.

What it does
------------
Reads tests/data/reference/stories260K/{config.json, model.safetensors} (F32, Hugging Face LLaMA
layout: 5 layers, D 64, 8 / 4 heads, vocab 512, tied embeddings) and writes
tests/data/reference/stories260K/reference.safetensors (F32) with
  prompt.ids                   [T]      the prompt's ids (BOS first), from the tokenizer
  prompt.<mode>.hidden         [T, D]   after model.norm
  prompt.<mode>.logits         [T, V]
  prompt.<mode>.attention      [L, H, T, T]
for <mode> in causal, bidirectional, decay0.5, decay2.0, and
  greedy.ids                   [N]      the next N = 24 ids by greedy decoding (causal, float64,
                                        each step the argmax of the last position's logits)
and the metadata entry "greedy.text": those ids decoded from tokenizer.model's own pieces (read
here from its protobuf: "\u2581" is a space, "<0xNN>" a byte, the first leading space dropped, as
sentencepiece decodes).

The prompt is "Once upon a time, there was a little boy named Tim. He found a shiny red ball in
the garden."; its ids are stored here (PROMPT_IDS: the LLaMA-2 / tok512 sentencepiece encoding
with BOS, as `fsllm tokenize --tokenizer tests/data/reference/stories260K` prints them; no Python
sentencepiece package is needed). The C++ test checks the engine's greedy ids against greedy.ids
and its decoded text against greedy.text. (The model card's sample, "He was very happy. He wanted
to play with it ...", agrees with the first nine words; this decoder and the engine both continue
"with his ball.")

Self-checks: the greedy margin (top-1 minus top-2 logit) at every step is printed and must exceed
1e-3, so float32 rounding in the engine cannot flip an argmax.

Rerun (from the repository root; needs Debian's python3-torch, hence /usr/bin/python3):
    /usr/bin/python3 tests/reference/make_stories_reference.py
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import read_safetensors, write_safetensors  # noqa: E402
from make_family_reference import MODES, forward  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.normpath(os.path.join(HERE, "..", "data", "reference", "stories260K"))
PROMPT_IDS = [1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 268, 414, 422, 395, 326, 426, 346, 272,
              277, 264, 261, 262, 415, 271, 422, 352, 266, 268, 388, 322, 265, 298, 295, 418, 302,
              426]
GREEDY_STEPS = 24


def pieces_of(model_path):
    """The piece strings of a sentencepiece ModelProto (field 1: repeated SentencePiece, whose
    field 1 is the piece), read with a minimal protobuf wire-format walk."""
    data = open(model_path, "rb").read()

    def varint(buf, at):
        value, shift = 0, 0
        while True:
            byte = buf[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value, at

    def fields(buf):
        at = 0
        while at < len(buf):
            key, at = varint(buf, at)
            number, wire = key >> 3, key & 7
            if wire == 0:
                value, at = varint(buf, at)
            elif wire == 1:
                value, at = buf[at:at + 8], at + 8
            elif wire == 2:
                length, at = varint(buf, at)
                value, at = buf[at:at + length], at + length
            elif wire == 5:
                value, at = buf[at:at + 4], at + 4
            else:
                raise ValueError("unexpected wire type %d" % wire)
            yield number, value

    return [next(v for n, v in fields(piece) if n == 1).decode("utf-8")
            for number, piece in fields(data) if number == 1]


def decode(pieces, ids):
    out = bytearray()
    for i in ids:
        piece = pieces[i]
        if piece.startswith("<0x") and piece.endswith(">") and len(piece) == 6:
            out.append(int(piece[3:5], 16))
        else:
            out += piece.replace("\u2581", " ").encode("utf-8")
    text = out.decode("utf-8")
    return text[1:] if text.startswith(" ") else text


def main():
    torch.set_num_threads(1)
    with open(os.path.join(FOLDER, "config.json")) as f:
        config = json.load(f)
    weights, _ = read_safetensors(os.path.join(FOLDER, "model.safetensors"))
    ref = {"prompt.ids": torch.tensor(PROMPT_IDS, dtype=torch.float32)}
    for mode, lam in MODES:
        hidden, logits, attention = forward(config, weights, PROMPT_IDS, lam)
        ref["prompt.%s.hidden" % mode] = hidden.to(torch.float32)
        ref["prompt.%s.logits" % mode] = logits.to(torch.float32)
        ref["prompt.%s.attention" % mode] = attention.to(torch.float32)
    ids = list(PROMPT_IDS)
    greedy = []
    for step in range(GREEDY_STEPS):
        logits = forward(config, weights, ids, None)[1][-1]
        top = torch.topk(logits, 2).values
        margin = (top[0] - top[1]).item()
        print("step %2d: id %3d, margin %.4f" % (step, int(logits.argmax()), margin))
        assert margin > 1e-3, "greedy step %d is too close to call in float32" % step
        greedy.append(int(logits.argmax()))
        ids.append(greedy[-1])
    ref["greedy.ids"] = torch.tensor(greedy, dtype=torch.float32)
    text = decode(pieces_of(os.path.join(FOLDER, "tokenizer.model")), greedy)
    write_safetensors(os.path.join(FOLDER, "reference.safetensors"), ref,
                      {"format": "pt", "greedy.text": text})
    print("greedy ids:", greedy)
    print("greedy text: %r" % text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
