#!/usr/bin/python3
"""Eager PyTorch fine-tuning of a token classifier, to compare learning speed with
`fsllm train` on the same checkpoint and CoNLL data (docs/RESULTS.md, "How fast the heads learn").

The forward is make_training_reference.py's (the one tst_trainingparity holds the engine to),
run in float32, with the usual eager initialisation: LoRA A Kaiming-uniform (a = sqrt(5), as
PEFT), B = 0; the fs head from torch.nn.Linear defaults (RMSNorm weight 1), the linear head
normal(0, 0.02) as Hugging Face's score layer. Training as `fsllm train`'s defaults: AdamW
(weight decay 0.01 on matrices), 6% warm-up then linear decay, clipping at 1.0, LoRA dropout
0.1, labels on each word's first token; batches are a plain shuffle (no length bucketing).
Prints the dev entity F1 after each epoch (tags are IOB2 with single-token entities here, so it
is the F1 of the B- tags).

Words must be one token each: the script asks `fsllm inspect` for the ids of the data's words
and refuses words that split.

    /usr/bin/python3 tests/reference/eager_token_train.py --fsllm build/app/fsllm \
        --model DIR --train train.conll --dev dev.conll --head fs --seed 1
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_training_reference as R  # noqa: E402
from make_reference import read_safetensors  # noqa: E402


def read_conll(path):
    sentences, current = [], []
    for line in open(path):
        fields = line.split()
        if not fields:
            if current:
                sentences.append(current)
                current = []
            continue
        current.append((fields[0], fields[-1]))
    if current:
        sentences.append(current)
    return sentences


def word_ids(fsllm, model, words):
    """{word: id} from `fsllm inspect`; every word must be a single token."""
    ids = {}
    with tempfile.TemporaryDirectory() as tmp:
        for word in words:
            out = os.path.join(tmp, "t.json")
            subprocess.run([fsllm, "inspect", "--model", model, "--text", word, "--no-logits",
                            "--json", out], check=True, capture_output=True)
            got = json.load(open(out))["ids"]
            if len(got) != 2:
                sys.exit("word %r is %d tokens; use single-token words" % (word, len(got) - 1))
            ids[word] = got[1]
    return ids


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--fsllm", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--dev", required=True)
    p.add_argument("--head", default="fs", choices=["fs", "linear"])
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lambda", dest="lam", type=float, default=0.5)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    torch.set_num_threads(1)

    cfg = json.load(open(os.path.join(a.model, "config.json")))
    for key in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                "num_key_value_heads", "vocab_size", "rms_norm_eps", "rope_theta"):
        R.MODEL[key] = cfg[key]
    R.MODEL["head_dim"] = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    R.DTYPE = torch.float32
    base, _ = read_safetensors(os.path.join(a.model, "model.safetensors"))

    train, dev = read_conll(a.train), read_conll(a.dev)
    tags = sorted({t for s in train for _, t in s})
    tag_id = {t: i for i, t in enumerate(tags)}
    vocab = word_ids(a.fsllm, a.model, sorted({w for s in train + dev for w, _ in s}))
    D, C, rank = cfg["hidden_size"], len(tags), 8
    case = dict(R.COMMON, lora_rank=rank, lora_alpha=32.0, lora_targets="q,k,v,o", head=a.head,
                task="token", lam=a.lam, use_rslora=False)

    lora = {}
    for layer in range(cfg["num_hidden_layers"]):
        for module in "qkvo":
            out, inp = R.shape_of(module)
            key = "layers.%d.%s" % (layer, R.PROJECTIONS[module])
            lora[key + ".A"] = torch.nn.Linear(inp, rank, bias=False).weight.detach().clone()
            lora[key + ".B"] = torch.zeros(out, rank)
    if a.head == "linear":
        head = {"weight": torch.randn(C, D) * 0.02}
    else:
        w, v, w2, o = (torch.nn.Linear(D, D, bias=False), torch.nn.Linear(D, D, bias=False),
                       torch.nn.Linear(D, D, bias=False), torch.nn.Linear(D, C))
        head = {"norm.weight": torch.ones(D), "w.weight": w.weight, "v.weight": v.weight,
                "w2.weight": w2.weight, "out.weight": o.weight, "out.bias": o.bias}
    for group in (lora, head):
        for key in group:
            group[key] = group[key].detach().clone().requires_grad_(True)
    params = list(lora.values()) + list(head.values())
    optimizer = torch.optim.AdamW(
        [{"params": [t for t in params if t.dim() >= 2], "weight_decay": 0.01},
         {"params": [t for t in params if t.dim() < 2], "weight_decay": 0.0}], lr=a.lr)
    per_epoch = (len(train) + a.batch_size - 1) // a.batch_size
    total = per_epoch * a.epochs
    warmup = int(math.floor(0.06 * total + 0.5))

    def rate(s):
        if s < warmup:
            return a.lr * (s + 1) / (warmup + 1)
        return a.lr * (1 - min(1.0, (s - warmup) / max(1, total - warmup)))

    def batch(sentences):
        T = max(len(s) for s in sentences) + 1
        ids = torch.zeros(len(sentences), T, dtype=torch.long)
        labels = torch.full((len(sentences), T), R.IGNORE, dtype=torch.long)
        for b, s in enumerate(sentences):
            ids[b, 0] = 1
            for t, (word, tag) in enumerate(s):
                ids[b, t + 1] = vocab[word]
                labels[b, t + 1] = tag_id[tag]
        return ids, torch.tensor([len(s) + 1 for s in sentences]), labels

    def dev_f1():
        tp = fp = fn = 0
        case["dropout_train"] = 0.0
        with torch.no_grad():
            for k in range(0, len(dev), 64):
                ids, lengths, labels = batch(dev[k:k + 64])
                pred = R.head_logits(head, case, R.decoder_hidden(base, lora, case, ids,
                                                                  lengths)).argmax(-1)
                for p_, g_ in zip(pred[labels != R.IGNORE].tolist(),
                                  labels[labels != R.IGNORE].tolist()):
                    p_b, g_b = tags[p_].startswith("B-"), tags[g_].startswith("B-")
                    tp += p_b and g_b and p_ == g_
                    fp += p_b and not (g_b and p_ == g_)
                    fn += g_b and not (p_b and p_ == g_)
        return 2 * tp / max(1, 2 * tp + fp + fn)

    step, scores = 0, []
    for _ in range(a.epochs):
        order = list(range(len(train)))
        random.shuffle(order)
        case["dropout_train"] = 0.1
        for k in range(0, len(order), a.batch_size):
            ids, lengths, labels = batch([train[i] for i in order[k:k + a.batch_size]])
            logits = R.head_logits(head, case, R.decoder_hidden(base, lora, case, ids, lengths))
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, C), labels.reshape(-1),
                                                     ignore_index=R.IGNORE)
            optimizer.zero_grad()
            loss.backward()
            for group in optimizer.param_groups:
                group["lr"] = rate(step)
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            step += 1
        scores.append(dev_f1())
    print("eager %s seed %d: dev F1 by epoch %s" % (a.head, a.seed,
                                                    " ".join("%.4f" % f for f in scores)))


if __name__ == "__main__":
    main()
