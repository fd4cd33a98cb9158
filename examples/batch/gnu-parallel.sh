#!/bin/sh
# A batch of mailboxes on several machines with GNU parallel: one shard per
# machine (K = 0..3 of 4), each running 4 mailboxes at a time. Every machine
# needs mailferry, the batch file, the passwords and the exported mail at the
# same paths. Run it again after a failure: only what is missing is uploaded.
set -eu
BATCH=${MAILFERRY_BATCH:-/srv/mailferry/batch.json}
HOSTS=${MAILFERRY_HOSTS:-mig1,mig2,mig3,mig4}
parallel --jobs 1 --sshlogin "$HOSTS" --halt never --tag \
    mailferry sync --quiet --parallel 4 --shard {}/4 "$BATCH" ::: 0 1 2 3
