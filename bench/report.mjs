// The table of figures and the docs/benchmarks.md page around it.
//
// A row is { figure, value, unit, reference, refValue, ratio, goal, runs }: `ratio` is
// replay's figure over its reference (for a throughput, replay's over the reference's),
// and `goal` is { op: "<=" | ">=", limit, on: "ratio" (default) | "value", text }.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

export function met(row) {
  if (row.goal.op === "none") return undefined;
  const x = row.goal.on === "value" ? row.value : row.ratio;
  return row.goal.op === "<=" ? x <= row.goal.limit : x >= row.goal.limit;
}

function fmt(value, unit) {
  if (unit === "ms") return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
  if (unit === "×") return `${value.toFixed(2)}×`;
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${unit}`;
}

export function table(rows) {
  return [
    "| figure | replay | reference | reference figure | ratio | goal | met? | runs |",
    "| --- | ---: | --- | ---: | ---: | --- | --- | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.figure} | ${fmt(r.value, r.unit)} | ${r.reference} | ${fmt(r.refValue, r.unit)} | ${r.ratio.toFixed(2)}× | ${r.goal.text} | ${met(r) === undefined ? "—" : met(r) ? "met" : "**missed**"} | ${r.runs} |`,
    ),
  ].join("\n");
}

const quiet = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "?";
  }
};

/** What the figures were taken on. */
export function machine({ root, image, gclNode, gclVersion }) {
  const osName = /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? os.platform();
  return [
    `- date: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}`,
    `- machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "?"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, ${osName}, Linux ${os.release()}`,
    `- load average when the figures were done: ${os.loadavg().map((l) => l.toFixed(1)).join(", ")} (1, 5, 15 min; ${os.cpus().length} cores)`,
    `- Docker engine ${quiet("docker", ["version", "--format", "{{.Server.Version}}"])} (storage driver ${quiet("docker", ["info", "--format", "{{.Driver}}"])})`,
    `- replay at ${quiet("git", ["-C", root, "rev-parse", "--short", "HEAD"])} on Node ${process.versions.node}; job image \`${image}\``,
    ...(gclNode ? [`- gitlab-ci-local ${gclVersion} on Node ${gclNode} (both from the npm registry, in ~/.cache/replay/bench)`] : []),
  ].join("\n");
}

const SECTIONS = {
  phases: {
    title: "Where the time goes: a replay's phases",
    intro: `\`BENCH_ONLY=phases\` (or the whole bench): the job start's and the 10-step pipeline's workloads
replayed with \`REPLAY_TRACE=<file>\`, which makes the CLI append a mark at each phase boundary
(common/trace.ts; without the variable the marks are a no-op), joined with the \`--json\`
events and the bench's own spawn and exit times, all on the wall clock. Each phase is the
time from the boundary before it to its own, the median over the runs (so the medians need
not add up to the median wall time exactly). A job's container is created once the
\`run.started\` event is out.`,
  },
  project: {
    title: "A real project's install-and-test job",
    intro: "`BENCH_ONLY=project` (or the whole bench): see \"real project\" under \"What each figure measures\".",
  },
};

