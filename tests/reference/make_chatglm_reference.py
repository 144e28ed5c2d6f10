#!/usr/bin/python3
"""Reference outputs for the chatglm family: an independent float64 ChatGLM2 decoder written from
THUDM's modeling_chatglm.py (ChatGLM2-6B / ChatGLM3-6B: GLMBlock, SelfAttention with the fused
query_key_value and multi-query groups, apply_rotary_pos_emb, swiglu, RMSNorm), with the paper's
three attention masks, and its checkpoint in the layout THUDM ships: pytorch_model.bin shards
written by torch.save.

What it does
------------
1. With a fixed torch seed, builds a small random ChatGLM2 checkpoint in
   tests/data/reference/tiny_chatglm2/:
     config.json   model_type "chatglm", ChatGLM2 field names: hidden_size 32, ffn_hidden_size 72,
                   num_layers 2, num_attention_heads 4, kv_channels 12 (so heads x kv_channels =
                   48 != hidden_size), multi_query_attention with multi_query_group_num 2,
                   padded_vocab_size 520, add_qkv_bias, rope_ratio 2 (RoPE base 20000),
                   layernorm_epsilon 1e-5.
     pytorch_model-00001-of-00002.bin, pytorch_model-00002-of-00002.bin and
     pytorch_model.bin.index.json   two shards as transformers' save_pretrained writes them
                   (plain dicts; the second also holds the rotary_pos_emb.inv_freq buffer).
     tokenizer.model + tokenizer_config.json   llama2.c's 512-piece tok512.model (MIT, from the
                   stories260K model) declared as a ChatGLMTokenizer: ids 512..516 are [MASK]
                   [gMASK] [sMASK] sop eop, and every input starts with [gMASK] sop.
   and tests/data/reference/tiny_chatglm2_single/: the same weights as ONE pytorch_model.bin
   saved from an OrderedDict with a `_metadata` attribute (what model.state_dict() gives), with
   transformer.output_layer.weight stored as a transposed view (non-contiguous strides), plus a
   copy of config.json.
2. Runs the decoder (float64 on the stored F32 weights) on two inputs ("s0": 9 tokens, "s1": 5,
   each starting with [gMASK] sop) under four masks and writes reference.safetensors (F32):
     <s>.ids, <s>.<mode>.hidden [T, D] (after final_layernorm), <s>.<mode>.logits [T, V],
     <s>.<mode>.attention [L, H, T, T]   for <mode> in causal, bidirectional, decay0.5, decay2.0;
     rope.inv_freq [kv_channels / 4]      ChatGLM's theta: 1 / (base^(2i / (kv_channels / 2))).
3. Self-checks: attention rows sum to 1; causal is 0 above the diagonal; the q/k/v biases, the
   interleaved pairing and the half-head rotation each change the logits by > 1e-3 compared with
   the same forward without them, so a test that passes could not pass by ignoring them.

Masks: scores = q k^T / sqrt(kv_channels) + M, M[i][j] = 0 for j <= i and, for j > i, causal
-inf, bidirectional 0, decay -lambda * (j - i) (ChatGLM's CoreAttention is causal; the other two
replace its mask as the paper does). apply_query_key_layer_scaling divides q by the layer number
and multiplies the scores back before the softmax, which is the identity in exact arithmetic.

Rerun (from the repository root; needs Debian's python3-torch, hence /usr/bin/python3):
    /usr/bin/python3 tests/reference/make_chatglm_reference.py
"""

import collections
import json
import math
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import write_safetensors  # noqa: E402  (file format only)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "data", "reference", "tiny_chatglm2")
OUT_SINGLE = OUT + "_single"
TOKENIZER = os.path.join(ROOT, "fuzz", "corpus", "tokenizer", "stories260k_tok512.model")
MODES = [("causal", None), ("bidirectional", 0.0), ("decay0.5", 0.5), ("decay2.0", 2.0)]

CONFIG = collections.OrderedDict(
    architectures=["ChatGLMModel"], model_type="chatglm",
    num_layers=2, hidden_size=32, ffn_hidden_size=72, num_attention_heads=4, kv_channels=12,
    multi_query_attention=True, multi_query_group_num=2, padded_vocab_size=520, seq_length=64,
    layernorm_epsilon=1e-5, rmsnorm=True, add_qkv_bias=True, add_bias_linear=False,
    apply_residual_connection_post_layernorm=False, post_layer_norm=True, original_rope=True,
    rope_ratio=2.0, apply_query_key_layer_scaling=True, attention_softmax_in_fp32=True,
    fp32_residual_connection=False, hidden_dropout=0.0, attention_dropout=0.0,
    eos_token_id=2, pad_token_id=0, torch_dtype="float32")
SEED = 8642
GMASK, SOP = 513, 515  # 512 sentencepiece pieces, then [MASK] [gMASK] [sMASK] sop eop
INPUTS = {"s0": [GMASK, SOP, 17, 402, 80, 5, 263, 28, 71], "s1": [GMASK, SOP, 50, 7, 482]}


