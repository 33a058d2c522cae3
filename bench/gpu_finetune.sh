#!/usr/bin/env bash
# One epoch of the demo shop's LoRA fine-tuning on GPUs: bf16, one process per GPU through
# `accelerate launch` (DDP), the same code path as `python -m finetune` on a CPU.
# Prints the run's JSON summary (tokens_per_second over all processes, peak_memory_mib = torch's
# peak CUDA allocation on process 0) and nvidia-smi's view of the GPUs.
#
#   bench/gpu_finetune.sh                 # all visible GPUs
#   NUM_GPUS=1 bench/gpu_finetune.sh      # one GPU
#   OUT=/tmp/gpu-run BATCH=32 bench/gpu_finetune.sh
#
# Needs: the project installed (make install) and a CUDA build of torch 2.13.0 (the CPU wheel
# cannot see the GPU). The adapter goes to $OUT, not to finetune/adapters/demo-shop.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
ACCELERATE=${ACCELERATE:-.venv/bin/accelerate}
OUT=${OUT:-/tmp/gpu-finetune}
BATCH=${BATCH:-32}          # intent examples per GPU per step (reply rows: BATCH / 4)
NUM_GPUS=${NUM_GPUS:-$("$PY" -c 'import torch; print(torch.cuda.device_count())')}

if [ "${NUM_GPUS}" -lt 1 ]; then
    echo "no CUDA GPU visible to torch ($("$PY" -c 'import torch; print(torch.__version__)'))" >&2
    exit 1
fi
mkdir -p "$OUT"

# The demo config with GPU settings: one whole epoch (no wall budget), bf16, all torch
# threads, every training example, evaluation only at the start and the end.
"$PY" - "$OUT" "$BATCH" <<'EOF'
import sys
from finetune.config import FinetuneConfig

out, batch = sys.argv[1], int(sys.argv[2])
config = FinetuneConfig.from_yaml("finetune/configs/demo-shop.yaml").to_dict()
config.update(
    output_dir=out,
    epochs=1,
    max_minutes=None,
    max_steps=None,
    bf16=True,
    num_threads=None,
    batch_size=batch,
    reply_batch_size=max(1, batch // 4),
    eval_every=10_000,
    early_stopping_patience=None,
)
for source in config["train"]:  # every reply example, not the CPU config's sample of 64
    source.pop("limit", None)
FinetuneConfig.from_mapping(config)  # validate before launching
import yaml

with open(f"{out}/gpu-demo-shop.yaml", "w", encoding="utf-8") as handle:
    yaml.safe_dump(config, handle, sort_keys=False)
EOF

# Convert the bundled GGUF once, before several processes would race to do it.
"$PY" -c 'from pathlib import Path; from assistant.models import convert_bundled_model as c; c(Path("var/models"))'

if [ "$NUM_GPUS" -gt 1 ]; then
    MULTI=(--multi_gpu --num_processes "$NUM_GPUS")
else
    MULTI=(--num_processes 1)
fi
start=$(date +%s)
"$ACCELERATE" launch "${MULTI[@]}" --num_machines 1 --mixed_precision bf16 --dynamo_backend no \
    -m finetune --config "$OUT/gpu-demo-shop.yaml" | tee "$OUT/summary.json"
echo "wall seconds (loading and evaluations included): $(( $(date +%s) - start ))"
nvidia-smi --query-gpu=name,memory.total,memory.used --format=csv || true
