import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bridgeGateway, connectDocker } from "../runners/docker/index.js";
import { ArtifactStore, CacheStore, RuntimeServer, cacheScopes } from "../runners/services/index.js";
import { hashFiles } from "../workflows/index.js";
import { ClientContainer, WORKSPACE } from "./support/actions-clients.js";
import { runCli } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";

// replay's built-in actions/cache, setup-node `cache:`, upload-artifact and
// download-artifact in replays through the CLI, and the real npm clients reading and
// writing the same stores: a cache saved by the built-in is restored by the real
// action, and the other way round.

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
const WORKFLOW = `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: No runtime variables in run steps
        run: test -z "\${ACTIONS_RUNTIME_TOKEN:-}\${ACTIONS_CACHE_URL:-}\${ACTIONS_RESULTS_URL:-}"
      - name: Cache
        id: cache
        uses: actions/cache@v4
        with:
          path: |
            out
            ~/.tool
          key: deps-\${{ hashFiles('lock.txt') }}
          restore-keys: deps-
      - name: Outputs
        run: echo "hit=[\${{ steps.cache.outputs.cache-hit }}]"
      - name: Build
        if: steps.cache.outputs.cache-hit != 'true'
        run: mkdir -p out ~/.tool && cat lock.txt > out/built.txt && echo tool > ~/.tool/stamp
      - name: Show
        run: cat out/built.txt ~/.tool/stamp
  flags:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Lookup only
        id: look
        uses: actions/cache/restore@v4
        with:
          path: |
            out
            ~/.tool
          key: deps-\${{ hashFiles('lock.txt') }}
          lookup-only: true
      - name: Looked up
        run: echo "look=[\${{ steps.look.outputs.cache-hit }}] primary=[\${{ steps.look.outputs.cache-primary-key }}] matched=[\${{ steps.look.outputs.cache-matched-key }}]"; test ! -e out
      - name: Required cache
        continue-on-error: true
        uses: actions/cache/restore@v4
        with:
          path: out
          key: never-saved
          fail-on-cache-miss: true
      - run: mkdir -p saved && echo by-save > saved/f
      - name: Save action
        uses: actions/cache/save@v4
        with:
          path: saved
          key: saved-by-save-action
  race:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        cell: [a, b]
    steps:
      - run: mkdir -p race && echo \${{ matrix.cell }} > race/cell && head -c 3000000 /dev/urandom > race/noise
      - uses: actions/cache@v4
        with:
          path: race
          key: race-key
      # Both cells have looked the key up (and missed) before either post step saves it,
      # however far apart their containers started.
      - run: sleep 1
  race-check:
    needs: race
    runs-on: ubuntu-latest
    steps:
      - id: r
        uses: actions/cache/restore@v4
        with:
          path: race
          key: race-key
      - name: Race result
        run: echo "race-hit=[\${{ steps.r.outputs.cache-hit }}] cell=[$(cat race/cell)]"
  node:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: setup
        uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: echo "node-hit=[\${{ steps.setup.outputs.cache-hit }}]"; test -f ~/.npm/_cacache/marker || (mkdir -p ~/.npm/_cacache && echo cached > ~/.npm/_cacache/marker)
  produce:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        part: [one, two]
    steps:
      - run: mkdir -p out/.hidden && head -c 9000000 /dev/urandom > out/big-\${{ matrix.part }}.bin && echo \${{ matrix.part }} > out/\${{ matrix.part }}.txt && echo secret > out/.hidden/x && sha256sum out/big-\${{ matrix.part }}.bin
      - uses: actions/upload-artifact@v4
        with:
          name: part-\${{ matrix.part }}
          path: out/
      - name: Nothing to upload
        continue-on-error: true
        uses: actions/upload-artifact@v4
        with:
          name: none
          path: no-such-dir/
          if-no-files-found: error
  consume:
    needs: produce
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          pattern: part-*
          path: merged
          merge-multiple: true
      - uses: actions/download-artifact@v4
        with:
          name: part-one
          path: single
      - name: Check
        run: |
          test -f merged/big-one.bin && test -f merged/big-two.bin && test -f single/one.txt && test ! -e merged/.hidden
          test "$(stat -c %U merged/one.txt)" = runner
          sha256sum merged/big-one.bin
`;

let dir: string;
let cacheDir: string;
const containers: ClientContainer[] = [];
const servers: RuntimeServer[] = [];

