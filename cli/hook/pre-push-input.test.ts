import { describe, expect, it } from "vitest";
import { parsePrePushInput, preCommitPushedRef, ZERO_SHA } from "./pre-push-input.js";

const A = "a".repeat(40);
const B = "b".repeat(40);

describe("parsePrePushInput", () => {
  it.each<[string, string, { localRef: string; localSha: string; remoteRef: string; remoteSha: string }[]]>([
    ["nothing", "", []],
    ["one branch", `refs/heads/main ${A} refs/heads/main ${B}\n`, [{ localRef: "refs/heads/main", localSha: A, remoteRef: "refs/heads/main", remoteSha: B }]],
    ["a new branch", `refs/heads/f ${A} refs/heads/f ${ZERO_SHA}\n`, [{ localRef: "refs/heads/f", localSha: A, remoteRef: "refs/heads/f", remoteSha: ZERO_SHA }]],
    ["a deletion", `(delete) ${ZERO_SHA} refs/heads/old ${B}\n`, [{ localRef: "(delete)", localSha: ZERO_SHA, remoteRef: "refs/heads/old", remoteSha: B }]],
    ["local:foreign and a sha as local ref", `HEAD~1 ${A} refs/heads/foreign ${B}`, [{ localRef: "HEAD~1", localSha: A, remoteRef: "refs/heads/foreign", remoteSha: B }]],
    [
      "several, CRLF and blank lines",
      `refs/heads/main ${A} refs/heads/main ${B}\r\n\r\nrefs/tags/v1 ${B} refs/tags/v1 ${ZERO_SHA}\r\n`,
      [
        { localRef: "refs/heads/main", localSha: A, remoteRef: "refs/heads/main", remoteSha: B },
        { localRef: "refs/tags/v1", localSha: B, remoteRef: "refs/tags/v1", remoteSha: ZERO_SHA },
      ],
    ],
    ["sha-256 object names", `refs/heads/main ${"c".repeat(64)} refs/heads/main ${"0".repeat(64)}`, [{ localRef: "refs/heads/main", localSha: "c".repeat(64), remoteRef: "refs/heads/main", remoteSha: "0".repeat(64) }]],
  ])("%s", (_what, text, refs) => {
    expect(parsePrePushInput(text)).toEqual(refs);
  });

  it.each([
    ["three fields", `refs/heads/main ${A} refs/heads/main`],
    ["a short sha", `refs/heads/main abc123 refs/heads/main ${B}`],
    ["five fields", `refs/heads/main ${A} refs/heads/main ${B} extra`],
  ])("refuses %s, naming the line", (_what, text) => {
    expect(() => parsePrePushInput(`\n${text}`)).toThrow(/line 2 is not '<local ref> <local sha> <remote ref> <remote sha>'/);
  });
});

describe("preCommitPushedRef", () => {
  it("reads pre-commit's variables", () => {
    expect(
      preCommitPushedRef({ PRE_COMMIT_TO_REF: A, PRE_COMMIT_FROM_REF: B, PRE_COMMIT_REMOTE_BRANCH: "refs/heads/main", PRE_COMMIT_LOCAL_BRANCH: "refs/heads/main" }),
    ).toEqual({ localRef: "refs/heads/main", localSha: A, remoteRef: "refs/heads/main", remoteSha: B });
  });
  it("takes a missing from-ref (pre-commit's all-files case) as a new branch", () => {
    expect(preCommitPushedRef({ PRE_COMMIT_TO_REF: A, PRE_COMMIT_REMOTE_BRANCH: "refs/heads/f" })?.remoteSha).toBe(ZERO_SHA);
  });
  it("is undefined outside pre-commit", () => {
    expect(preCommitPushedRef({})).toBeUndefined();
  });
});
