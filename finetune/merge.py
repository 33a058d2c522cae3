"""Merge a LoRA adapter into its base model and save a plain Hugging Face model folder."""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def adapter_base_model(adapter_dir: str | Path) -> str | None:
    """The base model an adapter was trained on (None: the bundled model), from the
    finetune_config.yaml written next to it; a foreign adapter falls back to adapter_config.json."""
    import json

    import yaml

    adapter_dir = Path(adapter_dir)
    config_file = adapter_dir / "finetune_config.yaml"
    if config_file.exists():
        values = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        return values.get("base_model")
    peft_file = adapter_dir / "adapter_config.json"
    if not peft_file.exists():
        raise FileNotFoundError(f"{adapter_dir} has no adapter_config.json")
    from assistant.models import BUNDLED_NAME

    base = json.loads(peft_file.read_text(encoding="utf-8")).get("base_model_name_or_path")
    return None if base in (None, "", BUNDLED_NAME) else base


def merge_adapter(
    adapter_dir: str | Path,
    output_dir: str | Path,
    base_model: str | None = None,
    cache_dir: str | Path = "var/models",
    use_adapter_base: bool = True,
) -> Path:
    """Load base + adapter, fold the LoRA weights into the base weights, save model + tokenizer.

    base_model None with use_adapter_base takes the base recorded with the adapter.
    """
    from assistant.models import load_language_model

    if base_model is None and use_adapter_base:
        base_model = adapter_base_model(adapter_dir)
    lm = load_language_model(base_model, Path(adapter_dir), Path(cache_dir))  # merges the LoRA
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    lm.model.save_pretrained(str(output_dir))
    lm.tokenizer.save_pretrained(str(output_dir))
    logger.info("merged %s into %s", adapter_dir, output_dir)
    return output_dir
