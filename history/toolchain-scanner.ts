// Which toolchain versions a job saw, read off its log lines. The same scanner reads a
// replay's step output and a CI job's log, so both sides of a diff are measured alike.

/** Tool name to the versions seen, in the order first seen. */
export type Toolchains = Record<string, string[]>;

export interface ToolchainSighting {
  tool: string;
  version: string;
}

const SEMVER = String.raw`(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)`;

/** Patterns that name their tool on the line itself. */
const NAMED: readonly { tool: string; re: RegExp }[] = [
  { tool: "rustc", re: new RegExp(String.raw`(?:^|\s)rustc ${SEMVER}(?:\s|$)`) },
  // rustup: "info: latest update on 2026-04-16, rust version 1.95.0 (…)"
  { tool: "rustc", re: new RegExp(String.raw`\brust version ${SEMVER}`) },
  { tool: "cargo", re: new RegExp(String.raw`(?:^|\s)cargo ${SEMVER}(?:\s|$)`) },
  { tool: "clippy", re: new RegExp(String.raw`(?:^|\s)clippy ${SEMVER}(?:\s|$)`) },
  { tool: "rustfmt", re: new RegExp(String.raw`(?:^|\s)rustfmt ${SEMVER}`) },
  { tool: "wasm-pack", re: new RegExp(String.raw`\bwasm-pack v?${SEMVER}`) },
  { tool: "trivy", re: new RegExp(String.raw`\btrivy(?: version)?:? v?${SEMVER}`, "i") },
  { tool: "node", re: new RegExp(String.raw`\bnode(?:\.js)?[ /@]v?${SEMVER}`, "i") },
  { tool: "npm", re: new RegExp(String.raw`\bnpm[ /@]v?${SEMVER}`) },
  { tool: "python", re: new RegExp(String.raw`^Python ${SEMVER}$`) },
  { tool: "go", re: /\bgo version go(\d+\.\d+(?:\.\d+)?)\b/ },
  { tool: "runner", re: /^Current runner version: '([^']+)'/ },
];

/** `Found in cache @ /opt/hostedtoolcache/node/20.19.5/x64`: the tool cache's layout names tool and version. */
const FOUND_IN_CACHE = /Found in cache @ (\S+)/;
const TOOL_CACHE_PATH = /hostedtoolcache\/([^/]+)\/([^/]+)\//;

/** Bare version lines, attributed by what the step ran (its name or its script). */
const BARE_V = new RegExp(String.raw`^v${SEMVER}$`);
const BARE = new RegExp(String.raw`^${SEMVER}$`);
const TRIVY_VERSION = new RegExp(String.raw`^Version: ${SEMVER}$`);

function add(into: Toolchains, tool: string, version: string): boolean {
  const list = (into[tool] ??= []);
  if (list.includes(version)) return false;
  list.push(version);
  return true;
}

/** Strips GitHub's timestamp prefix and ANSI codes, the two things that hide a version line. */
function bare(line: string): string {
  return line
    .replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z /, "")
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")
    .trimEnd();
}

/**
 * Reads one job's lines, step by step. `beginStep` gives the scanner the step's name and,
 * when known, its script, so that a bare `10.8.2` after `npm --version` counts as npm.
 */
export class ToolchainScanner {
  readonly toolchains: Toolchains = {};
  /** Every "Found in cache @ …" line, as printed. */
  readonly cacheHits: string[] = [];
  private context = "";
  private group: string | undefined;
  private runnerImage: { image?: string; version?: string } = {};

  beginStep(nameOrScript: string): void {
    this.context = nameOrScript;
    this.group = undefined;
  }

  scan(raw: string): ToolchainSighting[] {
    const line = bare(raw);
    const seen: ToolchainSighting[] = [];
    const note = (tool: string, version: string): void => {
      if (add(this.toolchains, tool, version)) seen.push({ tool, version });
    };

    const group = /^##\[group\](.*)$/.exec(line);
    if (group) {
      this.group = group[1];
      // A CI step's header group echoes its script: that is the best context there is.
      if (group[1]?.startsWith("Run ")) this.context = group[1];
      return seen;
    }
    if (line === "##[endgroup]") {
      this.group = undefined;
      return seen;
    }
    if (this.group === "Runner Image") {
      const image = /^Image: (\S+)/.exec(line)?.[1];
      const version = /^Version: (\S+)/.exec(line)?.[1];
      if (image) this.runnerImage.image = image;
      if (version) this.runnerImage.version = version;
      if (this.runnerImage.image && this.runnerImage.version && (image || version)) {
        note("runner-image", `${this.runnerImage.image} ${this.runnerImage.version}`);
      }
      return seen;
    }

    const cached = FOUND_IN_CACHE.exec(line);
    if (cached?.[1]) {
      if (!this.cacheHits.includes(line)) this.cacheHits.push(line);
      const m = TOOL_CACHE_PATH.exec(`${cached[1]}/`);
      if (m?.[1] && m[2]) note(m[1].toLowerCase(), m[2]);
      return seen;
    }

    for (const { tool, re } of NAMED) {
      const m = re.exec(line);
      if (m?.[1]) note(tool, m[1]);
    }
    if (seen.length) return seen;

    const ctx = this.context;
    const v = BARE_V.exec(line)?.[1];
    if (v && /\bnode\b/.test(ctx)) note("node", v);
    const n = BARE.exec(line)?.[1];
    if (n) {
      if (/\bnpm (?:-v|--version)\b/.test(ctx)) note("npm", n);
      else if (/\bwasm-pack\b/.test(ctx)) note("wasm-pack", n);
    }
    const t = TRIVY_VERSION.exec(line)?.[1];
    if (t && /trivy/i.test(ctx)) note("trivy", t);
    return seen;
  }
}

/** Merges several jobs' toolchains into one, keeping first-seen order. */
export function mergeToolchains(parts: readonly Toolchains[]): Toolchains {
  const out: Toolchains = {};
  for (const p of parts) for (const [tool, versions] of Object.entries(p)) for (const v of versions) add(out, tool, v);
  return out;
}

/** Scans a whole job log (CI's, one string) at once. */
export function scanToolchains(lines: readonly string[]): { toolchains: Toolchains; cacheHits: string[] } {
  const s = new ToolchainScanner();
  for (const l of lines) s.scan(l);
  return { toolchains: s.toolchains, cacheHits: s.cacheHits };
}
