# bash completion for mailferry                                -*- shell-script -*-
# Installed as share/bash-completion/completions/mailferry; or source it.

_mailferry_options() {
    local common="--help --from --to --from-password-file --to-password-file --ca-file
        --from-auth --to-auth --from-token-command --to-token-command
        --insecure-plaintext --ignore-pst-password --include-virtual-folders --maildir-layout --allow-empty --to-folder --only-role --mbox-format --state --report
        --verbose --quiet --log-format --accounts --parallel --shard --job --map --include --exclude
        --prefix --merge --gmail-labels"
    case $1 in
        sync) echo "$common --dry-run --unread --delete-after-copy --keep-days
                    --max-bytes-per-second --max-messages-per-second --connections" ;;
        check) echo "$common --missing-only" ;;
        status) echo "--help --accounts --json" ;;
        list) echo "--help --to --ca-file --password-file --to-password-file
                    --insecure-plaintext --ignore-pst-password --maildir-layout --mbox-format --auth --token-command --to-auth
                    --to-token-command --map --include --exclude --prefix --merge
                    --gmail-labels" ;;
    esac
}

# Job names of the job file on the command line, for --job.
_mailferry_job_names() {
    local word file=
    for word in "${COMP_WORDS[@]}"; do
        [[ $word == *.json && -r $word ]] && file=$word
    done
    [[ -n $file ]] || return
    sed -n 's/.*"name"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$file" 2>/dev/null
}

# Completes an endpoint URL: a scheme, then a path after mbox:, pst:, eml: or maildir:.
_mailferry_endpoint() {
    local cur=$1 kind=$2 scheme path
    case $cur in
        mbox:* | pst:* | eml:* | maildir:*)
            scheme=${cur%%:*}: path=${cur#*:}
            local IFS=$'\n'
            COMPREPLY=($(compgen -f -- "$path"))
            COMPREPLY=("${COMPREPLY[@]/#/$scheme}")
            compopt -o filenames -o nospace 2>/dev/null
            ;;
        *)
            if [[ $kind == to ]]; then
                COMPREPLY=($(compgen -W "imaps:// imap://" -- "$cur"))
            elif [[ $kind == from ]]; then
                COMPREPLY=($(compgen -W "mbox: pst: eml: maildir: pop3s:// pop3://" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "mbox: pst: eml: maildir: pop3s:// pop3:// imaps:// imap://" -- "$cur"))
            fi
            compopt -o nospace 2>/dev/null
            ;;
    esac
}

_mailferry() {
    COMPREPLY=()
    # The word under the cursor as the user typed it: bash splits "mbox:/x"
    # at the colon, so rebuild it from the line.
    local line=${COMP_LINE:0:COMP_POINT}
    local cur=${line##*[[:space:]]}
    local prev=${COMP_WORDS[COMP_CWORD - 1]}
    if [[ $cur != "${COMP_WORDS[COMP_CWORD]}" && $prev == ":" ]]; then
        prev=${COMP_WORDS[COMP_CWORD - 3]}
    elif [[ $cur != "${COMP_WORDS[COMP_CWORD]}" && ${COMP_WORDS[COMP_CWORD]} == ":" ]]; then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    local verb= word
    for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        case $word in sync | check | list | status) verb=$word; break ;; esac
    done

    if [[ -z $verb ]]; then
        COMPREPLY=($(compgen -W "sync check list status --help --version" -- "$cur"))
    else
        case $prev in
            --from) _mailferry_endpoint "$cur" from ;;
            --to) _mailferry_endpoint "$cur" to ;;
            --accounts)
                compopt -o filenames 2>/dev/null
                COMPREPLY=($(compgen -f -X '!*.csv' -- "$cur") $(compgen -d -- "$cur")) ;;
            --*-file | --report | --state)
                compopt -o filenames 2>/dev/null
                COMPREPLY=($(compgen -f -- "$cur")) ;;
            --only-role)
                COMPREPLY=($(compgen -W "inbox sent drafts trash junk archive outbox all flagged" -- "$cur")) ;;
            --mbox-format) COMPREPLY=($(compgen -W "auto mboxo mboxrd mboxcl mboxcl2" -- "$cur")) ;;
            --maildir-layout) COMPREPLY=($(compgen -W "auto maildir++ fs" -- "$cur")) ;;
            --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
            --gmail-labels) COMPREPLY=($(compgen -W "each first ignore" -- "$cur")) ;;
            --auth | --from-auth | --to-auth)
                COMPREPLY=($(compgen -W "password xoauth2 oauthbearer" -- "$cur")) ;;
            --token-command | --from-token-command | --to-token-command)
                COMPREPLY=($(compgen -c -- "$cur")) ;;
            --job)
                local IFS=$'\n'
                COMPREPLY=($(compgen -W "$(_mailferry_job_names)" -- "$cur")) ;;
            --to-folder | --keep-days | --parallel | --shard | --max-bytes-per-second | \
                --map | --include | --exclude | --prefix | \
                --max-messages-per-second | --connections) ;;
            *)
                if [[ $cur == -* ]]; then
                    COMPREPLY=($(compgen -W "$(_mailferry_options "$verb")" -- "$cur"))
                elif [[ $verb == list ]]; then
                    _mailferry_endpoint "$cur" any
                else
                    compopt -o filenames 2>/dev/null
                    COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
                fi ;;
        esac
    fi

    # Bash replaces only the part after the last colon: drop what is before it.
    if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
        local prefix=${cur%"${cur##*:}"} i
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}
        done
    fi
}

complete -F _mailferry mailferry
