// What git tells a pre-push hook on its standard input: one line per ref to update,
// `<local ref> SP <local sha> SP <remote ref> SP <remote sha>` (githooks(5)).

import { UsageError } from "../../common/index.js";

export const ZERO_SHA = "0".repeat(40);

export interface PushedRef {
  /** As given to git push: `refs/heads/main`, `HEAD~1`, a sha, or `(delete)`. */
  localRef: string;
  /** The object being pushed; all zeros when the remote ref is deleted. */
  localSha: string;
  /** The ref on the remote: what GitHub's push event is about. */
  remoteRef: string;
  /** The remote ref's current value; all zeros when the remote does not have it yet. */
  remoteSha: string;
}

export const isZeroSha = (sha: string): boolean => /^0+$/.test(sha);

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** Parses git's pre-push input; blank lines are ignored, a malformed line is refused. */
export function parsePrePushInput(text: string): PushedRef[] {
  const refs: PushedRef[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const parts = line.split(/\s+/);
    const [localRef, localSha, remoteRef, remoteSha] = parts;
    if (parts.length !== 4 || localRef === undefined || localSha === undefined || remoteRef === undefined || remoteSha === undefined || !SHA.test(localSha) || !SHA.test(remoteSha)) {
      throw new UsageError(
        `pre-push input line ${i + 1} is not '<local ref> <local sha> <remote ref> <remote sha>': ${JSON.stringify(raw)}`,
        "`replay hook run` reads what git gives a pre-push hook on its standard input; run it from the hook `replay hook install` writes",
      );
    }
    refs.push({ localRef, localSha, remoteRef, remoteSha });
  });
  return refs;
}

/**
 * The same information from pre-commit's environment (it reads git's input itself and
 * runs its hooks with PRE_COMMIT_* variables, one ref per push); undefined when absent.
 */
export function preCommitPushedRef(env: Readonly<Record<string, string | undefined>>): PushedRef | undefined {
  const to = env["PRE_COMMIT_TO_REF"];
  const remoteRef = env["PRE_COMMIT_REMOTE_BRANCH"];
  if (!to || !remoteRef) return undefined;
  const from = env["PRE_COMMIT_FROM_REF"];
  return {
    localRef: env["PRE_COMMIT_LOCAL_BRANCH"] || to,
    localSha: to,
    remoteRef,
    // pre-commit already replaced a new branch's zeros by the parent of its first new commit.
    remoteSha: from && SHA.test(from) ? from : ZERO_SHA,
  };
}
