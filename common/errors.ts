// Everything a user can cause is a ReplayError: a code, an exit status, a message in
// the user's terms and a hint saying what to do. Anything else reaching the CLI's
// handler is a bug in replay.

export type ErrorCode =
  | "usage"
  | "workflow-syntax"
  | "workflow-invalid"
  | "unknown-job"
  | "ambiguous-job"
  | "unknown-matrix"
  | "missing-input"
  | "missing-secret"
  | "docker-unavailable"
  | "image-unavailable"
  | "not-a-repository"
  | "not-found";

export interface ReplayErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Exit status of the CLI; 2 (refused before anything ran) unless said otherwise. */
  exitCode?: number;
}

export class ReplayError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: ReplayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
  }
}

/** A position in a source file, 1-based like editors show it. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** One problem found in a workflow or action file. */
export interface Problem extends SourcePosition {
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

export class WorkflowSyntaxError extends ReplayError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  constructor(problem: Problem, options: ReplayErrorOptions = {}) {
    super("workflow-syntax", formatProblem(problem), options);
    this.file = problem.file;
    this.line = problem.line;
    this.col = problem.col;
  }
}

/** Several problems, reported together (all errors of all files at once). */
export class WorkflowProblemsError extends ReplayError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[], options: ReplayErrorOptions = {}) {
    const n = problems.length;
    super(
      "workflow-invalid",
      `${n} problem${n === 1 ? "" : "s"} in the workflows:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`,
      { hint: "fix the lines named above; `replay validate` lists every problem", ...options },
    );
    this.problems = problems;
  }
}

export class UsageError extends ReplayError {
  constructor(message: string, hint?: string) {
    super("usage", message, hint === undefined ? {} : { hint });
  }
}

export class DockerUnavailableError extends ReplayError {
  readonly tried: readonly string[];
  constructor(tried: readonly string[], hint: string, cause?: unknown) {
    super("docker-unavailable", `no Docker engine answered; tried:\n${tried.map((t) => `  - ${t}`).join("\n")}`, {
      hint,
      cause,
    });
    this.tried = tried;
  }
}

export function assertNever(x: never, what = "value"): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
