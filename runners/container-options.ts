import { parse } from "shell-quote";
import { WorkflowInvalidError } from "../common/index.js";

/** What the `options:` of a service or job container may set (the `docker create` flags GitHub accepts). */
export interface ContainerOptions {
  healthcheck?: { test: string[]; intervalNs?: number; timeoutNs?: number; retries?: number; startPeriodNs?: number };
  env: Record<string, string>;
  entrypoint?: string;
  user?: string;
  workdir?: string;
  hostname?: string;
  memoryBytes?: number;
  nanoCpus?: number;
  shmSizeBytes?: number;
  tmpfs: Record<string, string>;
  volumes: string[];
  capAdd: string[];
  labels: Record<string, string>;
  privileged: boolean;
  /** Flags replay accepts but does not apply, with why. */
  ignored: string[];
}

const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

function durationNs(flag: string, v: string): number {
  // Docker's durations may chain units (1m30s).
  let total = 0;
  let rest = v;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) throw bad(flag, v, "a duration like 2s, 500ms or 1m30s");
    total += Number(m[1]) * (UNIT_NS[m[2] ?? "s"] ?? 1e9);
    rest = rest.slice(m[0].length);
  }
  if (!DURATION.test(v) && total === 0) throw bad(flag, v, "a duration like 2s");
  return Math.round(total);
}

function bytes(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmg]?)b?$/i.exec(v.trim());
  if (!m) throw bad(flag, v, "a size like 512m or 2g");
  const mult: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Math.round(Number(m[1]) * (mult[(m[2] ?? "").toLowerCase()] ?? 1));
}

function bad(flag: string, value: string, expected: string): WorkflowInvalidError {
  return new WorkflowInvalidError(`container option ${flag} ${value}: expected ${expected}`, { exitCode: 1 });
}

/**
 * Parses a container's `options:` string as `docker create` would read those flags.
 * Flags that make no sense for a replayed job (networking is replay's) are accepted and
 * listed in `ignored`; unknown flags are refused so that nothing is silently dropped.
 */
export function parseContainerOptions(options: string | undefined): ContainerOptions {
  const out: ContainerOptions = { env: {}, tmpfs: {}, volumes: [], capAdd: [], labels: {}, privileged: false, ignored: [] };
  if (!options?.trim()) return out;
  const words = parse(options).map((w) => {
    if (typeof w !== "string") throw new WorkflowInvalidError(`container options: unsupported shell syntax in '${options}'`, { exitCode: 1 });
    return w;
  });
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    const eq = word.startsWith("--") ? word.indexOf("=") : -1;
    const flag = eq > 0 ? word.slice(0, eq) : word;
    const value = (): string => {
      if (eq > 0) return word.slice(eq + 1);
      const v = words[++i];
      if (v === undefined) throw new WorkflowInvalidError(`container option ${flag} needs a value`, { exitCode: 1 });
      return v;
    };
    const hc = (): NonNullable<ContainerOptions["healthcheck"]> => (out.healthcheck ??= { test: [] });
    switch (flag) {
      case "--health-cmd":
        hc().test = ["CMD-SHELL", value()];
        break;
      case "--health-interval":
        hc().intervalNs = durationNs(flag, value());
        break;
      case "--health-timeout":
        hc().timeoutNs = durationNs(flag, value());
        break;
      case "--health-retries": {
        const n = Number(value());
        if (!Number.isInteger(n)) throw bad(flag, String(n), "a whole number");
        hc().retries = n;
        break;
      }
      case "--health-start-period":
        hc().startPeriodNs = durationNs(flag, value());
        break;
      case "--no-healthcheck":
        out.healthcheck = { test: ["NONE"] };
        break;
      case "-e":
      case "--env": {
        const kv = value();
        const k = kv.indexOf("=");
        if (k > 0) out.env[kv.slice(0, k)] = kv.slice(k + 1);
        else out.env[kv] = process.env[kv] ?? "";
        break;
      }
      case "--entrypoint":
        out.entrypoint = value();
        break;
      case "-u":
      case "--user":
        out.user = value();
        break;
      case "-w":
      case "--workdir":
        out.workdir = value();
        break;
      case "-h":
      case "--hostname":
        out.hostname = value();
        break;
      case "-m":
      case "--memory":
        out.memoryBytes = bytes(flag, value());
        break;
      case "--cpus":
        out.nanoCpus = Math.round(Number(value()) * 1e9);
        break;
      case "--shm-size":
        out.shmSizeBytes = bytes(flag, value());
        break;
      case "--tmpfs": {
        const [path = "", opts = ""] = value().split(":");
        out.tmpfs[path] = opts;
        break;
      }
      case "-v":
      case "--volume":
        out.volumes.push(value());
        break;
      case "--cap-add":
        out.capAdd.push(value());
        break;
      case "-l":
      case "--label": {
        const kv = value();
        const k = kv.indexOf("=");
        out.labels[k > 0 ? kv.slice(0, k) : kv] = k > 0 ? kv.slice(k + 1) : "";
        break;
      }
      case "--privileged":
        out.privileged = true;
        break;
      case "--rm":
        out.ignored.push(`${flag} (replay removes every container it starts)`);
        break;
      case "--network":
      case "--net":
      case "--network-alias":
      case "-p":
      case "--publish":
      case "--name":
      case "--pull":
      case "--platform":
      case "--add-host":
      case "--dns":
        value();
        out.ignored.push(`${flag} (replay manages the job's containers and network itself)`);
        break;
      default:
        throw new WorkflowInvalidError(`container option '${flag}' is not supported by replay`, {
          hint: "supported: --health-*, --no-healthcheck, -e/--env, --entrypoint, --user, --workdir, --hostname, --memory, --cpus, --shm-size, --tmpfs, -v/--volume, --cap-add, --label, --privileged",
          exitCode: 1,
        });
    }
  }
  // Interval or retries without a command tune the image's own HEALTHCHECK.
  if (out.healthcheck && out.healthcheck.test.length === 0) out.healthcheck.test = [];
  return out;
}
