#!/usr/bin/env bash
# The GPU check of issue 14 as one short device run (about 3-5 minutes on an H100/H200 class GPU).
#
# Before (here, on the CPU; writes .bench/eval, about 50 MiB, carried with the working tree):
#   HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 .venv/bin/python bench/eval.py --data-dir ../shared/hub --prepare .bench/eval
# MiniLM's random head scores every candidate within float noise of the others, so bf16 (like int8
# on the CPU) flips many argmaxes of that model (docs/benchmarks.md). The >= 99% agreement goal can
# only be shown with a model that is confident on XNLI/XCOPA themselves; prepare with one if you
# have it (speed does not depend on the head):
#   .venv/bin/python bench/eval.py --data-dir ../shared/hub --prepare .bench/eval --model <that model folder>
# On the device (needs python3 with torch, transformers and pydantic; stdata is imported from the checkout):
#   bash bench/eval_gpu.sh            # results under $OUT (or /tmp/eval_gpu): configs-*.json, *.md, gpu.txt
#
# What it measures, with stdata's scoring (StatementScorer.score, the call `stdata eval` makes) on
# MiniLM over XNLI-en + XCOPA (all variants):
#   1. float32, bf16 (the GPU default) and bf16 without the prefetching worker, batch 1024, three
#      interleaved repeats: statements/s, GPU utilisation, FLOP fraction of the card's bf16 peak,
#      and bf16 predictions identical to float32 (the goal: >= 20k statements/s, >= 99% identical);
#   2. bf16 at batch 4096, two repeats (does a bigger batch still gain?).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${W:-.bench/eval}
OUT=${OUT:-/tmp/eval_gpu}
mkdir -p "$OUT"
if [ ! -f "$W/workload.json.gz" ] || [ ! -d "$W/model" ]; then
    echo "no prepared workload in $W: run bench/eval.py --prepare $W on the CPU first (see the top of this script)" >&2
    exit 2
fi
export TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv | tee "$OUT/gpu.txt"
python3 -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__, torch.cuda.get_device_name(0))" | tee -a "$OUT/gpu.txt"
python3 -c "import torch; torch.cuda.utilization(0); print('NVML utilisation: yes')" 2>/dev/null | tee -a "$OUT/gpu.txt" || echo "NVML utilisation: no (nvidia-smi sampling)" | tee -a "$OUT/gpu.txt"
python3 bench/eval.py --workload "$W/workload.json.gz" --model "$W/model" --batch-size 1024 \
    --configs float32,bfloat16,bfloat16:noprefetch --repeats 3 --save "$OUT/configs-1024.json" | tee "$OUT/configs-1024.md"
python3 bench/eval.py --workload "$W/workload.json.gz" --model "$W/model" --batch-size 4096 \
    --configs bfloat16 --repeats 2 --save "$OUT/configs-4096.json" | tee "$OUT/configs-4096.md"
