#!/usr/bin/python3
"""Training-parity reference: LoRA fine-tuning with label supervision, written out in eager
PyTorch (float64) from the method's equations and Hugging Face / PEFT / PyTorch semantics, for
tst_trainingparity (tests/model/tst_trainingparity.cpp), which replays the same steps with the
engine and compares.

What it writes, under tests/data/reference/training/:
  tiny_train/          a 2-layer LLaMA checkpoint (config.json, model.safetensors, F32):
                       D=16, FF=32, 4 heads / 2 kv heads (head_dim 4), vocab 40, no tokenizer.
  <case>/              one folder per training case (CASES below):
    run.json           the engine's run configuration (TrainingConfig fields): task, mask,
                       lambda, pooling, head, head_inner, LoRA, lr, weight decay, warm-up ratio,
                       schedule, clipping, grad_accum, gradient checkpointing;
    classifier.json    task, label names, head, head_inner, pooling, mask (ClassifierSpec);
    adapter_config.json + adapter_model.safetensors
                       the initial LoRA A/B and head weights in the PEFT layout (random, B not
                       zero, so that every trainable tensor has a gradient at step 1);
    trace.safetensors  (F32) the batches and what each optimizer step s (0..STEPS-1) gives:
      batch.<k>.ids      [B, T]  token ids as F32 values (BOS 1 first, right-padded with 0),
      batch.<k>.lengths  [B]     real tokens per row,
      batch.<k>.labels   [B] (seq) or [B, T] (token; -100 = no label)
                         for the POOL * grad_accum distinct batches k;
      order              [STEPS * grad_accum]  the batch k of micro-batch s * grad_accum + m
                         (shuffled passes over the pool);
      step.<s>.loss      [1]     mean of the step's micro-batch losses (before the update),
      step.<s>.lr        [1]     the learning rate the step used,
      step.<s>.grad_norm [1]     global L2 norm of the gradients before clipping,
      step.<s>.grad.<key> [...]  the gradient of every trainable tensor (PEFT key) before
                                 clipping, summed over micro-batches of loss / grad_accum
                                 (every step for CASES; SAMPLED_STEPS for the product cases;
                                 metadata "gradient_steps" lists them);
      final.<key>        [...]   every trainable tensor after the last step.

The method (docs/design.md §2):
  attention  softmax(q k^T / sqrt(hd) + M) v, M[i][j] = 0 (j <= i); for j > i -inf (causal),
             0 (bidirectional), -lambda (j - i) (decay); padded keys -inf in every mode;
  LoRA       y = x W^T + (alpha / r) x A^T B^T (PEFT; alpha / sqrt(r) with use_rslora), dropout 0;
  pooling    last real token, mean or max over real tokens (sequence tasks); every token
             (token tasks);
  head fs    RMSNorm(g) -> SwiGLU (silu(h W^T) * (h V^T)) W2^T -> linear (Out, bias) (Eq. 9-11);
  head linear  x S^T, no bias (Hugging Face's LlamaForSequenceClassification score);
  loss       cross-entropy, mean over labelled rows / tokens (ignore_index -100); with
             gradient accumulation each micro-batch's loss is divided by grad_accum;
  clipping   total L2 norm over all trainable gradients; if above max_grad_norm, every gradient
             times max_grad_norm / (norm + 1e-6) (torch.nn.utils.clip_grad_norm_);
  AdamW      Loshchilov & Hutter, as torch.optim.AdamW: theta -= lr * wd * theta (tensors of
             rank >= 2 only: LoRA matrices and head matrices; norms and biases never decay),
             m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, theta -= lr * m_hat /
             (sqrt(v_hat) + eps), b1 0.9, b2 0.999, eps 1e-8, bias-corrected;
  schedule   W = round-half-up(warmup_ratio * STEPS) warm-up steps; step s < W uses
             lr * (s + 1) / (W + 1) (a linear ramp that, unlike Hugging Face's
             get_linear_schedule_with_warmup, gives no step a rate of 0); then
             p = (s - W) / max(1, STEPS - W): linear lr * (1 - p), cosine lr * (1 + cos(pi p)) / 2.

Everything is computed in float64 from the stored F32 weights; the engine (F32) must agree
within 1e-5 on losses, rates, gradients and final weights. The script checks that the loss falls,
that clipping happens where a case asks for it, and that every trainable tensor moves.

Rerun (from the repository root; Debian's python3-torch, hence /usr/bin/python3):
    /usr/bin/python3 tests/reference/make_training_reference.py
Deterministic (fixed torch.Generator seeds).
"""

