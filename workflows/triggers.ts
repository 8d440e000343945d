// Whether an event starts a workflow, by the filters under its `on:` as GitHub applies
// them: branches and tags of the ref, changed paths, and activity types.

import { branchFilterAllows, pathFilterAllows } from "./filters.js";
import type { EventFilter, Triggers } from "./model.js";

export interface TriggerEvent {
  event: string;
  /** `refs/heads/<branch>` or `refs/tags/<tag>`; for pull_request(_target) the base branch. */
  ref?: string | undefined;
  /** Paths changed by the push or pull request; `undefined` when unknown. */
  changedFiles?: string[] | undefined;
  /** The activity type (`opened`, `closed`, …); `undefined` when unknown. */
  action?: string | undefined;
}

export interface TriggerDecision {
  triggered: boolean;
  /** Why, in the user's terms: "push to 'feature' does not match branches [main, staging]". */
  reason: string;
}

/** Triggers with no events at all, for tests and for building up by hand. */
export function emptyTriggers(): Triggers {
  return { events: {}, schedule: [], dispatchInputs: [], callInputs: [], callSecrets: [], callOutputs: [] };
}

// Only these two events have a default narrower than "every activity type".
const DEFAULT_TYPES = new Map([
  ["pull_request", ["opened", "synchronize", "reopened"]],
  ["pull_request_target", ["opened", "synchronize", "reopened"]],
]);

const PATH_EVENTS = new Set(["push", "pull_request", "pull_request_target"]);

type RefKind = { kind: "branch" | "tag"; name: string } | undefined;

function parseRef(ref: string | undefined): RefKind {
  if (ref === undefined) return undefined;
  if (ref.startsWith("refs/heads/")) return { kind: "branch", name: ref.slice("refs/heads/".length) };
  if (ref.startsWith("refs/tags/")) return { kind: "tag", name: ref.slice("refs/tags/".length) };
  // Any other ref (refs/pull/…) says nothing a branch or tag filter could match.
  if (ref.startsWith("refs/")) return undefined;
  return { kind: "branch", name: ref };
}

function list(patterns: string[]): string {
  return `[${patterns.join(", ")}]`;
}

function subjectOf(event: string, ref: RefKind): string {
  if (ref === undefined) return event;
  if (event === "push") return ref.kind === "tag" ? `push of tag '${ref.name}'` : `push to '${ref.name}'`;
  if (event === "pull_request" || event === "pull_request_target") return `${event} into '${ref.name}'`;
  return `${event} on ${ref.kind} '${ref.name}'`;
}

/** Why the ref fails the branch and tag filters, or undefined when it passes them. */
function refRefusal(f: EventFilter, event: string, ref: RefKind, subject: string): string | undefined {
  if (ref === undefined) return undefined;
  const branchFiltered = f.branches !== undefined || f.branchesIgnore !== undefined;
  const tagFiltered = f.tags !== undefined || f.tagsIgnore !== undefined;
  // Filtering one kind of ref only means the other kind never triggers.
  const [include, ignore, word, filtered, otherFiltered] =
    ref.kind === "branch"
      ? [f.branches, f.branchesIgnore, "branches", branchFiltered, tagFiltered]
      : [f.tags, f.tagsIgnore, "tags", tagFiltered, branchFiltered];
  if (!filtered) {
    return otherFiltered ? `${subject} does not trigger: the ${event} trigger filters only ${ref.kind === "branch" ? "tags" : "branches"}` : undefined;
  }
  if (include !== undefined && !branchFilterAllows({ include }, ref.name)) return `${subject} does not match ${word} ${list(include)}`;
  if (ignore !== undefined && !branchFilterAllows({ ignore }, ref.name)) return `${subject} matches ${word}-ignore ${list(ignore)}`;
  return undefined;
}

function pathRefusal(f: EventFilter, files: string[] | undefined): string | undefined {
  if (files === undefined) return undefined;
  const [only] = files.length === 1 ? files : [];
  if (f.paths !== undefined && !pathFilterAllows({ include: f.paths }, files)) {
    const which = only !== undefined ? `the changed file '${only}' does not match` : files.length === 0 ? "no files changed, so none match" : `none of the ${files.length} changed files match`;
    return `${which} paths ${list(f.paths)}`;
  }
  if (f.pathsIgnore !== undefined && !pathFilterAllows({ ignore: f.pathsIgnore }, files)) {
    const which = only !== undefined ? `the changed file '${only}' matches` : files.length === 0 ? "no files changed outside" : `all of the ${files.length} changed files match`;
    return `${which} paths-ignore ${list(f.pathsIgnore)}`;
  }
  return undefined;
}

/** Whether the event starts a workflow with these triggers, and why (not). */
export function triggeredBy(on: Triggers, ev: TriggerEvent): TriggerDecision {
  const filter = Object.hasOwn(on.events, ev.event) ? on.events[ev.event] : undefined;
  if (filter === undefined) {
    const named = Object.keys(on.events);
    return { triggered: false, reason: `the workflow does not run on ${ev.event} (it runs on ${named.length === 0 ? "no event" : named.join(", ")})` };
  }
  const ref = parseRef(ev.ref);
  const subject = subjectOf(ev.event, ref);

  const types = filter.types ?? DEFAULT_TYPES.get(ev.event);
  if (types !== undefined && ev.action !== undefined && !types.includes(ev.action)) {
    const dflt = filter.types === undefined ? ", the default" : "";
    return { triggered: false, reason: `${ev.event} activity '${ev.action}' is not one of types ${list(types)}${dflt}` };
  }

  const refWhy = refRefusal(filter, ev.event, ref, subject);
  if (refWhy !== undefined) return { triggered: false, reason: refWhy };

  // GitHub does not evaluate path filters for tag pushes.
  if (PATH_EVENTS.has(ev.event) && ref?.kind !== "tag") {
    const pathWhy = pathRefusal(filter, ev.changedFiles);
    if (pathWhy !== undefined) return { triggered: false, reason: `${subject}: ${pathWhy}` };
  }

  const filtered = Object.values(filter).some((v) => v !== undefined);
  return { triggered: true, reason: filtered ? `${subject} passes the workflow's ${ev.event} filters` : `the workflow runs on every ${ev.event}` };
}
