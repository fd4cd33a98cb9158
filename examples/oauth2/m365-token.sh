#!/bin/sh
# Token command for Microsoft 365, as an application (client credentials):
# the app registration needs the IMAP.AccessAsApp permission and an Exchange
# service principal with access to the mailboxes. Prints an access token for
# https://outlook.office365.com/.default. Secrets are read from files.
#
#   mailferry sync ... --to imaps://alice@contoso.com@outlook.office365.com \
#                      --to-token-command /etc/mailferry/oauth2/m365-token.sh
set -eu
dir=${MAILFERRY_OAUTH2_DIR:-/etc/mailferry/oauth2}
tenant=$(cat "$dir/tenant_id")
curl --silent --show-error --fail \
    --data-urlencode "client_id@$dir/client_id" \
    --data-urlencode "client_secret@$dir/client_secret" \
    --data-urlencode "scope=https://outlook.office365.com/.default" \
    --data grant_type=client_credentials \
    "https://login.microsoftonline.com/$tenant/oauth2/v2.0/token" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