import json
import math
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import hf_config, read_safetensors, write_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_ROOT = os.path.normpath(os.path.join(HERE, "..", "data", "reference", "training"))

STEPS = 50
BATCH = 4
POOL = 8  # distinct batches (per micro-batch slot), replayed in shuffled passes
IGNORE = -100
DTYPE = torch.float64

MODEL = dict(
    architectures=["LlamaForCausalLM"], model_type="llama",
    hidden_size=16, intermediate_size=32, num_hidden_layers=2,
    num_attention_heads=4, num_key_value_heads=2, head_dim=4, vocab_size=40,
    rms_norm_eps=1e-5, rope_theta=10000.0, rope_scaling=None,
    tie_word_embeddings=True, bos_token_id=1, eos_token_id=2, seed=4321)

# Every mask, head, pooling and task kind at least once; the optimizer options vary across them.
COMMON = dict(lora_rank=2, lora_alpha=6.0, lora_dropout=0.0, lora_targets="q,k,v,o",
              lr=5e-3, weight_decay=0.01, grad_accum=1, warmup_ratio=0.1, schedule="linear",
              max_grad_norm=1.0, head_inner=8, use_rslora=False, gradient_checkpointing=False)
CASES = {
    "seq_causal_fs_last": dict(task="seq", mask="causal", lam=None, head="fs", pooling="last",
                               labels=3, seed=11),
    "seq_bidirectional_linear_mean": dict(task="seq", mask="bidirectional", lam=0.0,
                                          head="linear", pooling="mean", labels=3, seed=12,
                                          schedule="cosine", max_grad_norm=0.0,
                                          weight_decay=0.1),
    "seq_decay_fs_max": dict(task="seq", mask="decay", lam=0.5, head="fs", pooling="max",
                             labels=2, seed=13, grad_accum=2, use_rslora=True,
                             lora_targets="q,k,v,o,gate,up,down", gradient_checkpointing=True),
    "seq_decay_linear_last": dict(task="seq", mask="decay", lam=1.5, head="linear",
                                  pooling="last", labels=2, seed=14, max_grad_norm=0.05,
                                  warmup_ratio=0.3, weight_decay=0.1),
    "token_decay_fs": dict(task="token", mask="decay", lam=0.5, head="fs", pooling="last",
                           labels=3, seed=15, head_inner=0, max_grad_norm=0.2),
    "token_causal_linear": dict(task="token", mask="causal", lam=None, head="linear",
                                pooling="last", labels=3, seed=16, schedule="cosine"),
    "token_bidirectional_fs": dict(task="token", mask="bidirectional", lam=0.0, head="fs",
                                   pooling="last", labels=2, seed=17, lora_targets="q,v",
                                   weight_decay=0.0, warmup_ratio=0.0, max_grad_norm=0.3),
}

