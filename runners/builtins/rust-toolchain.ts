import { createHash } from "node:crypto";
import { parseUsesReference } from "../../workflows/index.js";
import type { BuiltinAction } from "../builtin-actions.js";
import type { StepHost } from "../job/step-host.js";

// dtolnay/rust-toolchain and actions-rs/toolchain install a toolchain with rustup; in
// replay the job's image already has one (images/rust), so the built-ins check that it is
// there with what the workflow asks for (components, targets), set the originals'
// outputs and environment, and say which Rust the job gets. Nothing is downloaded.

/** `a, b c` → [a, b, c], as the originals split components and targets. */
export function splitList(v: string | undefined): string[] {
  return (v ?? "").split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

export interface RustcInfo {
  release: string;
  commitHash: string;
  commitDate: string;
  /** The first line of `rustc --version --verbose`. */
  line: string;
}

/** What `rustc --version --verbose` says. */
export function parseRustcVerbose(text: string): RustcInfo | undefined {
  const lines = text.split("\n").map((l) => l.trim());
  const field = (name: string): string => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2).trim() ?? "";
  const line = lines.find((l) => l.startsWith("rustc ")) ?? "";
  const release = field("release") || (/^rustc (\S+)/.exec(line)?.[1] ?? "");
  if (!release) return undefined;
  return { release, commitHash: field("commit-hash"), commitDate: field("commit-date"), line };
}

/** dtolnay/rust-toolchain's `cachekey`: the commit date (yyyymmdd) and hash, 12 characters. */
export function cacheKey(info: RustcInfo): string {
  const date = /^(20\d\d)-([01]\d)-([0-3]\d)$/.exec(info.commitDate);
  const hash = /^[0-9a-f]{7,}$/.test(info.commitHash) ? info.commitHash : "";
  const key = `${date ? `${date[1]}${date[2]}${date[3]}` : ""}${hash}`.slice(0, 12);
  // A rustc built without git information (some distributions): a hash of its version line instead.
  return key.length === 12 ? key : createHash("sha256").update(info.line || info.release).digest("hex").slice(0, 12);
}

/** Whether the image's rustc is the toolchain asked for; undefined when any will do (stable, a channel replay cannot tell). */
export function toolchainMismatch(asked: string, info: RustcInfo): string | undefined {
  const t = asked.trim();
  if (t === "" || t === "stable" || /^stable[- ]/.test(t)) return info.release.includes("-") ? `it is ${info.release}, not a stable release` : undefined;
  if (t.startsWith("nightly")) return info.release.includes("nightly") ? undefined : `it is ${info.release}, not a nightly`;
  if (t.startsWith("beta")) return info.release.includes("beta") ? undefined : `it is ${info.release}, not a beta`;
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(t);
  if (!m) return undefined;
  const wanted = m[3] === undefined ? `${m[1]}.${m[2]}.` : `${m[1]}.${m[2]}.${m[3]}`;
  const ok = m[3] === undefined ? info.release.startsWith(wanted) : info.release === wanted || info.release.startsWith(`${wanted}-`);
  return ok ? undefined : `it is ${info.release}, not ${t}`;
}

/** How to tell a component is installed without rustup (a Debian rustc has none). */
const COMPONENT_CHECKS: Record<string, string> = {
  rustfmt: "rustfmt --version",
  clippy: "cargo clippy --version",
  "rust-src": 'test -d "$(rustc --print sysroot)/lib/rustlib/src/rust"',
  "rust-analyzer": "rust-analyzer --version",
  "llvm-tools": 'ls "$(rustc --print sysroot)"/lib/rustlib/*/bin/llvm-* >/dev/null 2>&1',
  "llvm-tools-preview": 'ls "$(rustc --print sysroot)"/lib/rustlib/*/bin/llvm-* >/dev/null 2>&1',
  miri: "cargo miri --version",
  "rust-docs": 'test -d "$(rustc --print sysroot)/share/doc/rust"',
  cargo: "cargo --version",
  rustc: "rustc --version",
};

async function quiet(host: StepHost, script: string): Promise<{ ok: boolean; out: string }> {
  const r = await host.exec(["bash", "-c", `${script} 2>&1`], { quiet: true });
  return { ok: r.exitCode === 0, out: r.stdout.trim() };
}

interface RustCheck {
  info: RustcInfo;
  cargo: string;
}

