#!/bin/sh
# A batch of mailboxes on several machines with GNU parallel: one shard per
# machine (K = 0..3 of 4), each running 4 mailboxes at a time, each writing
# its report into a folder all machines share (NFS, like the account list,
# the passwords and the exported mail, at the same paths everywhere). Then
# one view of the whole move. Run it again after a failure: only what is
# missing is uploaded, and status counts the latest run of each mailbox.
set -eu
ACCOUNTS=${MAILFERRY_ACCOUNTS:-/srv/mailferry/accounts.csv}
REPORTS=${MAILFERRY_REPORTS:-/srv/mailferry/reports}
HOSTS=${MAILFERRY_HOSTS:-mig1,mig2,mig3,mig4}
mkdir -p "$REPORTS"
parallel --jobs 1 --sshlogin "$HOSTS" --halt never --tag \
    mailferry sync --quiet --parallel 4 --shard {}/4 --accounts "$ACCOUNTS" --report "$REPORTS/shard-{}.json" ::: 0 1 2 3 ||
    true  # what failed is in the reports; status says it
exec mailferry status --accounts "$ACCOUNTS" "$REPORTS"
