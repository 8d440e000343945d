#!/usr/bin/env node
// The benchmark (`make bench`): every figure of docs/benchmarks.md, taken in one run, each
// the median of BENCH_RUNS runs (default 5; BENCH_SLOW_RUNS, default 3, for the slow ones)
// beside a reference measured in the same run, their ratio, and the project's goal for
// it. Prints the table and writes the page.
//
// The figures (one module each): bench/floor.mjs per-step overhead and job start against
// raw `docker exec`/`docker run`; bench/gitlab.mjs three pipelines against gitlab-ci-local;
// bench/matrix.mjs a 4-cell matrix's overlap and the CLI's peak memory; bench/cache.mjs
// a 200 MiB cache restore against raw tar; bench/hook.mjs the pre-push hook's verdict;
// bench/images.mjs the runner image's cold build, size and warm no-op build; bench/watch.mjs
// `replay watch`'s change-to-verdict time; bench/phases.mjs where the job start's and the
// 10-step pipeline's time goes, phase by phase; bench/project.mjs a generated Node
// project's `npm ci` + `npm test` job against the same commands by hand.
// BENCH_ONLY=steps,start,pipelines,matrix,cache,hook,images,watch,phases,project (or a part
// of that list) takes those only, and leaves docs/benchmarks.md alone but for the phases'
// and the project's own sections, which it rewrites when it takes them.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cacheFigure } from "./cache.mjs";
import { floorFigures } from "./floor.mjs";
import { pipelineFigures } from "./gitlab.mjs";
import { hookFigure } from "./hook.mjs";
import { imageFigures } from "./images.mjs";
import { cli, root } from "./lib.mjs";
import { matrixFigures } from "./matrix.mjs";
import { poolFigure } from "./pool.mjs";
import { watchFigure } from "./watch.mjs";
import { phasesFigure, phasesTable } from "./phases.mjs";
import { projectFigure } from "./project.mjs";
import { machine, page, section, table, writeSections } from "./report.mjs";
import { GCL_VERSION, gitlabCiLocal } from "./tools.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// The pipelines against gitlab-ci-local and the matrix take 20-60 s a run: fewer runs.
const SLOW_RUNS = Number(process.env.BENCH_SLOW_RUNS ?? Math.min(RUNS, 3));
const ALL = ["steps", "start", "pipelines", "matrix", "cache", "hook", "images", "watch", "phases", "project", "pool"];
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(",").map((s) => s.trim()) : ALL;
const unknown = only.filter((s) => !ALL.includes(s));
if (unknown.length) throw new Error(`BENCH_ONLY: unknown figure(s) ${unknown.join(", ")}; known: ${ALL.join(", ")}`);
const want = (name) => only.includes(name);

const log = (msg) => process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const t0 = Date.now();

// Installed first, so that no figure includes an install.
let gcl;
if (want("pipelines")) gcl = gitlabCiLocal();

log(`${RUNS} runs of each figure, ${SLOW_RUNS} of the slow ones (pipelines, matrix)`);
log("per-step overhead and job start (also finds the job image)");
// The job image is found by this one's warm-up: it runs, if its rows are not wanted, once.
const floor = await floorFigures({ runs: want("steps") || want("start") ? RUNS : 1 });
const rows = floor.rows.filter((_, i) => want(["steps", "start"][i]));
const FIGURES = [
  ["pipelines", "pipelines: replay against gitlab-ci-local", () => pipelineFigures({ image: floor.image, runs: SLOW_RUNS })],
  ["matrix", "4-cell matrix and peak memory", () => matrixFigures({ runs: SLOW_RUNS })],
  ["cache", "cache restore of 200 MiB", () => cacheFigure({ runs: RUNS })],
  ["hook", "pre-push hook", () => hookFigure({ cli, runs: RUNS })],
  ["images", "runner image: cold build, size, warm no-op", () => imageFigures({ runs: RUNS })],
  ["watch", "replay watch: change to verdict", () => watchFigure({ runs: RUNS })],
  ["project", "a generated Node project's npm ci + npm test job", () => projectFigure({ runs: SLOW_RUNS })],
  ["pool", "an 8-cell matrix over two engines", () => poolFigure({ runs: SLOW_RUNS })],
];
for (const [name, what, take] of FIGURES) {
  if (!want(name)) continue;
  log(what);
  rows.push(...[await take()].flat());
}
let phases;
if (want("phases")) {
  log("phases of the job start and the 10-step pipeline");
  phases = await phasesFigure({ runs: RUNS });
}
log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

const gclNode = gcl ? execFileSync(gcl[0], ["--version"], { encoding: "utf8" }).trim().replace(/^v/, "") : undefined;
const machineText = machine({ root, image: floor.image, gclNode, gclVersion: GCL_VERSION });
const phasesText = phases && phasesTable(phases);
console.log(`\n${machineText}\n\n${table(rows)}\n${phasesText ? `\n${phasesText}\n` : ""}`);
const file = path.join(root, "docs/benchmarks.md");
if (only.length === ALL.length) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, page({ rows, machineText, phasesText }));
  log(`written to ${path.relative(process.cwd(), file) || file}`);
} else {
  // A partial run rewrites only the sections of the figures it took that have one.
  const sections = [];
  if (phases) sections.push(section("phases", { machineText, body: phasesText }));
  const project = rows.filter((r) => r.section === "project");
  if (project.length) sections.push(section("project", { machineText, body: table(project) }));
  if (sections.length) {
    writeSections(file, sections);
    log(`${sections.map((s) => s.name).join(" and ")} written to ${path.relative(process.cwd(), file) || file}`);
  }
}
