// Each ref of a push, as GitHub's push event would see it: the commit, the ref, `before`,
// and the files the push changes (what `paths:` filters are evaluated against).
import { commitOf, diffNames, hasTrackingRefs, oldestNewCommit, treeNames } from "./hook-git.js";
import { isZeroSha, ZERO_SHA } from "./pre-push-input.js";
import type { PushedRef } from "./pre-push-input.js";

export interface PushTarget {
  kind: "branch" | "tag";
  /** The remote ref: `refs/heads/<branch>` or `refs/tags/<tag>`. */
  ref: string;
  /** The branch or tag name. */
  name: string;
  /** The commit being pushed (an annotated tag peeled to its commit). */
  sha: string;
  /** GitHub's `before`: the remote ref's old value, zeros for a new ref. */
  before: string;
  /** Files the push changes; undefined when not evaluated (tags) or unknown. */
  changedFiles: string[] | undefined;
  /** How the changed files were found, in the user's terms. */
  comparedWith: string;
}

export interface IgnoredRef {
  kind: "ignored";
  ref: string;
  why: string;
}

/** GitHub creates no event for tags when more than this many are pushed at once. */
export const MAX_TAGS_PER_PUSH = 3;

const short = (sha: string): string => sha.slice(0, 7);

/**
 * What each pushed ref means to GitHub's `push` trigger. A new branch (remote sha all
 * zeros) is compared as GitHub documents it: with the parent of the oldest pushed commit
 * the remote does not have yet (known here from the remote's tracking refs), which is the
 * merge-base with the remote's history.
 */
export async function pushTargets(dir: string, remote: string | undefined, refs: readonly PushedRef[]): Promise<(PushTarget | IgnoredRef)[]> {
  const tags = refs.filter((r) => r.remoteRef.startsWith("refs/tags/") && !isZeroSha(r.localSha)).length;
  const tracked = remote !== undefined && (await hasTrackingRefs(dir, remote)) ? remote : undefined;
  const out: (PushTarget | IgnoredRef)[] = [];
  for (const r of refs) {
    const ref = r.remoteRef;
    const branch = ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;
    const tag = ref.startsWith("refs/tags/") ? ref.slice("refs/tags/".length) : undefined;
    if (isZeroSha(r.localSha)) {
      out.push({ kind: "ignored", ref, why: `deleting ${ref} starts no push workflow on GitHub` });
      continue;
    }
    if (branch === undefined && tag === undefined) {
      out.push({ kind: "ignored", ref, why: `${ref} is neither a branch nor a tag; GitHub starts no push workflow for it` });
      continue;
    }
    if (tag !== undefined && tags > MAX_TAGS_PER_PUSH) {
      out.push({ kind: "ignored", ref, why: `GitHub creates no push event for tags when more than ${MAX_TAGS_PER_PUSH} are pushed at once (this push has ${tags})` });
      continue;
    }
    const sha = await commitOf(dir, r.localSha);
    if (sha === undefined) {
      out.push({ kind: "ignored", ref, why: `${short(r.localSha)} is not a commit` });
      continue;
    }
    const before = isZeroSha(r.remoteSha) ? ZERO_SHA : r.remoteSha;
    if (tag !== undefined) {
      out.push({ kind: "tag", ref, name: tag, sha, before, changedFiles: undefined, comparedWith: "tag pushes are not path-filtered" });
      continue;
    }
    out.push({ kind: "branch", ref, name: branch ?? "", sha, before, ...(await branchChanges(dir, sha, r.remoteSha, remote, tracked)) });
  }
  return out;
}

async function branchChanges(
  dir: string,
  sha: string,
  remoteSha: string,
  remote: string | undefined,
  tracked: string | undefined,
): Promise<{ changedFiles: string[] | undefined; comparedWith: string }> {
  // An existing branch: GitHub diffs before..after (two dots), force pushes included.
  if (!isZeroSha(remoteSha)) {
    if ((await commitOf(dir, remoteSha)) !== undefined) {
      return { changedFiles: await diffNames(dir, remoteSha, sha), comparedWith: `compared with the remote's ${short(remoteSha)}` };
    }
  }
  const unknownOld = isZeroSha(remoteSha) ? "" : `the remote's ${short(remoteSha)} is not in this clone (fetch to compare with it); `;
  const untracked = tracked === undefined ? ` (no remote-tracking refs${remote ? ` for '${remote}'` : ""}: every commit counts as new)` : "";
  const oldest = await oldestNewCommit(dir, sha, tracked);
  if (oldest === undefined) {
    return { changedFiles: [], comparedWith: `${unknownOld}no commit that ${tracked ?? "the remote"} does not have already` };
  }
  if (oldest.parent === undefined) {
    // One short clause: it ends the hook's first line ("push to 'main' at 3f2a1bc (12 files changed, …)").
    const why = tracked === undefined ? `no remote-tracking refs${remote ? ` for '${remote}'` : ""}` : "the remote has none of this history";
    return { changedFiles: await treeNames(dir, sha), comparedWith: `${unknownOld}all new: ${why}` };
  }
  return {
    changedFiles: await diffNames(dir, oldest.parent, sha),
    comparedWith: `${unknownOld}compared with ${short(oldest.parent)}, the parent of the oldest commit ${tracked ?? "the remote"} does not have${untracked}`,
  };
}
