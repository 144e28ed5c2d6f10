#!/usr/bin/python3
"""Reference outputs for the model families beyond plain LLaMA: an independent float64 decoder
written from Hugging Face's modeling_qwen2.py, modeling_qwen3.py and modeling_rope_utils.py
(_compute_llama3_parameters), with the paper's three attention masks and sliding windows.

What it does
------------
1. With fixed torch seeds, builds three small random checkpoints with each family's real tensor
   names and config.json fields, each in its own folder under tests/data/reference/:
     tiny_qwen2/   model_type "qwen2": D=48, FF=112, 2 layers, 6 heads / 2 kv heads (head_dim 8),
                   vocab 83, q/k/v biases (no o_proj bias), rope_theta 1e6, untied lm_head,
                   use_sliding_window true, sliding_window 4, max_window_layers 1 (layer 0 full,
                   layer 1 sliding: the window is shorter than the inputs, so it matters).
     tiny_qwen3/   model_type "qwen3": D=40, FF=96, 2 layers, 4 heads / 2 kv heads, head_dim 16
                   (not D / H), vocab 71, per-head q_norm / k_norm, no biases, tied embeddings.
     tiny_llama3/  model_type "llama": D=64, FF=128, 2 layers, 4 heads / 2 kv heads (head_dim 16),
                   vocab 61, rope_scaling {rope_type llama3, factor 8, low_freq_factor 1,
                   high_freq_factor 4, original_max_position_embeddings 256}: with theta 1e4 the
                   16-dim head has frequencies in all three llama3 bands (kept, smoothed, / 8).
   Each folder gets config.json and model.safetensors (F32).
2. Runs the decoder (float64 on the stored F32 weights) on two inputs per checkpoint ("s0": 9
   tokens, "s1": 5 tokens, BOS first, each alone) under four masks and writes
   reference.safetensors (F32) with the same tensors as make_reference.py:
     <s>.ids, <s>.<mode>.hidden [T, D], <s>.<mode>.logits [T, V], <s>.<mode>.attention [L,H,T,T]
   for <mode> in causal, bidirectional, decay0.5, decay2.0; plus
     rope.inv_freq  [head_dim / 2]  the inverse frequencies after rope scaling (float64 formula).
3. Self-checks: attention rows sum to 1; causal is 0 above the diagonal; the sliding window,
   the biases, q/k norm and llama3 scaling each change the outputs (> 1e-3 on logits) compared with
   the same forward without them, so a test that passes could not pass by ignoring them.

Masks (docs/design.md §2): scores = q k^T / sqrt(head_dim) + M, M[i][j] = 0 for j <= i and, for
j > i, causal -inf, bidirectional 0, decay -lambda * (j - i). A sliding window W (a layer with
layer index >= max_window_layers) also sets M[i][j] = -inf where |i - j| >= W, in every mode; for
causal that is exactly Hugging Face's sliding_window_overlay (kv_idx > q_idx - W).

Rerun (from the repository root; needs Debian's python3-torch, hence /usr/bin/python3):
    /usr/bin/python3 tests/reference/make_family_reference.py
"""

import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import read_safetensors, write_safetensors  # noqa: E402  (file format only)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_ROOT = os.path.normpath(os.path.join(HERE, "..", "data", "reference"))
MODES = [("causal", None), ("bidirectional", 0.0), ("decay0.5", 0.5), ("decay2.0", 2.0)]

CONFIGS = {
    "tiny_qwen2": dict(
        config=dict(
            architectures=["Qwen2ForCausalLM"], model_type="qwen2",
            hidden_size=48, intermediate_size=112, num_hidden_layers=2,
            num_attention_heads=6, num_key_value_heads=2, vocab_size=83,
            rms_norm_eps=1e-6, rope_theta=1000000.0, rope_scaling=None,
            tie_word_embeddings=False, use_sliding_window=True, sliding_window=4,
            max_window_layers=1, bos_token_id=1, eos_token_id=2),
        seed=2468, inputs={"s0": [1, 17, 42, 80, 5, 63, 28, 71, 3], "s1": [1, 50, 7, 82, 33]}),
    "tiny_qwen3": dict(
        config=dict(
            architectures=["Qwen3ForCausalLM"], model_type="qwen3",
            hidden_size=40, intermediate_size=96, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, head_dim=16, vocab_size=71,
            rms_norm_eps=1e-6, rope_theta=1000000.0, rope_scaling=None, attention_bias=False,
            tie_word_embeddings=True, use_sliding_window=False, sliding_window=None,
            max_window_layers=2, bos_token_id=1, eos_token_id=2),
        seed=1357, inputs={"s0": [1, 12, 70, 40, 3, 59, 21, 68, 33], "s1": [1, 44, 9, 65, 25]}),
    "tiny_llama3": dict(
        config=dict(
            architectures=["LlamaForCausalLM"], model_type="llama",
            hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, head_dim=16, vocab_size=61,
            rms_norm_eps=1e-5, rope_theta=10000.0,
            rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                          "high_freq_factor": 4.0, "original_max_position_embeddings": 256},
            tie_word_embeddings=False, attention_bias=False, bos_token_id=1, eos_token_id=2),
        seed=97531, inputs={"s0": [1, 11, 60, 30, 4, 55, 21, 48, 9], "s1": [1, 34, 8, 59, 23]}),
}


