// An independent MCP 2026-07-28 client for the bridge: the official TypeScript SDK v2 client
// (`@modelcontextprotocol/client`, pinned in tests/npm-peers.sh), over its own stdio transport.
//
//   node tests/modern_ts_client.mjs COMMAND [ARGS...]
//
// Launches COMMAND (the built `3minapi` with `mcp serve`) as a stdio MCP server, passing on only
// THREEMINAPI_URL, THREEMINAPI_MCP_KEY, PATH and HOME. It connects in the stateless 2026-07-28
// era (server/discover first, no initialize), lists the tools, calls `help` and `logs`, and prints
// one JSON line on stdout:
//
//   {"protocolVersion", "era", "negotiation", "serverInfo", "tools": [names], "help": text,
//    "logs": text | {"error": message}}
//
// Exits non-zero on any failure. Every JSON-RPC message of the session is traced on stderr.
//
// Environment:
//   MCP_CLIENT_PKG   directory of the installed @modelcontextprotocol/client package (default:
//                    the npm cache of tests/npm-peers.sh)
//   MCP_NEGOTIATION  `pin` (default: versionNegotiation { pin: '2026-07-28' }, no fallback) or
//                    `auto` (server/discover probe with legacy fallback; the run must still end
//                    up on 2026-07-28)

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MODERN = '2026-07-28';
const TIMEOUT_MS = 20_000;

const trace = (what) => process.stderr.write(`modern_ts_client: ${what}\n`);

function fail(message) {
    trace(`FAILED: ${message}`);
    process.exit(1);
}

// Never hang the test that runs this.
setTimeout(() => fail('no result within 50 s'), 50_000).unref();

function packageDir() {
    if (process.env.MCP_CLIENT_PKG) return process.env.MCP_CLIENT_PKG;
    const npm =
        process.env.THREEMINAPI_TEST_NPM ??
        join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), '3minapi-tests/npm');
    return join(npm, 'node_modules/@modelcontextprotocol/client');
}

/** Imports an entry of the package through its `exports` map (ESM bare specifiers resolve
 * relative to this file, not to the npm cache, so the map is read by hand). */
async function importEntry(dir, entry) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const target = pkg.exports?.[entry]?.import?.default ?? pkg.exports?.[entry]?.import;
    if (typeof target !== 'string') throw new Error(`${pkg.name} exports no ESM entry ${entry}`);
    return import(pathToFileURL(join(dir, target)).href);
}

function textOf(result) {
    return (result.content ?? [])
        .filter((c) => c.type === 'text')
        .map((c) => c.text)
        .join('\n');
}

async function main() {
    const [command, ...args] = process.argv.slice(2);
    if (!command) fail('usage: node modern_ts_client.mjs COMMAND [ARGS...]');
    const negotiation = process.env.MCP_NEGOTIATION ?? 'pin';
    if (negotiation !== 'pin' && negotiation !== 'auto') fail(`bad MCP_NEGOTIATION ${negotiation}`);

    const dir = packageDir();
    const pkgVersion = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    const { Client } = await importEntry(dir, '.');
    const { StdioClientTransport } = await importEntry(dir, './stdio');
    trace(`@modelcontextprotocol/client ${pkgVersion}, negotiation ${negotiation}`);

    // Trace the wire of every bridge process on stderr. The methods are patched on the prototype,
    // not in a subclass: connect() runs its server/discover probe on a disposable sibling process
    // only for the SDK's base StdioClientTransport (a subclass would probe in place).
    const proto = StdioClientTransport.prototype;
    const { send, start } = proto;
    proto.send = function (message, options) {
        trace(`[pid ${this.pid}] > ${JSON.stringify(message)}`);
        return send.call(this, message, options);
    };
    proto.start = async function () {
        let onmessage = this.onmessage;
        Object.defineProperty(this, 'onmessage', {
            configurable: true,
            get: () => onmessage,
            set: (fn) => {
                onmessage =
                    fn &&
                    ((message, extra) => {
                        trace(`[pid ${this.pid}] < ${JSON.stringify(message)}`);
                        return fn(message, extra);
                    });
            },
        });
        this.onmessage = onmessage;
        await start.call(this);
        trace(`[pid ${this.pid}] spawned ${this._serverParams.command}`);
    };

    const env = {};
    for (const k of ['THREEMINAPI_URL', 'THREEMINAPI_MCP_KEY', 'PATH', 'HOME']) {
        if (process.env[k] !== undefined) env[k] = process.env[k];
    }
    const transport = new StdioClientTransport({ command, args, env, stderr: 'inherit' });

    // The SDK v2 client speaks 2025 (`initialize`) unless told otherwise: `versionNegotiation`
    // defaults to 'legacy'. Pinning makes connect() send `server/discover` and insist on 2026-07-28.
    const client = new Client(
        { name: 'modern-ts-client', version: pkgVersion },
        {
            capabilities: {},
            versionNegotiation: {
                mode: negotiation === 'pin' ? { pin: MODERN } : 'auto',
                probe: { timeoutMs: TIMEOUT_MS },
            },
        },
    );
    client.onerror = (e) => trace(`client error: ${e?.stack ?? e}`);

    await client.connect(transport, { timeout: TIMEOUT_MS });
    const protocolVersion = client.getNegotiatedProtocolVersion();
    const era = client.getProtocolEra();
    trace(`connected: protocol ${protocolVersion}, era ${era}`);

    const { tools } = await client.listTools(undefined, { timeout: TIMEOUT_MS });
    const help = await client.callTool({ name: 'help', arguments: {} }, { timeout: TIMEOUT_MS });
    if (help.isError) throw new Error(`help failed: ${textOf(help)}`);

    let logs;
    let failed = false;
    try {
        const r = await client.callTool(
            { name: 'logs', arguments: { action: 'search', query: 'héllo 世界' } },
            { timeout: TIMEOUT_MS },
        );
        if (r.isError) {
            logs = { error: textOf(r) };
            failed = true;
        } else {
            logs = textOf(r);
        }
    } catch (e) {
        logs = { error: String(e?.message ?? e), code: e?.code, data: e?.data };
        failed = true;
    }

    process.stdout.write(
        JSON.stringify({
            protocolVersion,
            era,
            negotiation,
            serverInfo: client.getServerVersion(),
            tools: tools.map((t) => t.name),
            help: textOf(help),
            logs,
        }) + '\n',
    );
    await client.close();
    if (failed) fail(`logs failed: ${JSON.stringify(logs)}`);
    if (protocolVersion !== MODERN) fail(`negotiated ${protocolVersion}, not ${MODERN}`);
}

main().then(
    () => process.exit(0),
    (e) => fail(e?.stack ?? String(e)),
);