# The rest of the product mask x head x pooling (sequence) and mask x head (token), with the
# common options: full gradients are stored at SAMPLED_STEPS only (losses, rates, gradient norms
# at every step, and the final weights), to keep the files small.
SAMPLED_STEPS = [0, 1, STEPS // 2, STEPS - 1]
MASKS = [("causal", None), ("bidirectional", 0.0), ("decay", 0.5)]


def product_cases():
    cases = {}
    seed = 100
    for task, poolings in (("seq", ["last", "mean", "max"]), ("token", ["last"])):
        for mask, lam in MASKS:
            for head in ("fs", "linear"):
                for pooling in poolings:
                    name = ("seq_%s_%s_%s" % (mask, head, pooling) if task == "seq"
                            else "token_%s_%s" % (mask, head))
                    seed += 1
                    if name not in CASES:
                        cases[name] = dict(task=task, mask=mask, lam=lam, head=head,
                                           pooling=pooling, labels=3, seed=seed,
                                           grad_steps=SAMPLED_STEPS)
    return cases


PROJECTIONS = {"q": "self_attn.q_proj", "k": "self_attn.k_proj", "v": "self_attn.v_proj",
               "o": "self_attn.o_proj", "gate": "mlp.gate_proj", "up": "mlp.up_proj",
               "down": "mlp.down_proj"}
PEFT_DECODER = "base_model.model.model."
PEFT_HEAD = "base_model.model.score."

# --------------------------------------------------------------------------------------------
# the base checkpoint
# --------------------------------------------------------------------------------------------


def make_base_weights():
    g = torch.Generator().manual_seed(MODEL["seed"])
    D, F, V = MODEL["hidden_size"], MODEL["intermediate_size"], MODEL["vocab_size"]
    H, KV, hd = MODEL["num_attention_heads"], MODEL["num_key_value_heads"], MODEL["head_dim"]

    def normal(shape, std):
        return torch.randn(shape, generator=g, dtype=torch.float32) * std

    w = {"model.embed_tokens.weight": normal((V, D), 1.0)}
    for i in range(MODEL["num_hidden_layers"]):
        p = "model.layers.%d." % i
        w[p + "self_attn.q_proj.weight"] = normal((H * hd, D), 0.3)
        w[p + "self_attn.k_proj.weight"] = normal((KV * hd, D), 0.3)
        w[p + "self_attn.v_proj.weight"] = normal((KV * hd, D), 0.25)
        w[p + "self_attn.o_proj.weight"] = normal((D, H * hd), 0.25)
        w[p + "mlp.gate_proj.weight"] = normal((F, D), 0.25)
        w[p + "mlp.up_proj.weight"] = normal((F, D), 0.25)
        w[p + "mlp.down_proj.weight"] = normal((D, F), 0.2)
        w[p + "input_layernorm.weight"] = 1.0 + 0.1 * normal(D, 1.0)
        w[p + "post_attention_layernorm.weight"] = 1.0 + 0.1 * normal(D, 1.0)
    w["model.norm.weight"] = 1.0 + 0.1 * normal(D, 1.0)
    return w


def shape_of(module):
    """[out, in] of a projection."""
    D, F = MODEL["hidden_size"], MODEL["intermediate_size"]
    H, KV, hd = MODEL["num_attention_heads"], MODEL["num_key_value_heads"], MODEL["head_dim"]
    return {"q": (H * hd, D), "k": (KV * hd, D), "v": (KV * hd, D), "o": (D, H * hd),
            "gate": (F, D), "up": (F, D), "down": (D, F)}[module]


# --------------------------------------------------------------------------------------------
# the classifier, batched, float64, with autograd
# --------------------------------------------------------------------------------------------


def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def attention_bias(lengths, T, lam):
    """[B, 1, T, T]: the FS mask M plus -inf on padded keys."""
    i = torch.arange(T).view(T, 1)
    j = torch.arange(T).view(1, T)
    future = j > i
    if lam is None:
        m = torch.where(future, torch.tensor(-math.inf, dtype=DTYPE), torch.tensor(0.0, dtype=DTYPE))
    else:
        m = torch.where(future, -lam * (j - i).to(DTYPE), torch.zeros((), dtype=DTYPE))
    padded_key = torch.arange(T).view(1, 1, 1, T) >= lengths.view(-1, 1, 1, 1)  # [B, 1, 1, T]
    return m.view(1, 1, T, T).masked_fill(padded_key, -math.inf)


def projection(x, base, lora, case, layer, module):
    """x W^T + scaling x A^T B^T for an adapted module; trainable A, B from `lora`."""
    y = x @ base.T
    key = "layers.%d.%s" % (layer, PROJECTIONS[module])
    if key + ".A" not in lora:
        return y
    r, alpha = case["lora_rank"], case["lora_alpha"]
    scaling = alpha / math.sqrt(r) if case["use_rslora"] else alpha / r
    if case.get("dropout_train", 0.0) > 0.0:  # eager_token_train.py only; the cases use 0
        x = torch.nn.functional.dropout(x, case["dropout_train"], training=True)
    return y + scaling * ((x @ lora[key + ".A"].T) @ lora[key + ".B"].T)


def decoder_hidden(base, lora, case, ids, lengths):
    """ids [B, T] long -> hidden [B, T, D] after the final norm."""
    D, eps = MODEL["hidden_size"], MODEL["rms_norm_eps"]
    H, KV, hd = MODEL["num_attention_heads"], MODEL["num_key_value_heads"], MODEL["head_dim"]
    B, T = ids.shape
    inv_freq = 1.0 / (MODEL["rope_theta"] ** (torch.arange(0, hd, 2, dtype=DTYPE) / hd))
    angles = torch.outer(torch.arange(T, dtype=DTYPE), inv_freq)
    emb = torch.cat((angles, angles), -1)
    cos, sin = emb.cos(), emb.sin()                                   # [T, hd]
    bias = attention_bias(lengths, T, case["lam"])                    # [B, 1, T, T]
    x = base["model.embed_tokens.weight"][ids]                        # [B, T, D]
    for layer in range(MODEL["num_hidden_layers"]):
        p = "model.layers.%d." % layer

        def proj(inp, module):
            return projection(inp, base[p + PROJECTIONS[module] + ".weight"], lora, case, layer,
                              module)

        n = rms_norm(x, base[p + "input_layernorm.weight"], eps)
        q = proj(n, "q").view(B, T, H, hd).transpose(1, 2)           # [B, H, T, hd]
        k = proj(n, "k").view(B, T, KV, hd).transpose(1, 2)          # [B, KV, T, hd]
        v = proj(n, "v").view(B, T, KV, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)                       # query head h -> h // (H/KV)
        v = v.repeat_interleave(H // KV, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + bias       # [B, H, T, T]
        out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, H * hd)
        x = x + proj(out, "o")
        n2 = rms_norm(x, base[p + "post_attention_layernorm.weight"], eps)
        x = x + proj(torch.nn.functional.silu(proj(n2, "gate")) * proj(n2, "up"), "down")
    return rms_norm(x, base["model.norm.weight"], eps)


def pool(hidden, lengths, how):
    B, T, _ = hidden.shape
    real = (torch.arange(T).view(1, T) < lengths.view(B, 1)).unsqueeze(-1)   # [B, T, 1]
    if how == "last":
        return hidden[torch.arange(B), lengths - 1]                          # [B, D]
    if how == "mean":
        return (hidden * real).sum(1) / lengths.view(B, 1).to(DTYPE)
    return hidden.masked_fill(~real, -math.inf).max(1).values


def head_logits(head, case, features):
    if case["head"] == "linear":
        return features @ head["weight"].T
    h = rms_norm(features, head["norm.weight"], MODEL["rms_norm_eps"])
    gated = torch.nn.functional.silu(h @ head["w.weight"].T) * (h @ head["v.weight"].T)
    return (gated @ head["w2.weight"].T) @ head["out.weight"].T + head["out.bias"]


def batch_loss(base, lora, head, case, batch):
    ids, lengths, labels = batch
    hidden = decoder_hidden(base, lora, case, ids, lengths)
    if case["task"] == "seq":
        logits = head_logits(head, case, pool(hidden, lengths, case["pooling"]))   # [B, C]
        return torch.nn.functional.cross_entropy(logits, labels)
    logits = head_logits(head, case, hidden)                                      # [B, T, C]
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                             labels.reshape(-1), ignore_index=IGNORE)