def hf_config(cfg):
    c = dict(cfg)
    c.update(hidden_act="silu", max_position_embeddings=2048, torch_dtype="float32",
             attention_dropout=0.0, initializer_range=0.02, use_cache=True, pad_token_id=None)
    return dict(sorted(c.items()))


def head_dim_of(c):
    return c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]


def options_of(c):
    """The architecture options as modeling_qwen2.py / modeling_qwen3.py / modeling_llama.py set
    them from the config (what the C++ family table must reproduce)."""
    t = c["model_type"]
    window = None
    full_layers = c["num_hidden_layers"]
    if t in ("qwen2", "qwen3") and c.get("use_sliding_window") and c.get("sliding_window"):
        window = c["sliding_window"]
        full_layers = c.get("max_window_layers", 28)
    bias = c.get("attention_bias", False)
    return dict(
        qkv_bias=True if t == "qwen2" else bias,   # Qwen2Attention: q/k/v bias=True
        o_bias=False if t == "qwen2" else bias,    # Qwen2Attention: o_proj bias=False
        qk_norm=(t == "qwen3"),                    # Qwen3Attention: q_norm, k_norm on head_dim
        window=window, full_layers=full_layers)


def make_weights(c, seed):
    g = torch.Generator().manual_seed(seed)
    D, F, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    H, KV, hd = c["num_attention_heads"], c["num_key_value_heads"], head_dim_of(c)
    o = options_of(c)

    def normal(shape, std):
        return torch.randn(shape, generator=g, dtype=torch.float32) * std

    def norm_w(n):
        return 1.0 + 0.1 * torch.randn(n, generator=g, dtype=torch.float32)

    w = {"model.embed_tokens.weight": normal((V, D), 0.5)}
    for i in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % i
        w[p + "self_attn.q_proj.weight"] = normal((H * hd, D), 0.15)
        w[p + "self_attn.k_proj.weight"] = normal((KV * hd, D), 0.15)
        w[p + "self_attn.v_proj.weight"] = normal((KV * hd, D), 0.05)
        w[p + "self_attn.o_proj.weight"] = normal((D, H * hd), 0.05)
        if o["qkv_bias"]:
            w[p + "self_attn.q_proj.bias"] = normal((H * hd,), 0.3)
            w[p + "self_attn.k_proj.bias"] = normal((KV * hd,), 0.3)
            w[p + "self_attn.v_proj.bias"] = normal((KV * hd,), 0.3)
        if o["o_bias"]:
            w[p + "self_attn.o_proj.bias"] = normal((D,), 0.3)
        if o["qk_norm"]:
            w[p + "self_attn.q_norm.weight"] = norm_w(hd) * 1.5
            w[p + "self_attn.k_norm.weight"] = norm_w(hd) * 1.5
        w[p + "mlp.gate_proj.weight"] = normal((F, D), 0.05)
        w[p + "mlp.up_proj.weight"] = normal((F, D), 0.05)
        w[p + "mlp.down_proj.weight"] = normal((D, F), 0.05)
        w[p + "input_layernorm.weight"] = norm_w(D)
        w[p + "post_attention_layernorm.weight"] = norm_w(D)
    w["model.norm.weight"] = norm_w(D)
    if not c["tie_word_embeddings"]:
        w["lm_head.weight"] = normal((V, D), 0.05)
    return w


def inv_freq_of(c, scaled=True):
    """modeling_rope_utils: default 1 / theta^(2i/dim); llama3 per _compute_llama3_parameters."""
    dim = head_dim_of(c)
    inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
    rs = c.get("rope_scaling")
    if not scaled or rs is None or rs.get("rope_type", rs.get("type")) == "default":
        return inv
    assert rs["rope_type"] == "llama3"
    factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    old = rs["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv
    llama = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * llama / factor + smooth * llama
    medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, llama)


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def mask_matrix(T, lam, window):
    M = torch.zeros(T, T, dtype=torch.float64)
    for i in range(T):
        for j in range(T):
            if window is not None and abs(i - j) >= window:
                M[i, j] = float("-inf")
            elif j > i:
                M[i, j] = float("-inf") if lam is None else -lam * (j - i)
    return M


