// OpenCode, Qwen Code, GitHub Copilot CLI and mcporter, driven the way drive.mjs drives the others:
// `3minapi config install <client> --scope user` writes the entry (never a hand-written one), the
// client itself says whether the server connected and which tools it has, and calls `help`. The
// three coding agents talk to a fake OpenAI chat-completions API here (127.0.0.1) that asks for one
// call of the help tool under the name that client gives it; mcporter calls the tool itself.
//
// Imported by drive.mjs (and importing its helpers back: only functions run at import time, so
// the cycle is safe). Environment, besides drive.mjs's: NODE24_BIN (Node 24, for Qwen Code and
// mcporter, which refuse Node 20) and COPILOT_PKG_DIR (where Copilot CLI unpacks itself once).

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { CLIENTS, HELP_KEYS_ANSWER, bin, children, fakeModel, install, jsonLines, text } from "./drive.mjs";

const NODE24 = process.env.NODE24_BIN;
const COPILOT_PKG = process.env.COPILOT_PKG_DIR;
// Copilot CLI masks its provider key wherever it appears in its output: one no other text contains.
const COPILOT_PROVIDER_KEY = "fake-provider-key-3minapi-real-clients-4f1d9c2e";

/** `config install <client> --scope user`: the entry in the user's own file for the client. */
function installUser(sb, client) {
  install({ ...sb, installArgs: ["--scope", "user", ...(sb.installArgs ?? [])] }, client);
}

/** A Node 24 first on PATH, as a user of Qwen Code or mcporter has. */
function withNode24(env) {
  if (!NODE24 || !fs.existsSync(NODE24)) throw new Error(`NODE24_BIN is not a Node: ${NODE24}`);
  return { ...env, PATH: `${path.dirname(NODE24)}:${env.PATH}` };
}

/** Like drive.mjs's runAsync, but in a process group of its own that is killed whole on timeout:
 * the npm launchers (Copilot CLI's, Qwen Code's) start the real client as a child of theirs. */
function runGroup(cmd, args, { env, cwd, timeout = 120_000 }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const group = {
      kill(signal) {
        try {
          process.kill(-child.pid, signal);
        } catch {}
      },
    };
    children.push(group);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => group.kill("SIGKILL"), timeout);
    child.on("exit", (code) => {
      clearTimeout(timer);
      // Whatever the client left behind (an MCP server it did not stop) goes with it.
      group.kill("SIGKILL");
      resolve({ code, stdout, stderr });
    });
  });
}

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");
const lastLines = (s, n = 3) => s.trim().split("\n").slice(-n).join(" / ").slice(0, 300);

// ---------------------------------------------------------------------------------------------
// Fake OpenAI chat-completions API (streaming): one call of the help tool, then "done"
// ---------------------------------------------------------------------------------------------

/**
 * `help`: the name the client gives our help tool; `prefix`: the names of all of ours, counted in
 * seen.tools. Asks for `help` while no tool result came back, in a request that offers tools and
 * offers `help` — or, with `unlisted`, one that offers any tools (Qwen Code defers MCP tools behind
 * its tool_search and lists none of them). A request without tools (a title) gets text.
 */
