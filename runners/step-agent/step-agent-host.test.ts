import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPT, AGENT_SOCKET, NATIVE_AGENT, NO_AGENT, StepAgentHost } from "./step-agent-host.js";

// What replay's build makes of agent.c (npm run build; the tests run after it).
const BUILT_NATIVE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/step-agent/replay-agent");

async function run(host: StepAgentHost, cmd: string[], o: { env?: Record<string, string>; workdir?: string; user?: string } = {}) {
  let stdout = "";
  let stderr = "";
  const code = await host.run({
    cmd,
    env: o.env ?? {},
    ...(o.workdir === undefined ? {} : { workdir: o.workdir }),
    ...(o.user === undefined ? {} : { user: o.user }),
    onStdout: (b) => (stdout += b.toString()),
    onStderr: (b) => (stderr += b.toString()),
  });
  return { code, stdout, stderr };
}

describe("the container's start line", () => {
  it("has the native agent to start", () => {
    expect(existsSync(BUILT_NATIVE), `${BUILT_NATIVE}: run npm run build (it needs a C compiler)`).toBe(true);
  });

  it.each([
    ["the script", undefined],
    ["the native agent", BUILT_NATIVE],
  ])("marks %s when it cannot connect, as an image without node, so that no step waits for it", async (_name, native) => {
    const d = mkdtempSync(path.join(os.tmpdir(), "replay-agent-down-"));
    try {
      const h = await StepAgentHost.listen(d, native);
      h.close(); // the agent is there; nothing listens
      const sh = spawn("sh", ["-c", `${h.startLine()}\nwait`, d], { stdio: "ignore" });
      await new Promise((resolve) => sh.on("close", resolve));
      expect(existsSync(path.join(d, NO_AGENT))).toBe(true);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it("falls back to the script when the native agent cannot run here", async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), "replay-agent-foreign-"));
    const foreign = path.join(d, "foreign");
    // The start of an ELF header for another architecture (aarch64): the shell cannot run it.
    writeFileSync(foreign, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0xb7, 0, 0x0a]), { mode: 0o755 });
    const h = await StepAgentHost.listen(d, foreign);
    const sh = spawn("sh", ["-c", `${h.startLine()}\nwait`, d], { stdio: "ignore" });
    try {
      await h.connected;
      expect(await run(h, ["sh", "-c", "echo ok"])).toEqual({ code: 0, stdout: "ok\n", stderr: "" });
      expect(existsSync(path.join(d, NO_AGENT))).toBe(false);
    } finally {
      h.close();
      await new Promise((resolve) => sh.on("close", resolve));
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe.each([
  // The script is plain Node: here it runs on the host, as the container's node runs it.
  ["the script", (dir: string) => spawn(process.execPath, [path.join(dir, AGENT_SCRIPT), path.join(dir, AGENT_SOCKET)], { cwd: dir, stdio: "ignore", env: { ...process.env, PWD: dir, SHLVL: "1" } })],
  ["the native agent", (dir: string) => spawn(path.join(dir, NATIVE_AGENT), [path.join(dir, AGENT_SOCKET)], { cwd: dir, stdio: "ignore", env: { ...process.env, PWD: dir, SHLVL: "1" } })],
])("StepAgentHost with %s", (_name, startAgent) => {
  let dir: string;
  let host: StepAgentHost;
  let agent: ChildProcess;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "replay-agent-"));
    host = await StepAgentHost.listen(dir, BUILT_NATIVE);
    agent = startAgent(dir);
    await host.connected;
  });

  afterAll(() => {
    host.close();
    agent.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ["exit 0", ["sh", "-c", "echo out"], { code: 0, stdout: "out\n", stderr: "" }],
    ["exit 3 with stderr", ["sh", "-c", "echo err >&2; exit 3"], { code: 3, stdout: "", stderr: "err\n" }],
    ["a signal, as Docker reports it", ["sh", "-c", "kill -TERM $$"], { code: 143, stdout: "", stderr: "" }],
    ["stdin is closed", ["sh", "-c", "cat; echo done"], { code: 0, stdout: "done\n", stderr: "" }],
  ])("%s", async (_name, cmd, expected) => {
    expect(await run(host, cmd)).toEqual(expected);
  });

  it("gives the request's variables over the agent's own, without what its shell added", async () => {
    const r = await run(host, ["sh", "-c", 'echo "$A|${SHLVL-unset}|${PWD-unset}"'], { env: { A: "1" } });
    expect(r.stdout).toBe(`1|unset|${dir}\n`);
    // (dash drops a name with a dash from its environment; printenv shows it arrived.)
    expect((await run(host, ["printenv", "WITH-DASH"], { env: { "WITH-DASH": "kept" } })).stdout).toBe("kept\n");
  });

  it("runs in the requested directory", async () => {
    expect((await run(host, ["pwd"], { workdir: os.tmpdir() })).stdout).toBe(`${os.tmpdir()}\n`);
  });

  it.each([
    ["a missing program", ["no-such-program-here"], {}],
    ["a missing directory", ["true"], { workdir: "/no/such/dir" }],
    ["an unknown user", ["true"], { user: "no-such-user" }],
  ])("hands back %s, so docker exec reports it", async (_name, cmd, o) => {
    expect((await run(host, cmd, o)).code).toBeUndefined();
  });

  it("waits for a background process that holds the output, and keeps its lines", async () => {
    const started = Date.now();
    const r = await run(host, ["sh", "-c", "(sleep 0.3; echo late) & echo now"]);
    expect(r).toEqual({ code: 0, stdout: "now\nlate\n", stderr: "" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("signals a process for the engine (the container's init, to stop it) and says whether it could", async () => {
    const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => sleeper.on("exit", (_code, signal) => resolve(signal)));
    expect(await host.signal(sleeper.pid ?? 0, "SIGTERM")).toBe(true);
    expect(await exited).toBe("SIGTERM");
    expect(await host.signal(2 ** 22 + 7, "SIGTERM")).toBe(false);
  });

  it("renames a folder for the engine, an empty one at the new name replaced, and says whether it could", async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), "replay-agent-rename-"));
    try {
      mkdirSync(path.join(d, "from"));
      writeFileSync(path.join(d, "from", "f"), "x");
      mkdirSync(path.join(d, "to"));
      expect(await host.rename(path.join(d, "from"), path.join(d, "to"))).toBe(true);
      expect(readFileSync(path.join(d, "to", "f"), "utf8")).toBe("x");
      mkdirSync(path.join(d, "again"));
      expect(await host.rename(path.join(d, "again"), path.join(d, "to"))).toBe(false);
      expect(await host.rename(path.join(d, "gone"), path.join(d, "x"))).toBe(false);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it("streams a large output whole", async () => {
    const r = await run(host, ["sh", "-c", "head -c 5000000 /dev/zero | tr '\\0' x"]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(5_000_000);
  });
});
