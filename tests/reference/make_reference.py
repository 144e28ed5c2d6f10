#!/usr/bin/python3
"""Reference outputs for the C++ decoder: an independent plain-PyTorch LLaMA decoder.

What it does
------------
1. With fixed torch seeds, builds two small random Hugging Face style checkpoints and writes each
   into its own folder under tests/data/reference/:
     tiny_llama/    model_type "llama",   D=64, FF=160, 2 layers, 4 heads / 2 kv heads (head_dim 16),
                    vocab 101, eps 1e-5, rope_theta 1e4, no rope scaling, untied lm_head.
     tiny_mistral/  model_type "mistral", D=48, FF=96, 3 layers, 6 heads / 2 kv heads (head_dim 8),
                    vocab 77, eps 1e-6, rope_theta 5e5, rope_scaling linear x2, tied lm_head.
   Each folder gets config.json and model.safetensors (F32), written here with struct + json
   (no safetensors / transformers packages) and read back to check the round trip bit for bit.
2. Runs the decoder (written out below, Hugging Face LlamaModel semantics, float64 internally on
   the stored F32 weights) on two fixed inputs per checkpoint ("s0": 9 tokens, "s1": 5 tokens,
   BOS id 1 first, each alone without padding) under four attention masks, and writes
   reference.safetensors (F32) into the same folder with tensors:
     <s>.ids                 [T]          token ids as F32 values
     <s>.<mode>.hidden       [T, D]       after the final norm (model.norm)
     <s>.<mode>.logits       [T, V]       lm_head (or embed_tokens when tied)
     <s>.<mode>.attention    [L, H, T, T] attention probabilities, per layer and query head
   with <s> in {s0, s1} and <mode> in {causal, bidirectional, decay0.5, decay2.0}.
3. Self-checks and prints: rows of attention sum to 1; causal attention is exactly 0 above the
   diagonal; decay lambda=60 equals causal (<= 1e-6); decay lambda=0 equals bidirectional;
   causal outputs of a prefix equal the first rows of the full sequence; a second, vectorized
   float32 forward (HF eager style) agrees with the float64 one (< 1e-5); the masks change the
   outputs visibly (> 1e-3).

The mask (docs/design.md §2, Eq. 6-7): scores = q k^T / sqrt(head_dim) + M with M[i][j] = 0 for
j <= i and, for j > i, causal: -inf, bidirectional: 0, decay(lambda): -lambda * (j - i).

Rerun (from the repository root; needs Debian's python3-torch, hence /usr/bin/python3):
    /usr/bin/python3 tests/reference/make_reference.py
The output is deterministic for a given torch build (torch.Generator with fixed seeds).
"""

import json
import math
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_ROOT = os.path.normpath(os.path.join(HERE, "..", "data", "reference"))

MODES = [("causal", None), ("bidirectional", 0.0), ("decay0.5", 0.5), ("decay2.0", 2.0)]

