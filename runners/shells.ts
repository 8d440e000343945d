import { UsageError } from "../common/index.js";

export interface ShellCommand {
  /** The command with `{0}` replaced by the script path. */
  cmd: string[];
  /** The script's path: the given base with the extension the runner gives it. */
  scriptPath: string;
}

/** The script file's extension by shell program, as the runner's ScriptHandlerHelpers. */
const SCRIPT_EXTENSIONS: Record<string, string> = { bash: ".sh", sh: ".sh", python: ".py", pwsh: ".ps1", powershell: ".ps1", cmd: ".cmd" };

/**
 * The command line GitHub's runner uses for a `run:` step's shell on Linux.
 * No shell given: `bash -e {0}`; an explicit `bash` adds `--noprofile --norc` and pipefail.
 */
export function shellCommand(shell: string | undefined, scriptBase: string): ShellCommand {
  const template = ((): { line: string; extension: string } => {
    switch (shell?.trim()) {
      case undefined:
      case "":
        return { line: "bash -e {0}", extension: ".sh" };
      case "bash":
        return { line: "bash --noprofile --norc -eo pipefail {0}", extension: ".sh" };
      case "sh":
        return { line: "sh -e {0}", extension: ".sh" };
      case "python":
        return { line: "python {0}", extension: ".py" };
      case "pwsh":
        return { line: "pwsh -command {0}", extension: ".ps1" };
      case "cmd":
      case "powershell":
        throw new UsageError(`shell '${shell}' runs only on Windows runners`, {
          hint: "replay runs Linux jobs; use bash, sh, python, pwsh or a custom shell",
          exitCode: 1,
        });
      default: {
        const custom = shell?.trim() ?? "";
        if (!custom.includes("{0}")) {
          throw new UsageError(`custom shell '${custom}' must contain {0} where the script path goes`, { exitCode: 1 });
        }
        // The runner names the script after the custom shell's program: `pwsh -File {0}`
        // gets a .ps1 (pwsh refuses -File without one), `python -u {0}` a .py, `node {0}` none.
        const program = (custom.split(/\s+/)[0] ?? "").toLowerCase();
        return { line: custom, extension: SCRIPT_EXTENSIONS[program] ?? "" };
      }
    }
  })();
  const scriptPath = scriptBase + template.extension;
  const cmd = template.line
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part.replace("{0}", shell?.trim() === "pwsh" ? `. '${scriptPath}'` : scriptPath));
  return { cmd, scriptPath };
}
