import { UsageError } from "../common/index.js";
import type { Value } from "../workflows/index.js";
import type { NoticeEvent, RunnerSizeNotice } from "./events.js";
import type { ContainerLimits } from "./job-container.js";

/** `.replay.yml` `runner-size` and `--runner-size`: GitHub's sizes for public or private repositories, or the host's whole machine. */
export type RunnerSizeMode = "public" | "private" | "host";

export interface RunnerSize {
  cpus: number;
  memoryBytes: number;
}

const GiB = 1024 ** 3;
const size = (cpus: number, gb: number): RunnerSize => ({ cpus, memoryBytes: gb * GiB });

// GitHub's "Supported runners and hardware resources" (docs.github.com/en/actions/reference/
// runners/github-hosted-runners), the Linux rows: what a job on these labels gets. Larger
// runners have names their owners choose: `.replay.yml` `runner-sizes` maps those.
const STANDARD: readonly { labels: RegExp; public: RunnerSize; private: RunnerSize }[] = [
  { labels: /^ubuntu-slim$/, public: size(1, 5), private: size(1, 5) },
  { labels: /^ubuntu-(latest|\d\d\.\d\d)-arm$/, public: size(4, 16), private: size(2, 8) },
  { labels: /^ubuntu-(latest|\d\d\.\d\d)$/, public: size(4, 16), private: size(2, 7) },
];

/** The size GitHub documents for a runs-on label in a public or private repository. */
export function documentedSize(mode: "public" | "private", label: string): RunnerSize | undefined {
  return STANDARD.find((s) => s.labels.test(label))?.[mode];
}

/** `16G`, `512M`, `7GB`, `8GiB` or a number of bytes; undefined for anything else. */
export function parseMemory(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(value.trim());
  if (!m) return undefined;
  const mult: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: GiB, t: 1024 * GiB };
  const bytes = Math.round(Number(m[1]) * (mult[(m[2] ?? "").toLowerCase()] ?? 1));
  return bytes > 0 ? bytes : undefined;
}

/** What the Docker engine's machine has. */
export interface HostResources {
  cpus: number;
  memoryBytes: number;
}

/** The size a job gets: what GitHub gives its label, what the container got, and why less when it did. */
export interface SizeDecision {
  label: string;
  mode: "public" | "private";
  size: RunnerSize;
  /** Where the size comes from: GitHub's table or `.replay.yml`'s runner-sizes. */
  source: "github" | "replay.yml";
  limits: ContainerLimits;
  /** Set when the host cannot give the whole size: what it gave instead. */
  degraded?: string;
}

const cpusText = (n: number): string => `${n} CPU${n === 1 ? "" : "s"}`;

export const formatBytes = (n: number): string => (n % GiB === 0 ? `${n / GiB} GB` : `${(n / GiB).toFixed(1)} GB`);

/**
 * Turns a job's runs-on labels into container limits. CPUs are a cpuset (so `nproc` and
 * every affinity-reading tool count them as CI's VM would) plus the same CPU quota;
 * memory is the cgroup's limit. Jobs running at once get different CPUs, round robin.
 */
export class RunnerSizing {
  private next = 0;
  private host: Promise<HostResources> | undefined;

  constructor(
    readonly mode: RunnerSizeMode,
    private readonly custom: Readonly<Record<string, RunnerSize>>,
    private readonly hostResources: () => Promise<HostResources>,
  ) {}

