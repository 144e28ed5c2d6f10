#!/usr/bin/python3
"""A straightforward eager PyTorch implementation of the FS-LLM LoRA training step, for the
throughput comparison in docs/design.md §7: the same LLaMA-shaped model (RMSNorm, RoPE, GQA,
SwiGLU), the same decay mask, last-token pooling, FS head (RMSNorm + SwiGLU + linear), LoRA rank 8
on q, k, v, o (alpha 32, dropout 0.1), AdamW lr 2e-4, batch 16, frozen base. It is what a
researcher would write first with torch.nn: no fusion, no tricks.

    /usr/bin/python3 tests/reference/eager_lora_bench.py --layers 3 --hidden 96 --heads 6 \
        --kv-heads 2 --batch 16 --seq-len 25 --steps 10 --threads 2

Prints tokens/s of forward+backward+AdamW steps. Run it in the same session as `fsllm bench`
with the same shape (tests/reference/compare_bench.sh does both) and compare the ratio.
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class LoraLinear(nn.Module):
    def __init__(self, inp, out, rank=8, alpha=32, dropout=0.1):
        super().__init__()
        self.base = nn.Linear(inp, out, bias=False)
        self.base.weight.requires_grad_(False)
        self.a = nn.Linear(inp, rank, bias=False)
        self.b = nn.Linear(rank, out, bias=False)
        nn.init.zeros_(self.b.weight)
        self.scaling = alpha / rank
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.base(x) + self.b(self.a(self.dropout(x))) * self.scaling


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Block(nn.Module):
    def __init__(self, d, f, heads, kv_heads):
        super().__init__()
        self.h, self.kv, self.hd = heads, kv_heads, d // heads
        self.norm1, self.norm2 = RMSNorm(d), RMSNorm(d)
        self.q = LoraLinear(d, heads * self.hd)
        self.k = LoraLinear(d, kv_heads * self.hd)
        self.v = LoraLinear(d, kv_heads * self.hd)
        self.o = LoraLinear(heads * self.hd, d)
        self.gate = nn.Linear(d, f, bias=False)
        self.up = nn.Linear(d, f, bias=False)
        self.down = nn.Linear(f, d, bias=False)
        for m in (self.gate, self.up, self.down):
            m.weight.requires_grad_(False)
        for n in (self.norm1, self.norm2):
            n.weight.requires_grad_(False)

    def forward(self, x, cos, sin, bias):
        b, t, _ = x.shape
        h = self.norm1(x)
        q = self.q(h).view(b, t, self.h, self.hd).transpose(1, 2)
        k = self.k(h).view(b, t, self.kv, self.hd).transpose(1, 2)
        v = self.v(h).view(b, t, self.kv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(self.h // self.kv, dim=1)
        v = v.repeat_interleave(self.h // self.kv, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.hd) + bias
        out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, -1)
        x = x + self.o(out)
        h = self.norm2(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Model(nn.Module):
    def __init__(self, vocab, d, f, layers, heads, kv_heads, labels=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.embed.weight.requires_grad_(False)
        self.blocks = nn.ModuleList(Block(d, f, heads, kv_heads) for _ in range(layers))
        self.norm = RMSNorm(d)
        self.norm.weight.requires_grad_(False)
        self.head_norm = RMSNorm(d)
        self.w, self.v, self.w2 = (nn.Linear(d, d, bias=False), nn.Linear(d, d, bias=False),
                                   nn.Linear(d, d, bias=False))
        self.out = nn.Linear(d, labels)
        hd = d // heads
        inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
        self.inv_freq = inv

    def forward(self, ids, lam):
        b, t = ids.shape
        ang = torch.outer(torch.arange(t).float(), self.inv_freq)
        emb = torch.cat((ang, ang), -1)
        cos, sin = emb.cos(), emb.sin()
        dist = torch.arange(t)[None, :] - torch.arange(t)[:, None]
        bias = torch.where(dist > 0, -lam * dist.float(), torch.zeros(t, t))
        x = self.embed(ids)
        for blk in self.blocks:
            x = blk(x, cos, sin, bias)
        pooled = self.norm(x)[:, -1]
        n = self.head_norm(pooled)
        return self.out(self.w2(F.silu(self.w(n)) * self.v(n)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--hidden", type=int, default=96)
    p.add_argument("--heads", type=int, default=6)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--intermediate", type=int, default=0)
    p.add_argument("--vocab", type=int, default=512)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--seq-len", type=int, default=25)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    f = a.intermediate or ((a.hidden * 8 // 3 + 15) // 16) * 16
    model = Model(a.vocab, a.hidden, f, a.layers, a.heads, a.kv_heads)
    opt = torch.optim.AdamW([q for q in model.parameters() if q.requires_grad], lr=2e-4)
    ids = torch.randint(3, a.vocab, (a.batch, a.seq_len))
    labels = torch.randint(0, 2, (a.batch,))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(ids, 0.5), labels).backward()
        opt.step()

    step()
    start = time.time()
    for _ in range(a.steps):
        step()
    seconds = time.time() - start
    print(f"eager PyTorch {torch.__version__}: {a.layers} layers, D={a.hidden}, F={f}, batch "
          f"{a.batch} x {a.seq_len}: {a.batch * a.seq_len * a.steps / seconds:.1f} tokens/s "
          f"(forward + backward + AdamW, {a.threads} threads)")


if __name__ == "__main__":
    main()