def make_weights(c):
    g = torch.Generator().manual_seed(SEED)
    D, F, V = c["hidden_size"], c["ffn_hidden_size"], c["padded_vocab_size"]
    H, G, hd = c["num_attention_heads"], c["multi_query_group_num"], c["kv_channels"]

    def normal(shape, std):
        return torch.randn(shape, generator=g, dtype=torch.float32) * std

    def norm_w(n):
        return 1.0 + 0.1 * torch.randn(n, generator=g, dtype=torch.float32)

    w = {"transformer.embedding.word_embeddings.weight": normal((V, D), 0.5)}
    for i in range(c["num_layers"]):
        p = "transformer.encoder.layers.%d." % i
        w[p + "input_layernorm.weight"] = norm_w(D)
        w[p + "self_attention.query_key_value.weight"] = normal((H * hd + 2 * G * hd, D), 0.2)
        w[p + "self_attention.query_key_value.bias"] = normal((H * hd + 2 * G * hd,), 0.3)
        w[p + "self_attention.dense.weight"] = normal((D, H * hd), 0.05)
        w[p + "post_attention_layernorm.weight"] = norm_w(D)
        w[p + "mlp.dense_h_to_4h.weight"] = normal((2 * F, D), 0.05)
        w[p + "mlp.dense_4h_to_h.weight"] = normal((D, F), 0.05)
    w["transformer.encoder.final_layernorm.weight"] = norm_w(D)
    w["transformer.output_layer.weight"] = normal((V, D), 0.05)
    return w


