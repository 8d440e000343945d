// When git cannot reach the server at all (no DNS answer, a refused or timed-out
// connection), that is the cause to name first: "repository not found" or "unable to
// find version" would send the user looking for a typo that is not there.

/** What curl (under git) says when the host cannot be reached at all. */
const UNREACHABLE = /Could not resolve (host|proxy)|Temporary failure in name resolution|Failed to connect to|Couldn't connect to server|Connection (refused|timed out|reset)|Network is unreachable|No route to host|Operation timed out/i;

/** The cause of git's failure when it is an unreachable server, e.g. "Could not resolve host: github.com"; else undefined. */
export function unreachableCause(gitStderr: string): string | undefined {
  const line = gitStderr
    .trim()
    .split("\n")
    .reverse()
    .find((l) => UNREACHABLE.test(l));
  if (line === undefined) return undefined;
  // "fatal: unable to access 'https://…/x.git/': Could not resolve host: github.com"
  return line.replace(/^fatal:\s*/, "").replace(/^unable to access '[^']*':\s*/, "").trim();
}

/** The host of a --github-url, as the user wrote it (`github.com`, `ghe.example.com:8443`); the URL itself for a path. */
export function hostOf(githubUrl: string): string {
  try {
    return new URL(githubUrl).host || githubUrl;
  } catch {
    return githubUrl;
  }
}

export const UNREACHABLE_HINT = "`replay actions vendor` where it answers, or `--offline` with the action cache";
