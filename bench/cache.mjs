// Cache restore: a 200 MiB entry (4 files of 50 MiB from /dev/urandom, so compression
// gains nothing) is saved once by actions/cache@v4 (replay's built-in) in a first replay;
// then each timed replay restores it with an exact key hit. replay's figure is the
// duration of that restore step (its step.completed durationMs: the entry's look-up, the
// archive linked into the job's folder, and `tar -x` with unzstd in the job's container).
// The reference is the same archive, from the same store, extracted by a raw
// `docker exec <container> tar -xf … -P --use-compress-program unzstd` in an idle
// container of the same image, the archive bind-mounted as replay mounts it, into the
// container's own file system as replay's workspace is. Both are throughputs of the data
// restored (MiB/s); the ratio is replay's over the raw one.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { gitEnv, idleContainer, makeRepo, median, onCleanup, replay, timeMs } from "./lib.mjs";
import { benchCacheDir } from "./tools.mjs";

const FILES = 4;
const FILE_MIB = 50;
const DATA_BYTES = FILES * FILE_MIB * 1024 * 1024;
const KEY = "bench-200mib";

const WORKFLOW = `on: push
jobs:
  save:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: data
          key: ${KEY}
      - run: mkdir -p data && for i in $(seq ${FILES}); do head -c ${FILE_MIB}M /dev/urandom > data/part$i; done
  restore:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        id: cache
        with:
          path: data
          key: ${KEY}
      - run: test "\${{ steps.cache.outputs.cache-hit }}" = true && test "$(cat data/* | wc -c)" = ${DATA_BYTES}
`;

const MiB = 1024 * 1024;

/** The row for the table: replay's restore throughput against a raw tar extract's. */
export async function cacheFigure({ runs }) {
  // A store of the benchmark's own (on the same file system as the default one, so the
  // archive is hard-linked into the job's folder as it is in use), removed at the end.
  mkdirSync(benchCacheDir(), { recursive: true });
  const store = mkdtempSync(path.join(benchCacheDir(), "caches-"));
  const removeStore = onCleanup(() => rmSync(store, { recursive: true, force: true }));
  const env = { ...gitEnv, REPLAY_CACHE_DIR: store };
  const { dir, remove } = makeRepo({ ".github/workflows/cache.yml": WORKFLOW });
  try {
    const saved = await replay(dir, ["job", "save"], { env });
    const image = saved.events.find((e) => e.type === "job.started").image;
    if (!saved.events.some((e) => e.cache?.action === "save" && e.cache.result === "saved")) throw new Error("the 200 MiB cache entry was not saved");
    const archives = readdirSync(path.join(store, "archives"));
    if (archives.length !== 1) throw new Error(`expected one archive in the bench's cache store, found ${archives.length}`);
    const archive = path.join(store, "archives", archives[0]);

    const ours = [];
    const tarInReplay = [];
    const raw = [];
    const c = idleContainer(image, ["-v", `${path.dirname(archive)}:/bench-archive:ro`]);
    const exec = (...args) => ["exec", c.name, ...args];
    try {
      // Interleaved, so that both see the machine in the same state.
      for (let i = 0; i < runs; i++) {
        const r = await replay(dir, ["job", "restore"], { env });
        const hit = r.events.find((e) => e.cache?.action === "restore");
        if (hit?.cache.result !== "hit") throw new Error(`the restore was a ${hit?.cache.result ?? "no-show"}, not a hit`);
        const step = r.events.find((e) => e.type === "step.completed" && e.step === hit.cache.step);
        ours.push(step.durationMs);
        // The tar itself, within the step: from its [command] line to the line after it.
        const lines = r.events.filter((e) => e.type === "step.output" && e.step === hit.cache.step);
        const cmd = lines.findIndex((e) => e.line.includes("[command]") && e.line.includes("tar -xf"));
        if (cmd >= 0 && lines[cmd + 1]) tarInReplay.push(Date.parse(lines[cmd + 1].at) - Date.parse(lines[cmd].at));

        timeMs("docker", exec("sh", "-c", "rm -rf /tmp/ws && mkdir -p /tmp/ws"));
        raw.push(timeMs("docker", exec("tar", "-xf", `/bench-archive/${archives[0]}`, "-P", "-C", "/tmp/ws", "--use-compress-program", "unzstd")));
      }
      timeMs("docker", exec("sh", "-c", `test "$(cat /tmp/ws/data/* | wc -c)" = ${DATA_BYTES}`));
    } finally {
      c.remove();
    }
    const mibps = (ms) => DATA_BYTES / MiB / (ms / 1000);
    return {
      figure: `cache restore of a ${(DATA_BYTES / MiB).toFixed(0)} MiB entry (${(statSync(archive).size / MiB).toFixed(0)} MiB zstd archive; the actions/cache@v4 step, exact hit; median step ${median(ours).toFixed(0)} ms, of which the \`tar -x\` ${tarInReplay.length ? median(tarInReplay).toFixed(0) : "?"} ms)`,
      value: mibps(median(ours)),
      unit: "MiB/s",
      reference: `raw \`docker exec … tar -xf … --use-compress-program unzstd\` of the same archive in a container of the same image (median ${median(raw).toFixed(0)} ms)`,
      refValue: mibps(median(raw)),
      ratio: median(raw) / median(ours),
      goal: { op: ">=", limit: 0.7, text: "≥ 0.7×" },
      runs,
    };
  } finally {
    remove();
    removeStore();
  }
}
