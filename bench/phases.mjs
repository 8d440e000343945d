// Where a replay's wall time goes: the job start and 10-step pipeline workloads replayed
// with REPLAY_TRACE set, so that the CLI appends a mark at each phase boundary
// (common/trace.ts; without the variable the marks cost nothing), joined with the --json
// events (first step started, last step completed, run completed) and the bench's own
// spawn and exit times, all on the wall clock. Each phase is the time from the boundary
// before it to its own; the figure is the median of each over the runs.
import { readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PIPELINES } from "./gitlab.mjs";
import { gitEnv, makeRepo, median, replay } from "./lib.mjs";

/** The boundaries, in the order a replay passes them: [name, what the phase ending there is]. */
export const PHASES = [
  ["node started", "the launcher (bin/replay, sh) and Node's own start, to the process's time origin"],
  ["prestart asked", "the entry (dist/cli/main.js) read the last replay's first job container request and asked the engine to create and start it (common/prestart.ts; absent the first time)"],
  ["cli loaded", "Node's bootstrap and the CLI's code loaded (commander, the program)"],
  ["command loaded", "arguments parsed, the replay command's chunks imported"],
  ["repository and workflows read", "git's questions about the repository, the workflow files parsed"],
  ["planned", "the plan: jobs chosen, reusable workflows, inputs, secrets read"],
  ["images checked", ".replay.yml, the engine connected, the job images checked"],
  ["run started", "remote actions, run number, run record, event payload, services: to `run.started`"],
  ["container created", "the job's plan evaluated, its step agent listening, `docker create` (or the entry's container adopted)"],
  ["container started", "`docker start` of the job container (or what is left of the one the entry asked for)"],
  ["workspace ready", "the workspace snapshot written, staged and unpacked in the container"],
  ["first step started", "to the first step's `step.started` event"],
  ["last step completed", "the steps, to the last `step.completed`"],
  ["run completed", "the job's teardown (container stopped), records, to `run.completed`"],
  ["exit", "to the process's exit, as the user sees it"],
];

/** Each boundary's time in one replay (ms, wall clock): the trace's marks (the first of each) and the events'. */
function boundaries(run, marks) {
  const at = new Map();
  for (const m of marks) if (!at.has(m.phase)) at.set(m.phase, m.atMs);
  const ev = (type, pick = "find") => run.events[pick]((e) => e.type === type);
  const first = ev("step.started");
  const last = run.events.filter((e) => e.type === "step.completed").at(-1);
  if (first) at.set("first step started", Date.parse(first.at));
  if (last) at.set("last step completed", Date.parse(last.at));
  const done = ev("run.completed");
  if (done) at.set("run completed", Date.parse(done.at));
  at.set("exit", run.exitMs);
  return at;
}

/** Phase → ms for one replay: a boundary that is missing gives its time to the next one. */
export function phaseTimes(run, marks) {
  const at = boundaries(run, marks);
  const out = {};
  let prev = run.spawnMs;
  for (const [name] of PHASES) {
    const t = at.get(name);
    if (t === undefined) continue;
    out[name] = t - prev;
    prev = t;
  }
  return out;
}

const readMarks = (file) => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
};

const WORKLOADS = [
  { id: "start", what: "job start (`replay job one`: one `run:` step)", args: ["job", "one"] },
  { id: "steps", what: "10-step pipeline (`replay run`: checkout + 10 `run:` steps)", args: ["run", "--workflow", ".github/workflows/pipeline.yml"] },
];

/** Medians per phase of each workload over `runs` replays (after a warm-up of each), interleaved. */
export async function phasesFigure({ runs }) {
  const { dir, remove } = makeRepo({
    ".github/workflows/start.yml": "on: workflow_dispatch\njobs:\n  one:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo one\n",
    ".github/workflows/pipeline.yml": `on: push\njobs:\n${PIPELINES.find((p) => p.id === "steps").github()}`,
  });
  const file = path.join(os.tmpdir(), `replay-bench-trace-${process.pid}.jsonl`);
  const env = { ...gitEnv, REPLAY_TRACE: file };
  try {
    const taken = Object.fromEntries(WORKLOADS.map((w) => [w.id, []]));
    for (let i = -1; i < runs; i++) {
      for (const w of WORKLOADS) {
        rmSync(file, { force: true });
        const run = await replay(dir, w.args, { env });
        if (i >= 0) taken[w.id].push({ phases: phaseTimes(run, readMarks(file)), wallMs: run.wallMs });
      }
    }
    return WORKLOADS.map((w) => {
      const all = taken[w.id];
      const phases = {};
      for (const [name] of PHASES) {
        const xs = all.map((r) => r.phases[name]).filter((x) => x !== undefined);
        if (xs.length) phases[name] = median(xs);
      }
      return { ...w, phases, wallMs: median(all.map((r) => r.wallMs)), runs: all.length };
    });
  } finally {
    rmSync(file, { force: true });
    remove();
  }
}

const ms = (x) => (x === undefined ? "—" : `${x.toFixed(0)} ms`);

/** The breakdown as a Markdown table: a row per phase, a column per workload. */
export function phasesTable(workloads) {
  const beforeRun = (w) => PHASES.slice(0, PHASES.findIndex(([n]) => n === "run started") + 1).reduce((s, [n]) => s + (w.phases[n] ?? 0), 0);
  return [
    `| phase (ends at) | what it is | ${workloads.map((w) => w.what).join(" | ")} |`,
    `| --- | --- | ${workloads.map(() => "---:").join(" | ")} |`,
    ...PHASES.map(([name, what]) => `| ${name} | ${what} | ${workloads.map((w) => ms(w.phases[name])).join(" | ")} |`),
    `| **before \`run.started\`** | the phases above it, summed | ${workloads.map((w) => `**${ms(beforeRun(w))}**`).join(" | ")} |`,
    `| **sum of the phases' medians** | | ${workloads.map((w) => `**${ms(Object.values(w.phases).reduce((a, b) => a + b, 0))}**`).join(" | ")} |`,
    `| wall time, spawn to exit (median) | | ${workloads.map((w) => `${ms(w.wallMs)} (${w.runs} runs)`).join(" | ")} |`,
  ].join("\n");
}
