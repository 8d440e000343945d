import { secretForms } from "./secret-encodings.js";

/**
 * Replaces every secret and `::add-mask::` value with `***` in every line shown, and the
 * forms GitHub's runner masks with it (base64, JSON, URL and XML escapes: secret-encodings).
 */
export class Masker {
  private values: string[] = [];
  private readonly added = new Set<string>();

  add(value: string): void {
    // Each line of a multi-line secret is masked on its own, as GitHub does.
    for (const part of [value, ...value.split(/\r?\n/)]) {
      const v = part.trim();
      if (v.length === 0 || this.added.has(v)) continue;
      this.added.add(v);
      for (const form of secretForms(v)) if (!this.values.includes(form)) this.values.push(form);
    }
    // Longest first, so a value containing another is masked whole.
    this.values.sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    // As GitHub's SecretMasker: every occurrence of every value is found in the original text,
    // overlapping or touching ones merge, and each merged stretch becomes one `***`. Replacing
    // value by value would leave the tail of a secret that overlaps another in clear.
    const found: [number, number][] = [];
    for (const v of this.values) {
      for (let at = text.indexOf(v); at >= 0; at = text.indexOf(v, at + 1)) found.push([at, at + v.length]);
    }
    if (found.length === 0) return text;
    found.sort((a, b) => a[0] - b[0]);
    let out = "";
    let done = 0;
    let [start, end] = found[0] ?? [0, 0];
    for (const [s, e] of found) {
      if (s <= end) {
        end = Math.max(end, e);
        continue;
      }
      out += `${text.slice(done, start)}***`;
      done = end;
      [start, end] = [s, e];
    }
    return `${out}${text.slice(done, start)}***${text.slice(end)}`;
  }

  /** Whether the text holds a masked value (the runner drops a job output that does). */
  reveals(text: string): boolean {
    return this.mask(text) !== text;
  }

  /** The values added (each line apart), not their encoded forms. */
  get size(): number {
    return this.added.size;
  }
}
