import { runProcess } from "../common/index.js";

export interface FoundToken {
  token: string;
  /** For messages: which variable or command gave it. */
  source: string;
}

/** Runs `gh auth token`; undefined when gh is not installed or not logged in. */
export type GhTokenCommand = (hostname: string) => Promise<string | undefined>;

export const ghAuthToken: GhTokenCommand = async (hostname) => {
  // reject: false also covers a missing gh (ENOENT): then there is simply no token from it.
  const r = await runProcess("gh", ["auth", "token", "--hostname", hostname], { timeoutMs: 10_000 });
  const token = r.exitCode === 0 ? r.stdout.trim() : "";
  return token || undefined;
};

/** The host gh knows the API by: github.com for api.github.com, else the API's own host. */
export function ghHostnameFor(apiUrl: string): string {
  const host = new URL(apiUrl).hostname;
  return host === "api.github.com" ? "github.com" : host;
}

/** GH_TOKEN, then GITHUB_TOKEN, then `gh auth token`, as gh itself looks for one. */
export async function resolveGitHubToken(env: Readonly<Record<string, string | undefined>>, apiUrl: string, gh: GhTokenCommand): Promise<FoundToken | undefined> {
  for (const name of ["GH_TOKEN", "GITHUB_TOKEN"] as const) {
    const v = env[name]?.trim();
    if (v) return { token: v, source: name };
  }
  const host = ghHostnameFor(apiUrl);
  const fromGh = await gh(host);
  return fromGh ? { token: fromGh, source: `gh auth token (${host})` } : undefined;
}
