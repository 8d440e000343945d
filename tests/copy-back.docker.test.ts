// Copy-back in a real terminal (tmux) against the real engine: a debug session pauses at
// the failing step, the user fixes the file in the `!` shell, retries, quits, answers y,
// and the working tree has the fix; a file the user changed on the host too is named and
// left alone; --copy-back copies without asking where there is no terminal.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastLine, requireTmux, startTmux } from "./support/tmux.js";
import type { TmuxSession } from "./support/tmux.js";
import { CLI } from "./support/corpus.js";
import { runCliAsync } from "./support/run-cli-async.js";
import { tempRepo } from "./support/temp-repo.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";

function terminalEnv(): Record<string, string> {
  const keep = /^(PATH|HOME|USER|DOCKER_.*|XDG_RUNTIME_DIR|REPLAY_.*|NODE_EXTRA_CA_CERTS|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)$/;
  const env: Record<string, string> = { TERM: "xterm-256color", LANG: "C.UTF-8" };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && keep.test(k)) env[k] = v;
  return env;
}

const plainEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env["CI"];
  return env;
};

const WORKFLOW = `on: push
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Check
        run: stat -c "synced.txt is owned by %U:%G" synced.txt && grep -q fixed value.txt
`;

const FILES = {
  ".github/workflows/ci.yml": WORKFLOW,
  ".gitignore": "dist/\n",
  "value.txt": "broken\n",
  "notes.txt": "committed\n",
  "synced.txt": "committed\n",
};

const read = (dir: string, file: string): string => readFileSync(path.join(dir, file), "utf8");

describe("copying a debug session's changes back", () => {
  const sessions: TmuxSession[] = [];
  const repos: { dispose: () => void }[] = [];
  beforeAll(() => requireTmux());
  afterAll(() => {
    for (const s of sessions) s.kill();
    for (const r of repos) r.dispose();
  });

  /** A repository with one recorded failed replay of `check`, and a debug session of it paused after the failure, in the shell. */
  async function pausedInShell(name: string): Promise<{ dir: string; t: TmuxSession }> {
    const repo = tempRepo(`replay-${name}-`, FILES);
    repos.push(repo);
    const first = await runCliAsync(["job", "check"], repo.dir, plainEnv());
    expect(first.exitCode, first.stderr).toBe(1);
    const t = startTmux([process.execPath, CLI, "debug", "--last-failed"], { cwd: repo.dir, env: terminalEnv(), columns: 160, rows: 45 });
    sessions.push(t);
    await t.waitFor("the breakpoint", (s) => s.includes("‖ paused before “Check” (check) — breakpoint") || s.includes("[exit "), { history: true, timeoutMs: 10 * 60_000 });
    t.send("n", true);
    await t.waitFor("the pause after the failure", (s) => s.includes("“Check” (check) failed — paused") || s.includes("[exit "));
    t.send("!", true);
    await t.waitFor("the shell's prompt", (s) => lastLine(s).startsWith("[replay] ") && lastLine(s).endsWith("$"));
    return { dir: repo.dir, t };
  }

  async function retryAndFinish(t: TmuxSession): Promise<void> {
    t.send("exit", true);
    t.send("Enter");
    await t.waitFor("the TUI to resume", (s) => lastLine(s).startsWith("r retry step"));
    t.send("r", true);
    await t.waitFor("the finished run", (s) => s.includes("ended: success") && lastLine(s).includes("q/enter close"));
  }

  it("a fix made in the shell is offered back on exit, listed, and copied on y", async () => {
    const { dir, t } = await pausedInShell("copyback-fix");
    t.send("echo fixed > value.txt && mkdir -p dist && echo built > dist/out.js", true);
    t.send("Enter");
    // A host edit made while paused goes into the job before the retry, owned by the runner user.
    writeFileSync(path.join(dir, "synced.txt"), "edited on the host\n");
    await retryAndFinish(t);
    expect(t.history()).toContain("synced.txt is owned by runner:runner");
    t.send("q", true);
    const asked = await t.waitFor("the question", (s) => lastLine(s).endsWith("[y/N]") || s.includes("[exit "));
    // The ignored build output and the file synced in from the host are not the job's changes.
    expect(lastLine(asked)).toBe("copy 1 file the job changed back to your working tree? value.txt [y/N]");
    expect(read(dir, "value.txt")).toBe("broken\n");
    t.send("y", true);
    t.send("Enter");
    const end = await t.waitFor("the replay to end", (s) => s.includes("[exit 0]"), { history: true });
    expect(end).toContain("copied 1 file into your working tree: value.txt");
    expect(read(dir, "value.txt")).toBe("fixed\n");
    expect(read(dir, "synced.txt")).toBe("edited on the host\n");
    const runs = end.match(/replay (\d+) ended/);
    expect(await leftAfterRemoval([`dev.replay.run=${runs?.[1] ?? "none"}`])).toBe("");
  }, 20 * 60_000);

  it("a file the user changed on the host too is named as a conflict and left alone", async () => {
    const { dir, t } = await pausedInShell("copyback-conflict");
    t.send("echo fixed > value.txt && echo from the shell > notes.txt", true);
    t.send("Enter");
    await retryAndFinish(t);
    // The user edits notes.txt in their editor while the finished run is on the screen.
    writeFileSync(path.join(dir, "notes.txt"), "from my editor\n");
    t.send("q", true);
    const asked = await t.waitFor("the question", (s) => lastLine(s).endsWith("[y/N]") || s.includes("[exit "));
    expect(asked).toContain("not copied back: notes.txt (you changed it too since the replay started)");
    expect(lastLine(asked)).toBe("copy 1 file the job changed back to your working tree? value.txt [y/N]");
    t.send("y", true);
    t.send("Enter");
    await t.waitFor("the replay to end", (s) => s.includes("[exit 0]"), { history: true });
    expect(read(dir, "value.txt")).toBe("fixed\n");
    expect(read(dir, "notes.txt")).toBe("from my editor\n");
  }, 20 * 60_000);

  it("without a terminal nothing is copied or asked; --copy-back copies what the job changed without asking", async () => {
    const fmt = `on: push
jobs:
  fmt:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo fixed > value.txt && echo made > new.txt && rm notes.txt && mkdir -p dist && echo built > dist/out.js
`;
    const repo = tempRepo("replay-copyback-flag-", { ...FILES, ".github/workflows/ci.yml": fmt });
    repos.push(repo);
    const plain = await runCliAsync(["job", "fmt"], repo.dir, plainEnv());
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stderr + plain.stdout).not.toMatch(/cop(y|ied) back|copy-back/);
    expect(read(repo.dir, "value.txt")).toBe("broken\n");

    const copied = await runCliAsync(["job", "fmt", "--copy-back", "--json"], repo.dir, plainEnv());
    expect(copied.exitCode, copied.stderr).toBe(0);
    expect(copied.stderr).toContain("copied 2 files into your working tree: new.txt, value.txt; deleted notes.txt");
    expect(read(repo.dir, "value.txt")).toBe("fixed\n");
    expect(read(repo.dir, "new.txt")).toBe("made\n");
    expect(() => read(repo.dir, "notes.txt")).toThrow();
    expect(() => read(repo.dir, "dist/out.js")).toThrow();
    // --json's stdout stays JSON Lines.
    for (const line of copied.stdout.trim().split("\n")) expect(() => JSON.parse(line) as unknown).not.toThrow();

    const refused = await runCliAsync(["job", "fmt", "--copy-back", "--from", "HEAD"], repo.dir, plainEnv());
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/error: --copy-back .*--from HEAD/);
  }, 20 * 60_000);
});