/** The shared part: rustc and cargo are there, with the components and targets asked for. */
async function checkRust(host: StepHost, o: { action: string; toolchain: string; components: string[]; targets: string[] }): Promise<RustCheck | undefined> {
  const image = host.cell.image;
  const verbose = await quiet(host, "rustc --version --verbose");
  const info = verbose.ok ? parseRustcVerbose(verbose.out) : undefined;
  if (!info) {
    host.log(`##[error]${o.action}: the job's image ${image} has no Rust toolchain (rustc is not on PATH); run the job in replay's Rust image with --image ubuntu-latest=<rust image>, or map it in .replay.yml`);
    return undefined;
  }
  const cargo = await quiet(host, "cargo --version");
  if (!cargo.ok) {
    host.log(`##[error]${o.action}: the job's image ${image} has rustc but no cargo`);
    return undefined;
  }
  const mismatch = toolchainMismatch(o.toolchain, info);
  if (mismatch) host.log(`##[warning]${o.action}: the workflow asks for Rust ${o.toolchain}, but the job's image ${image} has another one (${mismatch}); replay uses the image's`);
  const rustup = await quiet(host, "rustup component list --installed");
  const missing: string[] = [];
  for (const c of o.components) {
    const base = c.replace(/-(x86_64|aarch64|i686|wasm32)-.*$/, "");
    const check = COMPONENT_CHECKS[base];
    const installed = rustup.ok ? rustup.out.split("\n").some((l) => l.trim() === c || l.trim().startsWith(`${c}-`)) : false;
    if (installed) continue;
    if (check === undefined) {
      if (!rustup.ok) host.log(`##[warning]${o.action}: replay cannot tell whether component '${c}' is in the image ${image} (it has no rustup); going on`);
      else missing.push(c);
      continue;
    }
    if (!(await quiet(host, check)).ok) missing.push(c);
  }
  const sysroot = await quiet(host, "rustc --print sysroot");
  for (const t of o.targets) {
    if (!(await quiet(host, `test -d "${sysroot.out}/lib/rustlib/${t}/lib"`)).ok) missing.push(`target ${t}`);
  }
  if (missing.length) {
    host.log(`##[error]${o.action}: the job's image ${image} lacks ${missing.join(", ")} (replay installs nothing); add it to the Rust image (images/rust) or pick an image that has it`);
    return undefined;
  }
  host.log(info.line);
  host.log(cargo.out);
  return { info, cargo: cargo.out };
}

/** The environment both originals leave for later steps, when the step has not set it. */
function exportCargoEnv(host: StepHost, cargoHome: string): void {
  const env = host.stepEnv;
  if (env["CARGO_HOME"] === undefined && cargoHome) host.exportVariable("CARGO_HOME", cargoHome);
  if (env["CARGO_INCREMENTAL"] === undefined) host.exportVariable("CARGO_INCREMENTAL", "0");
  if (env["CARGO_TERM_COLOR"] === undefined) host.exportVariable("CARGO_TERM_COLOR", "always");
}

/** The toolchain `dtolnay/rust-toolchain@<rev>` installs: the `toolchain` input, else the rev (`@stable`, `@1.85.0`, `@nightly`). */
export function dtolnayToolchain(uses: string, input: string | undefined): string {
  if (input) return input;
  const ref = parseUsesReference(uses);
  const rev = ref?.kind === "remote" ? ref.ref : "";
  return /^(master|main|v\d+)$/.test(rev) || /^[0-9a-f]{40}$/i.test(rev) ? "" : rev;
}

export const dtolnayRustToolchain: BuiltinAction = {
  name: "dtolnay/rust-toolchain",
  async main(host) {
    const toolchain = dtolnayToolchain(host.step.uses ?? "", host.inputs["toolchain"]);
    if (!toolchain) {
      host.log("##[error]'toolchain' is a required input");
      return false;
    }
    const checked = await checkRust(host, {
      action: "dtolnay/rust-toolchain",
      toolchain,
      components: splitList(host.inputs["components"]),
      targets: splitList(host.inputs["targets"] || host.inputs["target"]),
    });
    if (!checked) return false;
    const home = await quiet(host, 'echo "${CARGO_HOME:-$HOME/.cargo}"');
    exportCargoEnv(host, home.out);
    host.setOutput("cachekey", cacheKey(checked.info));
    host.setOutput("name", toolchain);
    return true;
  },
};

export const actionsRsToolchain: BuiltinAction = {
  name: "actions-rs/toolchain",
  async main(host) {
    const components = splitList(host.inputs["components"]);
    const toolchain = host.inputs["toolchain"] ?? "";
    const checked = await checkRust(host, {
      action: "actions-rs/toolchain",
      toolchain,
      components,
      targets: splitList(host.inputs["target"]),
    });
    if (!checked) return false;
    // actions-rs parses `rustc -V` ("rustc 1.85.1 (4eb161250 2025-03-15)") and `cargo -V`.
    const short = await quiet(host, "rustc -V");
    const m = /^rustc (\S+)(?: \((\S+))?/.exec(short.out);
    const rustup = await quiet(host, "rustup -V");
    host.setOutput("rustc", m?.[1] ?? checked.info.release);
    host.setOutput("rustc_hash", m?.[2] ?? checked.info.commitHash.slice(0, 9));
    host.setOutput("cargo", /^cargo (\S+)/.exec(checked.cargo)?.[1] ?? "");
    host.setOutput("rustup", rustup.ok ? (/^rustup (\S+)/.exec(rustup.out)?.[1] ?? "") : "");
    return true;
  },
};
