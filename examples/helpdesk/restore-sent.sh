#!/bin/sh
# Helpdesk: a user lost their Sent folder; put back the Sent items of their
# Outlook PST file. Nothing else of the PST is touched, and messages already on
# the server are not uploaded again, so running it twice is harmless.
#
#   restore-sent.sh bob /srv/helpdesk/bob/outlook.pst
#
# The IMAP password comes from a file (or MAILFERRY_TO_PASSWORD); set
# IMAP_HOST, and CA_FILE for a server with a private CA.
#
# A PST that Outlook guards with a password: set PST_PASSWORD_FILE to a file
# holding it, or, when nobody knows it any more, IGNORE_PST_PASSWORD=1 (the
# password encrypts nothing; see mailferry(1)).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 USER PST-FILE" >&2; exit 2; }
user=$1
pst=$2
host=${IMAP_HOST:-imap.example.com}
password_file=${PASSWORD_FILE:-/etc/mailferry/helpdesk/$user.password}

mailferry sync --only-role sent \
    --from "pst:$pst" \
    --to "imaps://$user@$host" \
    --to-password-file "$password_file" \
    ${CA_FILE:+--ca-file "$CA_FILE"} \
    ${PST_PASSWORD_FILE:+--from-password-file "$PST_PASSWORD_FILE"} \
    ${IGNORE_PST_PASSWORD:+--ignore-pst-password}

# Prove it: exit status 0 only if every Sent item of the PST is on the server.
mailferry check --quiet --only-role sent \
    --from "pst:$pst" \
    --to "imaps://$user@$host" \
    --to-password-file "$password_file" \
    ${CA_FILE:+--ca-file "$CA_FILE"} \
    ${PST_PASSWORD_FILE:+--from-password-file "$PST_PASSWORD_FILE"} \
    ${IGNORE_PST_PASSWORD:+--ignore-pst-password}