# --------------------------------------------------------------------------------------------
# optimizer, clipping, schedule (written out, not torch.optim)
# --------------------------------------------------------------------------------------------


def rate_at(case, s):
    W = int(math.floor(case["warmup_ratio"] * STEPS + 0.5))
    if s < W:
        return case["lr"] * (s + 1) / (W + 1)
    p = min(1.0, max(0.0, (s - W) / max(1, STEPS - W)))
    if case["schedule"] == "cosine":
        return case["lr"] * 0.5 * (1.0 + math.cos(math.pi * p))
    return case["lr"] * (1.0 - p)


class AdamW:
    def __init__(self, params, weight_decay, b1=0.9, b2=0.999, eps=1e-8):
        self.params, self.wd, self.b1, self.b2, self.eps = params, weight_decay, b1, b2, eps
        self.m = {k: torch.zeros_like(v) for k, v in params.items()}
        self.v = {k: torch.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads, lr):
        self.t += 1
        with torch.no_grad():
            for k, theta in self.params.items():
                g = grads[k]
                if theta.dim() >= 2:
                    theta.mul_(1.0 - lr * self.wd)
                self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * g
                self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * g * g
                m_hat = self.m[k] / (1 - self.b1 ** self.t)
                v_hat = self.v[k] / (1 - self.b2 ** self.t)
                theta.sub_(lr * m_hat / (v_hat.sqrt() + self.eps))