/** The job start's fixed cost (#27): what the phases and CPU profiles show, what was cut, what was tried. */
export const FIXED_COST = `## The job start's fixed cost: where it went, what was tried, what was built

Traced (\`REPLAY_TRACE\`) and profiled (\`node --cpu-prof\`) on this 2-core machine, a
one-job replay has two halves. Until the engine answers the job container's \`docker
create\` (~350 ms here) the CLI process is busy without a pause: Node's own start (~45 ms),
loading the job command's ~1.6 MB of bundled code (~150–200 ms: compiling it, running
its modules' top level, garbage collection), then the repository, the plan, the image
check, the run's services and the job's own plan. Then it waits while the engine starts
the container (~430 ms, most of what a raw \`docker run --rm <image> true\` takes), and
the workspace and the first step follow (~20 ms). The floor pays the engine's half too;
the goal (≤ 1.2×) leaves the CLI ~20% of the floor, ~120 ms: about a third of what its
half costs today.

Cut in this round, each checked against the previous build in interleaved runs (20 each;
a single run here moves by ±50 ms): the toolchain manifest's YAML is parsed once per
content and kept as JSON (the images' check 35 → 15 ms); the built-in actions' code
(~100 kB) loads while the first container starts instead of before; the bundle leaves
out modules the barrels only re-export (\`sideEffects: false\`, ~100 kB). Together the
container is created ~13 ms sooner (361 → 348 ms, medians).

Tried and not kept:
- **Node 22's compile cache** (\`module.enableCompileCache\`, which replay calls where
  Node has it): on Node 22.23.5 the command loads ~20 ms faster than on Node 20. Compiling
  is the smaller part of loading; running the modules and the garbage collector are the
  larger.
- **A V8 startup snapshot of the bundled CLI** (\`node --build-snapshot\`): Node 20's
  snapshot builder fails on \`node:http\` (\`methods.toSorted is not a function\`) and
  aborts on \`node:https\`/\`node:tls\` (\`Unknown external reference\`), which dockerode
  loads as it loads.
- **A CommonJS bundle with a V8 code cache** (\`vm.Script\` cachedData, a quick trial without
  the bundle's lazy requires): no faster than today's chunks, since one file is every
  command's code; the cache took ~20% off that file's load.
- **A larger young generation** (\`--max-semi-space-size\`): no change beyond the noise.

The next cut in the loading: ~645 kB of replay's own code loads with every replay, much
of it for other commands or rare jobs (the parity check, \`images lock\`, Docker actions,
the jobs' Docker API, ssh engines). esbuild puts a file in the chunks of every entry an
import reaches it from, before tree shaking, so a layer's index file that re-exports it
(\`export * from\`) loads it for every command; importing such files by their own path
where a command needs them (as the built-in actions now are) is the way out.

**Built since: the CLI's half overlaps the engine's.** The CLI's entry
(\`dist/cli/main.js\`, ~9 kB with what it imports) reads the request the last replay of
the same command in the same folder made for its first job container, fills in this run's
values (id, folder, start time, pid) and sends the create and the start before the rest of
replay loads (the \`prestart asked\` phase). The replay adopts that container when its own
request is the same byte for byte (common/prestart.ts). The job start then waits on the
engine's own start, from ~0.1 s after the command, instead of from ~0.4 s (once the CLI
had loaded and planned). The run's variables (\`GITHUB_SHA\`, the run number) are given to
each process rather than set on the container, so that the request stays the same from
one commit to the next. A request that differs costs the replay the wait for that
container's removal (~0.2 s) before it creates its own.
`;

/** A section of the page a partial run may rewrite on its own: { name, text } between markers. */
export function section(name, { machineText, body }) {
  const { title, intro } = SECTIONS[name];
  return { name, text: [`<!-- bench:${name} -->`, `## ${title}`, "", intro, "", ...(machineText ? [machineText, ""] : []), body, `<!-- /bench:${name} -->`].join("\n") };
}

/** Rewrites `sections` of the page in `file` (each in place, or a new one before "What each figure measures"), the rest left as it is. */
export function writeSections(file, sections) {
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  for (const { name, text: body } of sections) {
    const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
    if (re.test(text)) text = text.replace(re, () => body);
    else if (text.includes("\n## What each figure measures")) text = text.replace("\n## What each figure measures", () => `\n${body}\n\n## What each figure measures`);
    else text = `${text.trimEnd()}\n\n${body}\n`;
  }
  writeFileSync(file, text);
}

