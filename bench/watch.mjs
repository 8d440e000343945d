#!/usr/bin/env node
// `replay watch`'s inner loop: from a file written to the verdict line of the replay it
// starts, for a one-step lint job on a warm image, beside `replay job lint` of the same
// job (spawn to exit, warm). Used by bench/run.mjs; `node bench/watch.mjs` prints the
// figure alone.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gitEnv, launcher, makeRepo, median, onCleanup, timeMs } from "./lib.mjs";
import { table } from "./report.mjs";

const LINT = `on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: echo "lint ok"
`;

/** The row for bench/run.mjs's table (see bench/report.mjs). */
export async function watchFigure({ runs = 5 } = {}) {
  const { dir, remove } = makeRepo({ ".github/workflows/lint.yml": LINT, "src/app.js": "export const n = 0;\n" }, "replay-bench-watch-");
  const child = spawn(launcher, ["watch", "lint"], { cwd: dir, env: gitEnv });
  const stop = onCleanup(() => child.kill("SIGINT"));
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const until = async (ok, what) => {
    const deadline = Date.now() + 120_000;
    while (!ok()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`replay watch: no ${what}:\n${out}\n${err}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const lines = () => out.split("\n").filter(Boolean).length;
  let n = 0;
  /** Writes a change and answers the time to its verdict line, in ms. */
  const change = async () => {
    const before = lines();
    const t = process.hrtime.bigint();
    writeFileSync(path.join(dir, "src/app.js"), `export const n = ${++n};\n`);
    await until(() => lines() > before, "verdict line");
    const line = out.trim().split("\n").at(-1);
    if (!line.startsWith("✓ success")) throw new Error(`replay watch: ${line}\n${err}`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  try {
    await until(() => err.includes("replay watch: watching"), "start");
    // Warm-up of both: the image found, the engine's caches hot.
    await change();
    timeMs(launcher, ["job", "lint"], { cwd: dir, env: gitEnv });
    const watched = [];
    const direct = [];
    for (let i = 0; i < runs; i++) {
      watched.push(await change());
      direct.push(timeMs(launcher, ["job", "lint"], { cwd: dir, env: gitEnv }));
    }
    return {
      figure: "replay watch: file change to verdict (one-step lint job, warm image)",
      value: median(watched),
      unit: "ms",
      reference: "`replay job lint` of the same job (warm)",
      refValue: median(direct),
      ratio: median(watched) / median(direct),
      goal: { op: "<=", limit: 1.2, text: "≤ 1.2×" },
      runs,
    };
  } finally {
    stop();
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on("close", resolve)));
    remove();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  console.log(`\n${table([await watchFigure({ runs })])}\n`);
}