# --------------------------------------------------------------------------------------------
# data and initial weights
# --------------------------------------------------------------------------------------------


def make_batch(case, g):
    """Right-padded random sentences with labels a model can learn: sequence label from the
    first word; token label from the NEXT word (look-ahead), some tokens unlabelled."""
    V, C = MODEL["vocab_size"], case["labels"]
    lengths = torch.randint(3, 11, (BATCH,), generator=g)
    T = int(lengths.max())
    ids = torch.zeros(BATCH, T, dtype=torch.long)
    for b in range(BATCH):
        n = int(lengths[b])
        ids[b, 0] = 1
        ids[b, 1:n] = torch.randint(3, V, (n - 1,), generator=g)
    if case["task"] == "seq":
        labels = ids[:, 1] % C
    else:
        labels = torch.full((BATCH, T), IGNORE, dtype=torch.long)
        for b in range(BATCH):
            n = int(lengths[b])
            for t in range(1, n):
                nxt = int(ids[b, t + 1]) if t + 1 < n else 0
                labels[b, t] = nxt % C
            skip = torch.rand(n, generator=g) < 0.2   # e.g. a word's later sub-tokens
            skip[0] = True
            labels[b, :n][skip] = IGNORE
    return ids, lengths, labels


def initial_weights(case, g):
    """PEFT-keyed F32 tensors: LoRA A (Kaiming-uniform bound 1/sqrt(in)), B normal (0, 0.1),
    and the head (random around its usual initialisation)."""
    D, C = MODEL["hidden_size"], case["labels"]
    inner = case["head_inner"] or D
    w = {}
    for layer in range(MODEL["num_hidden_layers"]):
        for module in case["lora_targets"].split(","):
            out, inp = shape_of(module)
            key = PEFT_DECODER + "layers.%d.%s." % (layer, PROJECTIONS[module])
            bound = 1.0 / math.sqrt(inp)
            w[key + "lora_A.weight"] = (torch.rand(case["lora_rank"], inp, generator=g) * 2 - 1) * bound
            w[key + "lora_B.weight"] = torch.randn(out, case["lora_rank"], generator=g) * 0.1
    if case["head"] == "linear":
        w[PEFT_HEAD + "weight"] = torch.randn(C, D, generator=g) * 0.2
        return w

    def uniform(shape, fan_in):
        return (torch.rand(shape, generator=g) * 2 - 1) / math.sqrt(fan_in)

    w[PEFT_HEAD + "norm.weight"] = 1.0 + 0.1 * torch.randn(D, generator=g)
    w[PEFT_HEAD + "w.weight"] = uniform((inner, D), D)
    w[PEFT_HEAD + "v.weight"] = uniform((inner, D), D)
    w[PEFT_HEAD + "w2.weight"] = uniform((D, inner), inner)
    w[PEFT_HEAD + "out.weight"] = uniform((C, D), D)
    w[PEFT_HEAD + "out.bias"] = uniform((C,), D)
    return w


