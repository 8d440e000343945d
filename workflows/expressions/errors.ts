import { ReplayError } from "../../common/index.js";

const HINT = "see https://docs.github.com/actions/reference/evaluate-expressions-in-workflows-and-actions";

/** An expression that GitHub would refuse to parse. `offset` is 0-based in the text that was checked. */
export class ExpressionSyntaxError extends ReplayError {
  readonly offset: number;
  constructor(message: string, offset: number, cause?: unknown) {
    super("workflow-syntax", message, { hint: HINT, cause });
    this.offset = offset;
  }

  /** The same error, for a text that starts `by` characters earlier. */
  shifted(by: number): ExpressionSyntaxError {
    return new ExpressionSyntaxError(this.message, this.offset + by, this.cause);
  }
}

/** An expression that parsed but failed while it ran (bad fromJSON input, bad format string…). */
export class ExpressionEvaluationError extends ReplayError {
  constructor(message: string, cause?: unknown) {
    super("workflow-invalid", message, { hint: HINT, cause, exitCode: 1 });
  }
}
