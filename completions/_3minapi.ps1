
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName '3minapi' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        '3minapi'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        '3minapi' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Store, check or remove the MCP key (kept in the OS keychain)')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'The MCP server side: what MCP clients launch')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Add, remove or inspect our entry in an AI client''s MCP config file')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find what is wrong with this setup (key, keychain, network, server, client configs) and say how to fix it')
            [CompletionResult]::new('tools', 'tools', [CompletionResultType]::ParameterValue, 'List the server''s tools or call one, through the bridge''s own client')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show what the bridges logged (serve.log): sessions, refused keys, lost connections, exits')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script (also committed in completions/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        '3minapi;auth' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Store the tm_mcp_ key in the OS keychain (prompted, hidden)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the key in use (masked), where it comes from, and whether the server accepts it')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored key of this profile (keychain and plain file)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles and their stored keys (masked)')
            [CompletionResult]::new('header', 'header', [CompletionResultType]::ParameterValue, 'Print {"x-api-key": KEY} for a client''s headers helper (never on a terminal)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        '3minapi;auth;login' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--with-key', '--with-key', [CompletionResultType]::ParameterName, 'Read the key from one line of stdin instead of prompting (for scripts; never pass it in argv)')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Store without asking the server whether it accepts the key')
            [CompletionResult]::new('--insecure-storage', '--insecure-storage', [CompletionResultType]::ParameterName, 'No keychain here: store the key in a plain file (mode 0600) under the config directory')
            [CompletionResult]::new('--update-configs', '--update-configs', [CompletionResultType]::ParameterName, 'Then put the new key into every --direct entry holding an older one (`config refresh`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;auth;status' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output (documented in the README)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Do not ask the server')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;auth;logout' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;auth;list' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output (documented in the README)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;auth;header' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;auth;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Store the tm_mcp_ key in the OS keychain (prompted, hidden)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the key in use (masked), where it comes from, and whether the server accepts it')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored key of this profile (keychain and plain file)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles and their stored keys (masked)')
            [CompletionResult]::new('header', 'header', [CompletionResultType]::ParameterValue, 'Print {"x-api-key": KEY} for a client''s headers helper (never on a terminal)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        '3minapi;auth;help;login' {
            break
        }
        '3minapi;auth;help;status' {
            break
        }
        '3minapi;auth;help;logout' {
            break
        }
        '3minapi;auth;help;list' {
            break
        }
        '3minapi;auth;help;header' {
            break
        }
        '3minapi;auth;help;help' {
            break
        }
        '3minapi;mcp' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the stdio bridge to the hosted MCP server (launched by Claude Code, Cursor, Codex…)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        '3minapi;mcp;serve' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Append logs to this file instead of stderr')
            [CompletionResult]::new('--allow-tool', '--allow-tool', [CompletionResultType]::ParameterName, 'Let only these through: a tool (endpoints) or one action (endpoints.list); repeatable')
            [CompletionResult]::new('--deny-tool', '--deny-tool', [CompletionResultType]::ParameterName, 'Refuse this tool or tool.action (endpoints.deploy); repeatable; wins over --allow-tool')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Refuse every write action (endpoints create/update/deploy, collaborators create_key/update_permissions/invite, api_call other than GET) and unknown tools not marked read-only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;mcp;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the stdio bridge to the hosted MCP server (launched by Claude Code, Cursor, Codex…)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        '3minapi;mcp;help;serve' {
            break
        }
        '3minapi;mcp;help;help' {
            break
        }
        '3minapi;config' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Add our entry to a client''s config file, or bring it up to date (the rest of the file is kept as it is)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove our entry from a client''s config file, and nothing else')
            [CompletionResult]::new('print', 'print', [CompletionResultType]::ParameterValue, 'Print the entry `install` would write (the key masked), touching nothing')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every client''s config files and whether our entry is there and current')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Put the key in use into every --direct entry that holds an older one (after a new key)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        '3minapi;config;install' {
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Which of the client''s files: project (in the current directory, the default where the client has one) or user')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The server''s name in the file [default: 3minapi, or 3minapi-<profile>]')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Write to this file instead of the client''s own (same shape)')
            [CompletionResult]::new('--allow-tool', '--allow-tool', [CompletionResultType]::ParameterName, 'Let only these through: a tool (endpoints) or one action (endpoints.list); repeatable')
            [CompletionResult]::new('--deny-tool', '--deny-tool', [CompletionResultType]::ParameterName, 'Refuse this tool or tool.action (endpoints.deploy); repeatable; wins over --allow-tool')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every client found on this machine (its program on PATH or its folder present), user scope unless --scope says otherwise')
            [CompletionResult]::new('--absolute-path', '--absolute-path', [CompletionResultType]::ParameterName, 'Name this binary by its absolute path, also in project files')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Connect the client to the hosted server directly, with the key written into the file (0600)')
            [CompletionResult]::new('--from-env', '--from-env', [CompletionResultType]::ParameterName, 'With --direct: the client reads the key from THREEMINAPI_MCP_KEY instead of the file holding it')
            [CompletionResult]::new('--key-helper', '--key-helper', [CompletionResultType]::ParameterName, 'With --direct, for Claude Code: it asks `3minapi auth header` for the key before connecting (headersHelper); no key in the file, no bridge')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Refuse every write action (endpoints create/update/deploy, collaborators create_key/update_permissions/invite, api_call other than GET) and unknown tools not marked read-only')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the change as a unified diff and write nothing')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --direct --scope project: write the key into a file git does not ignore')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;config;uninstall' {
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Which of the client''s files: project (in the current directory, the default where the client has one) or user')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The server''s name in the file [default: 3minapi, or 3minapi-<profile>]')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Write to this file instead of the client''s own (same shape)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every client found on this machine (its program on PATH or its folder present), user scope unless --scope says otherwise')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the change as a unified diff and write nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;config;print' {
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Which of the client''s files: project (in the current directory, the default where the client has one) or user')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The server''s name in the file [default: 3minapi, or 3minapi-<profile>]')
            [CompletionResult]::new('--allow-tool', '--allow-tool', [CompletionResultType]::ParameterName, 'Let only these through: a tool (endpoints) or one action (endpoints.list); repeatable')
            [CompletionResult]::new('--deny-tool', '--deny-tool', [CompletionResultType]::ParameterName, 'Refuse this tool or tool.action (endpoints.deploy); repeatable; wins over --allow-tool')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--absolute-path', '--absolute-path', [CompletionResultType]::ParameterName, 'Name this binary by its absolute path, also in project files')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Connect the client to the hosted server directly, with the key written into the file (0600)')
            [CompletionResult]::new('--from-env', '--from-env', [CompletionResultType]::ParameterName, 'With --direct: the client reads the key from THREEMINAPI_MCP_KEY instead of the file holding it')
            [CompletionResult]::new('--key-helper', '--key-helper', [CompletionResultType]::ParameterName, 'With --direct, for Claude Code: it asks `3minapi auth header` for the key before connecting (headersHelper); no key in the file, no bridge')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Refuse every write action (endpoints create/update/deploy, collaborators create_key/update_permissions/invite, api_call other than GET) and unknown tools not marked read-only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;config;list' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The server''s name to look for [default: 3minapi, or 3minapi-<profile>]')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output (documented in the README)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;config;refresh' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say which files would change, and write nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;config;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Add our entry to a client''s config file, or bring it up to date (the rest of the file is kept as it is)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove our entry from a client''s config file, and nothing else')
            [CompletionResult]::new('print', 'print', [CompletionResultType]::ParameterValue, 'Print the entry `install` would write (the key masked), touching nothing')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every client''s config files and whether our entry is there and current')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Put the key in use into every --direct entry that holds an older one (after a new key)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        '3minapi;config;help;install' {
            break
        }
        '3minapi;config;help;uninstall' {
            break
        }
        '3minapi;config;help;print' {
            break
        }
        '3minapi;config;help;list' {
            break
        }
        '3minapi;config;help;refresh' {
            break
        }
        '3minapi;config;help;help' {
            break
        }
        '3minapi;doctor' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output (documented in the README)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Skip the network and the server')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;tools' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The server''s tools with their one-line descriptions')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Call one tool and print its result')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        '3minapi;tools;list' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'The raw tools/list result (every page merged) as JSON')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;tools;call' {
            [CompletionResult]::new('--args', '--args', [CompletionResultType]::ParameterName, 'The arguments: a JSON object, @FILE to read it from a file, or - to read it from stdin')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this many seconds')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print structured content (or the whole result) as JSON')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;tools;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The server''s tools with their one-line descriptions')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Call one tool and print its result')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        '3minapi;tools;help;list' {
            break
        }
        '3minapi;tools;help;call' {
            break
        }
        '3minapi;tools;help;help' {
            break
        }
        '3minapi;logs' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many of the last entries to show')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'How many of the last entries to show')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read this log instead of serve.log (a file `mcp serve --log-file` wrote)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Then keep printing new entries as bridges write them, until interrupted')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Then keep printing new entries as bridges write them, until interrupted')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per line: {"time", "pid", "level", "message"}')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;completions' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v info, -vv debug); logs never go to stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        '3minapi;help' {
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Store, check or remove the MCP key (kept in the OS keychain)')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'The MCP server side: what MCP clients launch')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Add, remove or inspect our entry in an AI client''s MCP config file')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find what is wrong with this setup (key, keychain, network, server, client configs) and say how to fix it')
            [CompletionResult]::new('tools', 'tools', [CompletionResultType]::ParameterValue, 'List the server''s tools or call one, through the bridge''s own client')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show what the bridges logged (serve.log): sessions, refused keys, lost connections, exits')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script (also committed in completions/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        '3minapi;help;auth' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Store the tm_mcp_ key in the OS keychain (prompted, hidden)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the key in use (masked), where it comes from, and whether the server accepts it')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored key of this profile (keychain and plain file)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles and their stored keys (masked)')
            [CompletionResult]::new('header', 'header', [CompletionResultType]::ParameterValue, 'Print {"x-api-key": KEY} for a client''s headers helper (never on a terminal)')
            break
        }
        '3minapi;help;auth;login' {
            break
        }
        '3minapi;help;auth;status' {
            break
        }
        '3minapi;help;auth;logout' {
            break
        }
        '3minapi;help;auth;list' {
            break
        }
        '3minapi;help;auth;header' {
            break
        }
        '3minapi;help;mcp' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the stdio bridge to the hosted MCP server (launched by Claude Code, Cursor, Codex…)')
            break
        }
        '3minapi;help;mcp;serve' {
            break
        }
        '3minapi;help;config' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Add our entry to a client''s config file, or bring it up to date (the rest of the file is kept as it is)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove our entry from a client''s config file, and nothing else')
            [CompletionResult]::new('print', 'print', [CompletionResultType]::ParameterValue, 'Print the entry `install` would write (the key masked), touching nothing')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every client''s config files and whether our entry is there and current')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Put the key in use into every --direct entry that holds an older one (after a new key)')
            break
        }
        '3minapi;help;config;install' {
            break
        }
        '3minapi;help;config;uninstall' {
            break
        }
        '3minapi;help;config;print' {
            break
        }
        '3minapi;help;config;list' {
            break
        }
        '3minapi;help;config;refresh' {
            break
        }
        '3minapi;help;doctor' {
            break
        }
        '3minapi;help;tools' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The server''s tools with their one-line descriptions')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Call one tool and print its result')
            break
        }
        '3minapi;help;tools;list' {
            break
        }
        '3minapi;help;tools;call' {
            break
        }
        '3minapi;help;logs' {
            break
        }
        '3minapi;help;completions' {
            break
        }
        '3minapi;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