def inv_freq_of(c):
    """RotaryEmbedding(dim = kv_channels // 2).forward_impl: base = 10000 * rope_ratio."""
    n_elem = c["kv_channels"] // 2
    base = 10000.0 * c["rope_ratio"]
    return 1.0 / (base ** (torch.arange(0, n_elem, 2, dtype=torch.float64) / n_elem))


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def apply_rotary_pos_emb(x, cos, sin, interleaved=True, rot_dim=None):
    """modeling_chatglm.apply_rotary_pos_emb on x [T, heads, hd]: the first rot_dim dims turn in
    adjacent pairs (x[2i], x[2i+1]); the rest pass. The variants exist for the self-checks."""
    T, n, hd = x.shape
    rot = rot_dim if rot_dim is not None else cos.shape[-1] * 2
    x_rot, x_pass = x[..., :rot], x[..., rot:]
    if interleaved:
        xs = x_rot.reshape(T, n, rot // 2, 2)
        c, s = cos[:, None, : rot // 2], sin[:, None, : rot // 2]
        out = torch.stack([xs[..., 0] * c - xs[..., 1] * s, xs[..., 1] * c + xs[..., 0] * s], -1)
        out = out.flatten(2)
    else:  # rotate-half pairing, for the self-check only
        h = rot // 2
        c = torch.cat([cos[:, None, :h]] * 2, -1)
        s = torch.cat([sin[:, None, :h]] * 2, -1)
        out = x_rot * c + torch.cat([-x_rot[..., h:], x_rot[..., :h]], -1) * s
    return torch.cat([out, x_pass], -1)


def mask_matrix(T, lam):
    M = torch.zeros(T, T, dtype=torch.float64)
    for i in range(T):
        for j in range(i + 1, T):
            M[i, j] = float("-inf") if lam is None else -lam * (j - i)
    return M


def forward(c, w, ids, lam, qkv_bias=True, interleaved=True, full_rotation=False):
    """One sentence, float64. Returns hidden [T,D], logits [T,V], attention [L,H,T,T]."""
    W = {k: v.to(torch.float64) for k, v in w.items()}
    H, G, hd = c["num_attention_heads"], c["multi_query_group_num"], c["kv_channels"]
    eps, T = c["layernorm_epsilon"], len(ids)
    inv = inv_freq_of(c)
    if full_rotation:  # every head dim turns (self-check only)
        base = 10000.0 * c["rope_ratio"]
        inv = 1.0 / (base ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    angles = torch.outer(torch.arange(T, dtype=torch.float64), inv)  # [T, rot/2]
    cos, sin = angles.cos(), angles.sin()
    rot_dim = 2 * inv.shape[0]
    M = mask_matrix(T, lam)
    x = W["transformer.embedding.word_embeddings.weight"][torch.tensor(ids)]  # [T, D]
    atts = []
    for layer in range(c["num_layers"]):
        p = "transformer.encoder.layers.%d." % layer
        n = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        mixed = n @ W[p + "self_attention.query_key_value.weight"].T
        if qkv_bias:
            mixed = mixed + W[p + "self_attention.query_key_value.bias"]
        q, k, v = mixed.split([H * hd, G * hd, G * hd], dim=-1)
        q, k, v = q.view(T, H, hd), k.view(T, G, hd), v.view(T, G, hd)
        q = apply_rotary_pos_emb(q, cos, sin, interleaved, rot_dim)
        k = apply_rotary_pos_emb(k, cos, sin, interleaved, rot_dim)
        # key_layer.unsqueeze(-2).expand(..., np // ng, ...): head h reads group h // (H / G)
        per_group = H // G
        outs, probs = [], []
        for h in range(H):
            coeff = layer + 1  # apply_query_key_layer_scaling: q / (sqrt(hd) * coeff), x coeff
            scores = (q[:, h] / (math.sqrt(hd) * coeff)) @ k[:, h // per_group].T * coeff + M
            prob = torch.softmax(scores, dim=-1)
            probs.append(prob)
            outs.append(prob @ v[:, h // per_group])
        atts.append(torch.stack(probs))
        context = torch.cat(outs, dim=-1)  # [T, H*hd]
        x = x + context @ W[p + "self_attention.dense.weight"].T
        n2 = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        gate, up = torch.chunk(n2 @ W[p + "mlp.dense_h_to_4h.weight"].T, 2, dim=-1)  # swiglu
        x = x + (torch.nn.functional.silu(gate) * up) @ W[p + "mlp.dense_4h_to_h.weight"].T
    hidden = rms_norm(x, W["transformer.encoder.final_layernorm.weight"], eps)
    return hidden, hidden @ W["transformer.output_layer.weight"].T, torch.stack(atts)


def maxdiff(a, b):
    return (a - b).abs().max().item()


def write_folder_files(folder):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
        f.write("\n")


def save_shards(weights):
    """Two plain-dict shards and their index, as transformers' save_pretrained writes them."""
    first = {k: v for k, v in weights.items()
             if k.startswith("transformer.embedding") or ".layers.0." in k}
    second = {k: v for k, v in weights.items() if k not in first}
    second["transformer.rotary_pos_emb.inv_freq"] = inv_freq_of(CONFIG).to(torch.float32)
    names = ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"]
    weight_map = {}
    for name, shard in zip(names, [first, second]):
        torch.save(shard, os.path.join(OUT, name))
        weight_map.update({k: name for k in shard})
    total = sum(v.numel() * v.element_size() for v in weights.values())
    with open(os.path.join(OUT, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))},
                  f, indent=2)
        f.write("\n")


def save_single(weights):
    """One pytorch_model.bin from an OrderedDict with _metadata, the output layer transposed."""
    write_folder_files(OUT_SINGLE)
    state = collections.OrderedDict()
    for k, v in weights.items():
        state[k] = v.t().contiguous().t() if k == "transformer.output_layer.weight" else v
    assert not state["transformer.output_layer.weight"].is_contiguous()
    state._metadata = collections.OrderedDict([("", {"version": 1}), ("transformer", {"version": 1})])
    torch.save(state, os.path.join(OUT_SINGLE, "pytorch_model.bin"))


def main():
    torch.set_num_threads(1)
    write_folder_files(OUT)
    shutil.copyfile(TOKENIZER, os.path.join(OUT, "tokenizer.model"))
    with open(os.path.join(OUT, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "ChatGLMTokenizer", "remove_space": False,
                   "do_lower_case": False, "padding_side": "left"}, f, indent=2)
        f.write("\n")
    weights = make_weights(CONFIG)
    save_shards(weights)
    save_single(weights)

    ref = {"rope.inv_freq": inv_freq_of(CONFIG).to(torch.float32)}
    effects = {}
    for s, ids in INPUTS.items():
        T = len(ids)
        ref[s + ".ids"] = torch.tensor(ids, dtype=torch.float32)
        for mode, lam in MODES:
            hid, log, att = forward(CONFIG, weights, ids, lam)
            ref["%s.%s.hidden" % (s, mode)] = hid.to(torch.float32)
            ref["%s.%s.logits" % (s, mode)] = log.to(torch.float32)
            ref["%s.%s.attention" % (s, mode)] = att.to(torch.float32)
            assert maxdiff(att.sum(-1), torch.ones_like(att[..., 0])) < 1e-12
            if lam is None:
                assert bool((att[..., torch.triu(torch.ones(T, T, dtype=torch.bool), 1)] == 0).all())
            for what, opts in [("q/k/v biases", dict(qkv_bias=False)),
                               ("interleaved pairs", dict(interleaved=False)),
                               ("half-head rotation", dict(full_rotation=True))]:
                other = forward(CONFIG, weights, ids, lam, **opts)[1]
                effects[what] = min(effects.get(what, 1e9), maxdiff(other, log))
    for what, effect in effects.items():
        print("[tiny_chatglm2] effect of %-20s on logits (smallest over inputs and modes): %.3e"
              % (what, effect))
        assert effect > 1e-3, what
    write_safetensors(os.path.join(OUT, "reference.safetensors"), ref)
    print("[tiny_chatglm2] %d weights, %d reference tensors" % (len(weights), len(ref)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
