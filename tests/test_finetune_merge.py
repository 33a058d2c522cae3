"""Merging: the merged model gives the adapter's logits; the CLI runs merge."""

from __future__ import annotations

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

from finetune.__main__ import main
from finetune.merge import merge_adapter
from finetune.testing import tiny_llama, tiny_tokenizer


def _adapter(tmp_path):
    base_dir = tiny_llama(tmp_path / "base")
    model = AutoModelForCausalLM.from_pretrained(base_dir)
    # init_lora_weights=False: random A and B, so the adapter really changes the logits.
    lora = LoraConfig(
        r=4,
        lora_alpha=8,
        target_modules=["q_proj", "v_proj"],
        init_lora_weights=False,
        task_type="CAUSAL_LM",
    )
    torch.manual_seed(1)
    peft_model = get_peft_model(model, lora)
    peft_model.save_pretrained(tmp_path / "adapter")
    return base_dir, tmp_path / "adapter"


def test_merged_model_gives_the_adapter_logits(tmp_path):
    base_dir, adapter_dir = _adapter(tmp_path)
    ids = torch.tensor([tiny_tokenizer().encode("where is my order 10023?")])
    with torch.no_grad():
        base = AutoModelForCausalLM.from_pretrained(base_dir).eval()
        plain = base(ids).logits
        adapted = PeftModel.from_pretrained(base, adapter_dir).eval()(ids).logits
        merged_dir = merge_adapter(adapter_dir, tmp_path / "merged", base_model=str(base_dir))
        merged = AutoModelForCausalLM.from_pretrained(merged_dir).eval()(ids).logits
    assert not torch.allclose(plain, adapted, atol=1e-3)  # the adapter matters
    torch.testing.assert_close(merged, adapted, atol=1e-4, rtol=0)
    assert (merged_dir / "tokenizer_config.json").exists()
    assert not any(k for k in merged.__class__.__dict__ if "lora" in k)


def test_cli_merge(tmp_path, capsys):
    base_dir, adapter_dir = _adapter(tmp_path)
    out = tmp_path / "cli-merged"
    argv = [
        "merge",
        "--adapter",
        str(adapter_dir),
        "--output",
        str(out),
        "--base-model",
        str(base_dir),
    ]
    assert main(argv) == 0
    assert (out / "model.safetensors").exists()
    state = AutoModelForCausalLM.from_pretrained(out).state_dict()
    assert not any("lora" in k for k in state)


def test_cli_reports_config_errors(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("train: [x.jsonl]\nlr: 1\n", encoding="utf-8")
    assert main(["--config", str(bad)]) == 2
    assert "'lr'" in capsys.readouterr().err
