// Workflow commands a step prints on stdout (`::error file=a,line=1::msg`), processed as
// the runner processes them. Pure: the job runner applies what they ask for.

export type CommandEffect =
  | { kind: "mask"; value: string }
  | { kind: "annotation"; level: "error" | "warning" | "notice"; message: string; props: Record<string, string> }
  | { kind: "group"; title: string }
  | { kind: "endgroup" }
  | { kind: "debug"; message: string }
  | { kind: "output"; name: string; value: string }
  | { kind: "state"; name: string; value: string }
  | { kind: "env"; name: string; value: string }
  | { kind: "path"; value: string }
  /** A command refused as GitHub refuses it; the step fails. */
  | { kind: "refused"; message: string }
  | { kind: "warning"; message: string };

/** The warning GitHub's runner gives (as an annotation) each time a step uses a deprecated command it still honours. */
export const deprecatedCommandWarning = (command: "set-output" | "save-state"): string =>
  `The \`${command}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/`;

export interface ProcessedLine {
  /** What the log shows for this line (null: nothing). */
  display: string | null;
  effect?: CommandEffect;
}

// The runner's replacements are ordinal and case-sensitive: `%0a` stays as it is.
const unescapeData = (s: string): string => s.replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%25", "%");
const unescapeProp = (s: string): string =>
  s.replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%3A", ":").replaceAll("%2C", ",").replaceAll("%25", "%");

/**
 * Splits `::name prop=value,prop=value::data` as the runner's ActionCommand.TryParseV2 does:
 * the command info runs to the next `::` (so a property may hold a single `:`), the name to
 * the first space and may be any word (a `::stop-commands::` token is one). Names and
 * property keys are case-insensitive, so both are lower-cased.
 */
export function parseCommand(line: string): { name: string; props: Record<string, string>; message: string } | undefined {
  const text = line.trimStart();
  if (!text.startsWith("::")) return undefined;
  const end = text.indexOf("::", 2);
  if (end < 0) return undefined;
  const info = text.slice(2, end);
  const space = info.indexOf(" ");
  const name = space < 0 ? info : info.slice(0, space);
  if (name === "") return undefined;
  const props: Record<string, string> = {};
  if (space > 0) {
    for (const part of info.slice(space + 1).split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) props[part.slice(0, eq).trim().toLowerCase()] = unescapeProp(part.slice(eq + 1));
    }
  }
  return { name: name.toLowerCase(), props, message: unescapeData(text.slice(end + 2)) };
}

/** What the runner says, and how the step fails, when a command lacks its `name` property. */
function missingName(line: string, command: string): ProcessedLine {
  return {
    display: `##[error]Unable to process command '${line.trim()}' successfully.`,
    effect: { kind: "refused", message: `Required field 'name' is missing in ##[${command}] command.` },
  };
}

/** Keeps the state that spans lines: `::stop-commands::` and whether unsecure commands are allowed. */
export class CommandProcessor {
  private stopToken: string | undefined;

  constructor(private readonly allowUnsecure: boolean) {}

  process(line: string): ProcessedLine {
    const cmd = parseCommand(line);
    if (!cmd) return { display: line };
    if (this.stopToken !== undefined) {
      // The runner echoes the line that resumes processing, as it echoes the one that stopped it.
      if (cmd.name === this.stopToken.toLowerCase()) this.stopToken = undefined;
      return { display: line };
    }
    switch (cmd.name) {
      case "add-mask":
        return { display: null, effect: { kind: "mask", value: cmd.message } };
      case "error":
      case "warning":
      case "notice":
        return {
          display: `##[${cmd.name}]${cmd.message}`,
          effect: { kind: "annotation", level: cmd.name, message: cmd.message, props: cmd.props },
        };
      case "group":
        return { display: `##[group]${cmd.message}`, effect: { kind: "group", title: cmd.message } };
      case "endgroup":
        return { display: `##[endgroup]`, effect: { kind: "endgroup" } };
      case "debug":
        return { display: null, effect: { kind: "debug", message: cmd.message } };
      case "stop-commands":
        this.stopToken = cmd.message;
        return { display: line };
      case "echo":
        return { display: null };
      case "set-output": {
        // Deprecated but still honoured by GitHub's runner, with a warning.
        const name = cmd.props["name"];
        if (!name) return missingName(line, cmd.name);
        return { display: null, effect: { kind: "output", name, value: cmd.message } };
      }
      case "save-state": {
        const name = cmd.props["name"];
        if (!name) return missingName(line, cmd.name);
        return { display: null, effect: { kind: "state", name, value: cmd.message } };
      }
      case "set-env":
      case "add-path": {
        if (this.allowUnsecure) {
          if (cmd.name === "add-path") return { display: null, effect: { kind: "path", value: cmd.message } };
          const name = cmd.props["name"];
          if (!name) return missingName(line, cmd.name);
          return { display: null, effect: { kind: "env", name, value: cmd.message } };
        }
        return {
          display: `##[error]Unable to process command '${line.trim()}' successfully.`,
          effect: {
            kind: "refused",
            message: `The \`${cmd.name}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/`,
          },
        };
      }
      default:
        return { display: line };
    }
  }
}