def split_trainable(weights):
    """PEFT keys -> (lora {"layers.L.module.A"/".B": tensor}, head {"name": tensor}), float64
    leaves with requires_grad, plus a map back to the PEFT keys."""
    lora, head, keys = {}, {}, {}
    for key, value in weights.items():
        leaf = value.to(DTYPE).clone().requires_grad_(True)
        if key.startswith(PEFT_HEAD):
            name = key[len(PEFT_HEAD):]
            head[name] = leaf
            keys[key] = ("head", name)
        else:
            path = key[len(PEFT_DECODER):]
            name = path.replace(".lora_A.weight", ".A").replace(".lora_B.weight", ".B")
            lora[name] = leaf
            keys[key] = ("lora", name)
    return lora, head, keys


# --------------------------------------------------------------------------------------------
# writing a case
# --------------------------------------------------------------------------------------------


def run_json(case):
    return {
        "task": case["task"], "format": "conll" if case["task"] == "token" else "tsv",
        "method": "lora", "mask": case["mask"],
        "lambda": case["lam"] if case["lam"] is not None else None,
        "pooling": case["pooling"], "head": case["head"], "head_inner": case["head_inner"],
        "lora_rank": case["lora_rank"], "lora_alpha": case["lora_alpha"],
        "lora_dropout": case["lora_dropout"], "lora_targets": case["lora_targets"],
        "lr": case["lr"], "weight_decay": case["weight_decay"], "batch_size": BATCH,
        "grad_accum": case["grad_accum"], "epochs": 1, "warmup_ratio": case["warmup_ratio"],
        "schedule": case["schedule"], "max_grad_norm": case["max_grad_norm"],
        "gradient_checkpointing": case["gradient_checkpointing"], "seed": case["seed"],
        "dtype": "float32", "device": "cpu"}


def adapter_config(case):
    return {"peft_type": "LORA", "task_type": "TOKEN_CLS" if case["task"] == "token" else "SEQ_CLS",
            "r": case["lora_rank"], "lora_alpha": case["lora_alpha"],
            "lora_dropout": case["lora_dropout"],
            "target_modules": [PROJECTIONS[m].split(".")[1] for m in case["lora_targets"].split(",")],
            "modules_to_save": ["score"], "bias": "none", "base_model_name_or_path": "../tiny_train",
            "fan_in_fan_out": False, "inference_mode": False, "init_lora_weights": True,
            "use_rslora": case["use_rslora"]}


def classifier_json(case):
    return {"task": case["task"], "labels": ["c%d" % i for i in range(case["labels"])],
            "head": case["head"], "head_inner": case["head_inner"], "pooling": case["pooling"],
            "mask": case["mask"], "lambda": case["lam"]}


