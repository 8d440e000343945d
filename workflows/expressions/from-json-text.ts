import type { Value } from "../model.js";
import { ExpressionEvaluationError } from "./errors.js";
import { JsonReadError, readJsonToken } from "./read-json-token.js";

const PREVIEW_CHARS = 60;

/** fromJSON(): the value the JSON text describes, read as leniently as the runner reads it. */
export function fromJsonText(text: string): Value {
  try {
    return readJsonToken(text);
  } catch (e) {
    if (!(e instanceof JsonReadError)) throw e;
    const preview = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
    const what = text.trim() === "" ? "the input is empty" : `the input is not valid JSON: ${e.message}`;
    throw new ExpressionEvaluationError(`fromJSON: ${what}${text.trim() === "" ? "" : `: ${preview}`}`, e);
  }
}
