// The secrets a replay is given: `.secrets`, --secret-file (dotenv) and --secret. A line
// that does not parse, or a name GitHub would refuse, refuses the replay before anything
// starts, with the file and line or the flag; no message shows a value.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { UsageError, runProcess } from "../../common/index.js";

const NAME_RULE = "GitHub's rule: letters, digits and underscores only, not starting with a digit or with GITHUB_";

/** Why GitHub would refuse a secret named so (its rule, case-insensitive), or undefined. */
export function secretNameProblem(name: string): string | undefined {
  if (name === "") return "the name is missing";
  if (!/^[A-Za-z0-9_]+$/.test(name)) return `'${name}' is not a secret name GitHub accepts (only letters, digits and underscores)`;
  if (/^[0-9]/.test(name)) return `'${name}' is not a secret name GitHub accepts (it starts with a digit)`;
  if (/^GITHUB_/i.test(name)) return `'${name}' is not a secret name GitHub accepts (GITHUB_ names are GitHub's own)`;
  return undefined;
}

function nameHint(name: string): string {
  return /^GITHUB_TOKEN$/i.test(name) ? "secrets.GITHUB_TOKEN is given with --github-token (or --github-token-from-gh)" : `rename it: ${NAME_RULE}`;
}

/** `NAME=VALUE` or `NAME` (from the environment). */
export function parseSecretFlags(args: string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf("=");
    // Only the name is ever shown: what follows `=` is the secret.
    const name = eq >= 0 ? a.slice(0, eq) : a;
    const problem = secretNameProblem(name);
    if (problem) throw new UsageError(`--secret ${name}${eq >= 0 ? "=…" : ""}: ${problem}`, eq === 0 ? "use --secret NAME=VALUE or --secret NAME (value from the environment)" : nameHint(name));
    if (eq > 0) out[name] = a.slice(eq + 1);
    else {
      const v = env[a];
      if (v === undefined) throw new UsageError(`--secret ${a}: no environment variable ${a} to take the value from`, `export ${a}=… first, or pass --secret ${a}=VALUE`);
      out[a] = v;
    }
  }
  return out;
}

/**
 * A dotenv file of secrets: NAME=VALUE lines (`export ` allowed), `#` comments, values in
 * optional quotes. `shown` names the file in errors.
 */
export function parseDotenv(text: string, shown: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const at = `${shown}:${i + 1}`;
    const eq = line.indexOf("=");
    if (eq < 0) throw new UsageError(`${at}: not a NAME=VALUE line (the line is not shown: it may hold a secret)`, `write each secret as NAME=VALUE; ${NAME_RULE}`);
    const name = line.slice(0, eq).replace(/^export\s+/, "").trim();
    const problem = secretNameProblem(name);
    if (problem) throw new UsageError(`${at}: ${problem}`, nameHint(name));
    let v = line.slice(eq + 1).trim();
    const quote = v[0];
    if (quote === '"' || quote === "'") {
      if (v.length < 2 || !v.endsWith(quote)) throw new UsageError(`${at}: the value of ${name} opens a quote it does not close`, `end the value with ${quote}, or write it without quotes`);
      v = v.slice(1, -1).replace(/\\n/g, "\n");
    }
    out[name] = v;
  });
  return out;
}

/** Reads a dotenv file of secrets (rejects when it cannot be read, refuses what does not parse). */
export async function readDotenv(file: string, shown = file): Promise<Record<string, string>> {
  return parseDotenv(await readFile(file, "utf8"), shown);
}

/** The secrets of a replay: `.secrets` in the repository, then --secret-file, then --secret. */
export async function readSecrets(repoDir: string, o: { secret: string[]; secretFile?: string | undefined }): Promise<Record<string, string>> {
  const dotSecrets = path.join(repoDir, ".secrets");
  const shown = path.relative(process.cwd(), dotSecrets) || dotSecrets;
  const secrets = await readDotenv(dotSecrets, shown.startsWith("..") ? dotSecrets : shown).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${shown}: ${e instanceof Error ? e.message : String(e)}`);
  });
  if (o.secretFile) {
    const file = o.secretFile;
    Object.assign(
      secrets,
      await readDotenv(file).catch((e: unknown) => {
        if (e instanceof UsageError) throw e;
        throw new UsageError(`--secret-file ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }),
    );
  }
  return Object.assign(secrets, parseSecretFlags(o.secret, process.env));
}

/** Values shorter than this are masked all the same (as on GitHub), with a word about it. */
const SHORT_SECRET_CHARS = 4;

/** What to tell the user about secrets short enough to mask unrelated text. */
export function shortSecretWarnings(secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, v]) => v.trim().length > 0 && v.trim().length < SHORT_SECRET_CHARS)
    .map(
      ([name, v]) =>
        `secret ${name} is only ${v.trim().length} character${v.trim().length === 1 ? "" : "s"} long: as GitHub's runner does, replay masks every occurrence of it, inside other words too, so expect *** in unrelated output`,
    );
}

/** `--github-token-from-gh`: the token `gh auth token` gives, opted into. */
export async function ghToken(): Promise<string> {
  const r = await runProcess("gh", ["auth", "token"]);
  if (r.exitCode !== 0 || !r.stdout.trim()) {
    throw new UsageError("--github-token-from-gh: `gh auth token` gave no token", "log in with `gh auth login`, or pass --github-token");
  }
  return r.stdout.trim();
}
