import { UsageError } from "../../common/index.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `5m`, `1h30m`, `1.5m`; a bare number is seconds. */
export function parseDuration(text: string, what: string): number {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) return positive(Number(t) * 1000, text, what);
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== t) {
    throw new UsageError(`${what} ${JSON.stringify(text)} is not a duration`, "write it like 90s, 5m or 1h30m");
  }
  return positive(
    parts.reduce((ms, p) => ms + Number(p[1]) * (UNIT_MS[p[2] ?? "s"] ?? 1000), 0),
    text,
    what,
  );
}

function positive(ms: number, text: string, what: string): number {
  if (!(ms > 0)) throw new UsageError(`${what} ${JSON.stringify(text)} must be longer than zero`, "write it like 90s, 5m or 1h30m");
  return Math.round(ms);
}
