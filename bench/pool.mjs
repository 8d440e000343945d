// An 8-cell matrix spread over two engines (`--engine` twice, 2 slots each) against the
// same matrix on one engine with the same 4 slots. No second machine can be had here, so
// both engines are this machine's Docker engine, reached once by its socket and once
// through a Docker context of its own: the figure is what spreading costs replay (its
// scheduling, a second connection, images and services checked on each engine), not the
// speed-up a second machine gives.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gitEnv, makeRepo, median, replay, stepLines } from "./lib.mjs";

const CELLS = [1, 2, 3, 4, 5, 6, 7, 8];
// Each cell sleeps a second, so the cells' overlap is what the figure shows.
const WORKFLOW = ["on: push", "jobs:", "  cells:", "    runs-on: ubuntu-latest", `    strategy: { matrix: { cell: [${CELLS.join(", ")}] } }`, "    steps:", stepLines(["run: sleep 1", "run: echo \"cell ${{ matrix.cell }}\""])].join("\n");

export async function poolFigure({ runs }) {
  const { dir, remove } = makeRepo({ ".github/workflows/pool.yml": WORKFLOW });
  const config = mkdtempSync(path.join(os.tmpdir(), "replay-bench-docker-config-"));
  try {
    const socket = "unix:///var/run/docker.sock";
    execFileSync("docker", ["context", "create", "bench-second", "--docker", `host=${socket}`], { env: { ...process.env, DOCKER_CONFIG: config }, stdio: "ignore" });
    const env = { ...gitEnv, DOCKER_CONFIG: config };
    const one = ["job", "cells", "--parallel", "4"];
    const two = ["job", "cells", "--parallel", "2", "--engine", socket, "--engine", "bench-second"];
    await replay(dir, one, { env });
    const spread = await replay(dir, two, { env }); // warm-up, and the check that it spreads
    const engines = new Set(spread.events.filter((e) => e.type === "job.started").map((e) => e.engine));
    if (engines.size !== 2) throw new Error(`the 8 cells ran on ${engines.size} engine(s), not 2`);
    const onOne = [];
    const onTwo = [];
    for (let i = 0; i < runs; i++) {
      onOne.push((await replay(dir, one, { env })).wallMs);
      onTwo.push((await replay(dir, two, { env })).wallMs);
    }
    return {
      figure: "8-cell matrix over two engines (`--engine` twice, 2 slots each; both this machine's Docker engine, by its socket and by a context: what spreading costs, not a second machine's speed-up)",
      value: median(onTwo),
      unit: "ms",
      reference: "the same 8 cells on one engine with the same 4 slots (`--parallel 4`)",
      refValue: median(onOne),
      ratio: median(onTwo) / median(onOne),
      goal: { op: "<=", limit: 1.1, text: "≤ 1.1×" },
      runs,
    };
  } finally {
    rmSync(config, { recursive: true, force: true });
    remove();
  }
}