export function openai({ help, prefix, unlisted = false }) {
  return (req, res, body, seen) => {
    if (req.method !== "POST" || !req.url.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { message: `fake model: no ${req.method} ${req.url}` } }));
    }
    const names = (body.tools ?? []).map((t) => t.function?.name ?? t.name).filter(Boolean);
    const ours = names.filter((n) => n.startsWith(prefix));
    if (ours.length) seen.tools = ours;
    const answered = (body.messages ?? []).some((m) => m.role === "tool");
    const useTool = !answered && names.length > 0 && (unlisted || ours.includes(help));
    if (useTool) seen.asked = (seen.asked ?? 0) + 1;
    const call = { id: "call_1", type: "function", function: { name: help, arguments: JSON.stringify({ topic: "keys" }) } };
    const finish = useTool ? "tool_calls" : "stop";
    const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
    const head = { id: `chatcmpl-${seen.requests}`, created: Math.floor(Date.now() / 1000), model: body.model ?? "fake-model" };
    if (!body.stream) {
      const message = useTool
        ? { role: "assistant", content: null, tool_calls: [call] }
        : { role: "assistant", content: "done" };
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ ...head, object: "chat.completion", choices: [{ index: 0, message, finish_reason: finish }], usage }));
    }
    const delta = useTool
      ? { role: "assistant", content: null, tool_calls: [{ index: 0, ...call }] }
      : { role: "assistant", content: "done" };
    const chunk = (choice, extra = {}) => ({ ...head, object: "chat.completion.chunk", choices: [choice], ...extra });
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write(`data: ${JSON.stringify(chunk({ index: 0, delta, finish_reason: null }))}\n\n`);
    res.write(`data: ${JSON.stringify(chunk({ index: 0, delta: {}, finish_reason: finish }, { usage }))}\n\n`);
    res.write("data: [DONE]\n\n");
    res.end();
  };
}

