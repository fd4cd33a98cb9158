#!/bin/sh
# A batch of mailboxes as a Slurm job array: task K of 0..7 runs shard K/8 of
# the account list, 4 mailboxes at a time, and writes its report into a
# shared folder. Submit the array, then the one view of the whole move once
# every task has ended (the status job's output says what is done, what
# failed and why, and what is left; exit 0 only when every mailbox is complete):
#
#   array=$(sbatch --parsable slurm-array.sh)
#   sbatch --dependency=afterany:$array --output=mailferry-status.log --wrap 'mailferry status --accounts /srv/mailferry/accounts.csv /srv/mailferry/reports'
#
# A task that failed is simply submitted again (sbatch --array=K slurm-array.sh).
#SBATCH --job-name=mailferry
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --time=12:00:00
#SBATCH --output=mailferry-%a.log
set -eu
SHARDS=8
ACCOUNTS=${MAILFERRY_ACCOUNTS:-/srv/mailferry/accounts.csv}
REPORTS=${MAILFERRY_REPORTS:-/srv/mailferry/reports}
mkdir -p "$REPORTS"
exec mailferry sync --quiet --parallel 4 \
    --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
    --accounts "$ACCOUNTS" \
    --report "${REPORTS}/shard-${SLURM_ARRAY_TASK_ID}-{date}T{time}.json"
