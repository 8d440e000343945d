// GITHUB_STEP_SUMMARY is GitHub-flavoured Markdown. This renders the parts summaries
// use (headings, lists, task lists, tables, code, quotes, emphasis, links) into styled
// terminal lines of a given width; anything else shows as its text.

export interface Segment {
  text: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
  dim?: boolean;
  code?: boolean;
}

export type MdLine = Segment[];

/** The plain text of a rendered line (for tests and width checks). */
export const lineText = (line: MdLine): string => line.map((s) => s.text).join("");

const HTML_TAG = /<\/?(details|summary|p|div|span|br|b|i|em|strong|code|sub|sup|img)\b[^>]*>/gi;

/** Inline Markdown: **bold**, *italic*, `code`, [links](url), ![images](url). */
export function parseInline(text: string, base: Omit<Segment, "text"> = {}): Segment[] {
  const out: Segment[] = [];
  const push = (s: Segment): void => {
    if (s.text === "") return;
    const last = out.at(-1);
    const same = last && last.bold === s.bold && last.italic === s.italic && last.underline === s.underline && last.dim === s.dim && last.code === s.code;
    if (last && same) last.text += s.text;
    else out.push(s);
  };
  const pattern = /(`+)([^`]|[^`][\s\S]*?[^`])\1|!\[([^\]]*)\]\(([^)]*)\)|\[([^\]]+)\]\(([^)]*)\)|(\*\*|__)(?=\S)([\s\S]*?\S)\7|(\*|_)(?=\S)([\s\S]*?\S)\9/g;
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    const index = m.index;
    push({ ...base, text: text.slice(at, index) });
    if (m[1] !== undefined) push({ ...base, code: true, text: (m[2] ?? "").trim() === "" ? (m[2] ?? "") : (m[2] ?? "").trim() });
    else if (m[4] !== undefined) push({ ...base, dim: true, text: `[image: ${m[3] ?? ""}]` });
    else if (m[6] !== undefined) {
      for (const s of parseInline(m[5] ?? "", { ...base, underline: true })) push(s);
      if (m[6] && m[6] !== m[5]) push({ ...base, dim: true, text: ` (${m[6]})` });
    } else if (m[7] !== undefined) for (const s of parseInline(m[8] ?? "", { ...base, bold: true })) push(s);
    else if (m[9] !== undefined) {
      // `_` inside a word (snake_case) is not emphasis.
      const before = text[index - 1] ?? " ";
      const after = text[index + m[0].length] ?? " ";
      if (m[9] === "_" && (/\w/.test(before) || /\w/.test(after))) push({ ...base, text: m[0] });
      else for (const s of parseInline(m[10] ?? "", { ...base, italic: true })) push(s);
    }
    at = index + m[0].length;
  }
  push({ ...base, text: text.slice(at) });
  return out;
}

/** Wraps styled segments at spaces so no line is wider than `width`; later lines start with `indent`. */
export function wrapSegments(segments: Segment[], width: number, indent = "", lead?: Segment): MdLine[] {
  const lines: MdLine[] = [];
  // The lead (a bullet, a quote bar) is kept as it is, spaces included.
  let line: Segment[] = lead ? [{ ...lead }] : [];
  let used = lead?.text.length ?? 0;
  let base = used;
  const add = (s: Segment, text: string): void => {
    const last = line.at(-1);
    if (last && sameStyle(last, s)) last.text += text;
    else line.push({ ...s, text });
    used += text.length;
  };
  const newLine = (): void => {
    trimEnd(line);
    lines.push(line);
    line = indent ? [{ text: indent }] : [];
    used = base = indent.length;
  };
  for (const seg of segments) {
    for (const word of seg.text.split(/(\s+)/)) {
      if (word === "") continue;
      if (/^\s+$/.test(word)) {
        if (used > base && used < width) add(seg, " ");
        continue;
      }
      let rest = word;
      while (rest.length > 0) {
        const room = width - used;
        if (rest.length <= room) {
          add(seg, rest);
          break;
        }
        if (used > base) {
          newLine();
          continue;
        }
        // A word longer than a whole line: cut it.
        const cut = Math.max(1, room);
        add(seg, rest.slice(0, cut));
        rest = rest.slice(cut);
        newLine();
      }
    }
  }
  trimEnd(line);
  if (line.length > 0 || lines.length === 0) lines.push(line);
  return lines;
}

function sameStyle(a: Segment, b: Segment): boolean {
  return a.bold === b.bold && a.italic === b.italic && a.underline === b.underline && a.dim === b.dim && a.code === b.code;
}

