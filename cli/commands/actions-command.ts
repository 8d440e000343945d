import { UsageError } from "../../common/index.js";
import type { Plan } from "../../workflows/index.js";
import { ActionCache, BUILTIN_ACTION_NAMES, builtinMatcher, defaultActionCacheDir, describeRef, planActionUses, resolveActions, workflowActionUses } from "../../runners/index.js";
import { loadRepo } from "../load-repo.js";
import { DEFAULT_GITHUB_URL } from "../option-args.js";

export interface RemoteActionOptions {
  githubUrl?: string;
  offline?: boolean;
  /** `--no-builtin`: built-in actions to run for real. */
  noBuiltin?: string[];
}

/** --no-builtin names are built-in actions; anything else is a typo worth refusing. */
function checkNoBuiltin(names: readonly string[]): string[] {
  const known = new Set(BUILTIN_ACTION_NAMES.map((n) => n.toLowerCase()));
  for (const n of names) {
    if (!known.has(n.toLowerCase().replace(/@.*$/, ""))) {
      throw new UsageError(`--no-builtin ${n}: replay has no built-in action of that name`, `its built-in actions are ${BUILTIN_ACTION_NAMES.join(", ")}`);
    }
  }
  return [...names];
}

function githubUrlOf(o: RemoteActionOptions): string {
  const url = (o.githubUrl ?? DEFAULT_GITHUB_URL).trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith("/")) {
    throw new UsageError(`--github-url ${url}: not a URL`, "give the server's address, e.g. https://github.example.com (repositories are <url>/<owner>/<repo>.git)");
  }
  return url;
}

/**
 * The action cache of a replay, with every remote action its plan uses resolved (and
 * fetched unless --offline) before anything runs: one that cannot be found refuses the
 * replay (exit 2) and says which.
 */
export async function prepareRemoteActions(
  plan: Plan,
  repoDir: string,
  o: RemoteActionOptions,
  notice: (message: string) => void = () => undefined,
): Promise<{ cache: ActionCache; disabled: string[] }> {
  const disabled = checkNoBuiltin(o.noBuiltin ?? []);
  const cache = new ActionCache({ root: defaultActionCacheDir(), githubUrl: githubUrlOf(o), offline: o.offline ?? false, onFetch: notice });
  await resolveActions(planActionUses(plan), { source: cache, isBuiltin: builtinMatcher(BUILTIN_ACTION_NAMES, disabled), repoDir });
  return { cache, disabled };
}

/** `replay actions vendor`: every remote action of every workflow, into the cache, for --offline replays. */
export async function actionsVendor(o: { dir: string; workflow?: string; githubUrl: string; noBuiltin: string[]; json: boolean }): Promise<number> {
  const { repo, loaded } = await loadRepo(o.dir, o.workflow);
  const disabled = checkNoBuiltin(o.noBuiltin);
  const cache = new ActionCache({
    root: defaultActionCacheDir(),
    githubUrl: githubUrlOf(o),
    offline: false,
    onFetch: (m) => void process.stderr.write(`${m}\n`),
  });
  const { remote } = await resolveActions(workflowActionUses(loaded.workflows), { source: cache, isBuiltin: builtinMatcher(BUILTIN_ACTION_NAMES, disabled), repoDir: repo.dir });
  if (o.json) {
    const actions = remote.map((r) => ({ uses: describeRef(r.ref), commit: r.commit, dir: r.dir }));
    process.stdout.write(`${JSON.stringify({ cache: cache.root, actions }, null, 2)}\n`);
  } else {
    for (const r of remote) process.stdout.write(`${describeRef(r.ref)}  ${r.commit}\n`);
    process.stdout.write(`${remote.length} remote action(s) in ${cache.root}${loaded.problems.length ? ` (${new Set(loaded.problems.map((p) => p.file)).size} workflow file(s) did not load and were skipped)` : ""}\n`);
  }
  return 0;
}
