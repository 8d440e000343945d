import { describe, expect, it } from "vitest";
import { ReplayError } from "../common/index.js";
import type { ShellCommand } from "./shells.js";
import { shellCommand } from "./shells.js";

const base = "/__w/_temp/0b1c";

describe("shellCommand", () => {
  it.each<[string, string | undefined, ShellCommand]>([
    ["no shell: bash -e", undefined, { cmd: ["bash", "-e", `${base}.sh`], scriptPath: `${base}.sh` }],
    ["an empty shell is no shell", "", { cmd: ["bash", "-e", `${base}.sh`], scriptPath: `${base}.sh` }],
    [
      "bash: no profile, no rc, pipefail",
      "bash",
      { cmd: ["bash", "--noprofile", "--norc", "-eo", "pipefail", `${base}.sh`], scriptPath: `${base}.sh` },
    ],
    ["sh", "sh", { cmd: ["sh", "-e", `${base}.sh`], scriptPath: `${base}.sh` }],
    ["python", "python", { cmd: ["python", `${base}.py`], scriptPath: `${base}.py` }],
    ["pwsh dot-sources a .ps1", "pwsh", { cmd: ["pwsh", "-command", `. '${base}.ps1'`], scriptPath: `${base}.ps1` }],
    ["surrounding spaces", "  bash  ", { cmd: ["bash", "--noprofile", "--norc", "-eo", "pipefail", `${base}.sh`], scriptPath: `${base}.sh` }],
    ["custom: node {0} gets no extension", "node {0}", { cmd: ["node", base], scriptPath: base }],
    ["custom: perl with options", "perl -w {0}", { cmd: ["perl", "-w", base], scriptPath: base }],
    ["custom bash keeps .sh", "bash -x {0}", { cmd: ["bash", "-x", `${base}.sh`], scriptPath: `${base}.sh` }],
    ["custom python keeps .py", "python -u {0}", { cmd: ["python", "-u", `${base}.py`], scriptPath: `${base}.py` }],
    ["custom pwsh -File needs .ps1", "pwsh -File {0}", { cmd: ["pwsh", "-File", `${base}.ps1`], scriptPath: `${base}.ps1` }],
    ["custom python3 is not python", "python3 {0}", { cmd: ["python3", base], scriptPath: base }],
  ])("%s", (_name, shell, expected) => {
    expect(shellCommand(shell, base)).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    ["a custom shell without {0}", "node", /must contain \{0\}/],
    ["a known shell with arguments but no {0}", "bash -x", /must contain \{0\}/],
    ["cmd", "cmd", /only on Windows/],
    ["powershell", "powershell", /only on Windows/],
  ])("refuses %s", (_name, shell, message) => {
    expect(() => shellCommand(shell, base)).toThrow(ReplayError);
    expect(() => shellCommand(shell, base)).toThrow(message);
  });
});
