// A 4-cell matrix: the wall time of all four cells in one replay (replay's default lets
// 4 job containers run at once, so all of them may overlap) against the slowest of the four cells replayed alone; and the
// CLI's peak memory during those four-cell replays, polled from /proc.
import { readFileSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dockerRuns, jobImage, makeRepo, median, replay } from "./lib.mjs";

const CELLS = [1, 2, 3, 4];
const WORKFLOW = `on: push
jobs:
  cells:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        cell: [${CELLS.join(", ")}]
    steps:
      - run: sleep 1
      - run: echo "cell \${{ matrix.cell }}"
      - run: ls -la > /tmp/listing && wc -l /tmp/listing
      - run: echo done
`;

const kb = (status, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
const readStatus = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined; // gone meanwhile
  }
};

/** The pids of `pid` and all its descendants (from the parent pids in /proc/<pid>/stat). */
function tree(pid) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

/**
 * Polls a process tree's memory every `everyMs`: answers `stop()` → peak bytes (the largest
 * sum of VmRSS over the tree, and at least the root's own VmHWM) and the children's names.
 */
function memoryPoller(pid, everyMs = 20) {
  let peak = 0;
  let rootHwm = 0;
  const seen = new Set();
  const cmdline = (p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8");
    } catch {
      return undefined;
    }
  };
  const rootCmd = cmdline(pid);
  const sample = () => {
    let sum = 0;
    for (const p of tree(pid)) {
      // A fork of the CLI not yet exec'd (a child process being started) shares the CLI's
      // pages copy-on-write, yet its VmRSS counts them again: not counted.
      if (p !== pid && cmdline(p) === rootCmd) continue;
      const s = readStatus(p);
      if (!s) continue;
      sum += kb(s, "VmRSS");
      if (p === pid) rootHwm = Math.max(rootHwm, kb(s, "VmHWM"));
      else seen.add(/^Name:\s+(.*)$/m.exec(s)?.[1] ?? "?");
    }
    peak = Math.max(peak, sum);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { bytes: Math.max(peak, rootHwm) * 1024, processes: [...seen].sort() };
    },
  };
}

/** The peak resident memory of a bare Node process (the runtime's own floor), in bytes. */
function bareNodeBytes() {
  const r = spawnSync(process.execPath, ["-e", `process.on("exit", () => console.log(/VmHWM:\\s+(\\d+)/.exec(require("fs").readFileSync("/proc/self/status", "utf8"))[1]))`], { encoding: "utf8" });
  return Number(r.stdout.trim()) * 1024;
}

/** Rows for the table: the matrix's overlap, and the CLI's peak memory during it. */
export async function matrixFigures({ runs }) {
  const { dir, remove } = makeRepo({ ".github/workflows/matrix.yml": WORKFLOW });
  try {
    const image = jobImage((await replay(dir, ["job", "cells"])).events); // warm-up
    const whole = [];
    const slowest = [];
    const peaks = [];
    const floors = [];
    // Docker's own overlap: 4 containers that sleep a second, at once, against one alone.
    const dockerFour = [];
    const dockerOne = [];
    const processes = new Set();
    for (let i = 0; i < runs; i++) {
      let poller;
      const r = await replay(dir, ["job", "cells"], { onSpawn: (child) => (poller = memoryPoller(child.pid)) });
      const mem = poller.stop();
      const cells = r.events.filter((e) => e.type === "job.completed");
      if (cells.length !== CELLS.length) throw new Error(`the matrix ran ${cells.length} cells, not ${CELLS.length}`);
      whole.push(r.wallMs);
      peaks.push(mem.bytes);
      mem.processes.forEach((p) => processes.add(p));
      let worst = 0;
      for (const c of CELLS) worst = Math.max(worst, (await replay(dir, ["job", "cells", "--matrix", `cell=${c}`])).wallMs);
      slowest.push(worst);
      floors.push(bareNodeBytes());
      dockerOne.push(await dockerRuns(image, 1, 1, ["sleep", "1"]));
      dockerFour.push(await dockerRuns(image, CELLS.length, CELLS.length, ["sleep", "1"]));
    }
    const MB = 1024 * 1024;
    return [
      {
        figure: "4-cell matrix, wall time (`replay job` of 4 cells; each cell `sleep 1` + 3 steps)",
        value: median(whole),
        unit: "ms",
        reference: "the slowest of the 4 cells replayed alone (`--matrix cell=N`)",
        refValue: median(slowest),
        ratio: median(whole) / median(slowest),
        goal: { op: "<=", limit: 1.6, text: "≤ 1.6×" },
        runs,
      },
      {
        figure: `4-cell matrix: the Docker floor (${CELLS.length} × \`docker run --rm <image> sleep 1\` at once, median ${(median(dockerFour) / 1000).toFixed(2)} s, against one alone, median ${(median(dockerOne) / 1000).toFixed(2)} s: Docker's own overlap on this machine)`,
        value: median(whole) / median(slowest),
        unit: "×",
        reference: "the same ratio for the bare containers",
        refValue: median(dockerFour) / median(dockerOne),
        ratio: median(whole) / median(slowest) / (median(dockerFour) / median(dockerOne)),
        goal: { op: "none", text: "— (replay's overlap over Docker's)" },
        runs,
      },
      {
        figure: `CLI peak memory while replaying the 4 cells (RSS of the CLI process and its children: ${[...processes].join(", ") || "none seen"})`,
        value: median(peaks) / MB,
        unit: "MB",
        reference: "a bare `node -e` process's peak RSS",
        refValue: median(floors) / MB,
        ratio: median(peaks) / median(floors),
        goal: { op: "<=", limit: 150, on: "value", text: "≤ 150 MB" },
        runs,
      },
    ];
  } finally {
    remove();
  }
}
