// Pipelines against gitlab-ci-local: the same pipeline as a GitHub workflow for replay
// and as a .gitlab-ci.yml for gitlab-ci-local's Docker executor, with the same commands
// in the same image (replay's runner image), each tool with its default concurrency.
// A GitLab job always has the repository in its build folder, so each replay job starts
// with actions/checkout (replay's built-in) to do the same work.
//
// gitlab-ci-local runs offline: every image it names is local and its pull policy is
// if-not-present (it only `docker image inspect`s them); its helper ("util") image, which
// it would otherwise pull from Docker Hub, is replay's local base image (it needs only
// sh, chown and chmod there); no services, so no wait image. `--cwd` must be relative, so
// it runs in the repository itself.
import { spawn } from "node:child_process";
import os from "node:os";
import { dockerRuns, gitEnv, makeRepo, median, replay } from "./lib.mjs";
import { GCL_VERSION, gitlabCiLocal } from "./tools.mjs";

const BASE_IMAGE = process.env.REPLAY_BASE_IMAGE || "replay-base:bookworm";

const ghJob = (name, runs, needs) =>
  `  ${name}:\n    runs-on: ubuntu-latest\n${needs ? `    needs: ${needs}\n` : ""}    steps:\n      - uses: actions/checkout@v4\n${runs.map((r) => `      - run: ${r}\n`).join("")}`;
const glJob = (name, image, script, { stage, needs } = {}) =>
  `${name}:\n  image: ${image}\n${stage ? `  stage: ${stage}\n` : ""}${needs ? `  needs: [${needs}]\n` : ""}  script:\n${script.map((s) => `    - ${s}\n`).join("")}`;

/** The three pipelines: the GitHub workflow's jobs and the .gitlab-ci.yml, for an image. */
export const PIPELINES = [
  {
    id: "steps",
    what: "10-step pipeline (one job: checkout + 10 `run:` steps)",
    // The containers alone, as replay starts them: [how many at once] per wave.
    floor: { waves: [1], text: "1 × `docker run --rm <image> true`" },
    // The goals over the floor are #27's; the 10-job pipeline's has none ("no worse than today's").
    floorGoal: { op: "<=", limit: 1.25, text: "≤ 1.25×" },
    github: () => ghJob("steps", Array.from({ length: 10 }, (_, i) => `echo step ${i}`)),
    gitlab: (img) => glJob("steps", img, Array.from({ length: 10 }, (_, i) => `echo step ${i}`)),
  },
  {
    id: "jobs",
    what: "10-job pipeline (10 independent jobs of one step)",
    floor: { waves: [10], text: `10 × \`docker run --rm <image> true\`, ${Math.max(4, os.cpus().length)} at a time (replay's default --parallel)` },
    github: () => Array.from({ length: 10 }, (_, i) => ghJob(`job${i}`, [`echo job ${i}`])).join(""),
    gitlab: (img) => Array.from({ length: 10 }, (_, i) => glJob(`job${i}`, img, [`echo job ${i}`])).join("\n"),
  },
  {
    id: "chain",
    what: "3-job `needs` chain (a → b → c)",
    // Replay starts a chain's containers together (warm starts), then runs the jobs in turn.
    floor: { waves: [3], text: "3 × `docker run --rm <image> true`, at once (replay starts a chain's containers together)" },
    floorGoal: { op: "<=", limit: 1.1, text: "≤ 1.1×" },
    github: () => ghJob("a", ["echo a"]) + ghJob("b", ["echo b"], "a") + ghJob("c", ["echo c"], "b"),
    gitlab: (img) =>
      "stages: [one, two, three]\n\n" +
      [glJob("a", img, ["echo a"], { stage: "one" }), glJob("b", img, ["echo b"], { stage: "two", needs: "a" }), glJob("c", img, ["echo c"], { stage: "three", needs: "b" })].join("\n"),
  },
];

function runGitlab([node, entry], dir) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(node, [entry, "--helper-image", BASE_IMAGE, "--pull-policy", "if-not-present"], { cwd: dir, env: { ...gitEnv, FORCE_COLOR: "0" } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      // A pull would mean the comparison is not offline (nor fair): refuse the figure.
      if (/\bpulled\b/.test(out)) return reject(new Error(`gitlab-ci-local pulled an image:\n${out}`));
      if (code !== 0) return reject(new Error(`gitlab-ci-local exited ${code}:\n${out.slice(-3000)}`));
      resolve(ms);
    });
  });
}

/**
 * Rows for the table: each pipeline's replay wall time against gitlab-ci-local's, and
 * against the floor Docker sets for it here (its containers alone, doing nothing, started
 * in the same order and number at once): how much of a 3× goal this machine leaves.
 */
export async function pipelineFigures({ image, runs }) {
  const gcl = gitlabCiLocal();
  const rows = [];
  for (const p of PIPELINES) {
    const { dir, remove } = makeRepo({
      ".github/workflows/pipeline.yml": `on: push\njobs:\n${p.github()}`,
      ".gitlab-ci.yml": p.gitlab(image),
    });
    try {
      // Warm-up of both (replay's action and image look-ups, gitlab-ci-local's first state dir).
      await replay(dir, ["run", "--workflow", ".github/workflows/pipeline.yml"]);
      await runGitlab(gcl, dir);
      const ours = [];
      const theirs = [];
      const floor = [];
      const parallel = Math.max(4, os.cpus().length);
      for (let i = 0; i < runs; i++) {
        ours.push((await replay(dir, ["run", "--workflow", ".github/workflows/pipeline.yml"])).wallMs);
        theirs.push(await runGitlab(gcl, dir));
        let ms = 0;
        for (const wave of p.floor.waves) ms += await dockerRuns(image, wave, parallel);
        floor.push(ms);
      }
      rows.push({
        figure: p.what,
        value: median(ours),
        unit: "ms",
        reference: `gitlab-ci-local ${GCL_VERSION}, Docker executor, same commands and image`,
        refValue: median(theirs),
        ratio: median(ours) / median(theirs),
        goal: { op: "<=", limit: 0.33, text: "≤ 0.33× (3× faster)" },
        runs,
      });
      rows.push({
        figure: `${p.what}: against the Docker floor (gitlab-ci-local's figure × 0.33 = ${(median(theirs) * 0.33 / 1000).toFixed(2)} s; floor ÷ that = ${(median(floor) / (median(theirs) * 0.33)).toFixed(2)})`,
        value: median(ours),
        unit: "ms",
        reference: `the pipeline's containers alone: ${p.floor.text}`,
        refValue: median(floor),
        ratio: median(ours) / median(floor),
        goal: p.floorGoal ?? { op: "none", text: "— (how far above the floor)" },
        runs,
      });
    } finally {
      remove();
    }
  }
  return rows;
}