  /** undefined with `host` (the container gets the whole machine, as before), and for a label without a size (a note says so). */
  async decide(labels: readonly string[]): Promise<SizeDecision | { unsized: string } | undefined> {
    const mode = this.mode;
    if (mode === "host") return undefined;
    const customLabel = labels.find((l) => this.custom[l] !== undefined);
    const label = customLabel ?? labels.find((l) => documentedSize(mode, l) !== undefined);
    const wanted = customLabel ? this.custom[customLabel] : label ? documentedSize(mode, label) : undefined;
    if (!label || !wanted) return { unsized: labels.join(", ") || "(none)" };
    this.host ??= this.hostResources();
    const host = await this.host;
    const cpus = Math.min(wanted.cpus, host.cpus);
    const whole = Math.max(1, Math.floor(cpus));
    const first = this.next % Math.max(1, host.cpus);
    this.next += whole;
    const set = Array.from({ length: whole }, (_, i) => (first + i) % host.cpus).sort((a, b) => a - b);
    const memoryBytes = Math.min(wanted.memoryBytes, host.memoryBytes);
    const short: string[] = [];
    if (cpus < wanted.cpus) short.push(`${cpus} of its ${cpusText(wanted.cpus)}`);
    if (memoryBytes < wanted.memoryBytes) short.push(`${formatBytes(memoryBytes)} of its ${formatBytes(wanted.memoryBytes)} of memory`);
    return {
      label,
      mode,
      size: wanted,
      source: customLabel ? "replay.yml" : "github",
      limits: { cpusetCpus: set.join(","), nanoCpus: Math.round(cpus * 1e9), memoryBytes },
      ...(short.length ? { degraded: `this host has ${cpusText(host.cpus)} and ${formatBytes(host.memoryBytes)}: the job runs with ${short.join(" and ")}` } : {}),
    };
  }
}

/** The one line a job's size is told in (a notice). */
export function describeSize(d: SizeDecision): string {
  const what = `${d.label} (${d.source === "github" ? `GitHub's ${d.mode} repository size` : ".replay.yml runner-sizes"}): ${cpusText(d.size.cpus)}, ${formatBytes(d.size.memoryBytes)}`;
  return d.degraded ? `runner size degraded: ${what}; ${d.degraded}` : `runner size ${what}`;
}

/** A job's runs-on, evaluated: its labels (a label, a list, or a group's `labels:`). */
export function runsOnLabelList(runsOn: Value): string[] {
  if (typeof runsOn === "string") return [runsOn];
  if (Array.isArray(runsOn)) return runsOn.filter((l): l is string => typeof l === "string");
  if (runsOn !== null && typeof runsOn === "object") return runsOnLabelList(runsOn["labels"] ?? null);
  return [];
}

/**
 * The limits of a job's container under `sizing`, told in a notice (a warning when the
 * host gives less than the size, or when the label has none): undefined for no limits.
 */
export async function jobLimits(sizing: RunnerSizing | undefined, runsOn: Value, notice: (n: Pick<NoticeEvent, "level" | "message" | "runnerSize">) => void): Promise<ContainerLimits | undefined> {
  const d = await sizing?.decide(runsOnLabelList(runsOn));
  if (!d) return undefined;
  if ("unsized" in d) {
    notice({ level: "warning", message: `runner size: GitHub documents no size for runs-on ${d.unsized}: the job gets the whole host; give the label a size under runner-sizes in .replay.yml` });
    return undefined;
  }
  const runnerSize: RunnerSizeNotice = {
    label: d.label,
    cpus: d.size.cpus,
    memoryBytes: d.size.memoryBytes,
    appliedCpus: (d.limits.nanoCpus ?? 0) / 1e9,
    appliedMemoryBytes: d.limits.memoryBytes ?? 0,
    ...(d.degraded ? { degraded: d.degraded } : {}),
  };
  notice({ level: d.degraded ? "warning" : "info", message: describeSize(d), runnerSize });
  return d.limits;
}

/**
 * The run's sizing: `--runner-size` over `.replay.yml`'s `runner-size` (default host), with
 * `runner-sizes`' labels; undefined for host, which limits nothing (replay's behaviour before).
 */
export function makeRunnerSizing(
  flag: RunnerSizeMode | undefined,
  config: { "runner-size"?: RunnerSizeMode | undefined; "runner-sizes"?: Record<string, { cpus: number; memory: string | number }> | undefined },
  hostResources: () => Promise<HostResources>,
): RunnerSizing | undefined {
  const mode = flag ?? config["runner-size"] ?? "host";
  if (mode === "host") return undefined;
  const custom: Record<string, RunnerSize> = {};
  for (const [label, s] of Object.entries(config["runner-sizes"] ?? {})) {
    const memoryBytes = parseMemory(s.memory);
    // .replay.yml's schema has checked it already; this is for callers that did not.
    if (memoryBytes === undefined) throw new UsageError(`.replay.yml runner-sizes.${label}.memory: '${s.memory}' is not a size`, "give a size like 32G, 7GB or 512M");
    custom[label] = { cpus: s.cpus, memoryBytes };
  }
  return new RunnerSizing(mode, custom, hostResources);
}
