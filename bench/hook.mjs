#!/usr/bin/env node
// The pre-push hook's cost: wall time from `git push` to the verdict (the push done) for
// a one-job lint workflow on a warm image, beside `replay job` of the same job. Used by
// bench/run.mjs; `node bench/hook.mjs` prints the figure alone.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { table } from "./report.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const defaultCli = path.join(root, "dist/cli/main.js");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = { ...process.env, GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "b@e", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "b@e", CI: "true" };

const LINT = `on:
  push:
    paths: ["src/**"]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Lint
        run: |
          for f in src/*.js; do node --check "$f"; done
          echo "lint ok"
`;

function timed(cmd, args, cwd) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return ms;
}

/** The row for bench/run.mjs's table (see bench/report.mjs). */
export async function hookFigure({ cli = defaultCli, runs = 5 } = {}) {
  const base = mkdtempSync(path.join(os.tmpdir(), "replay-bench-hook-"));
  try {
    const remote = path.join(base, "remote.git");
    const dir = path.join(base, "work");
    execFileSync("git", ["init", "-q", "--bare", remote]);
    mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
    mkdirSync(path.join(dir, "src"));
    writeFileSync(path.join(dir, ".github/workflows/lint.yml"), LINT);
    writeFileSync(path.join(dir, "src/app.js"), "export const n = 0;\n");
    const git = (...args) => execFileSync("git", args, { cwd: dir, env, stdio: "pipe" });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-qm", "init");
    git("remote", "add", "origin", remote);
    git("push", "-q", "origin", "main");
    execFileSync(process.execPath, [cli, "hook", "install"], { cwd: dir, env, stdio: "pipe" });

    let n = 0;
    const change = () => {
      writeFileSync(path.join(dir, "src/app.js"), `export const n = ${++n};\n`);
      git("commit", "-qam", `change ${n}`);
    };
    // Warm-up: the image is built (or found) and the engine's caches are hot.
    change();
    timed("git", ["push", "-q", "origin", "main"], dir);

    const hook = [];
    const direct = [];
    for (let i = 0; i < runs; i++) {
      change();
      hook.push(timed("git", ["push", "-q", "origin", "main"], dir));
      // As a user types it: the replay command (bin/replay).
      direct.push(timed(path.join(root, "bin/replay"), ["job", "lint", "--from", "HEAD"], dir));
    }
    return {
      figure: "pre-push hook: `git push` to verdict (one-job lint workflow, warm image)",
      value: median(hook),
      unit: "ms",
      reference: "`replay job lint --from HEAD` of the same job",
      refValue: median(direct),
      ratio: median(hook) / median(direct),
      goal: { op: "<=", limit: 10_000, on: "value", text: "≤ 10 s" },
      runs,
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  console.log(`\n${table([await hookFigure({ runs })])}\n`);
}
