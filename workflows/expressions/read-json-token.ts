// fromJSON() reads its input as the runner does: Newtonsoft's JsonTextReader and
// JToken.ReadFrom, then ToPipelineContextData. That is looser than JSON.parse: single-quoted
// strings, unquoted keys, comments, trailing commas, NaN/Infinity, hex and octal integers,
// and anything after the first complete value is ignored.
import type { Value } from "../model.js";
import { upperOrdinal } from "./upper-ordinal.js";

/** ToPipelineContextData turns values nested this deep into their JSON text. */
const MAX_DEPTH = 100;
// Char.IsWhiteSpace, plus NUL, which the reader skips between tokens.
const WHITESPACE = /[\0\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const NUMBER_CHAR = /[-+a-fA-FxX.0-9]/;
const NUMBER_END = /[,}\])/]/;
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const IDENTIFIER_CHAR = /[\p{L}\p{Nd}_$]/u;
const ESCAPES: Record<string, string> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", "\\": "\\", '"': '"', "'": "'", "/": "/" };
const UINT64 = 2n ** 64n;

export class JsonReadError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} (at character ${position + 1})`);
  }
}

/** Newtonsoft's "undefined" (an empty slot such as `[1,,2]`); the runner turns it into ''. */
const UNDEFINED = Symbol("undefined");
type Token = Value | typeof UNDEFINED | Token[] | { [key: string]: Token };

export function readJsonToken(text: string): Value {
  const r = new Reader(text);
  r.skipWhitespace();
  if (r.atEnd()) throw new JsonReadError("Error reading JToken from JsonReader", r.pos);
  // A leading comment is itself the token that JToken.ReadFrom returns: the runner prints its text.
  if (text[r.pos] === "/") return r.comment();
  return finish(r.value(), 1);
}

/** ToPipelineContextData: undefined becomes '', and past the depth limit a value becomes its text. */
function finish(t: Token, depth: number): Value {
  if (t === UNDEFINED) return "";
  if (depth >= MAX_DEPTH) return typeof t === "string" ? t : t === null ? "" : JSON.stringify(t, null, 2);
  if (Array.isArray(t)) return t.map((x) => finish(x, depth + 1));
  if (t !== null && typeof t === "object") {
    const out: { [key: string]: Value } = {};
    for (const [k, v] of Object.entries(t)) define(out, k, finish(v, depth + 1));
    return out;
  }
  return t;
}

function define(o: { [key: string]: Value }, key: string, value: Value): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

class Reader {
  pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private peek(): string {
    return this.text[this.pos] ?? "";
  }

  private fail(message: string): never {
    throw new JsonReadError(message, this.pos);
  }

  skipWhitespace(): void {
    while (!this.atEnd() && WHITESPACE.test(this.peek())) this.pos++;
  }

  /** Whitespace and comments, which the reader skips inside arrays and objects. */
  private skipFiller(): void {
    for (;;) {
      this.skipWhitespace();
      if (this.peek() !== "/") return;
      this.comment();
    }
  }

  comment(): string {
    this.pos++;
    const kind = this.peek();
    if (kind !== "*" && kind !== "/") this.fail(`Error parsing comment. Expected: *, got ${kind || "end of input"}`);
    this.pos++;
    const start = this.pos;
    if (kind === "/") {
      while (!this.atEnd() && this.peek() !== "\n" && this.peek() !== "\r") this.pos++;
      return this.text.slice(start, this.pos);
    }
    const end = this.text.indexOf("*/", start);
    if (end < 0) this.fail("Unexpected end while parsing comment");
    this.pos = end + 2;
    return this.text.slice(start, end);
  }

  value(): Token {
    this.skipFiller();
    const c = this.peek();
    switch (c) {
      case "":
        return this.fail("Unexpected end of input while parsing a value");
      case '"':
      case "'":
        return this.string(c);
      case "{":
        return this.object();
      case "[":
        return this.array();
      case ",":
        return UNDEFINED;
      case "t":
        return this.keyword("true", true);
      case "f":
        return this.keyword("false", false);
      case "n":
        if (this.text[this.pos + 1] === "e") this.fail("constructors (new …) are not supported");
        return this.keyword("null", null);
      case "u":
        return this.keyword("undefined", UNDEFINED);
      case "N":
        return this.keyword("NaN", NaN);
      case "I":
        return this.keyword("Infinity", Infinity);
      default:
        if (c === "-" && this.text[this.pos + 1] === "I") return this.keyword("-Infinity", -Infinity);
        if (/[0-9.-]/.test(c)) return this.number();
        return this.fail(`Unexpected character encountered while parsing value: ${c}`);
    }
  }

  private keyword(word: string, v: Token): Token {
    if (!this.text.startsWith(word, this.pos)) this.fail(`Unexpected character encountered while parsing value: ${this.peek()}`);
    this.pos += word.length;
    const next = this.peek();
    const separator = next === "" || WHITESPACE.test(next) || /[}\],]/.test(next) || this.text.startsWith("//", this.pos) || this.text.startsWith("/*", this.pos);
    if (!separator) this.fail(`Unexpected character after ${word}: ${next}`);
    return v;
  }

  private number(): number {
    const start = this.pos;
    while (!this.atEnd() && NUMBER_CHAR.test(this.peek())) this.pos++;
    const next = this.peek();
    if (next !== "" && !WHITESPACE.test(next) && !NUMBER_END.test(next)) {
      this.fail(`Unexpected character encountered while parsing number: ${next}`);
    }
    const s = this.text.slice(start, this.pos);
    // A leading 0 followed by more than '.', 'e' or 'E' is hexadecimal (0x…) or octal, as Int64.
    if (s.length > 1 && s[0] === "0" && !/[.eE]/.test(s[1] ?? "")) {
      const digits = /^0[xX]/.test(s) ? s.slice(2) : s.slice(1);
      const radix = /^0[xX]/.test(s) ? 16 : 8;
      const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/;
      if (!valid.test(digits)) this.fail(`Input string '${s}' is not a valid number`);
      let n = [...digits].reduce((acc, d) => acc * BigInt(radix) + BigInt(parseInt(d, radix)), 0n);
      if (n >= UINT64) this.fail(`Input string '${s}' is not a valid number`);
      if (n >= UINT64 / 2n) n -= UINT64;
      return Number(n);
    }
    const n = Number(s);
    if (!DECIMAL.test(s) || !Number.isFinite(n)) this.fail(`Input string '${s}' is not a valid number`);
    return n;
  }

  private string(quote: string): string {
    this.pos++;
    let out = "";
    for (;;) {
      if (this.atEnd()) this.fail(`Unterminated string. Expected delimiter: ${quote}`);
      const c = this.peek();
      this.pos++;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.peek();
      this.pos++;
      if (e === "u") out += this.unicodeEscape();
      else if (e in ESCAPES) out += ESCAPES[e];
      else this.fail(`Bad JSON escape sequence: \\${e}`);
    }
  }

  /** \uXXXX, pairing surrogates; a surrogate without its partner becomes U+FFFD, as in Newtonsoft. */
  private unicodeEscape(): string {
    const unit = this.hex4();
    if (unit >= 0xdc00 && unit <= 0xdfff) return "\ufffd";
    if (unit < 0xd800 || unit > 0xdbff) return String.fromCharCode(unit);
    if (this.text.startsWith("\\u", this.pos)) {
      const save = this.pos;
      this.pos += 2;
      const low = this.hex4();
      if (low >= 0xdc00 && low <= 0xdfff) return String.fromCharCode(unit, low);
      this.pos = save;
    }
    return "\ufffd";
  }

  private hex4(): number {
    const h = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail("Invalid Unicode escape sequence");
    this.pos += 4;
    return parseInt(h, 16);
  }

  private array(): Token[] {
    this.pos++;
    const items: Token[] = [];
    for (;;) {
      this.skipFiller();
      if (this.peek() === "]") {
        this.pos++;
        return items;
      }
      items.push(this.value());
      this.skipFiller();
      const c = this.peek();
      if (c === "]") continue;
      if (c !== ",") this.fail(c === "" ? "Unexpected end of input in an array" : `After parsing a value an unexpected character was encountered: ${c}`);
      this.pos++;
    }
  }

  private object(): { [key: string]: Token } {
    this.pos++;
    const out: { [key: string]: Token } = {};
    // Duplicate keys (ignoring case, as the runner's dictionary does): the last value wins.
    const keys = new Map<string, string>();
    for (;;) {
      this.skipFiller();
      const c = this.peek();
      if (c === "}") {
        this.pos++;
        return out;
      }
      const key = this.propertyName();
      this.skipWhitespace();
      if (this.peek() !== ":") this.fail(`Invalid character after parsing property name. Expected ':' but got: ${this.peek() || "end of input"}`);
      this.pos++;
      const v = this.value();
      const existing = keys.get(upperOrdinal(key));
      if (existing === undefined) keys.set(upperOrdinal(key), key);
      Object.defineProperty(out, existing ?? key, { value: v, enumerable: true, writable: true, configurable: true });
      this.skipFiller();
      const after = this.peek();
      if (after === "}") continue;
      if (after !== ",") this.fail(after === "" ? "Unexpected end of input in an object" : `After parsing a value an unexpected character was encountered: ${after}`);
      this.pos++;
    }
  }

  private propertyName(): string {
    const c = this.peek();
    if (c === '"' || c === "'") return this.string(c);
    if (!IDENTIFIER_CHAR.test(c)) this.fail(`Invalid property identifier character: ${c || "end of input"}`);
    const start = this.pos;
    while (!this.atEnd() && IDENTIFIER_CHAR.test(this.peek())) this.pos++;
    const next = this.peek();
    if (next !== ":" && !WHITESPACE.test(next)) this.fail(`Invalid JavaScript property identifier character: ${next || "end of input"}`);
    return this.text.slice(start, this.pos);
  }
}