def write_json(path, obj):
    with open(path, "w") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def build_case(name, spec, base):
    case = dict(COMMON)
    case.update(spec)
    g = torch.Generator().manual_seed(case["seed"])
    init = initial_weights(case, g)
    pool_size = POOL * case["grad_accum"]
    pool = [make_batch(case, g) for _ in range(pool_size)]
    # Passes over the pool, each in its own random order (an epoch of shuffled batches).
    order = torch.cat([torch.randperm(pool_size, generator=g)
                       for _ in range((STEPS * case["grad_accum"] + pool_size - 1) // pool_size)])
    order = order[:STEPS * case["grad_accum"]]
    batches = [pool[int(k)] for k in order]
    lora, head, keys = split_trainable({k: v for k, v in init.items()})

    def leaf(key):
        kind, n = keys[key]
        return lora[n] if kind == "lora" else head[n]

    params = {key: leaf(key) for key in keys}
    optimizer = AdamW(params, case["weight_decay"])
    trace, losses, clipped = {}, [], 0
    for s in range(STEPS):
        grads = {key: torch.zeros_like(p) for key, p in params.items()}
        micro = []
        for m in range(case["grad_accum"]):
            batch = batches[s * case["grad_accum"] + m]
            loss = batch_loss(base, lora, head, case, batch)
            got = torch.autograd.grad(loss / case["grad_accum"], [params[k] for k in keys])
            for key, gk in zip(keys, got):
                grads[key] += gk
            micro.append(float(loss))
        norm = math.sqrt(sum(float((gk * gk).sum()) for gk in grads.values()))
        lr = rate_at(case, s)
        trace["step.%d.loss" % s] = torch.tensor([sum(micro) / len(micro)])
        trace["step.%d.lr" % s] = torch.tensor([lr])
        trace["step.%d.grad_norm" % s] = torch.tensor([norm])
        if case.get("grad_steps") is None or s in case["grad_steps"]:
            for key, gk in grads.items():
                trace["step.%d.grad.%s" % (s, key)] = gk
        losses.append(sum(micro) / len(micro))
        if case["max_grad_norm"] > 0:
            coef = case["max_grad_norm"] / (norm + 1e-6)
            if coef < 1.0:
                clipped += 1
                grads = {k: gk * coef for k, gk in grads.items()}
        optimizer.step(grads, lr)
    for key, p in params.items():
        trace["final.%s" % key] = p.detach()
        moved = float((p.detach().to(torch.float32) - init[key]).abs().max())
        assert moved > 1e-4, "%s: %s did not move (%g)" % (name, key, moved)
    trace["order"] = order.to(torch.float32)
    for k, (ids, lengths, labels) in enumerate(pool):
        trace["batch.%d.ids" % k] = ids.to(torch.float32)
        trace["batch.%d.lengths" % k] = lengths.to(torch.float32)
        trace["batch.%d.labels" % k] = labels.to(torch.float32)

    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < first - 0.05, "%s: the loss did not fall (%.4f -> %.4f)" % (name, first, last)
    if case["max_grad_norm"] > 0 and name in CASES:  # the cases chosen to exercise clipping
        assert clipped > 0, "%s: clipping never happened; lower max_grad_norm" % name
    folder = os.path.join(OUT_ROOT, name)
    os.makedirs(folder, exist_ok=True)
    write_json(os.path.join(folder, "run.json"), run_json(case))
    write_json(os.path.join(folder, "classifier.json"), classifier_json(case))
    write_json(os.path.join(folder, "adapter_config.json"), adapter_config(case))
    write_safetensors(os.path.join(folder, "adapter_model.safetensors"), init)
    write_safetensors(os.path.join(folder, "trace.safetensors"), trace,
                      {"format": "pt", "steps": str(STEPS),
                       "grad_accum": str(case["grad_accum"]),
                       "gradient_steps": ",".join(str(s) for s in
                                                  case.get("grad_steps") or range(STEPS))})
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    print("%-30s loss %.4f -> %.4f (first/last 5 steps), %2d/%d steps clipped, %d tensors, "
          "%d KB" % (name, first, last, clipped, STEPS, len(params), size // 1024))


def main():
    torch.set_num_threads(1)
    if os.path.isdir(OUT_ROOT):
        shutil.rmtree(OUT_ROOT)
    model_dir = os.path.join(OUT_ROOT, "tiny_train")
    os.makedirs(model_dir)
    weights = make_base_weights()
    write_safetensors(os.path.join(model_dir, "model.safetensors"), weights)
    cfg = hf_config(dict(MODEL, head_dim=MODEL["head_dim"]))
    write_json(os.path.join(model_dir, "config.json"), cfg)
    stored, _ = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    base = {k: v.to(DTYPE) for k, v in stored.items()}
    for name, spec in list(CASES.items()) + list(product_cases().items()):
        build_case(name, spec, base)


if __name__ == "__main__":
    main()
