import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { processOutput, runProcess, runProcesses, streamProcess } from "./run-process.js";

const sh = (script: string): [string, string[]] => ["sh", ["-c", script]];

describe("runProcess", () => {
  it.each<[string, [string, string[]], Parameters<typeof runProcess>[2], { exitCode: number | undefined; stdout: string; stderr: string }]>([
    ["output less one final newline", sh("printf 'a\\n\\n'; printf 'e\\n' >&2"), {}, { exitCode: 0, stdout: "a\n", stderr: "e" }],
    ["a failure's status and stderr", sh("echo no >&2; exit 3"), {}, { exitCode: 3, stdout: "", stderr: "no" }],
    ["variables added to the environment", sh("echo $REPLAY_T-$HOME"), { env: { REPLAY_T: "x" } }, { exitCode: 0, stdout: `x-${process.env["HOME"] ?? ""}`, stderr: "" }],
    ["no standard input", sh("cat; echo done"), {}, { exitCode: 0, stdout: "done", stderr: "" }],
    ["a missing command", ["replay-no-such-command", []], {}, { exitCode: undefined, stdout: "", stderr: "" }],
    ["a missing folder", sh("true"), { cwd: "/replay/no/such/folder" }, { exitCode: undefined, stdout: "", stderr: "" }],
    ["a command past its timeout", sh("sleep 5"), { timeoutMs: 100 }, { exitCode: undefined, stdout: "", stderr: "" }],
  ])("%s", async (_name, [file, args], o, expected) => {
    expect(await runProcess(file, args, o)).toEqual(expected);
  });

  it("runs in the folder it is given", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "replay-run-process-"));
    try {
      expect((await runProcess("pwd", [], { cwd: dir })).stdout).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("runProcesses", () => {
  it("answers each command as runProcess would (without stderr), its words passed as they are", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "replay-run-processes-"));
    try {
      const words = ["it's", "$HOME", "a b", "`x`", '"q"', "\\", "*", "-n", ""];
      const answers = await runProcesses(
        [
          ["printf", "%s|", ...words],
          ["sh", "-c", "printf 'a\\n\\n'; echo e >&2; exit 3"],
          ["replay-no-such-command"],
          ["pwd"],
        ],
        { cwd: dir },
      );
      expect(answers).toEqual([
        { exitCode: 0, stdout: `${words.join("|")}|`, stderr: "" },
        { exitCode: 3, stdout: "a\n", stderr: "" },
        { exitCode: undefined, stdout: "", stderr: "" },
        { exitCode: 0, stdout: dir, stderr: "" },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("finds the commands on PATH even when PATH holds no shell", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "replay-run-processes-"));
    const saved = process.env["PATH"];
    try {
      symlinkSync(execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim(), path.join(dir, "git"));
      process.env["PATH"] = dir;
      expect((await runProcesses([["git", "--version"]]))[0]).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^git version /) as unknown });
    } finally {
      process.env["PATH"] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers no exit code for any of them in a missing folder", async () => {
    expect(await runProcesses([["true"], ["false"]], { cwd: "/replay/no/such/folder" })).toEqual([
      { exitCode: undefined, stdout: "", stderr: "" },
      { exitCode: undefined, stdout: "", stderr: "" },
    ]);
  });
});

describe("processOutput", () => {
  it("answers the output of a command that worked", async () => {
    expect(await processOutput(...sh("echo ok"))).toBe("ok");
  });

  it("rejects a failure with the command, the status and stderr", async () => {
    await expect(processOutput(...sh("echo bad >&2; exit 2"))).rejects.toThrow("sh -c echo bad >&2; exit 2 failed with exit code 2: bad");
  });
});

describe("streamProcess", () => {
  it("streams stdout, and rejects when the command fails", async () => {
    const ok = streamProcess(...sh("echo one; echo two"));
    let out = "";
    ok.child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    await ok.done;
    expect(out).toBe("one\ntwo\n");
    await expect(streamProcess(...sh("echo nope >&2; exit 1")).done).rejects.toThrow("failed with exit code 1: nope");
    await expect(streamProcess("replay-no-such-command", []).done).rejects.toThrow("could not run");
  });
});