/** Runs `drive(model)` with a fake OpenAI API up, and always takes it down. */
async function withOpenai(options, drive) {
  const model = await fakeModel(openai(options));
  try {
    return await drive(model);
  } finally {
    model.server.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The clients
// ---------------------------------------------------------------------------------------------

/** OpenCode: `opencode mcp list`, then `opencode run` against a provider in the project's file. */
async function opencode(sb, { call = true } = {}) {
  installUser(sb, "opencode");
  const env = { ...sb.env, OPENCODE_DISABLE_AUTOUPDATE: "1", OPENCODE_DISABLE_MODELS_FETCH: "1" };
  const list = await runGroup(bin("opencode"), ["mcp", "list"], { env, cwd: sb.project, timeout: 60_000 });
  // Exit code 0 whatever the status: the line says it ("✓ 3minapi connected", "✗ 3minapi failed").
  const lines = stripAnsi(list.stdout + list.stderr).split("\n");
  const at = lines.findIndex((l) => /\b3minapi\b/.test(l) && /[✓✗○●]/.test(l));
  const line = at >= 0 ? lines[at] : "";
  const out = {
    connected: /✓\s+3minapi\s+connected/.test(line),
    // The reason of a failure is on the line below the status line (then comes the command).
    shows: at >= 0 ? lines.slice(at, at + 2).map((l) => l.replace(/^[│●\s]+/, "").trim()).filter(Boolean).join(" — ") : lastLines(stripAnsi(list.stdout + list.stderr)),
  };
  if (!call || !out.connected) return out;
  return withOpenai({ help: "3minapi_help", prefix: "3minapi_" }, async (model) => {
    // The model provider goes in the project's opencode.json, next to (not into) the user file
    // config install wrote: OpenCode merges the two.
    fs.writeFileSync(
      path.join(sb.project, "opencode.json"),
      JSON.stringify({
        $schema: "https://opencode.ai/config.json",
        provider: {
          fake: {
            npm: "@ai-sdk/openai-compatible",
            options: { baseURL: `http://127.0.0.1:${model.port}/v1`, apiKey: "x" },
            models: { "fake-model": { tool_call: true } },
          },
        },
        model: "fake/fake-model",
      }),
    );
    const r = await runGroup(bin("opencode"), ["run", "--format", "json", "-m", "fake/fake-model", "call the help tool"], {
      env,
      cwd: sb.project,
    });
    const part = jsonLines(r.stdout)
      .filter((l) => l.type === "tool_use")
      .map((l) => l.part)
      .find((p) => p?.tool === "3minapi_help");
    out.tools = model.seen.tools?.length ?? 0;
    out.help = !part
      ? `not called${model.seen.asked ? "" : " (help not offered)"}: ${lastLines(r.stderr || r.stdout)}`
      : part.state?.status === "completed"
        ? "ok"
        : `error: ${String(part.state?.error ?? JSON.stringify(part.state)).slice(0, 200)}`;
    out.helpText = part?.state?.output;
    return out;
  });
}

/** Qwen Code (Node 24): `qwen mcp list`, then `qwen -p` against the fake OpenAI API. */
async function qwen(sb, { call = true } = {}) {
  installUser(sb, "qwen");
  // Usage statistics would resolve an Aliyun host: off, to stay on 127.0.0.1.
  const env = withNode24({ ...sb.env, QWEN_USAGE_STATISTICS_ENABLED: "false" });
  const cli = path.join(CLIENTS, "@qwen-code/qwen-code/cli-entry.js");
  const list = await runGroup(NODE24, [cli, "mcp", "list"], { env, cwd: sb.project, timeout: 60_000 });
  const all = stripAnsi(list.stdout + list.stderr);
  const line = all.split("\n").find((l) => /3minapi:/.test(l)) ?? "";
  const out = {
    connected: /✓\s+3minapi:.*\(stdio\)\s+-\s+Connected/.test(line),
    shows: line.replace(/^.*?\(stdio\)\s+-\s+/, "").trim() || lastLines(all),
  };
  if (!call || !out.connected) return out;
  return withOpenai({ help: "mcp__3minapi__help", prefix: "mcp__3minapi__", unlisted: true }, async (model) => {
    const r = await runGroup(NODE24, [cli, "-p", "call the help tool", "--output-format", "stream-json", "--yolo"], {
      env: {
        ...env,
        OPENAI_API_KEY: "x",
        OPENAI_BASE_URL: `http://127.0.0.1:${model.port}/v1`,
        OPENAI_MODEL: "fake-model",
      },
      cwd: sb.project,
    });
    const lines = jsonLines(r.stdout);
    const init = lines.find((l) => l.type === "system" && l.subtype === "init");
    const server = (init?.mcp_servers ?? []).find((s) => s.name === "3minapi");
    if (server?.status !== "connected") {
      out.connected = false;
      out.shows = `qwen -p: 3minapi ${server ? server.status : "not among its MCP servers"}`;
    }
    out.tools = (init?.tools ?? []).filter((t) => t.startsWith("mcp__3minapi__")).length;
    const result = lines
      .flatMap((l) => (l.type === "user" ? l.message?.content ?? [] : []))
      .find((c) => c.type === "tool_result");
    out.help = result
      ? result.is_error
        ? `error: ${text(result.content).slice(0, 200)}`
        : "ok"
      : `not called: ${lastLines(r.stderr || r.stdout)}`;
    out.helpText = result && text(result.content);
    return out;
  });
}

/** GitHub Copilot CLI: `copilot mcp list/get` read the entry; `copilot -p` (bring-your-own
 * provider, no GitHub login) connects and calls help. */
async function copilot(sb, { call = true } = {}) {
  installUser(sb, "copilot");
  const env = {
    ...sb.env,
    COPILOT_OFFLINE: "true",
    COPILOT_AUTO_UPDATE: "false",
    COPILOT_PKG_CACHE_HOME: COPILOT_PKG,
  };
  const list = await runGroup(bin("copilot"), ["mcp", "list", "--json"], { env, cwd: sb.project, timeout: 60_000 });
  let entry;
  try {
    entry = JSON.parse(list.stdout).mcpServers?.["3minapi"];
  } catch {}
  if (!entry || entry.enabled !== true || entry.source !== "user") {
    return { connected: false, shows: `copilot mcp list: ${entry ? JSON.stringify(entry) : lastLines(list.stdout + list.stderr)}` };
  }
  const get = await runGroup(bin("copilot"), ["mcp", "get", "3minapi"], { env, cwd: sb.project, timeout: 60_000 });
  const status = (get.stdout.match(/Status:\s*(.*)/) ?? [])[1]?.trim();
  if (status !== "Enabled") {
    return { connected: false, shows: `copilot mcp get: ${status ?? lastLines(get.stdout + get.stderr)}` };
  }
  // Whether it connects shows only in a session: one, with the fake model, in either case.
  return withOpenai({ help: "3minapi-help", prefix: "3minapi-" }, async (model) => {
    const r = await runGroup(bin("copilot"), ["-p", "call the help tool", "--output-format", "json", "--allow-all-tools"], {
      env: {
        ...env,
        COPILOT_PROVIDER_BASE_URL: `http://127.0.0.1:${model.port}/v1`,
        COPILOT_PROVIDER_API_KEY: COPILOT_PROVIDER_KEY,
        COPILOT_MODEL: "fake-model",
      },
      cwd: sb.project,
    });
    const lines = jsonLines(r.stdout);
    const loaded = lines.find((l) => l.type === "session.mcp_servers_loaded");
    const server = (loaded?.data?.servers ?? []).find((s) => s.name === "3minapi");
    const out = {
      connected: server?.status === "connected",
      shows: server
        ? `${server.status}${server.error ? `: ${server.error}` : ""}`
        : `3minapi not among the servers loaded: ${loaded ? JSON.stringify(loaded.data).slice(0, 200) : lastLines(r.stderr || r.stdout)}`,
    };
    if (!call || !out.connected) return out;
    // Counted in what the model was offered: the toolCount of mcp_server_tools_loaded is a cache's.
    out.tools = model.seen.tools?.length ?? 0;
    const done = lines.find((l) => l.type === "tool.execution_complete");
    const result = done?.data?.result;
    out.help = !done
      ? `not called${model.seen.asked ? "" : " (help not offered)"}: ${lastLines(r.stderr || r.stdout)}`
      : done.data.success
        ? "ok"
        : `error: ${JSON.stringify(done.data.error ?? result).slice(0, 200)}`;
    out.helpText = typeof result === "string" ? result : JSON.stringify(result ?? "");
    return out;
  });
}

/** mcporter (Node 24) finds the servers of the clients it knows in their own files: the entry
 * `config install opencode` wrote, then — Cursor's file coming first — the one for Cursor. */
async function mcporter(sb, { call = true } = {}) {
  const env = withNode24(sb.env);
  const cli = path.join(CLIENTS, "mcporter/dist/cli.js");
  const mcp = (args) => runGroup(NODE24, [cli, ...args], { env, cwd: sb.project, timeout: 60_000 });
  const out = { connected: true, tools: Infinity, help: "ok", read: [] };
  for (const client of ["opencode", "cursor"]) {
    installUser(sb, client);
    // Exit code 0 whatever the status: the JSON says it.
    const list = await mcp(["list", "--json"]);
    let server;
    try {
      server = JSON.parse(list.stdout).servers?.find((s) => s.name === "3minapi");
    } catch {}
    const from = server?.source?.importKind;
    if (server?.status !== "ok" || from !== client) {
      return {
        connected: false,
        shows: server
          ? `${server.status} (from ${from ?? server.source?.path ?? "?"}): ${server.error ?? server.issue?.rawMessage ?? ""}`.trim()
          : `mcporter list: no 3minapi after config install ${client}: ${lastLines(list.stdout + list.stderr)}`,
      };
    }
    out.read.push(from);
    out.tools = Math.min(out.tools, server.tools?.length ?? 0);
    if (!call) continue;
    // `--output json`: the tool's answer as JSON, or {server, tool, error} (and exit code 1).
    const r = await mcp(["call", "3minapi.help", "topic=keys", "--output", "json"]);
    let result;
    try {
      result = JSON.parse(r.stdout);
    } catch {}
    if (r.code !== 0 || !result || result.error || result.isError || !HELP_KEYS_ANSWER.test(r.stdout)) {
      out.help = `error (${client}'s entry): ${(result?.error ?? lastLines(r.stdout + r.stderr)).slice(0, 200)}`;
      break;
    }
    out.helpText = r.stdout;
  }
  out.note = `the entries for ${out.read.join(" and ")}`;
  return out;
}

/** [name, drive, options] for drive.mjs's list. Of its failure cases only the key ones: the
 * unreachable server and the TLS ones are the bridge's own, shown by the clients above. */
const cases = ["no key", "a tm_live_ key"];
export const moreClients = [
  ["opencode", opencode, { cases }],
  ["qwen", qwen, { cases }],
  ["copilot", copilot, { cases }],
  ["mcporter", mcporter, { cases }],
];
