#!/bin/sh
# A batch of mailboxes as a Slurm job array: task K of 0..7 runs shard K/8 of
# the batch, 4 mailboxes at a time. Submit with:  sbatch slurm-array.sh
#SBATCH --job-name=mailferry
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --time=12:00:00
#SBATCH --output=mailferry-%a.log
set -eu
SHARDS=8
BATCH=${MAILFERRY_BATCH:-/srv/mailferry/batch.json}
REPORTS=${MAILFERRY_REPORTS:-/srv/mailferry/reports}
mkdir -p "$REPORTS"
exec mailferry sync --quiet --parallel 4 \
    --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
    --report "${REPORTS}/shard-${SLURM_ARRAY_TASK_ID}.json" \
    "$BATCH"