beforeAll(() => {
  const root = mkdtempSync(path.join(os.tmpdir(), "replay-cache-actions-"));
  dir = path.join(root, "repo");
  cacheDir = path.join(root, "caches");
  mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
  writeFileSync(path.join(dir, ".github/workflows/ci.yml"), WORKFLOW);
  writeFileSync(path.join(dir, "lock.txt"), "v1\n");
  writeFileSync(path.join(dir, "package.json"), '{ "name": "app", "version": "1.0.0" }\n');
  writeFileSync(path.join(dir, "package-lock.json"), '{ "name": "app", "version": "1.0.0", "lockfileVersion": 3, "packages": {} }\n');
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]]) execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_ENV } });
  dir = execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: dir, encoding: "utf8" }).trim();
});

afterAll(async () => {
  await Promise.all(containers.map((c) => c.remove()));
  await Promise.all(servers.map((s) => s.close()));
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

const replay = (...args: string[]): Promise<CliRun> => runCli([...args, "--json"], dir, { REPLAY_CACHE_DIR: cacheDir });

/** Every log line of a job's steps named `step` (all cells), joined. */
function log(run: CliRun, step: string, job?: string): string {
  const jobKeys = new Set(run.events.filter((e) => e["type"] === "job.started" && (job === undefined || e["job"] === job)).map((e) => e["jobKey"]));
  const steps = run.events.filter((e) => e["type"] === "step.completed" && e["name"] === step && jobKeys.has(e["jobKey"]));
  return run.events
    .filter((e) => e["type"] === "step.output" && steps.some((s) => s["jobKey"] === e["jobKey"] && s["step"] === e["step"]))
    .map((e) => String(e["line"]))
    .join("\n");
}

const result = (run: CliRun, step: string): unknown => run.events.find((e) => e["type"] === "step.completed" && e["name"] === step)?.["result"];

/** Services over the replays' stores, for the real clients: this repository, branch main. */
async function clientOn(o: { artifactsDir?: string } = {}): Promise<ClientContainer> {
  const { docker } = await connectDocker();
  const host = await bridgeGateway(docker);
  if (!host) throw new Error("no default bridge");
  const server = await RuntimeServer.start({
    host,
    caches: new CacheStore(cacheDir),
    repository: `local:${dir}`,
    scopes: cacheScopes({ eventName: "push", ref: "refs/heads/main", refName: "main", defaultBranch: "main" }),
    artifacts: new ArtifactStore(o.artifactsDir ?? path.join(path.dirname(dir), "client-artifacts")),
  });
  servers.push(server);
  const c = await ClientContainer.start(server.actionRuntimeEnv());
  containers.push(c);
  return c;
}

describe("actions/cache, built in", () => {
  let h1 = "";

  it("misses, builds, and saves in its post step", async () => {
    h1 = await hashFiles(dir, ["lock.txt"]);
    const r = await replay("job", "build");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(result(r, "No runtime variables in run steps")).toBe("success");
    expect(log(r, "Cache")).toContain(`Cache not found for input keys: deps-${h1}, deps-`);
    expect(log(r, "Outputs")).toContain("hit=[]");
    expect(result(r, "Build")).toBe("success");
    expect(log(r, "Post Cache")).toContain(`Cache saved with key: deps-${h1}`);
    expect(log(r, "Post Cache")).toContain("--use-compress-program zstdmt");
  });

  it("is restored by the real @actions/cache, files and home folder alike", async () => {
    const c = await clientOn();
    const r = await c.client(["restore", "out,~/.tool", `deps-${h1}`]);
    expect(r.result, r.output).toBe(`deps-${h1}`);
    expect((await c.sh("cat out/built.txt ~/.tool/stamp")).output).toBe("v1\ntool\n");
  });

  it("hits its exact key in the next replay: the build is skipped and nothing saved", async () => {
    const r = await replay("job", "build");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(log(r, "Outputs")).toContain("hit=[true]");
    expect(result(r, "Build")).toBe("skipped");
    expect(log(r, "Show")).toContain("v1");
    expect(log(r, "Post Cache")).toContain(`Cache hit occurred on the primary key deps-${h1}, not saving cache.`);
  });

  it("restores what the real @actions/cache saved", async () => {
    writeFileSync(path.join(dir, "lock.txt"), "v2\n");
    const h2 = await hashFiles(dir, ["lock.txt"]);
    const c = await clientOn();
    await c.sh("rm -rf out && mkdir -p out ~/.tool && echo from-client > out/built.txt && echo client-tool > ~/.tool/stamp");
    const saved = await c.client(["save", "out,~/.tool", `deps-${h2}`]);
    expect(saved.result, saved.output).not.toBe(-1);
    const r = await replay("job", "build");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(log(r, "Outputs")).toContain("hit=[true]");
    expect(result(r, "Build")).toBe("skipped");
    expect(log(r, "Show")).toContain("from-client");
    expect(log(r, "Show")).toContain("client-tool");
  });

  it("falls back to the newest entry of a restore key: cache-hit false, the build runs, the new key is saved", async () => {
    writeFileSync(path.join(dir, "lock.txt"), "v3\n");
    const r = await replay("job", "build");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(log(r, "Cache")).toMatch(/Cache hit for restore-key: deps-[0-9a-f]{64}/);
    expect(log(r, "Outputs")).toContain("hit=[false]");
    expect(result(r, "Build")).toBe("success");
    expect(log(r, "Post Cache")).toContain(`Cache saved with key: deps-${await hashFiles(dir, ["lock.txt"])}`);
  });

  it("lookup-only, fail-on-cache-miss and actions/cache/save do as the real actions do", async () => {
    const r = await replay("job", "flags");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(log(r, "Lookup only")).toContain("Lookup only - skipping download");
    expect(log(r, "Looked up")).toMatch(/look=\[true\] primary=\[deps-[0-9a-f]{64}\] matched=\[deps-[0-9a-f]{64}\]/);
    expect(result(r, "Looked up")).toBe("success");
    const required = r.events.find((e) => e["type"] === "step.completed" && e["name"] === "Required cache");
    expect(required).toMatchObject({ result: "success", outcome: "failure" });
    expect(log(r, "Required cache")).toContain("Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: never-saved");
    expect(log(r, "Save action")).toContain("Cache saved with key: saved-by-save-action");
  });

  it("two cells saving the same key at once store it once, and it restores whole", async () => {
    const r = await runCli(["job", "race-check", "--parallel", "2", "--json"], dir, { REPLAY_CACHE_DIR: cacheDir });
    expect(r.exitCode, r.stderr).toBe(0);
    const posts = log(r, "Post Run actions/cache@v4", "race");
    expect(posts.match(/Cache saved with key: race-key/g)).toHaveLength(1);
    expect(posts).toContain("Failed to save: Unable to reserve cache with key race-key, another job may be creating this cache.");
    expect(log(r, "Race result")).toMatch(/race-hit=\[true\] cell=\[[ab]\]/);
  });
});

describe("setup-node's cache: npm, built in", () => {
  it("saves the npm cache folder after the first replay and restores it in the next", async () => {
    const first = await replay("job", "node");
    expect(first.exitCode, first.stderr).toBe(0);
    expect(log(first, "Run actions/setup-node@v4")).toContain("npm cache is not found");
    expect(log(first, "Post Run actions/setup-node@v4")).toMatch(/Cache saved with the key: node-cache-Linux-x64-npm-[0-9a-f]{64}/);
    const second = await replay("job", "node");
    expect(second.exitCode, second.stderr).toBe(0);
    expect(log(second, "Run actions/setup-node@v4")).toMatch(/Cache restored from key: node-cache-Linux-x64-npm-/);
    expect(second.stdout).toContain("node-hit=[true]");
    expect(log(second, "Post Run actions/setup-node@v4")).toContain("not saving cache");
  });
});

describe("upload-artifact and download-artifact, built in", () => {
  it("pass artifacts of several blocks between jobs, and the real @actions/artifact downloads them byte-identical", async () => {
    const r = await replay("job", "consume");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(result(r, "Check")).toBe("success");
    const none = r.events.find((e) => e["type"] === "step.completed" && e["name"] === "Nothing to upload");
    expect(none).toMatchObject({ outcome: "failure", result: "success" });
    const sum = /^([0-9a-f]{64})\s+out\/big-one\.bin$/m.exec(r.events.filter((e) => e["type"] === "step.output").map((e) => String(e["line"])).join("\n"))?.[1];
    expect(sum).toBeDefined();
    expect(log(r, "Check")).toContain(`${sum ?? ""}  merged/big-one.bin`);
    const runId = String(r.events.find((e) => e["type"] === "run.started")?.["runId"]);
    const c = await clientOn({ artifactsDir: path.join(dir, ".replay", "runs", runId, "artifacts") });
    const down = await c.client(["download", "part-one", `${WORKSPACE}/got`]);
    expect(down.result, down.output).toMatchObject({ digestMismatch: false, artifact: { name: "part-one" } });
    expect((await c.sh("sha256sum got/big-one.bin && cat got/one.txt && ls -A got")).output).toBe(`${sum ?? ""}  got/big-one.bin\none\nbig-one.bin\none.txt\n`);
  });
});
