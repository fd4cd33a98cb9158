#!/bin/sh
# Token command for Gmail: trades a stored OAuth2 refresh token for an access
# token (scope https://mail.google.com/) at Google's token endpoint, and prints
# it. Secrets are read from files, never put on a command line.
#
#   mailferry sync ... --to imaps://alice@gmail.com@imap.gmail.com \
#                      --to-token-command '/etc/mailferry/oauth2/gmail-token.sh alice'
#
# $DIR/client_id, $DIR/client_secret: your OAuth client (Google Cloud console);
# $DIR/USER.refresh_token: the user's refresh token from a one-time consent.
set -eu
user=${1:?usage: gmail-token.sh USER}
dir=${MAILFERRY_OAUTH2_DIR:-/etc/mailferry/oauth2}
curl --silent --show-error --fail \
    --data-urlencode "client_id@$dir/client_id" \
    --data-urlencode "client_secret@$dir/client_secret" \
    --data-urlencode "refresh_token@$dir/$user.refresh_token" \
    --data grant_type=refresh_token \
    https://oauth2.googleapis.com/token |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