# --------------------------------------------------------------------------------------------
# safetensors (F32 only), written and read by hand
# --------------------------------------------------------------------------------------------


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: float32 tensor}. Data in sorted name order, contiguous, little-endian."""
    header = {"__metadata__": dict(metadata or {"format": "pt"})}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous().cpu()
        flat = t.reshape(-1).tolist()
        blob = struct.pack("<%df" % len(flat), *flat)
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)  # pad with spaces to a multiple of 8
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    """Returns ({name: float32 tensor}, metadata). Validates offsets and sizes."""
    with open(path, "rb") as f:
        raw = f.read()
    (hlen,) = struct.unpack("<Q", raw[:8])
    if hlen % 8 != 0 or 8 + hlen > len(raw):
        raise ValueError("%s: bad header length %d" % (path, hlen))
    header = json.loads(raw[8:8 + hlen].decode("utf-8"))
    data = raw[8 + hlen:]
    metadata = header.pop("__metadata__", None)
    out = {}
    expected = 0
    for name in sorted(header, key=lambda n: header[n]["data_offsets"][0]):
        info = header[name]
        if info["dtype"] != "F32":
            raise ValueError("%s: %s has dtype %s" % (path, name, info["dtype"]))
        b, e = info["data_offsets"]
        n = 1
        for s in info["shape"]:
            n *= s
        if b != expected or e - b != 4 * n:
            raise ValueError("%s: %s has bad data_offsets %s" % (path, name, info["data_offsets"]))
        expected = e
        vals = struct.unpack("<%df" % n, data[b:e])
        out[name] = torch.tensor(vals, dtype=torch.float32).reshape(info["shape"])
    if expected != len(data):
        raise ValueError("%s: %d trailing bytes" % (path, len(data) - expected))
    return out, metadata


# --------------------------------------------------------------------------------------------
# checkpoints
# --------------------------------------------------------------------------------------------

CONFIGS = {
    "tiny_llama": dict(
        architectures=["LlamaForCausalLM"], model_type="llama",
        hidden_size=64, intermediate_size=160, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, vocab_size=101,
        rms_norm_eps=1e-5, rope_theta=10000.0, rope_scaling=None,
        tie_word_embeddings=False, bos_token_id=1, eos_token_id=2,
        seed=1234, inputs={"s0": [1, 17, 42, 100, 5, 63, 28, 81, 3], "s1": [1, 50, 7, 99, 33]}),
    "tiny_mistral": dict(
        architectures=["MistralForCausalLM"], model_type="mistral",
        hidden_size=48, intermediate_size=96, num_hidden_layers=3,
        num_attention_heads=6, num_key_value_heads=2, head_dim=8, vocab_size=77,
        rms_norm_eps=1e-6, rope_theta=500000.0, rope_scaling={"type": "linear", "factor": 2.0},
        tie_word_embeddings=True, bos_token_id=1, eos_token_id=2, sliding_window=None,
        seed=5678, inputs={"s0": [1, 12, 76, 40, 3, 59, 21, 68, 33], "s1": [1, 44, 9, 75, 25]}),
}

SCRIPT_ONLY_KEYS = ("seed", "inputs")


def hf_config(cfg):
    c = {k: v for k, v in cfg.items() if k not in SCRIPT_ONLY_KEYS}
    c.update(hidden_act="silu", max_position_embeddings=256, torch_dtype="float32",
             attention_bias=False, attention_dropout=0.0, initializer_range=0.02,
             use_cache=True, pad_token_id=None)
    return dict(sorted(c.items()))


def make_weights(cfg):
    g = torch.Generator().manual_seed(cfg["seed"])
    D, F, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = D // H
    assert hd == cfg["head_dim"]

    def normal(shape, std):
        return torch.randn(shape, generator=g, dtype=torch.float32) * std

    def norm_w(n):
        return 1.0 + 0.1 * torch.randn(n, generator=g, dtype=torch.float32)

    w = {"model.embed_tokens.weight": normal((V, D), 0.5)}
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        w[p + "self_attn.q_proj.weight"] = normal((H * hd, D), 0.15)
        w[p + "self_attn.k_proj.weight"] = normal((KV * hd, D), 0.15)
        w[p + "self_attn.v_proj.weight"] = normal((KV * hd, D), 0.02)
        w[p + "self_attn.o_proj.weight"] = normal((D, H * hd), 0.02)
        w[p + "mlp.gate_proj.weight"] = normal((F, D), 0.02)
        w[p + "mlp.up_proj.weight"] = normal((F, D), 0.02)
        w[p + "mlp.down_proj.weight"] = normal((D, F), 0.02)
        w[p + "input_layernorm.weight"] = norm_w(D)
        w[p + "post_attention_layernorm.weight"] = norm_w(D)
    w["model.norm.weight"] = norm_w(D)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = normal((V, D), 0.02)
    return w


# --------------------------------------------------------------------------------------------
# the decoder, written out (float64)
# --------------------------------------------------------------------------------------------


def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(T, head_dim, theta, scaling):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    t = torch.arange(T, dtype=torch.float64)
    if scaling is not None:
        assert scaling["type"] == "linear"
        t = t / scaling["factor"]
    freqs = torch.outer(t, inv_freq)                # [T, hd/2]
    emb = torch.cat((freqs, freqs), dim=-1)         # [T, hd]
    return emb.cos(), emb.sin()


def mask_matrix(T, lam):
    """M[i][j]: 0 for j <= i; for j > i: -inf (lam None = causal) or -lam * (j - i)."""
    i = torch.arange(T).view(T, 1)
    j = torch.arange(T).view(1, T)
    d = (j - i).to(torch.float64)
    if lam is None:
        return torch.where(j > i, torch.tensor(float("-inf"), dtype=torch.float64),
                           torch.tensor(0.0, dtype=torch.float64))
    return torch.where(j > i, -lam * d, torch.zeros_like(d))


def forward(cfg, w, ids, lam):
    """ids: list of ints (one sentence, no padding). Returns hidden [T,D], logits [T,V],
    attention [L,H,T,T], all float64."""
    W = {k: v.to(torch.float64) for k, v in w.items()}
    D, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = D // H
    eps = cfg["rms_norm_eps"]
    T = len(ids)
    cos, sin = rope_cos_sin(T, hd, cfg["rope_theta"], cfg["rope_scaling"])  # [T, hd]
    M = mask_matrix(T, lam)                                                # [T, T]

    x = W["model.embed_tokens.weight"][torch.tensor(ids)]                  # [T, D]
    attn_all = []
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        n = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        q = (n @ W[p + "self_attn.q_proj.weight"].T).view(T, H, hd).transpose(0, 1)   # [H,T,hd]
        k = (n @ W[p + "self_attn.k_proj.weight"].T).view(T, KV, hd).transpose(0, 1)  # [KV,T,hd]
        v = (n @ W[p + "self_attn.v_proj.weight"].T).view(T, KV, hd).transpose(0, 1)  # [KV,T,hd]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = H // KV
        heads_out, heads_p = [], []
        for h in range(H):
            kh, vh = k[h // group], v[h // group]                          # [T, hd]
            scores = q[h] @ kh.T / math.sqrt(hd) + M                       # [T, T]
            prob = torch.softmax(scores, dim=-1)
            heads_p.append(prob)
            heads_out.append(prob @ vh)                                    # [T, hd]
        attn_all.append(torch.stack(heads_p))                              # [H, T, T]
        o = torch.cat(heads_out, dim=-1)                                   # [T, H*hd]
        h_res = x + o @ W[p + "self_attn.o_proj.weight"].T
        n2 = rms_norm(h_res, W[p + "post_attention_layernorm.weight"], eps)
        gate = n2 @ W[p + "mlp.gate_proj.weight"].T
        up = n2 @ W[p + "mlp.up_proj.weight"].T
        x = h_res + (torch.nn.functional.silu(gate) * up) @ W[p + "mlp.down_proj.weight"].T
    hidden = rms_norm(x, W["model.norm.weight"], eps)                      # [T, D]
    head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    logits = hidden @ head.T                                               # [T, V]
    return hidden, logits, torch.stack(attn_all)                           # [L, H, T, T]


def forward_f32_vectorized(cfg, w, ids, lam):
    """A second, differently written forward in float32 (all heads at once, kv heads expanded
    with repeat_interleave, additive mask broadcast), as HF's eager attention does. Used only to
    cross-check forward() and to show that an F32 engine lands well inside 1e-4."""
    D, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps, T = D // H, cfg["rms_norm_eps"], len(ids)
    cos, sin = (c.to(torch.float32) for c in
                rope_cos_sin(T, hd, cfg["rope_theta"], cfg["rope_scaling"]))
    M = mask_matrix(T, lam).to(torch.float32)
    lin = torch.nn.functional.linear
    x = torch.nn.functional.embedding(torch.tensor(ids), w["model.embed_tokens.weight"])
    atts = []
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        n = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = lin(n, w[p + "self_attn.q_proj.weight"]).view(T, H, hd).transpose(0, 1)
        k = lin(n, w[p + "self_attn.k_proj.weight"]).view(T, KV, hd).transpose(0, 1)
        v = lin(n, w[p + "self_attn.v_proj.weight"]).view(T, KV, hd).transpose(0, 1)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=0)                            # [H, T, hd]
        v = v.repeat_interleave(H // KV, dim=0)
        prob = torch.softmax(torch.matmul(q, k.transpose(1, 2)) / math.sqrt(hd) + M, dim=-1)
        atts.append(prob)
        o = torch.matmul(prob, v).transpose(0, 1).reshape(T, D)
        h = x + lin(o, w[p + "self_attn.o_proj.weight"])
        n2 = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        x = h + lin(torch.nn.functional.silu(lin(n2, w[p + "mlp.gate_proj.weight"]))
                    * lin(n2, w[p + "mlp.up_proj.weight"]), w[p + "mlp.down_proj.weight"])
    hidden = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return hidden, lin(hidden, head), torch.stack(atts)


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------


def maxdiff(a, b):
    return (a - b).abs().max().item()


def build(name, cfg):
    folder = os.path.join(OUT_ROOT, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(hf_config(cfg), f, indent=2)
        f.write("\n")

    weights = make_weights(cfg)
    wpath = os.path.join(folder, "model.safetensors")
    write_safetensors(wpath, weights)
    back, meta = read_safetensors(wpath)
    assert meta == {"format": "pt"}
    assert sorted(back) == sorted(weights)
    for k in weights:
        assert back[k].shape == weights[k].shape and torch.equal(back[k], weights[k]), k
    print("[%s] model.safetensors round trip: %d tensors, bit-exact" % (name, len(weights)))
    weights = back  # compute from exactly what is stored

    ref = {}
    checks = {}
    visible = []  # per input: max |bidirectional - causal| and |decay0.5 - decay2.0| logits

    def note(key, value):
        checks[key] = max(checks.get(key, 0.0), value)

    for s, ids in cfg["inputs"].items():
        assert ids[0] == cfg["bos_token_id"]
        assert all(3 <= t < cfg["vocab_size"] for t in ids[1:])
        T = len(ids)
        ref[s + ".ids"] = torch.tensor(ids, dtype=torch.float32)
        outs = {}
        for mode, lam in MODES:
            hid, log, att = forward(cfg, weights, ids, lam)
            outs[mode] = (hid, log, att)
            ref["%s.%s.hidden" % (s, mode)] = hid.to(torch.float32)
            ref["%s.%s.logits" % (s, mode)] = log.to(torch.float32)
            ref["%s.%s.attention" % (s, mode)] = att.to(torch.float32)
            note("attention row sum |1 - sum|", maxdiff(att.sum(-1), torch.ones_like(att[..., 0])))
            f32 = forward_f32_vectorized(cfg, weights, ids, lam)
            for a, b, what in zip(f32, (hid, log, att), ("hidden", "logits", "attention")):
                note("f32 vectorized vs f64 reference (%s)" % what, maxdiff(a.double(), b))
        upper = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        causal_att = outs["causal"][2]
        note("causal |p| above diagonal", causal_att[..., upper].abs().max().item())
        assert bool((causal_att[..., upper] == 0).all())

        c60 = forward(cfg, weights, ids, 60.0)
        for a, b, what in zip(c60, outs["causal"], ("hidden", "logits", "attention")):
            note("decay60 vs causal (%s)" % what, maxdiff(a, b))
        c0 = forward(cfg, weights, ids, 0.0)
        for a, b, what in zip(c0, outs["bidirectional"], ("hidden", "logits", "attention")):
            note("decay0 vs bidirectional (%s)" % what, maxdiff(a, b))
        # causal prefix property: the first k rows do not see later tokens
        k = T - 2
        pre = forward(cfg, weights, ids[:k], None)
        note("causal prefix vs full (logits)", maxdiff(pre[1], outs["causal"][1][:k]))
        # the masks make visible differences
        visible.append(maxdiff(outs["bidirectional"][1], outs["causal"][1]))
        visible.append(maxdiff(outs["decay0.5"][1], outs["decay2.0"][1]))

    rpath = os.path.join(folder, "reference.safetensors")
    write_safetensors(rpath, ref)
    rback, _ = read_safetensors(rpath)
    for k in ref:
        assert torch.equal(rback[k], ref[k]), k

    print("[%s] self-checks (max |difference| over inputs and modes):" % name)
    for key, val in checks.items():
        print("    %-44s %.3e" % (key, val))
    print("    %-44s %.3e" % ("mask effect on logits (smallest, should be big)", min(visible)))
    assert checks["attention row sum |1 - sum|"] < 1e-12
    assert checks["causal |p| above diagonal"] == 0.0
    for what in ("hidden", "logits", "attention"):
        assert checks["decay60 vs causal (%s)" % what] < 1e-6
        assert checks["decay0 vs bidirectional (%s)" % what] == 0.0
    assert checks["causal prefix vs full (logits)"] < 1e-10
    for what in ("hidden", "logits", "attention"):
        assert checks["f32 vectorized vs f64 reference (%s)" % what] < 1e-5
    assert min(visible) > 1e-3

    print("[%s] reference.safetensors:" % name)
    for k in sorted(ref):
        print("    %-28s %s" % (k, list(ref[k].shape)))
    return ref


def main():
    torch.set_num_threads(1)
    for name, cfg in CONFIGS.items():
        build(name, cfg)
    total = 0
    for root, _, files in os.walk(OUT_ROOT):
        for fn in files:
            total += os.path.getsize(os.path.join(root, fn))
    print("total size of %s: %d bytes" % (OUT_ROOT, total))
    assert total < 1_000_000
    return 0


if __name__ == "__main__":
    sys.exit(main())
