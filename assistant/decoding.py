"""A lean decoder for Llama-style models (SmolLM2 is one), for serving on a CPU.

transformers' `generate` spends much of each token in Python: mask building, logits
processors, a streamer thread, and seven separate linear layers per block. With a 135M model
that overhead is as large as the matrix work. `LlamaDecoder` runs the same weights with:
- q/k/v fused into one linear layer and gate/up into another (4 matmuls a block, not 7);
- a key/value cache preallocated once (no concatenation per token);
- rotary tables computed once by the model's own rotary module;
- optionally int8 dynamic quantisation of every linear layer, the LM head included (the
  head is tied to the 49k x 576 embedding; the quantised copy unties it).

It reads the weights of a `LlamaForCausalLM` (after any adapter is merged) and can then
replace it. `supports(model)` tells whether a model fits; others use transformers' forward.
"""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F
from torch import nn


def supports(model: nn.Module) -> bool:
    """True for a plain Llama causal LM: no biases, SiLU MLP, no sliding window."""
    config = getattr(model, "config", None)
    return (
        config is not None
        and getattr(config, "model_type", "") == "llama"
        and not getattr(config, "attention_bias", False)
        and not getattr(config, "mlp_bias", False)
        and getattr(config, "hidden_act", "") == "silu"
        and hasattr(model, "model")
        and hasattr(model.model, "layers")
    )


class _Block(nn.Module):
    def __init__(self, layer, eps: float) -> None:
        super().__init__()
        attn, mlp = layer.self_attn, layer.mlp
        self.qkv = _fused([attn.q_proj, attn.k_proj, attn.v_proj])
        self.o = _copy_linear(attn.o_proj)
        self.gate_up = _fused([mlp.gate_proj, mlp.up_proj])
        self.down = _copy_linear(mlp.down_proj)
        self.norm1 = layer.input_layernorm.weight.detach().clone()
        self.norm2 = layer.post_attention_layernorm.weight.detach().clone()
        self.eps = eps
        self.q_size = attn.q_proj.out_features
        self.kv_size = attn.k_proj.out_features
        self.inter = mlp.up_proj.out_features


def _copy_linear(linear: nn.Linear) -> nn.Linear:
    out = nn.Linear(linear.in_features, linear.out_features, bias=False)
    out.weight = nn.Parameter(linear.weight.detach().clone(), requires_grad=False)
    return out


def _fused(linears: list[nn.Linear]) -> nn.Linear:
    weight = torch.cat([lin.weight.detach() for lin in linears], dim=0)
    out = nn.Linear(weight.shape[1], weight.shape[0], bias=False)
    out.weight = nn.Parameter(weight, requires_grad=False)
    return out


def _rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Llama's rotary embedding; x (B, H, T, D), cos/sin (T, D)."""
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rotated * sin


class KVCache:
    """Keys and values of one sequence, preallocated and grown by doubling when needed.

    Positions 0..n-1 of a cache that holds a prompt prefix stay valid while later positions
    are overwritten by each new prompt that starts with that prefix: no copy per turn.
    """

    def __init__(self, layers: int, kv_heads: int, head_dim: int, capacity: int = 512) -> None:
        self.shape = (1, kv_heads, capacity, head_dim)
        self.keys = [torch.zeros(self.shape) for _ in range(layers)]
        self.values = [torch.zeros(self.shape) for _ in range(layers)]

    @property
    def capacity(self) -> int:
        return self.keys[0].shape[2]

    def reserve(self, length: int, limit: int) -> None:
        """Make room for `length` positions (at most `limit`), keeping what is stored."""
        if length > limit:
            raise ValueError(f"sequence of {length} tokens exceeds the model's {limit}")
        if length <= self.capacity:
            return
        size = min(max(length, 2 * self.capacity), limit)
        for store in (self.keys, self.values):
            for i, old in enumerate(store):
                new = torch.zeros(old.shape[0], old.shape[1], size, old.shape[3])
                new[:, :, : old.shape[2]] = old
                store[i] = new


