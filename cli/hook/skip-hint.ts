/** How to push past the hook once; said by `hook install` and by every blocked push. */
export const SKIP_HINT = "skip this check once with REPLAY_SKIP=1 git push (or git push --no-verify)";
