import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";

// Secrets GitHub would not take, refused before anything starts (exit 2, no Docker needed),
// through the built CLI: with the file and line or the flag, and never the value.
const VALUE = "v4lue-never-shown";
const repo = workflowRepo("secret-refusals", "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n");
afterAll(() => repo.dispose());

describe("secrets refused before anything starts", () => {
  it.each<{ label: string; dotSecrets?: string; file?: string; args: string[]; stderr: string[] }>([
    {
      label: "a .secrets line that is not NAME=VALUE, at its line",
      dotSecrets: `# a comment\nGOOD=1234\n\n${VALUE}\n`,
      args: [],
      stderr: ["error: .secrets:4: not a NAME=VALUE line (the line is not shown: it may hold a secret)"],
    },
    {
      label: "a .secrets name starting with a digit",
      dotSecrets: `OK=abcd\n1BAD=${VALUE}\n`,
      args: [],
      stderr: ["error: .secrets:2: '1BAD' is not a secret name GitHub accepts (it starts with a digit)", "hint: rename it: GitHub's rule"],
    },
    {
      label: "a .secrets name with a character GitHub refuses",
      dotSecrets: `export MY-TOKEN=${VALUE}\n`,
      args: [],
      stderr: ["error: .secrets:1: 'MY-TOKEN' is not a secret name GitHub accepts (only letters, digits and underscores)"],
    },
    {
      label: "GITHUB_TOKEN in .secrets, pointing at --github-token",
      dotSecrets: `github_token=${VALUE}\n`,
      args: [],
      stderr: ["error: .secrets:1: 'github_token' is not a secret name GitHub accepts (GITHUB_ names are GitHub's own)", "hint: secrets.GITHUB_TOKEN is given with --github-token"],
    },
    {
      label: "a quote left open",
      dotSecrets: `TOKEN="${VALUE}\n`,
      args: [],
      stderr: ["error: .secrets:1: the value of TOKEN opens a quote it does not close"],
    },
    {
      label: "a --secret-file line, at its line",
      file: `A=abcd\nB ${VALUE}\n`,
      args: ["--secret-file", "more.env"],
      stderr: ["error: more.env:2: not a NAME=VALUE line"],
    },
    {
      label: "--secret with a name starting with a digit",
      args: ["--secret", `1BAD=${VALUE}`],
      stderr: ["error: --secret 1BAD=…: '1BAD' is not a secret name GitHub accepts (it starts with a digit)"],
    },
    {
      label: "--secret with a GITHUB_ name",
      args: ["--secret", `GITHUB_DEPLOY=${VALUE}`],
      stderr: ["error: --secret GITHUB_DEPLOY=…: 'GITHUB_DEPLOY' is not a secret name GitHub accepts (GITHUB_ names are GitHub's own)"],
    },
    {
      label: "--secret with no name",
      args: ["--secret", `=${VALUE}`],
      stderr: ["error: --secret =…: the name is missing", "hint: use --secret NAME=VALUE"],
    },
  ])("$label: exit 2", async ({ dotSecrets, file, args, stderr }) => {
    writeFileSync(path.join(repo.dir, ".secrets"), dotSecrets ?? "");
    if (file !== undefined) writeFileSync(path.join(repo.dir, "more.env"), file);
    const run = await runCli(["job", "j", "--json", ...args], repo.dir);
    expect(run.exitCode, run.stderr).toBe(2);
    for (const s of stderr) expect(run.stderr).toContain(s);
    expect(run.stdout + run.stderr).not.toContain(VALUE);
    expect(run.events.map((e) => e["type"])).not.toContain("run.started");
  }, 30_000);
});
