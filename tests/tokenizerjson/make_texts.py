#!/usr/bin/env python3
"""Writes the varied texts the tokenizer.json parity checks encode, one JSON string per line.

Usage: make_texts.py COUNT [CORPUS...] > texts.jsonl

Deterministic (fixed seed). Mixes hand-written edge cases (contractions, accents, combining
marks that NFC composes, CJK, emoji with ZWJ and skin tones, digit runs, whitespace runs, tabs,
CR/LF, text that looks like special tokens) with lines from the given corpora and random
recombinations of all of them.
"""
import json
import random
import sys

EDGE = [
    "Hello world", "Hello World!", " leading space", "trailing space ", "  two leading",
    "I'm sure they'll say it's fine; we've I'd you're", "DON'T SHOUT, IT'S LOUD", "'s 't 're 'VE",
    "café naïve résumé coöperate façade", "Cafe\u0301 e\u0301te\u0301", "A\u030a and \u212b",
    "Ωμέγα αλφάβητο", "Привет, как дела?", "שלום עולם", "مرحبا بالعالم", "नमस्ते दुनिया",
    "日本語のテキストです。", "中文分词测试，标点符号！", "한국어 문장입니다", "ｆｕｌｌｗｉｄｔｈ ＡＢＣ１２３",
    "emoji 😀😃😄 ok", "family 👨‍👩‍👧‍👦 and 👍🏽 flags 🇫🇷🇯🇵", "❤️ ✨ ☕",
    "1234567890", "3.14159 and 2,718,281", "year 2024-11-30 at 10:55", "x1y22z333w4444",
    "a  b   c    d", "tabs\tand\t\ttabs", "line one\nline two", "crlf\r\nline", "\n\n\nnewlines",
    "   ", "\t", " \n ", "mixed \u00a0 nbsp\u2003em space", "zero\u200bwidth",
    "<|begin_of_text|>hello", "hi <|endoftext|> there", "<|im_start|>user\nhi<|im_end|>",
    "<tool_call>{\"a\": 1}</tool_call>", "<|not_a_token|>", "<s> </s> [CLS]",
    "https://example.com/path?q=1&r=two#frag", "user@example.org", "C:\\Windows\\path",
    "def f(x):\n    return x ** 2  # square", "if (a != b) { return; }", "$100 €50 £20 ¥1000",
    "ALLCAPS lowercase MiXeDcAsE", "hyphen-ated and under_scored", "...!!!???", "«quotes» “curly”",
    "Ⅻ ① ½ ² ³", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math", "ﬁ ligature ﬀ", "x" * 300, "ab" * 120,
    "The quick brown fox jumps over the lazy dog.",
]


def main():
    count = int(sys.argv[1])
    lines = []
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            lines += [line.rstrip("\n").split("\t")[0] for line in f if line.strip()]
    rng = random.Random(8)
    texts = list(EDGE)
    pool = EDGE + lines
    while len(texts) < count:
        kind = rng.random()
        if kind < 0.4 and lines:
            texts.append(rng.choice(lines))
        else:
            parts = [rng.choice(pool) for _ in range(rng.randint(2, 4))]
            seps = [" ", "  ", "\n", "\t", "", " \n "]
            text = parts[0]
            for part in parts[1:]:
                text += rng.choice(seps) + part
            texts.append(text[:600])
    for text in texts[:count]:
        print(json.dumps(text, ensure_ascii=False))


if __name__ == "__main__":
    main()
