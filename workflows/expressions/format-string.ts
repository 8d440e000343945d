import { ExpressionEvaluationError } from "./errors.js";

type Segment = string | { index: number; specifiers: string };

const DECIMAL_DIGIT = /^\p{Nd}$/u;

/**
 * format(): `{N}` is replaced by argument N, `{{` and `}}` are literal braces. As in the runner,
 * the whole string is checked before any argument is read, arguments are read only when
 * referenced, and format specifiers (`{0:x}`) are refused.
 */
export function formatString(fmt: string, argCount: number, arg: (index: number) => string): string {
  const segments: Segment[] = [];
  let i = 0;
  while (i < fmt.length) {
    const lbrace = fmt.indexOf("{", i);
    const rbrace = fmt.indexOf("}", i);
    if (lbrace >= 0 && (rbrace < 0 || rbrace > lbrace)) {
      if (fmt[lbrace + 1] === "{") {
        segments.push(fmt.slice(i, lbrace + 1));
        i = lbrace + 2;
        continue;
      }
      const ref = rbrace > lbrace + 1 ? readReference(fmt, lbrace + 1) : undefined;
      if (!ref) throw invalid(fmt);
      if (ref.index > argCount - 1) {
        throw new ExpressionEvaluationError(
          `format: the format string references more arguments than were given: '${fmt}'`,
        );
      }
      segments.push(fmt.slice(i, lbrace), { index: ref.index, specifiers: ref.specifiers });
      i = ref.rbrace + 1;
    } else if (rbrace >= 0) {
      if (fmt[rbrace + 1] !== "}") throw invalid(fmt);
      segments.push(fmt.slice(i, rbrace + 1));
      i = rbrace + 2;
    } else {
      segments.push(fmt.slice(i));
      break;
    }
  }
  const cache = new Map<number, string>();
  return segments
    .map((s) => {
      if (typeof s === "string") return s;
      let value = cache.get(s.index);
      if (value === undefined) {
        value = arg(s.index);
        cache.set(s.index, value);
      }
      if (s.specifiers !== "") {
        throw new ExpressionEvaluationError(`format: format specifiers are not supported: '{${s.index}:${s.specifiers}}'`);
      }
      return value;
    })
    .join("");
}

function invalid(fmt: string): ExpressionEvaluationError {
  return new ExpressionEvaluationError(`format: the format string is not valid: '${fmt}'`);
}

/** `N}` or `N:specifiers}` after a `{`; the index must fit in a byte, as the runner parses it. */
function readReference(fmt: string, start: number): { index: number; specifiers: string; rbrace: number } | undefined {
  let end = start;
  while (end < fmt.length && DECIMAL_DIGIT.test(fmt[end] ?? "")) end++;
  const digits = fmt.slice(start, end);
  if (!/^[0-9]+$/.test(digits)) return undefined;
  const index = Number(digits);
  if (index > 255) return undefined;
  if (fmt[end] === "}") return { index, specifiers: "", rbrace: end };
  if (fmt[end] !== ":") return undefined;
  let specifiers = "";
  for (let j = end + 1; j < fmt.length; j++) {
    const c = fmt[j];
    if (c !== "}") specifiers += c;
    else if (fmt[j + 1] === "}") {
      specifiers += "}";
      j++;
    } else return { index, specifiers, rbrace: j };
  }
  return undefined;
}
