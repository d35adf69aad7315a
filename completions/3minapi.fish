# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_3minapi_global_optspecs
    string join \n url= ca-file= profile= v/verbose q/quiet no-color h/help V/version
end

function __fish_3minapi_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_3minapi_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_3minapi_using_subcommand
    set -l cmd (__fish_3minapi_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c 3minapi -n "__fish_3minapi_needs_command" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_needs_command" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_needs_command" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_needs_command" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_needs_command" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_needs_command" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_needs_command" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_needs_command" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_needs_command" -f -a "auth" -d 'Store, check or remove the MCP key (kept in the OS keychain)'
complete -c 3minapi -n "__fish_3minapi_needs_command" -f -a "mcp" -d 'The MCP server side: what MCP clients launch'
complete -c 3minapi -n "__fish_3minapi_needs_command" -f -a "config" -d 'Add, remove or inspect our entry in an AI client\'s MCP config file'
complete -c 3minapi -n "__fish_3minapi_needs_command" -f -a "doctor" -d 'Find what is wrong with this setup (key, keychain, network, server, client configs) and say how to fix it'
complete -c 3minapi -n "__fish_3minapi_needs_command" -f -a "tools" -d 'List the server\'s tools or call one, through the bridge\'s own client'
complete -c 3minapi -n "__fish_3minapi_needs_command" -f -a "logs" -d 'Show what the bridges logged (serve.log): sessions, refused keys, lost connections, exits'
complete -c 3minapi -n "__fish_3minapi_needs_command" -f -a "completions" -d 'Print the shell completion script (also committed in completions/)'
complete -c 3minapi -n "__fish_3minapi_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -f -a "login" -d 'Store the tm_mcp_ key in the OS keychain (prompted, hidden)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -f -a "status" -d 'Show the key in use (masked), where it comes from, and whether the server accepts it'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -f -a "logout" -d 'Remove the stored key of this profile (keychain and plain file)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -f -a "list" -d 'List the profiles and their stored keys (masked)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -f -a "header" -d 'Print {"x-api-key": KEY} for a client\'s headers helper (never on a terminal)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and not __fish_seen_subcommand_from login status logout list header help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -l with-key -d 'Read the key from one line of stdin instead of prompting (for scripts; never pass it in argv)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -l no-verify -d 'Store without asking the server whether it accepts the key'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -l insecure-storage -d 'No keychain here: store the key in a plain file (mode 0600) under the config directory'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -l update-configs -d 'Then put the new key into every --direct entry holding an older one (`config refresh`)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from login" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from status" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from status" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from status" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from status" -l json -d 'Machine-readable output (documented in the README)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from status" -l offline -d 'Do not ask the server'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from status" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from logout" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from logout" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from logout" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from logout" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from logout" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from logout" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from logout" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from logout" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from list" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from list" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from list" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from list" -l json -d 'Machine-readable output (documented in the README)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from list" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from header" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from header" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from header" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from header" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from header" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from header" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from header" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from header" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "login" -d 'Store the tm_mcp_ key in the OS keychain (prompted, hidden)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the key in use (masked), where it comes from, and whether the server accepts it'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "logout" -d 'Remove the stored key of this profile (keychain and plain file)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the profiles and their stored keys (masked)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "header" -d 'Print {"x-api-key": KEY} for a client\'s headers helper (never on a terminal)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -f -a "serve" -d 'Run the stdio bridge to the hosted MCP server (launched by Claude Code, Cursor, Codex…)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l log-file -d 'Append logs to this file instead of stderr' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l allow-tool -d 'Let only these through: a tool (endpoints) or one action (endpoints.list); repeatable' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l deny-tool -d 'Refuse this tool or tool.action (endpoints.deploy); repeatable; wins over --allow-tool' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l read-only -d 'Refuse every write action (endpoints create/update/deploy, collaborators create_key/update_permissions/invite, api_call other than GET) and unknown tools not marked read-only'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Run the stdio bridge to the hosted MCP server (launched by Claude Code, Cursor, Codex…)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -f -a "install" -d 'Add our entry to a client\'s config file, or bring it up to date (the rest of the file is kept as it is)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -f -a "uninstall" -d 'Remove our entry from a client\'s config file, and nothing else'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -f -a "print" -d 'Print the entry `install` would write (the key masked), touching nothing'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -f -a "list" -d 'Every client\'s config files and whether our entry is there and current'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -f -a "refresh" -d 'Put the key in use into every --direct entry that holds an older one (after a new key)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and not __fish_seen_subcommand_from install uninstall print list refresh help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l scope -d 'Which of the client\'s files: project (in the current directory, the default where the client has one) or user' -r -f -a "project\t'A file in the current directory, usually committed and shared with a team'
user\t'A file in your home or config directory, for every project'"
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l name -d 'The server\'s name in the file [default: 3minapi, or 3minapi-<profile>]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l file -d 'Write to this file instead of the client\'s own (same shape)' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l allow-tool -d 'Let only these through: a tool (endpoints) or one action (endpoints.list); repeatable' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l deny-tool -d 'Refuse this tool or tool.action (endpoints.deploy); repeatable; wins over --allow-tool' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l all -d 'Every client found on this machine (its program on PATH or its folder present), user scope unless --scope says otherwise'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l absolute-path -d 'Name this binary by its absolute path, also in project files'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l direct -d 'Connect the client to the hosted server directly, with the key written into the file (0600)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l from-env -d 'With --direct: the client reads the key from THREEMINAPI_MCP_KEY instead of the file holding it'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l key-helper -d 'With --direct, for Claude Code: it asks `3minapi auth header` for the key before connecting (headersHelper); no key in the file, no bridge'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l read-only -d 'Refuse every write action (endpoints create/update/deploy, collaborators create_key/update_permissions/invite, api_call other than GET) and unknown tools not marked read-only'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l dry-run -d 'Print the change as a unified diff and write nothing'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l force -d 'With --direct --scope project: write the key into a file git does not ignore'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -l scope -d 'Which of the client\'s files: project (in the current directory, the default where the client has one) or user' -r -f -a "project\t'A file in the current directory, usually committed and shared with a team'
user\t'A file in your home or config directory, for every project'"
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -l name -d 'The server\'s name in the file [default: 3minapi, or 3minapi-<profile>]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -l file -d 'Write to this file instead of the client\'s own (same shape)' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -l all -d 'Every client found on this machine (its program on PATH or its folder present), user scope unless --scope says otherwise'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -l dry-run -d 'Print the change as a unified diff and write nothing'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from uninstall" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l scope -d 'Which of the client\'s files: project (in the current directory, the default where the client has one) or user' -r -f -a "project\t'A file in the current directory, usually committed and shared with a team'
user\t'A file in your home or config directory, for every project'"
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l name -d 'The server\'s name in the file [default: 3minapi, or 3minapi-<profile>]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l allow-tool -d 'Let only these through: a tool (endpoints) or one action (endpoints.list); repeatable' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l deny-tool -d 'Refuse this tool or tool.action (endpoints.deploy); repeatable; wins over --allow-tool' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l absolute-path -d 'Name this binary by its absolute path, also in project files'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l direct -d 'Connect the client to the hosted server directly, with the key written into the file (0600)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l from-env -d 'With --direct: the client reads the key from THREEMINAPI_MCP_KEY instead of the file holding it'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l key-helper -d 'With --direct, for Claude Code: it asks `3minapi auth header` for the key before connecting (headersHelper); no key in the file, no bridge'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l read-only -d 'Refuse every write action (endpoints create/update/deploy, collaborators create_key/update_permissions/invite, api_call other than GET) and unknown tools not marked read-only'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from print" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from list" -l name -d 'The server\'s name to look for [default: 3minapi, or 3minapi-<profile>]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from list" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from list" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from list" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from list" -l json -d 'Machine-readable output (documented in the README)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from list" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from refresh" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from refresh" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from refresh" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from refresh" -l dry-run -d 'Say which files would change, and write nothing'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from refresh" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from refresh" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from refresh" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from refresh" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from refresh" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "install" -d 'Add our entry to a client\'s config file, or bring it up to date (the rest of the file is kept as it is)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Remove our entry from a client\'s config file, and nothing else'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "print" -d 'Print the entry `install` would write (the key masked), touching nothing'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every client\'s config files and whether our entry is there and current'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "refresh" -d 'Put the key in use into every --direct entry that holds an older one (after a new key)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand doctor" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand doctor" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand doctor" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand doctor" -l json -d 'Machine-readable output (documented in the README)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand doctor" -l offline -d 'Skip the network and the server'
complete -c 3minapi -n "__fish_3minapi_using_subcommand doctor" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand doctor" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand doctor" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -f -a "list" -d 'The server\'s tools with their one-line descriptions'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -f -a "call" -d 'Call one tool and print its result'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and not __fish_seen_subcommand_from list call help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from list" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from list" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from list" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from list" -l json -d 'The raw tools/list result (every page merged) as JSON'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from list" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -l args -d 'The arguments: a JSON object, @FILE to read it from a file, or - to read it from stdin' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -l timeout -d 'Give up after this many seconds' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -l json -d 'Print structured content (or the whole result) as JSON'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from call" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from help" -f -a "list" -d 'The server\'s tools with their one-line descriptions'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from help" -f -a "call" -d 'Call one tool and print its result'
complete -c 3minapi -n "__fish_3minapi_using_subcommand tools; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -s n -l lines -d 'How many of the last entries to show' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -l file -d 'Read this log instead of serve.log (a file `mcp serve --log-file` wrote)' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -s f -l follow -d 'Then keep printing new entries as bridges write them, until interrupted'
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -l json -d 'One JSON object per line: {"time", "pid", "level", "message"}'
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand logs" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand completions" -l url -d 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand completions" -l ca-file -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]' -r -F
complete -c 3minapi -n "__fish_3minapi_using_subcommand completions" -l profile -d 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]' -r
complete -c 3minapi -n "__fish_3minapi_using_subcommand completions" -s v -l verbose -d 'More log output (-v info, -vv debug); logs never go to stdout'
complete -c 3minapi -n "__fish_3minapi_using_subcommand completions" -s q -l quiet -d 'Only errors'
complete -c 3minapi -n "__fish_3minapi_using_subcommand completions" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand completions" -s h -l help -d 'Print help'
complete -c 3minapi -n "__fish_3minapi_using_subcommand completions" -s V -l version -d 'Print version'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and not __fish_seen_subcommand_from auth mcp config doctor tools logs completions help" -f -a "auth" -d 'Store, check or remove the MCP key (kept in the OS keychain)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and not __fish_seen_subcommand_from auth mcp config doctor tools logs completions help" -f -a "mcp" -d 'The MCP server side: what MCP clients launch'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and not __fish_seen_subcommand_from auth mcp config doctor tools logs completions help" -f -a "config" -d 'Add, remove or inspect our entry in an AI client\'s MCP config file'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and not __fish_seen_subcommand_from auth mcp config doctor tools logs completions help" -f -a "doctor" -d 'Find what is wrong with this setup (key, keychain, network, server, client configs) and say how to fix it'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and not __fish_seen_subcommand_from auth mcp config doctor tools logs completions help" -f -a "tools" -d 'List the server\'s tools or call one, through the bridge\'s own client'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and not __fish_seen_subcommand_from auth mcp config doctor tools logs completions help" -f -a "logs" -d 'Show what the bridges logged (serve.log): sessions, refused keys, lost connections, exits'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and not __fish_seen_subcommand_from auth mcp config doctor tools logs completions help" -f -a "completions" -d 'Print the shell completion script (also committed in completions/)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and not __fish_seen_subcommand_from auth mcp config doctor tools logs completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "login" -d 'Store the tm_mcp_ key in the OS keychain (prompted, hidden)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "status" -d 'Show the key in use (masked), where it comes from, and whether the server accepts it'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "logout" -d 'Remove the stored key of this profile (keychain and plain file)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "list" -d 'List the profiles and their stored keys (masked)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "header" -d 'Print {"x-api-key": KEY} for a client\'s headers helper (never on a terminal)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from mcp" -f -a "serve" -d 'Run the stdio bridge to the hosted MCP server (launched by Claude Code, Cursor, Codex…)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "install" -d 'Add our entry to a client\'s config file, or bring it up to date (the rest of the file is kept as it is)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "uninstall" -d 'Remove our entry from a client\'s config file, and nothing else'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "print" -d 'Print the entry `install` would write (the key masked), touching nothing'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "list" -d 'Every client\'s config files and whether our entry is there and current'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "refresh" -d 'Put the key in use into every --direct entry that holds an older one (after a new key)'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from tools" -f -a "list" -d 'The server\'s tools with their one-line descriptions'
complete -c 3minapi -n "__fish_3minapi_using_subcommand help; and __fish_seen_subcommand_from tools" -f -a "call" -d 'Call one tool and print its result'