def forward(c, w, ids, lam, opts=None, inv_freq=None):
    """One sentence, float64. Returns hidden [T,D], logits [T,V], attention [L,H,T,T]."""
    o = dict(options_of(c), **(opts or {}))
    W = {k: v.to(torch.float64) for k, v in w.items()}
    H, KV, hd = c["num_attention_heads"], c["num_key_value_heads"], head_dim_of(c)
    eps, T = c["rms_norm_eps"], len(ids)
    inv = inv_freq_of(c) if inv_freq is None else inv_freq
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()                                        # [T, hd]
    x = W["model.embed_tokens.weight"][torch.tensor(ids)]                  # [T, D]
    atts = []
    for layer in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        sliding = o["window"] is not None and layer >= o["full_layers"]
        M = mask_matrix(T, lam, o["window"] if sliding else None)

        def proj(name, inp, use_bias):
            y = inp @ W[p + name + ".weight"].T
            return y + W[p + name + ".bias"] if use_bias else y

        n = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        q = proj("self_attn.q_proj", n, o["qkv_bias"]).view(T, H, hd)
        k = proj("self_attn.k_proj", n, o["qkv_bias"]).view(T, KV, hd)
        v = proj("self_attn.v_proj", n, o["qkv_bias"]).view(T, KV, hd)
        if o["qk_norm"]:  # Qwen3: q_norm(q_proj(x).view(..., head_dim)) before rope
            q = rms_norm(q, W[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, W[p + "self_attn.k_norm.weight"], eps)
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)  # [heads, T, hd]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = H // KV
        outs, probs = [], []
        for h in range(H):
            scores = q[h] @ k[h // group].T / math.sqrt(hd) + M
            prob = torch.softmax(scores, dim=-1)
            probs.append(prob)
            outs.append(prob @ v[h // group])
        atts.append(torch.stack(probs))
        attn = torch.cat(outs, dim=-1)                                     # [T, H*hd]
        h_res = x + proj("self_attn.o_proj", attn, o["o_bias"])
        n2 = rms_norm(h_res, W[p + "post_attention_layernorm.weight"], eps)
        gate = n2 @ W[p + "mlp.gate_proj.weight"].T
        up = n2 @ W[p + "mlp.up_proj.weight"].T
        x = h_res + (torch.nn.functional.silu(gate) * up) @ W[p + "mlp.down_proj.weight"].T
    hidden = rms_norm(x, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if c["tie_word_embeddings"] else W["lm_head.weight"]
    return hidden, hidden @ head.T, torch.stack(atts)


def maxdiff(a, b):
    return (a - b).abs().max().item()


def build(name, spec):
    c = spec["config"]
    folder = os.path.join(OUT_ROOT, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(hf_config(c), f, indent=2)
        f.write("\n")
    weights = make_weights(c, spec["seed"])
    wpath = os.path.join(folder, "model.safetensors")
    write_safetensors(wpath, weights)
    weights, _ = read_safetensors(wpath)  # compute from exactly what is stored

    o = options_of(c)
    ref = {"rope.inv_freq": inv_freq_of(c).to(torch.float32)}
    effects = {}
    for s, ids in spec["inputs"].items():
        T = len(ids)
        ref[s + ".ids"] = torch.tensor(ids, dtype=torch.float32)
        for mode, lam in MODES:
            hid, log, att = forward(c, weights, ids, lam)
            ref["%s.%s.hidden" % (s, mode)] = hid.to(torch.float32)
            ref["%s.%s.logits" % (s, mode)] = log.to(torch.float32)
            ref["%s.%s.attention" % (s, mode)] = att.to(torch.float32)
            assert maxdiff(att.sum(-1), torch.ones_like(att[..., 0])) < 1e-12
            if lam is None:
                assert bool((att[..., torch.triu(torch.ones(T, T, dtype=torch.bool), 1)] == 0).all())
            # each option must matter, or a test could pass while ignoring it
            checks = []
            if o["window"] is not None and T > o["window"]:
                checks.append(("sliding window", {"window": None}, None))
            if o["qkv_bias"]:
                checks.append(("q/k/v biases", {"qkv_bias": False}, None))
            if o["qk_norm"]:
                checks.append(("q/k norm", {"qk_norm": False}, None))
            if c.get("rope_scaling"):
                checks.append(("llama3 rope scaling", None, inv_freq_of(c, scaled=False)))
            for what, opts, inv in checks:
                other = forward(c, weights, ids, lam, opts, inv)[1]
                effects[what] = min(effects.get(what, 1e9), maxdiff(other, log))
    for what, effect in effects.items():
        print("[%s] effect of %-20s on logits (smallest over inputs and modes): %.3e"
              % (name, what, effect))
        assert effect > 1e-3, what
    write_safetensors(os.path.join(folder, "reference.safetensors"), ref)
    print("[%s] %d weights, %d reference tensors" % (name, len(weights), len(ref)))


def main():
    torch.set_num_threads(1)
    for name, spec in CONFIGS.items():
        build(name, spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
