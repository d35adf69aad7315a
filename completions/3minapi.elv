
use builtin;
use str;

set edit:completion:arg-completer[3minapi] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = '3minapi'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'3minapi'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand auth 'Store, check or remove the MCP key (kept in the OS keychain)'
            cand mcp 'The MCP server side: what MCP clients launch'
            cand config 'Add, remove or inspect our entry in an AI client''s MCP config file'
            cand doctor 'Find what is wrong with this setup (key, keychain, network, server, client configs) and say how to fix it'
            cand tools 'List the server''s tools or call one, through the bridge''s own client'
            cand logs 'Show what the bridges logged (serve.log): sessions, refused keys, lost connections, exits'
            cand completions 'Print the shell completion script (also committed in completions/)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'3minapi;auth'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand login 'Store the tm_mcp_ key in the OS keychain (prompted, hidden)'
            cand status 'Show the key in use (masked), where it comes from, and whether the server accepts it'
            cand logout 'Remove the stored key of this profile (keychain and plain file)'
            cand list 'List the profiles and their stored keys (masked)'
            cand header 'Print {"x-api-key": KEY} for a client''s headers helper (never on a terminal)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'3minapi;auth;login'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --with-key 'Read the key from one line of stdin instead of prompting (for scripts; never pass it in argv)'
            cand --no-verify 'Store without asking the server whether it accepts the key'
            cand --insecure-storage 'No keychain here: store the key in a plain file (mode 0600) under the config directory'
            cand --update-configs 'Then put the new key into every --direct entry holding an older one (`config refresh`)'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;auth;status'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --json 'Machine-readable output (documented in the README)'
            cand --offline 'Do not ask the server'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;auth;logout'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;auth;list'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --json 'Machine-readable output (documented in the README)'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;auth;header'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;auth;help'= {
            cand login 'Store the tm_mcp_ key in the OS keychain (prompted, hidden)'
            cand status 'Show the key in use (masked), where it comes from, and whether the server accepts it'
            cand logout 'Remove the stored key of this profile (keychain and plain file)'
            cand list 'List the profiles and their stored keys (masked)'
            cand header 'Print {"x-api-key": KEY} for a client''s headers helper (never on a terminal)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'3minapi;auth;help;login'= {
        }
        &'3minapi;auth;help;status'= {
        }
        &'3minapi;auth;help;logout'= {
        }
        &'3minapi;auth;help;list'= {
        }
        &'3minapi;auth;help;header'= {
        }
        &'3minapi;auth;help;help'= {
        }
        &'3minapi;mcp'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Run the stdio bridge to the hosted MCP server (launched by Claude Code, Cursor, Codex…)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'3minapi;mcp;serve'= {
            cand --log-file 'Append logs to this file instead of stderr'
            cand --allow-tool 'Let only these through: a tool (endpoints) or one action (endpoints.list); repeatable'
            cand --deny-tool 'Refuse this tool or tool.action (endpoints.deploy); repeatable; wins over --allow-tool'
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --read-only 'Refuse every write action (endpoints create/update/deploy, collaborators create_key/update_permissions/invite, api_call other than GET) and unknown tools not marked read-only'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;mcp;help'= {
            cand serve 'Run the stdio bridge to the hosted MCP server (launched by Claude Code, Cursor, Codex…)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'3minapi;mcp;help;serve'= {
        }
        &'3minapi;mcp;help;help'= {
        }
        &'3minapi;config'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Add our entry to a client''s config file, or bring it up to date (the rest of the file is kept as it is)'
            cand uninstall 'Remove our entry from a client''s config file, and nothing else'
            cand print 'Print the entry `install` would write (the key masked), touching nothing'
            cand list 'Every client''s config files and whether our entry is there and current'
            cand refresh 'Put the key in use into every --direct entry that holds an older one (after a new key)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'3minapi;config;install'= {
            cand --scope 'Which of the client''s files: project (in the current directory, the default where the client has one) or user'
            cand --name 'The server''s name in the file [default: 3minapi, or 3minapi-<profile>]'
            cand --file 'Write to this file instead of the client''s own (same shape)'
            cand --allow-tool 'Let only these through: a tool (endpoints) or one action (endpoints.list); repeatable'
            cand --deny-tool 'Refuse this tool or tool.action (endpoints.deploy); repeatable; wins over --allow-tool'
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --all 'Every client found on this machine (its program on PATH or its folder present), user scope unless --scope says otherwise'
            cand --absolute-path 'Name this binary by its absolute path, also in project files'
            cand --direct 'Connect the client to the hosted server directly, with the key written into the file (0600)'
            cand --from-env 'With --direct: the client reads the key from THREEMINAPI_MCP_KEY instead of the file holding it'
            cand --key-helper 'With --direct, for Claude Code: it asks `3minapi auth header` for the key before connecting (headersHelper); no key in the file, no bridge'
            cand --read-only 'Refuse every write action (endpoints create/update/deploy, collaborators create_key/update_permissions/invite, api_call other than GET) and unknown tools not marked read-only'
            cand --dry-run 'Print the change as a unified diff and write nothing'
            cand --force 'With --direct --scope project: write the key into a file git does not ignore'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;config;uninstall'= {
            cand --scope 'Which of the client''s files: project (in the current directory, the default where the client has one) or user'
            cand --name 'The server''s name in the file [default: 3minapi, or 3minapi-<profile>]'
            cand --file 'Write to this file instead of the client''s own (same shape)'
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --all 'Every client found on this machine (its program on PATH or its folder present), user scope unless --scope says otherwise'
            cand --dry-run 'Print the change as a unified diff and write nothing'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;config;print'= {
            cand --scope 'Which of the client''s files: project (in the current directory, the default where the client has one) or user'
            cand --name 'The server''s name in the file [default: 3minapi, or 3minapi-<profile>]'
            cand --allow-tool 'Let only these through: a tool (endpoints) or one action (endpoints.list); repeatable'
            cand --deny-tool 'Refuse this tool or tool.action (endpoints.deploy); repeatable; wins over --allow-tool'
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --absolute-path 'Name this binary by its absolute path, also in project files'
            cand --direct 'Connect the client to the hosted server directly, with the key written into the file (0600)'
            cand --from-env 'With --direct: the client reads the key from THREEMINAPI_MCP_KEY instead of the file holding it'
            cand --key-helper 'With --direct, for Claude Code: it asks `3minapi auth header` for the key before connecting (headersHelper); no key in the file, no bridge'
            cand --read-only 'Refuse every write action (endpoints create/update/deploy, collaborators create_key/update_permissions/invite, api_call other than GET) and unknown tools not marked read-only'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;config;list'= {
            cand --name 'The server''s name to look for [default: 3minapi, or 3minapi-<profile>]'
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --json 'Machine-readable output (documented in the README)'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;config;refresh'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --dry-run 'Say which files would change, and write nothing'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;config;help'= {
            cand install 'Add our entry to a client''s config file, or bring it up to date (the rest of the file is kept as it is)'
            cand uninstall 'Remove our entry from a client''s config file, and nothing else'
            cand print 'Print the entry `install` would write (the key masked), touching nothing'
            cand list 'Every client''s config files and whether our entry is there and current'
            cand refresh 'Put the key in use into every --direct entry that holds an older one (after a new key)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'3minapi;config;help;install'= {
        }
        &'3minapi;config;help;uninstall'= {
        }
        &'3minapi;config;help;print'= {
        }
        &'3minapi;config;help;list'= {
        }
        &'3minapi;config;help;refresh'= {
        }
        &'3minapi;config;help;help'= {
        }
        &'3minapi;doctor'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --json 'Machine-readable output (documented in the README)'
            cand --offline 'Skip the network and the server'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;tools'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'The server''s tools with their one-line descriptions'
            cand call 'Call one tool and print its result'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'3minapi;tools;list'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --json 'The raw tools/list result (every page merged) as JSON'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;tools;call'= {
            cand --args 'The arguments: a JSON object, @FILE to read it from a file, or - to read it from stdin'
            cand --timeout 'Give up after this many seconds'
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand --json 'Print structured content (or the whole result) as JSON'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;tools;help'= {
            cand list 'The server''s tools with their one-line descriptions'
            cand call 'Call one tool and print its result'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'3minapi;tools;help;list'= {
        }
        &'3minapi;tools;help;call'= {
        }
        &'3minapi;tools;help;help'= {
        }
        &'3minapi;logs'= {
            cand -n 'How many of the last entries to show'
            cand --lines 'How many of the last entries to show'
            cand --file 'Read this log instead of serve.log (a file `mcp serve --log-file` wrote)'
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand -f 'Then keep printing new entries as bridges write them, until interrupted'
            cand --follow 'Then keep printing new entries as bridges write them, until interrupted'
            cand --json 'One JSON object per line: {"time", "pid", "level", "message"}'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;completions'= {
            cand --url 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]'
            cand --ca-file 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]'
            cand --profile 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]'
            cand -v 'More log output (-v info, -vv debug); logs never go to stdout'
            cand --verbose 'More log output (-v info, -vv debug); logs never go to stdout'
            cand -q 'Only errors'
            cand --quiet 'Only errors'
            cand --no-color 'No colours (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'3minapi;help'= {
            cand auth 'Store, check or remove the MCP key (kept in the OS keychain)'
            cand mcp 'The MCP server side: what MCP clients launch'
            cand config 'Add, remove or inspect our entry in an AI client''s MCP config file'
            cand doctor 'Find what is wrong with this setup (key, keychain, network, server, client configs) and say how to fix it'
            cand tools 'List the server''s tools or call one, through the bridge''s own client'
            cand logs 'Show what the bridges logged (serve.log): sessions, refused keys, lost connections, exits'
            cand completions 'Print the shell completion script (also committed in completions/)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'3minapi;help;auth'= {
            cand login 'Store the tm_mcp_ key in the OS keychain (prompted, hidden)'
            cand status 'Show the key in use (masked), where it comes from, and whether the server accepts it'
            cand logout 'Remove the stored key of this profile (keychain and plain file)'
            cand list 'List the profiles and their stored keys (masked)'
            cand header 'Print {"x-api-key": KEY} for a client''s headers helper (never on a terminal)'
        }
        &'3minapi;help;auth;login'= {
        }
        &'3minapi;help;auth;status'= {
        }
        &'3minapi;help;auth;logout'= {
        }
        &'3minapi;help;auth;list'= {
        }
        &'3minapi;help;auth;header'= {
        }
        &'3minapi;help;mcp'= {
            cand serve 'Run the stdio bridge to the hosted MCP server (launched by Claude Code, Cursor, Codex…)'
        }
        &'3minapi;help;mcp;serve'= {
        }
        &'3minapi;help;config'= {
            cand install 'Add our entry to a client''s config file, or bring it up to date (the rest of the file is kept as it is)'
            cand uninstall 'Remove our entry from a client''s config file, and nothing else'
            cand print 'Print the entry `install` would write (the key masked), touching nothing'
            cand list 'Every client''s config files and whether our entry is there and current'
            cand refresh 'Put the key in use into every --direct entry that holds an older one (after a new key)'
        }
        &'3minapi;help;config;install'= {
        }
        &'3minapi;help;config;uninstall'= {
        }
        &'3minapi;help;config;print'= {
        }
        &'3minapi;help;config;list'= {
        }
        &'3minapi;help;config;refresh'= {
        }
        &'3minapi;help;doctor'= {
        }
        &'3minapi;help;tools'= {
            cand list 'The server''s tools with their one-line descriptions'
            cand call 'Call one tool and print its result'
        }
        &'3minapi;help;tools;list'= {
        }
        &'3minapi;help;tools;call'= {
        }
        &'3minapi;help;logs'= {
        }
        &'3minapi;help;completions'= {
        }
        &'3minapi;help;help'= {
        }
    ]
    $completions[$command]
}
