import semver from "semver";
import type { NodeUsing } from "./action-manifest.js";

export const NODE16_DEPRECATION_URL = "https://github.blog/changelog/2023-09-22-github-actions-transitioning-from-node-16-to-node-20/";

export interface NodeRuntimeChoice {
  /** The major the runner would run the action on (20 for node12/node16). */
  wantedMajor: number;
  /** The installed version replay runs it on, e.g. `20.20.2`. */
  version: string;
  /** What to show as warnings, the runner's own first, then replay's when it falls back. */
  warnings: string[];
}

const isTrue = (v: string | undefined): boolean => (v ?? "").trim().toLowerCase() === "true";

/**
 * The Node major the runner picks for `runs.using` (actions/runner HandlerFactory and
 * NodeUtil.DetermineActionsNodeVersion): node12 and node16 actions run on node20 (their
 * own runtimes were removed from the runner); node20 stays on node20 unless the step's
 * env sets FORCE_JAVASCRIPT_ACTIONS_TO_NODE24 (GitHub's server-side switch to node24 by
 * default is a feature flag replay cannot see); node24 runs on node24.
 */
export function runnerNodeMajor(using: NodeUsing, env: Record<string, string>): { major: number; warning?: string } {
  switch (using) {
    case "node12":
    case "node16":
      return { major: 20 };
    case "node20": {
      const force = isTrue(env["FORCE_JAVASCRIPT_ACTIONS_TO_NODE24"]);
      const allowUnsecure = isTrue(env["ACTIONS_ALLOW_USE_UNSECURE_NODE_VERSION"]);
      if (force && allowUnsecure) {
        return {
          major: 20,
          warning:
            "Both FORCE_JAVASCRIPT_ACTIONS_TO_NODE24 and ACTIONS_ALLOW_USE_UNSECURE_NODE_VERSION environment variables are set to true. This is likely a configuration error. Using the default Node version: node20.",
        };
      }
      return { major: force ? 24 : 20 };
    }
    case "node24":
      return { major: 24 };
  }
}

/** The runner's deprecation annotation for an action declaring node12 or node16. */
export function deprecationWarning(using: NodeUsing, action: string): string | undefined {
  if (using !== "node12" && using !== "node16") return undefined;
  const n = using.slice(4);
  return `Node.js ${n} actions are deprecated. Please update the following actions to use Node.js 20: ${action}. For more information see: ${NODE16_DEPRECATION_URL}.`;
}

/**
 * The installed Node to run an action on: the newest of the wanted major, else (the image
 * lacks it) the newest of the closest installed major, ties going to the newer major, with
 * a warning that says so. Undefined when the image has no Node at all.
 */
export function chooseNodeRuntime(using: NodeUsing, installed: readonly string[], env: Record<string, string>, action: string): NodeRuntimeChoice | undefined {
  const versions = installed.filter((v) => semver.valid(v)).sort(semver.rcompare);
  if (versions.length === 0) return undefined;
  const warnings: string[] = [];
  const deprecated = deprecationWarning(using, action);
  if (deprecated) warnings.push(deprecated);
  const { major, warning } = runnerNodeMajor(using, env);
  if (warning) warnings.push(warning);
  const exact = versions.find((v) => semver.major(v) === major);
  if (exact) return { wantedMajor: major, version: exact, warnings };
  const majors = [...new Set(versions.map((v) => semver.major(v)))];
  const closest = majors.sort((a, b) => Math.abs(a - major) - Math.abs(b - major) || b - a)[0] as number;
  const version = versions.find((v) => semver.major(v) === closest) as string;
  warnings.push(
    `${action} runs on node${major} on GitHub, which is not in the job's image (it has Node ${majors.sort((a, b) => a - b).join(", ")}); replay runs it on Node ${version}, the closest one`,
  );
  return { wantedMajor: major, version, warnings };
}
