#!/usr/bin/env python3
"""Synthetic data for the learning-speed comparison in docs/RESULTS.md ("How fast the heads
learn"). Sentences of 5 to 9 words drawn uniformly from WORDS (default: 8 words that the
`fsllm init-tiny` tokenizers keep as one token each); a word is a "trigger" when its index in
WORDS is even.

  --kind token   CoNLL (word, tag): a word is tagged B-NEXT exactly when the NEXT word is a
                 trigger, else O (the look-ahead task: a causal model cannot see it);
                 train.conll (seed 11) and dev.conll (seed 12).
  --kind seq     TSV with a header (sentence, label): "yes" when the SECOND word is a trigger;
                 train.tsv (seed 21) and dev.tsv (seed 22).

    python3 tests/reference/lookahead_data.py --kind token --train 480 --dev 120 --out DIR
Deterministic for given arguments (Python's random.Random). Needs no torch.
"""
import argparse
import os
import random

WORDS = "the and of to in a is it"


def sentences(count, seed, vocabulary):
    r = random.Random(seed)
    for _ in range(count):
        yield [r.randrange(len(vocabulary)) for _ in range(r.randint(5, 9))]


def write_token(path, count, seed, vocabulary):
    with open(path, "w") as f:
        for s in sentences(count, seed, vocabulary):
            for i, w in enumerate(s):
                next_is_trigger = i + 1 < len(s) and s[i + 1] % 2 == 0
                f.write("%s %s\n" % (vocabulary[w], "B-NEXT" if next_is_trigger else "O"))
            f.write("\n")


def write_seq(path, count, seed, vocabulary):
    with open(path, "w") as f:
        f.write("sentence\tlabel\n")
        for s in sentences(count, seed, vocabulary):
            f.write("%s\t%s\n" % (" ".join(vocabulary[w] for w in s),
                                  "yes" if s[1] % 2 == 0 else "no"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kind", choices=["token", "seq"], required=True)
    p.add_argument("--words", default=WORDS, help="space-separated words (default: %(default)s)")
    p.add_argument("--train", type=int, required=True)
    p.add_argument("--dev", type=int, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    vocabulary = a.words.split()
    os.makedirs(a.out, exist_ok=True)
    if a.kind == "token":
        write_token(os.path.join(a.out, "train.conll"), a.train, 11, vocabulary)
        write_token(os.path.join(a.out, "dev.conll"), a.dev, 12, vocabulary)
    else:
        write_seq(os.path.join(a.out, "train.tsv"), a.train, 21, vocabulary)
        write_seq(os.path.join(a.out, "dev.tsv"), a.dev, 22, vocabulary)


if __name__ == "__main__":
    main()
