#!/usr/bin/env python3
"""Writes the varied texts the tokenizer.json parity checks encode, one JSON string per line.

Usage: make_texts.py COUNT [CORPUS...] > texts.jsonl
       make_texts.py --golden COUNT [CORPUS...] > golden/texts.jsonl

Deterministic (fixed seed). Mixes hand-written edge cases (contractions, accents, combining
marks that NFC composes, CJK, emoji with ZWJ and skin tones, digit runs, whitespace runs, tabs,
CR/LF, text that looks like special tokens) with lines from the given corpora and random
recombinations of all of them. --golden (the golden set of the real tokenizers) adds, with its own
seed, generated text: random characters from many scripts and symbol blocks, numbers of every
length and form, whitespace runs of every kind, sentencepiece byte-token and special-token
look-alikes, and corpus lines with their spaces, case and punctuation disturbed.
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


# Code point ranges for random text: Latin and its extensions, combining marks, Greek, Cyrillic,
# Armenian, Hebrew, Arabic, Devanagari, Bengali, Tamil, Thai, Georgian, Hangul Jamo, Ethiopic,
# general punctuation, currency, letterlike, arrows, math, box drawing, CJK punctuation, kana, CJK
# ideographs, Hangul syllables, fullwidth forms, emoji and symbols, rare CJK (plane 2).
BLOCKS = [
    (0x20, 0x7E), (0xA0, 0x17F), (0x180, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF),
    (0x531, 0x587), (0x5D0, 0x5EA), (0x620, 0x64A), (0x900, 0x97F), (0x980, 0x9FF),
    (0xB80, 0xBFF), (0xE00, 0xE7F), (0x10A0, 0x10FF), (0x1100, 0x11FF), (0x1200, 0x137F),
    (0x2000, 0x206F), (0x20A0, 0x20BF), (0x2100, 0x214F), (0x2190, 0x21FF), (0x2200, 0x22FF),
    (0x2500, 0x257F), (0x3000, 0x303F), (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3),
    (0xFF00, 0xFFEF), (0x1F300, 0x1F5FF), (0x1F600, 0x1F64F), (0x1F680, 0x1F6FF),
    (0x1F900, 0x1F9FF), (0x20000, 0x2A6DF),
]
SPACES = [" ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n", "\u00a0", "\u2003", "\u3000",
          "\u200b", "\t \t", "        "]
LOOKALIKES = [
    "<s>", "</s>", "<unk>", "<0x41>", "<0xE2>", "<0x0A>", "<0xZZ>", "< s >", "<s", "s>", "</s ",
    "<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|start_header_id|>", "<|reserved",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<|im_start|",
    "<tool_call>", "[INST]", "[/INST]", "<<SYS>>", "\u2581", "\u2581\u2581", "\u2581word", "\u0120",
]


def random_chars(rng, length):
    """Characters from one or two random blocks (runs of one script, as real text has)."""
    blocks = [rng.choice(BLOCKS) for _ in range(rng.randint(1, 2))]
    out = []
    while len(out) < length:
        low, high = rng.choice(blocks)
        ch = chr(rng.randint(low, high))
        if 0xD800 <= ord(ch) <= 0xDFFF:
            continue
        out.append(ch)
        if rng.random() < 0.15:
            out.append(rng.choice(SPACES[:3]))
    return "".join(out)


def random_number(rng):
    kind = rng.randrange(7)
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 14)))
    if kind == 0:
        return digits
    if kind == 1:
        return f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 6)}f}"
    if kind == 2:
        return f"{rng.randint(0, 10**9):,}"
    if kind == 3:
        return f"{rng.randint(1900, 2099)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == 4:
        return f"{rng.random():.3e}"
    if kind == 5:
        return "".join(chr(0xFF10 + int(d)) for d in digits)  # fullwidth digits
    return "".join(chr(0x0660 + int(d)) for d in digits)      # Arabic-Indic digits


def disturbed(rng, line):
    """A corpus line with case, spacing and punctuation changed."""
    kind = rng.randrange(5)
    if kind == 0:
        return line.upper()
    if kind == 1:
        return rng.choice(SPACES) + line.replace(" ", rng.choice(SPACES)) + rng.choice(SPACES)
    if kind == 2:
        words = line.split(" ")
        return " ".join(w + rng.choice(["", "", ",", ".", "!", "?", "'s", "n't", "...", ":"])
                        for w in words)
    if kind == 3:
        return line.replace(" ", "")
    return "".join(c for c in line if rng.random() > 0.1)


def golden(count, lines):
    rng = random.Random(2024)
    texts = list(EDGE)
    seen = set(texts)
    while len(texts) < count:
        kind = rng.random()
        if kind < 0.3 and lines:
            text = rng.choice(lines)
        elif kind < 0.4 and lines:
            text = disturbed(rng, rng.choice(lines))
        elif kind < 0.55:
            text = random_chars(rng, rng.randint(1, 60))
        elif kind < 0.65:
            text = " ".join(random_number(rng) for _ in range(rng.randint(1, 5)))
        elif kind < 0.72:
            text = "".join(rng.choice(SPACES + ["a", "1", "."]) for _ in range(rng.randint(1, 12)))
        elif kind < 0.82:
            parts = [rng.choice(LOOKALIKES + EDGE[:20]) for _ in range(rng.randint(1, 5))]
            text = "".join(p + rng.choice(["", " ", "\n"]) for p in parts)
        else:
            pool = EDGE + lines + LOOKALIKES
            parts = [rng.choice(pool) for _ in range(rng.randint(2, 4))]
            parts.append(random_chars(rng, rng.randint(1, 10)))
            rng.shuffle(parts)
            text = parts[0]
            for part in parts[1:]:
                text += rng.choice(SPACES + [""]) + part
        text = text[:800]
        if text and text not in seen:
            seen.add(text)
            texts.append(text)
    return texts[:count]


def main():
    golden_mode = sys.argv[1] == "--golden"
    args = sys.argv[2:] if golden_mode else sys.argv[1:]
    count = int(args[0])
    lines = []
    for path in args[1:]:
        with open(path, encoding="utf-8") as f:
            lines += [line.rstrip("\n").split("\t")[0] for line in f if line.strip()]
    if golden_mode:  # the header of a TSV file and duplicates are no texts
        lines = sorted(set(lines) - {"sentence"}, key=lines.index)
    if golden_mode:
        for text in golden(count, lines):
            print(json.dumps(text, ensure_ascii=False))
        return
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
