// `replay mcp` driven by the Model Context Protocol SDK's own client over stdio, against
// real replays: what an agent sees of list, validate, run and logs, and that it never
// deploys.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "./support/corpus.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";
import { tempRepo } from "./support/temp-repo.js";

const WORKFLOW = `on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: echo all clean
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo preparing
      - name: Check
        run: |
          echo "expected 3, got 4"
          exit 1
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo deploying
`;

type ToolResult = { content: { type: string; text: string }[]; isError?: boolean };
const text = (r: unknown): string => (r as ToolResult).content.map((c) => c.text).join("\n");

describe("replay mcp", () => {
  let repo: { dir: string; dispose: () => void };
  let client: Client;

  beforeAll(async () => {
    repo = tempRepo("replay-mcp-", { ".github/workflows/ci.yml": WORKFLOW, ".github/workflows/broken.yml": "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope( }}\n" });
    client = new Client({ name: "replay-test", version: "1" });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, "-C", repo.dir, "mcp"], env: { ...process.env, CI: "true" } as Record<string, string>, stderr: "ignore" }));
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    repo?.dispose();
  });

  it("lists its tools", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["diff", "list", "logs", "run", "validate"]);
  });

  it("lists the jobs and validates with file:line:col", async () => {
    expect(text(await client.callTool({ name: "list", arguments: { workflow: ".github/workflows/ci.yml" } }))).toContain('"deploy"');
    const validated = text(await client.callTool({ name: "validate", arguments: {} }));
    expect(validated).toMatch(/broken\.yml:6:\d+/);
  });

  it("runs a passing job and a failing one, answering the failing step's last lines", async () => {
    const ok = JSON.parse(text(await client.callTool({ name: "run", arguments: { job: "lint", workflow: ".github/workflows/ci.yml" } })));
    expect(ok.verdict).toBe("success");
    const bad = JSON.parse(text(await client.callTool({ name: "run", arguments: { job: "test", workflow: ".github/workflows/ci.yml" } })));
    expect(bad.verdict).toBe("failure");
    expect(bad.failingStep.name).toBe("Check");
    expect(bad.failingStep.lastLines.join("\n")).toContain("expected 3, got 4");
    const logs = JSON.parse(text(await client.callTool({ name: "logs", arguments: { runId: bad.runId } })));
    expect(JSON.stringify(logs)).toContain("expected 3, got 4");
    expect(await leftAfterRemoval([`dev.replay.run=${bad.runId}`])).toBe("");
  }, 180_000);

  it("never deploys: a job with an environment is refused", async () => {
    const r = (await client.callTool({ name: "run", arguments: { job: "deploy", workflow: ".github/workflows/ci.yml" } })) as ToolResult;
    expect(r.isError).toBe(true);
    expect(text(r)).toContain("does not run 'deploy'");
  }, 60_000);

  it("a timeout cancels the replay and leaves no container", async () => {
    const slow = tempRepo("replay-mcp-slow-", { ".github/workflows/ci.yml": "on: push\njobs:\n  slow:\n    runs-on: ubuntu-latest\n    steps:\n      - run: sleep 120\n" });
    const c = new Client({ name: "replay-test", version: "1" });
    try {
      await c.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, "-C", slow.dir, "mcp"], env: { ...process.env, CI: "true" } as Record<string, string>, stderr: "ignore" }));
      const r = JSON.parse(text(await c.callTool({ name: "run", arguments: { job: "slow", timeoutSeconds: 5 } }, undefined, { timeout: 120_000 })));
      expect(r.verdict).toBe("timeout");
      expect(await leftAfterRemoval([`dev.replay.run=${r.runId}`])).toBe("");
    } finally {
      await c.close();
      slow.dispose();
    }
  }, 180_000);
});
