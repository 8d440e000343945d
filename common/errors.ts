// Everything a user can cause is a ReplayError: a code, an exit status, a message in
// the user's terms and a hint saying what to do. Each code has its named subclass below;
// `new ReplayError(` itself is written only here (eslint.config.js). Where the code knows
// it is wrong (an invariant broke) it throws a BugError; that and anything else that is
// not a ReplayError reaching the CLI's handler is printed as a bug in replay, stack and all.

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

/** A ReplayError class for one code: constructed with a message and ReplayError's options. */
function userError(code: ErrorCode) {
  return class extends ReplayError {
    constructor(message: string, options: ReplayErrorOptions = {}) {
      super(code, message, options);
    }
  };
}

/** A workflow (or a job's container, services, action or matrix) that GitHub would refuse. */
export class WorkflowInvalidError extends userError("workflow-invalid") {}
/** A job named on the command line that no loaded workflow has. */
export class UnknownJobError extends userError("unknown-job") {}
/** A job named on the command line that several workflows have. */
export class AmbiguousJobError extends userError("ambiguous-job") {}
/** A `--matrix` selection that matches no cell. */
export class UnknownMatrixError extends userError("unknown-matrix") {}
/** A required workflow input nobody gave. */
export class MissingInputError extends userError("missing-input") {}
/** A required secret nobody supplied. */
export class MissingSecretError extends userError("missing-secret") {}
/** An image (a job's, an action's, a toolchain's, one of replay's own) that is not here and cannot be had or built. */
export class ImageUnavailableError extends userError("image-unavailable") {}
/** A folder that is not inside a git repository, or one with no commits. */
export class NotARepositoryError extends userError("not-a-repository") {}
/** Something named (a recorded replay, a CI run, an action, a commit) that is not there or is damaged. */
export class NotFoundError extends userError("not-found") {}
/** Something that needs a Docker engine, asked of a run that has none. */
export class DockerRequiredError extends userError("docker-unavailable") {}

/** A user error said again with where it happened: it keeps the code and exit status of the one it wraps (its cause). */
export class ReplayErrorInContext extends ReplayError {
  constructor(inner: ReplayError, message: string, hint?: string) {
    super(inner.code, message, { ...(hint === undefined ? {} : { hint }), exitCode: inner.exitCode, cause: inner });
  }
}

/**
 * replay itself is wrong: an invariant broke. Not a user error (the CLI prints it as a bug,
 * with its stack, exit 70), so it is deliberately not a ReplayError.
 */
export class BugError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BugError";
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

/** A command line, flag, environment variable or setting replay cannot use. */
export class UsageError extends ReplayError {
  constructor(message: string, hint?: string | ReplayErrorOptions) {
    super("usage", message, hint === undefined ? {} : typeof hint === "string" ? { hint } : hint);
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
  throw new BugError(`unexpected ${what}: ${JSON.stringify(x)}`);
}