export function page({ rows, machineText, phasesText }) {
  return `# Benchmarks

\`make bench\` builds replay, installs what the comparison needs, takes every figure below
in one run and writes this page (\`node bench/run.mjs\`; \`BENCH_RUNS=n\` sets the number of
runs, default 5, and \`BENCH_SLOW_RUNS=n\` that of the slow figures, the pipelines and the
matrix, default 3; \`BENCH_ONLY=steps,start,pipelines,matrix,cache,hook,images,phases,project\`
takes some figures only and leaves this page alone, but for the sections of the phases and
the real project, which it rewrites when it takes them). Each figure is the median of its runs (the last column),
beside a reference measured in the same run on the same machine, and their ratio; the goal
is the project's, and says whether the figure met it. On a busy (shared) machine the
figures are noisy: compare ratios, not absolute times.

${machineText}

${table(rows)}
${phasesText ? `\n${section("phases", { body: phasesText }).text}\n` : ""}
${FIXED_COST}
## What each figure measures

- **per-step overhead**: a job of 20 trivial \`run:\` steps (\`echo step N\`), the time from
  the first step's start to the last one's end (from the \`step.completed\` events) divided
  by 20; against a raw \`docker exec <container> bash -e -c "echo step N"\` in one running
  container of the same image, timed on the host, averaged over the same 20 commands.
  Replay starts each step through its step agent inside the job container, the native
  one replay's build makes (README, "What a job sees"); its Node script
  (\`REPLAY_STEP_AGENT=node\`) costs a few ms more a step, and without an agent
  (\`REPLAY_STEP_AGENT=0\`) a step is one \`docker exec\` through the API and the figure is
  about 1.0×.
- **job start**: from spawning \`replay job one\` (the \`replay\` command, bin/replay, as every
  replay figure here) to its first step's \`step.started\` event; against a raw \`docker run
  --rm <image> true\` of the job's image. The figure also says how much of it passed before
  the \`run.started\` event: Node loading the CLI, the repository and workflows read, the
  images checked, the run's services started; the rest is the job's container created and
  started with its workspace unpacked (the snapshot is written, and leftovers of crashed
  runs reaped, beside that start). The goal (≤ 1.2×, #27's; it was ≤ 1.5×) leaves replay ~20% of a
  bare container's start for everything it does around it.
- **pipelines against gitlab-ci-local**: the wall time of \`replay run\` of a workflow, from
  spawn to exit, against \`gitlab-ci-local\` (pinned, its Docker executor) running the
  equivalent \`.gitlab-ci.yml\` in the same repository with the same commands in the same
  image, spawn to exit. Each tool runs with its default concurrency (replay: 4 job
  containers at once, or one per core if more; gitlab-ci-local: every job of a stage at once). A GitLab job always
  gets the repository copied into its build volume; so does every replay job (the
  workspace snapshot, unpacked by the container as it starts), and each starts with
  \`actions/checkout@v4\` (replay's built-in), as a workflow would: with its defaults it finds
  the history at depth 1 already and starts no process. gitlab-ci-local runs offline:
  its helper image is replay's local base image (\`--helper-image\`), its pull policy
  \`if-not-present\` (it only inspects the local images), and the run fails if it pulled
  anything. Its JSON schema validation (on by default) is left on, as a user has it. The
  goal, 3× faster, is a ratio ≤ 0.33.
  - 10-step pipeline: one job, checkout and 10 \`run:\` steps; in GitLab one job whose
    \`script:\` has the same 10 lines.
  - 10-job pipeline: 10 independent jobs of one step each; in GitLab 10 jobs of one stage.
  - 3-job chain: a, b \`needs: a\`, c \`needs: b\`; in GitLab three stages, b and c with \`needs:\`.
- **pipelines against the Docker floor**: the same replay figures against the least any
  tool could take here to run the pipeline's containers: as many \`docker run --rm <image>
  true\` as the pipeline has jobs, as many at once as replay starts them (10 jobs: 4 at
  a time; the chain: all 3 at once, as its warm starts do), spawn to last exit, in the
  same runs. The figure
  names gitlab-ci-local's time × 0.33 (the 3× goal) and the floor's share of it: where that
  share is near or above 1, a container per job cannot meet the goal on this machine,
  whatever the tool does around them. The goals over the floor are #27's: the 10-step pipeline ≤ 1.25×, the
  chain ≤ 1.1×; the 10-job pipeline has none of its own.
- **4-cell matrix**: \`replay job cells\` of a matrix of 4 cells (\`sleep 1\` and
  three trivial steps each), spawn to exit, against the slowest of the 4 cells replayed alone
  (\`--matrix cell=N\`), spawn to exit: 1.0× would be a perfect overlap, 4.0× none. Replay's
  default lets 4 job containers run at once (or one per core, if more).
- **peak memory**: while those 4-cell replays run, the resident memory of the CLI process
  and every process under it (its children, named in the figure) is summed from
  /proc every 20 ms (a fork of the CLI not yet exec'd, which shares its pages, is not
  counted twice), and the largest sum is kept (never below the CLI process's own VmHWM);
  the reference is a bare \`node -e\` process's peak RSS, the runtime's floor. The goal is on
  the figure itself.
- **cache restore**: a 200 MiB entry (4 files from /dev/urandom, so zstd gains nothing) is
  saved once by \`actions/cache@v4\` into a cache store of the benchmark's own
  (\`REPLAY_CACHE_DIR\`); each timed replay restores it on an exact key hit. replay's time is
  the duration of that step (its \`step.completed\` event: the look-up, the archive linked
  into the job's folder, \`tar -x\` with unzstd in the job's container, into its workspace);
  the reference is the same archive extracted with the same \`tar\` command by a raw \`docker
  exec\` in a running container of the same image, the archive bind-mounted, into the
  container's own file system. Both are throughputs of the 200 MiB restored; the ratio is
  replay's over the raw one (≥ 0.7× is the goal). The runs of both are interleaved.
- **pre-push hook**: \`git push\` to its verdict (the push done) with replay's pre-push hook
  installed, for a one-job lint workflow (checkout, \`node --check\`) on a warm image; the
  reference is \`replay job lint --from HEAD\` of the same job. The goal (≤ 10 s) is on the
  figure itself.
- **runner image**: \`replay images build runner\` when the image is there (a warm no-op:
  the build context's content hash computed and the tag found, nothing built), against
  \`docker image inspect\` of the same tag; the cold build is \`docker build --no-cache\`
  (the classic builder, so no BuildKit cache either) of a copy of \`images/runner\` with the
  CA bundle replay's builder adds, into a throwaway tag removed afterwards, every apt
  package and Node tarball downloaded as on a new machine (from the Debian archive and the
  npm registry), timed once; the size is that image's, beside \`replay-base:bookworm\` it
  is built on. Build time and size are recorded, without a goal; the goal is on the
  warm no-op (≤ 3 s).
- **replay watch**: with \`replay watch lint\` running (off a terminal, one line per
  replay), the time from writing a file of the repository to the verdict line of the
  replay that change starts, for a one-step job (\`echo\`) on a warm image: the 300 ms
  debounce, git's ignore check of the changed path, and the replay in the watching
  process (the engine's connection and the loaded CLI reused); against \`replay job
  lint\` of the same job, spawn to exit, the runs of both interleaved. The goal is ≤ 1.2×.
- **phases**: see "Where the time goes" above; no goal of its own, it explains the job start
  and the pipelines' figures.
- **real project**: a Node project the bench generates (bench/project.mjs: its own small
  code and tests, not a copy of anyone's repository) with 35 dependencies from the npm
  registry (express, lodash, zod, yargs, joi, luxon, …; ~200 packages installed)
  and mocha with a few dozen real tests (an HTTP request to an express app through
  supertest among them). Its workflow job (\`actions/checkout@v4\`, \`actions/cache@v4\` of
  \`~/.npm\` keyed on the lock file's hash, \`npm ci --prefer-offline --no-audit --no-fund\`,
  \`npm test\`) replayed with \`replay job test\`, spawn to exit, against the same commands
  typed by hand into one \`docker run --rm\` of the same image, as the same user (runner),
  the project bind-mounted and copied in, spawn to exit. Both npm caches are warm: replay's
  is the actions/cache entry (in a cache store of the bench's own, \`REPLAY_CACHE_DIR\`)
  saved by a warm-up replay and restored on an exact key hit in every timed run (its
  restore is part of replay's time); the hand-typed side's is a host folder mounted at
  \`~/.npm\`, filled by its own warm-up run. \`--prefer-offline\` on both sides: neither asks
  the registry about what its cache holds. The lock file is resolved once from the
  registry and kept in the bench cache. The runs of both are interleaved; goal ≤ 1.05×.
`;
}