function trimEnd(line: Segment[]): void {
  const last = line.at(-1);
  if (last) last.text = last.text.replace(/\s+$/, "");
  if (last && last.text === "") line.pop();
}

const splitRow = (row: string): string[] =>
  row
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, "|"));

const isTableSeparator = (line: string): boolean => /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(line) && line.includes("-");

function renderTable(rows: string[][], width: number): MdLine[] {
  const header = rows[0] ?? [];
  const body = rows.slice(1);
  const cols = Math.max(...rows.map((r) => r.length));
  const text = (cell: string): string => parseInline(cell).map((s) => s.text).join("");
  const widths = Array.from({ length: cols }, (_, i) => Math.max(1, ...rows.map((r) => text(r[i] ?? "").length)));
  // Shrink the widest columns until the table fits.
  const total = (): number => widths.reduce((a, b) => a + b, 0) + 3 * (cols - 1);
  while (total() > width && Math.max(...widths) > 3) {
    const i = widths.indexOf(Math.max(...widths));
    widths[i] = (widths[i] ?? 1) - 1;
  }
  const cell = (s: string, w: number): string => (s.length > w ? `${s.slice(0, Math.max(0, w - 1))}…` : s.padEnd(w));
  const row = (r: string[], bold: boolean): MdLine => {
    const out: Segment[] = [];
    for (let i = 0; i < cols; i++) {
      if (i > 0) out.push({ text: " │ ", dim: true });
      out.push(bold ? { text: cell(text(r[i] ?? ""), widths[i] ?? 1), bold: true } : { text: cell(text(r[i] ?? ""), widths[i] ?? 1) });
    }
    return out;
  };
  return [row(header, true), [{ text: widths.map((w) => "─".repeat(w)).join("─┼─"), dim: true }], ...body.map((r) => row(r, false))];
}

/** Renders Markdown into lines no wider than `width`. */
export function renderMarkdown(markdown: string, width: number): MdLine[] {
  const w = Math.max(10, width);
  const src = markdown.replace(/\r\n?/g, "\n").replace(HTML_TAG, "").split("\n");
  const out: MdLine[] = [];
  const blank = (): void => {
    if (out.length > 0 && out.at(-1)?.length !== 0) out.push([]);
  };
  for (let i = 0; i < src.length; i++) {
    const raw = src[i] ?? "";
    const line = raw.trimEnd();
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      const close = fence[1] ?? "```";
      for (i++; i < src.length && !(src[i] ?? "").trim().startsWith(close); i++) {
        out.push([{ text: `  ${src[i] ?? ""}`.slice(0, w), code: true }]);
      }
      continue;
    }
    if (line.trim() === "") {
      blank();
      continue;
    }
    const next = src[i + 1] ?? "";
    if (line.includes("|") && isTableSeparator(next)) {
      const rows = [splitRow(line)];
      for (i += 2; i < src.length && (src[i] ?? "").includes("|") && (src[i] ?? "").trim() !== ""; i++) rows.push(splitRow(src[i] ?? ""));
      i--;
      out.push(...renderTable(rows, w));
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = (heading[1] ?? "#").length;
      out.push(...wrapSegments(parseInline(heading[2] ?? "", level === 1 ? { bold: true, underline: true } : { bold: true }), w));
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push([{ text: "─".repeat(w), dim: true }]);
      continue;
    }
    const quote = /^\s*>\s?(.*)$/.exec(line);
    if (quote) {
      out.push(...wrapSegments(parseInline(quote[1] ?? "", { italic: true }), w, "│ ", { text: "│ ", dim: true }));
      continue;
    }
    const item = /^(\s*)([-*+]|\d+[.)])\s+(\[[ xX]\]\s+)?(.*)$/.exec(line);
    if (item) {
      const depth = Math.floor((item[1] ?? "").replace(/\t/g, "  ").length / 2);
      const pad = "  ".repeat(depth);
      const marker = item[2] ?? "-";
      const task = item[3]?.trim();
      const bullet = task ? (task === "[ ]" ? "☐ " : "☑ ") : /\d/.test(marker) ? `${marker} ` : "• ";
      out.push(...wrapSegments(parseInline(item[4] ?? ""), w, pad + " ".repeat(bullet.length), { text: pad + bullet }));
      continue;
    }
    out.push(...wrapSegments(parseInline(line.trim()), w));
  }
  while (out.length > 0 && out.at(-1)?.length === 0) out.pop();
  return out;
}
