"""A lean decoder for Llama-style models (SmolLM2 is one), for serving on a CPU.

transformers' `generate` spends much of each token in Python: mask building, logits
processors, a streamer thread, and seven separate linear layers per block. With a 135M model
that overhead is as large as the matrix work. `LlamaDecoder` runs the same weights with:
- q/k/v fused into one linear layer and gate/up into another (4 matmuls a block, not 7);
- a key/value cache preallocated once (no concatenation per token);
- rotary tables computed once by the model's own rotary module, and for a single new token
  one 64 x 64 rotation matrix per position, shared by all layers (one matmul, not seven ops);
- RMSNorm as a dot product, a reciprocal square root and one multiply by its weight (which
  carries sqrt(hidden size), so no mean is taken);
- for int8, SmoothQuant-style smoothing: activations' outlier channels (measured on a few
  calibration prompts) are divided down and the weights that read them multiplied up by the
  same factor, folded into the norms and the preceding projections, so the per-tensor int8
  quantisation of each activation loses less; without it the int8 replies drift away from
  the float model's within a few tokens (bench/results/speed.md);
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

# Bump when the decoder's layout or numerics change: it keys the cache of built int8 decoders.
DECODER_VERSION = 2


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
    def __init__(self, layer) -> None:
        super().__init__()
        attn, mlp = layer.self_attn, layer.mlp
        self.qkv = _fused([attn.q_proj, attn.k_proj, attn.v_proj])
        self.o = _fused([attn.o_proj])
        self.gate_up = _fused([mlp.gate_proj, mlp.up_proj])
        self.down = _fused([mlp.down_proj])
        self.norm1 = _norm_weight(layer.input_layernorm.weight)
        self.norm2 = _norm_weight(layer.post_attention_layernorm.weight)
        self.q_size = attn.q_proj.out_features
        self.kv_size = attn.k_proj.out_features
        self.inter = mlp.up_proj.out_features


def _fused(linears: list[nn.Linear]) -> nn.Linear:
    """One linear layer with the rows of `linears` (a copy)."""
    weight = torch.cat([lin.weight.detach() for lin in linears], dim=0).clone()
    out = nn.Linear(weight.shape[1], weight.shape[0], bias=False)
    out.weight = nn.Parameter(weight, requires_grad=False)
    return out


def _norm_weight(weight: torch.Tensor) -> torch.Tensor:
    """An RMSNorm weight times sqrt(C), for `_rms_norm` (which divides by the root *sum*)."""
    return weight.detach() * weight.shape[0] ** 0.5


def _rms_norm(x: torch.Tensor, weight: torch.Tensor, size_eps: float) -> torch.Tensor:
    """RMSNorm over the last dimension with a `_norm_weight`: x / sqrt(sum(x^2) + C*eps) * w,
    which equals x / sqrt(mean(x^2) + eps) * (w / sqrt(C))."""
    if x.shape[0] == 1:  # one row: a dot product is the cheapest sum of squares
        return x * torch.rsqrt(torch.dot(x[0], x[0]) + size_eps) * weight
    return x * torch.rsqrt(x.pow(2).sum(-1, keepdim=True) + size_eps) * weight


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Llama's rotary embedding; x (H, T, D), cos/sin (T, D)."""
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

    def __init__(
        self,
        model: nn.Module,
        quantize: bool = False,
        consume: bool = False,
        calibration: list[list[int]] | None = None,
        smooth_alpha: float = 0.5,
    ) -> None:
        """Copy (and with `quantize`, int8-quantise) the weights of `model`.

        consume=True empties each of the model's layers once copied, so that loading never
        holds two float copies of the model at once; the model is unusable afterwards.
        calibration: token id sequences whose activations set the int8 smoothing (see
        `smooth`); smooth_alpha: how much of each outlier moves into the weights (0: none).
        """
        super().__init__()
        if not supports(model):
            raise ValueError(f"LlamaDecoder needs a Llama causal LM, got {type(model).__name__}")
        config = model.config
        # RMSNorm's mean over the hidden size, folded: sum(x^2) + C * eps (see `_rms_norm`).
        self.size_eps = config.rms_norm_eps * config.hidden_size
        # A copy: the loaded weights may be a memory-mapped file, released only when no
        # tensor refers to it any more.
        self.embed = model.model.embed_tokens.weight.detach().clone()
        self.quantized = False
        self.blocks = nn.ModuleList()
        for layer in model.model.layers:
            self.blocks.append(_Block(layer))
            if consume:
                for param in layer.parameters():
                    param.data = torch.empty(0)
        self.final_norm = _norm_weight(model.model.norm.weight)
        self.lm_head = _fused([model.lm_head])  # tied to the embedding: this copy unties it
        self.heads = config.num_attention_heads
        self.kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // self.heads
        self.max_len = config.max_position_embeddings
        self._rotary = model.model.rotary_emb
        self.cos = self.sin = torch.zeros(0, self.head_dim)
        self._extend_rotary(1024)
        # rotate_half as a matrix: rotate(x) == x @ self._half_turn (see `_rotation`).
        half = self.head_dim // 2
        turn = torch.zeros(self.head_dim, self.head_dim)
        turn[torch.arange(half) + half, torch.arange(half)] = -1.0
        turn[torch.arange(half), torch.arange(half) + half] = 1.0
        self._half_turn = turn
        if quantize:
            if calibration and smooth_alpha > 0:
                self.smooth(calibration, smooth_alpha)
            self.quantize()

    @torch.inference_mode()
    def smooth(self, calibration: list[list[int]], alpha: float = 0.5) -> None:
        """SmoothQuant (Xiao et al., 2023) on the float weights, before `quantize`.

        For each linear layer's input channel j: s_j = max|x_j|^alpha / max|W_:,j|^(1-alpha),
        x_j measured over the calibration sequences. The layer's weight columns are multiplied
        by s and whatever produces its input divided by it, so the float model computes the
        same function: the norm weight before q/k/v, gate/up and the head; the value rows
        before o (one factor per key/value channel, shared by the query heads that read it);
        the up rows before down.
        """
        if self.quantized:
            raise RuntimeError("smooth the float weights before quantising them")
        peaks: dict[nn.Linear, torch.Tensor] = {}

        def record(module, args):
            x = args[0].detach().abs().reshape(-1, args[0].shape[-1]).amax(0)
            peaks[module] = torch.maximum(peaks[module], x) if module in peaks else x

        linears = [m for b in self.blocks for m in (b.qkv, b.o, b.gate_up, b.down)]
        hooks = [m.register_forward_pre_hook(record) for m in [*linears, self.lm_head]]
        try:
            for ids in calibration:
                self(ids[: self.max_len], self.new_cache(), 0)
        finally:
            for hook in hooks:
                hook.remove()
        if len(peaks) != len(linears) + 1:
            return  # no calibration tokens ran

        def factors(linear: nn.Linear) -> torch.Tensor:
            weight_peak = linear.weight.abs().amax(0).clamp(min=1e-5)
            s = peaks[linear].clamp(min=1e-5) ** alpha / weight_peak ** (1 - alpha)
            return s.clamp(min=1e-2, max=1e2)

        group = self.heads // self.kv_heads
        for b in self.blocks:
            s = factors(b.qkv)
            b.qkv.weight.mul_(s)
            b.norm1 = b.norm1 / s
            s = factors(b.gate_up)
            b.gate_up.weight.mul_(s)
            b.norm2 = b.norm2 / s
            s = factors(b.down)
            b.down.weight.mul_(s)
            b.gate_up.weight[b.inter :].div_(s[:, None])
            # o reads each value channel through `group` query heads: one factor per value
            # channel (the largest of its readers), repeated for each of them.
            s = factors(b.o).view(self.kv_heads, group, self.head_dim).amax(1)
            b.o.weight.mul_(s.repeat_interleave(group, dim=0).reshape(-1))
            b.qkv.weight[b.q_size + b.kv_size :].div_(s.reshape(-1)[:, None])
        s = factors(self.lm_head)
        self.lm_head.weight.mul_(s)
        self.final_norm = self.final_norm / s

    def quantize(self) -> None:
        """int8 dynamic quantisation of every linear layer, the LM head included."""
        self.quantized = True
        for i, block in enumerate(self.blocks):
            self.blocks[i] = self._maybe_quantize(block)
        self.lm_head = self._maybe_quantize(self.lm_head)

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

    def _rotation(self, position: int) -> torch.Tensor:
        """The rotary embedding at `position` as a (D, D) matrix R: rope(x) == x @ R.

        rope(x) = x * cos + rotate_half(x) * sin, and rotate_half(x) = x @ T, so
        R = diag(cos) + T * sin (sin scaling the columns).
        """
        return torch.diag(self.cos[position]) + self._half_turn * self.sin[position]

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
        if length == 1:
            return self._step(ids[0], cache, start, last_only)
        x = F.embedding(torch.tensor(ids), self.embed)  # (T, C)
        cos, sin = self.cos[start:end], self.sin[start:end]
        # A prompt chunk: causal within it, all of the cache before it.
        mask = torch.ones(length, end, dtype=torch.bool).tril(diagonal=start)
        for i, block in enumerate(self.blocks):
            qkv = block.qkv(_rms_norm(x, block.norm1, self.size_eps))
            q, k, v = qkv.split([block.q_size, block.kv_size, block.kv_size], dim=-1)
            q = _rotate(q.view(length, self.heads, -1).transpose(0, 1), cos, sin)
            k = _rotate(k.view(length, self.kv_heads, -1).transpose(0, 1), cos, sin)
            cache.keys[i][0, :, start:end] = k
            cache.values[i][0, :, start:end] = v.view(length, self.kv_heads, -1).transpose(0, 1)
            attn = F.scaled_dot_product_attention(
                q[None],
                cache.keys[i][:, :, :end],
                cache.values[i][:, :, :end],
                attn_mask=mask,
                enable_gqa=True,
            )
            x = x + block.o(attn[0].transpose(0, 1).reshape(length, -1))
            gate, up = block.gate_up(_rms_norm(x, block.norm2, self.size_eps)).split(
                [block.inter, block.inter], dim=-1
            )
            x = x + block.down(F.silu(gate) * up)
        x = x[-1:] if last_only else x
        logits = self.lm_head(_rms_norm(x, self.final_norm, self.size_eps))
        return logits[0] if last_only else logits

    def _step(self, token: int, cache: KVCache, start: int, last_only: bool) -> torch.Tensor:
        """`forward` for one new token: the per-token path of decoding, with as few tensor
        operations per layer as we could (each costs microseconds of dispatch on a CPU)."""
        end = start + 1
        heads, kv_heads, dim = self.heads, self.kv_heads, self.head_dim
        rotation = self._rotation(start)
        x = self.embed[token].view(1, -1)  # (1, C)
        for i, block in enumerate(self.blocks):
            qkv = block.qkv(_rms_norm(x, block.norm1, self.size_eps))
            qkv = qkv.view(heads + 2 * kv_heads, dim)
            qk = qkv[: heads + kv_heads] @ rotation  # queries and keys rotated at once
            cache.keys[i][0, :, start] = qk[heads:]
            cache.values[i][0, :, start] = qkv[heads + kv_heads :]
            attn = F.scaled_dot_product_attention(
                qk[:heads].view(1, heads, 1, dim),
                cache.keys[i][:, :, :end],
                cache.values[i][:, :, :end],
                enable_gqa=True,
            )
            x = x + block.o(attn.view(1, heads * dim))
            gate_up = block.gate_up(_rms_norm(x, block.norm2, self.size_eps))
            x = x + block.down(F.silu(gate_up[:, : block.inter]) * gate_up[:, block.inter :])
        logits = self.lm_head(_rms_norm(x, self.final_norm, self.size_eps))
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
