import type Docker from "dockerode";
import { runLabels } from "./labels.js";
import type { PlannedEntry, ProbeAnswer } from "./parity-spec.js";

// Runs every probe of a parity plan in one container of the image, as the runner user
// (the PATH and environment a step gets), and reads back each one's exit status and
// output. The container is labelled like a run's, so `replay gc` removes it should replay
// die first, and removed at once.

const MARK = "\u001eREPLAY-PARITY";

/** One script: for each probe, a marker line, its output (first 20 lines), a status line. */
export function probeScript(plan: readonly PlannedEntry[]): string {
  const parts: string[] = [];
  plan.forEach((p, index) => {
    if (p.command === undefined) return;
    // The newline before the status line ends output that lacks one (`perl -e 'print $^V'`).
    parts.push(`printf '${MARK} %s\\n' ${index}`, `( ${p.command} ) </dev/null 2>&1 | head -n 20`, `printf '\\n${MARK}-rc %s\\n' "\${PIPESTATUS[0]}"`);
  });
  return parts.join("\n");
}

/** The answers in a probe script's output, by plan index. */
export function parseProbeOutput(output: string): Map<number, ProbeAnswer> {
  const answers = new Map<number, ProbeAnswer>();
  let index: number | undefined;
  let lines: string[] = [];
  for (const line of output.replace(/\r\n/g, "\n").split("\n")) {
    const rc = line.startsWith(`${MARK}-rc `) ? Number(line.slice(MARK.length + 4)) : undefined;
    if (rc !== undefined && index !== undefined) {
      answers.set(index, { exitCode: rc, output: lines.join("\n").replace(/\n+$/, "") });
      index = undefined;
    } else if (line.startsWith(`${MARK} `)) {
      index = Number(line.slice(MARK.length + 1));
      lines = [];
    } else if (index !== undefined) lines.push(line);
  }
  return answers;
}

const PROBE_TIMEOUT_MS = 120_000;

/** Runs the plan's probes in `image`; the answers by plan index. */
export async function probeImage(docker: Docker, image: string, plan: readonly PlannedEntry[]): Promise<Map<number, ProbeAnswer>> {
  const container = await docker.createContainer({
    Image: image,
    User: "runner",
    WorkingDir: "/home/runner",
    Cmd: ["bash", "-c", probeScript(plan)],
    Tty: true,
    Labels: runLabels(`parity-${process.pid}`),
    HostConfig: { NetworkMode: "none" },
  });
  try {
    await container.start();
    const timer = setTimeout(() => void container.kill().catch(() => undefined), PROBE_TIMEOUT_MS);
    try {
      await container.wait();
    } finally {
      clearTimeout(timer);
    }
    const logs = await container.logs({ stdout: true, stderr: true, follow: false });
    return parseProbeOutput(Buffer.isBuffer(logs) ? logs.toString("utf8") : String(logs));
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