class LlamaDecoder(nn.Module):
    """Forward passes of a Llama model, one sequence at a time, over a `KVCache`."""

    def __init__(self, model: nn.Module, quantize: bool = False, consume: bool = False) -> None:
        """Copy (and with `quantize`, int8-quantise) the weights of `model`.

        consume=True empties each of the model's layers once copied, so that loading never
        holds two float copies of the model at once; the model is unusable afterwards.
        """
        super().__init__()
        if not supports(model):
            raise ValueError(f"LlamaDecoder needs a Llama causal LM, got {type(model).__name__}")
        config = model.config
        self.eps = config.rms_norm_eps
        # A copy: the loaded weights may be a memory-mapped file, released only when no
        # tensor refers to it any more.
        self.embed = model.model.embed_tokens.weight.detach().clone()
        self.quantized = quantize
        self.blocks = nn.ModuleList()
        for layer in model.model.layers:
            self.blocks.append(self._maybe_quantize(_Block(layer, self.eps)))
            if consume:
                for param in layer.parameters():
                    param.data = torch.empty(0)
        self.final_norm = model.model.norm.weight.detach().clone()
        self.lm_head = self._maybe_quantize(_copy_linear(model.lm_head))  # untied: own copy
        self.heads = config.num_attention_heads
        self.kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // self.heads
        self.max_len = config.max_position_embeddings
        self._rotary = model.model.rotary_emb
        self.cos = self.sin = torch.zeros(0, self.head_dim)
        self._extend_rotary(1024)

    def _maybe_quantize(self, module: nn.Module) -> nn.Module:
        """int8 dynamic quantisation of the module's linear layers, when asked for."""
        if not self.quantized:
            return module
        # torch 2.13 still ships it but warns that it moved to torchao (not a dependency
        # here); the warnings would only alarm operators at every start.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            wrapper = nn.Sequential(module)  # quantize_dynamic swaps children, not the root
            # One scale per output row: one per matrix (the default) garbles this small
            # model's replies (bench/results/speed.md).
            qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
            torch.ao.quantization.quantize_dynamic(
                wrapper, {nn.Linear: qconfig}, dtype=torch.qint8, inplace=True
            )
        return wrapper[0]

    def _extend_rotary(self, length: int) -> None:
        """Rotary cos/sin tables (length, D) from the model's own rotary module."""
        if length <= len(self.cos):
            return
        length = min(max(length, 2 * len(self.cos)), self.max_len)
        with torch.no_grad():
            cos, sin = self._rotary(torch.zeros(1, 1, self.head_dim), torch.arange(length)[None])
        self.cos, self.sin = cos[0], sin[0]

    def new_cache(self) -> KVCache:
        return KVCache(len(self.blocks), self.kv_heads, self.head_dim)

    @torch.inference_mode()
    def forward(
        self, ids: list[int], cache: KVCache, start: int, last_only: bool = True
    ) -> torch.Tensor:
        """Logits for token `ids` placed at positions start..start+T-1 of `cache`.

        Returns (vocab,) for the last position when last_only, else (T, vocab).
        """
        length = len(ids)
        end = start + length
        cache.reserve(end, self.max_len)
        self._extend_rotary(end)
        x = F.embedding(torch.tensor([ids]), self.embed)  # (1, T, C)
        cos, sin = self.cos[start:end], self.sin[start:end]
        mask = None
        if length > 1:  # a prompt chunk: causal within it, all of the cache before it
            mask = torch.ones(length, end, dtype=torch.bool).tril(diagonal=start)
        for i, block in enumerate(self.blocks):
            h = _rms_norm(x, block.norm1, self.eps)
            q, k, v = block.qkv(h).split([block.q_size, block.kv_size, block.kv_size], dim=-1)
            q = _rotate(q.view(1, length, self.heads, -1).transpose(1, 2), cos, sin)
            k = _rotate(k.view(1, length, self.kv_heads, -1).transpose(1, 2), cos, sin)
            cache.keys[i][:, :, start:end] = k
            cache.values[i][:, :, start:end] = v.view(1, length, self.kv_heads, -1).transpose(1, 2)
            attn = F.scaled_dot_product_attention(
                q,
                cache.keys[i][:, :, :end],
                cache.values[i][:, :, :end],
                attn_mask=mask,
                enable_gqa=True,
            )
            x = x + block.o(attn.transpose(1, 2).reshape(1, length, -1))
            h = _rms_norm(x, block.norm2, self.eps)
            gate, up = block.gate_up(h).split([block.inter, block.inter], dim=-1)
            x = x + block.down(F.silu(gate) * up)
        x = x[0, -1:] if last_only else x[0]  # quantised linear layers need 2-D input
        logits = self.lm_head(_rms_norm(x, self.final_norm, self.eps))
        return logits[0] if last_only else logits


class CachedSequence:
    """A `KVCache` with the token ids whose keys and values it holds.

    A new prompt re-uses the longest common prefix with what the cache holds (e.g. the fixed
    system prompt), so only the rest is computed. `pinned` positions (a prefix cached on
    purpose) are never overwritten: a prompt that does not start with them goes elsewhere.
    """

    def __init__(self, decoder: LlamaDecoder, pinned: int = 0) -> None:
        self.decoder = decoder
        self.kv = decoder.new_cache()
        self.ids: list[int] = []
        self.pinned = pinned

    def common_prefix(self, ids: list[int]) -> int:
        n = 0
        for a, b in zip(self.ids, ids, strict=False):
            if a != b:
                break
            n += 1
        return n

    def run(self, ids: list[int], start: int, last_only: bool = True) -> torch.Tensor:
        """Logits for `ids` written at positions start.. (see `LlamaDecoder.forward`)."""
        if not self.pinned <= start <= len(self.ids):
            raise ValueError(f"cannot write at {start}: {len(self.ids)} held, {self.pinned} pinned")
        del self.ids[start:]
        logits = self.decoder(ids, self.kv, start, last_only=last_only)
        self.ids.extend(ids)
        return logits
