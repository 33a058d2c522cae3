"""Fine-tuning of the assistant's language model (LoRA or full) with Hugging Face accelerate.

`python -m finetune --config finetune/configs/demo-shop.yaml` trains the demo shop's adapter;
see finetune.config for the settings and finetune.data for the data formats.
"""
