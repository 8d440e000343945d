import { LineCounter, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, Node, Pair, YAMLMap } from "yaml";
import type { Problem } from "../common/index.js";
import type { Pos } from "./model.js";

type PathItem = string | number;

/**
 * A parsed YAML file that remembers where every node came from, so that any problem
 * found later can name its file, line and column.
 */
export class YamlSource {
  readonly file: string;
  readonly doc: Document.Parsed;
  private readonly lines: LineCounter;
  private readonly text: string;

  private constructor(file: string, text: string, doc: Document.Parsed, lines: LineCounter) {
    this.file = file;
    this.text = text;
    this.doc = doc;
    this.lines = lines;
  }

  static parse(file: string, text: string): { source: YamlSource; problems: Problem[] } {
    const lines = new LineCounter();
    // uniqueKeys: a key given twice is an error on GitHub too.
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, version: "1.2" });
    const source = new YamlSource(file, text, doc, lines);
    const problems = doc.errors.map((e) => ({ ...source.posAt(e.pos[0]), file, message: `invalid YAML: ${firstLine(e.message)}` }));
    return { source, problems };
  }

  posAt(offset: number): Pos {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  /** The node at a path, or undefined. */
  node(path: readonly PathItem[]): Node | undefined {
    const n = this.doc.getIn(path, true);
    return n && typeof n === "object" && "range" in (n as object) ? (n as Node) : undefined;
  }

  /** The key node of the last path item in its mapping, when there is one. */
  keyNode(path: readonly PathItem[]): Node | undefined {
    if (path.length === 0) return undefined;
    const parent = this.node(path.slice(0, -1)) ?? (path.length === 1 ? (this.doc.contents as Node | null) ?? undefined : undefined);
    const last = path[path.length - 1];
    if (parent && isMap(parent)) {
      const pair = (parent as YAMLMap).items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(last));
      if (pair && pair.key && typeof pair.key === "object" && "range" in pair.key) return pair.key as Node;
    }
    return undefined;
  }

  /**
   * Where to point for a problem about `path`: the key when asked for and present,
   * else the value, else the nearest ancestor that exists.
   */
  pos(path: readonly PathItem[], prefer: "key" | "value" = "value"): Pos {
    for (let i = path.length; i >= 0; i--) {
      const p = path.slice(0, i);
      const n = prefer === "key" || i < path.length ? this.keyNode(p) ?? this.node(p) : this.node(p) ?? this.keyNode(p);
      if (n?.range) return this.posAt(n.range[0]);
    }
    return { line: 1, col: 1 };
  }

  /**
   * Position of character `offset` inside the string value at `path`. Exact for plain
   * and quoted one-line scalars (the common `if:` and `run: echo ${{ }}` cases); for
   * block scalars the offset is mapped line by line past the indentation.
   */
  posInString(path: readonly PathItem[], offset: number): Pos {
    const n = this.node(path);
    if (!n || !isScalar(n) || !n.range || typeof n.value !== "string") return this.pos(path);
    const start = this.posAt(n.range[0]);
    const type = n.type;
    if (type === "PLAIN") return { line: start.line, col: start.col + offset };
    if (type === "QUOTE_DOUBLE" || type === "QUOTE_SINGLE") return { line: start.line, col: start.col + 1 + offset };
    if (type === "BLOCK_LITERAL" || type === "BLOCK_FOLDED") {
      const before = n.value.slice(0, offset);
      const lineIndex = before.split("\n").length - 1;
      const colInLine = offset - (before.lastIndexOf("\n") + 1);
      // The content starts on the line after the indicator; find its indentation.
      const contentLine = start.line + 1 + lineIndex;
      return { line: contentLine, col: this.indentOfLine(contentLine) + 1 + colInLine };
    }
    return start;
  }

  private indentOfLine(line: number): number {
    const starts = this.lines.lineStarts;
    const from = starts[line - 1];
    const to = starts[line] ?? Number.MAX_SAFE_INTEGER;
    if (from === undefined) return 0;
    const text = this.text.slice(from, to);
    return text.length - text.trimStart().length;
  }

  problem(path: readonly PathItem[], message: string, prefer: "key" | "value" = "value"): Problem {
    return { file: this.file, ...this.pos(path, prefer), message };
  }

  isMapAt(path: readonly PathItem[]): boolean {
    const n = path.length === 0 ? (this.doc.contents as Node | null) : this.node(path);
    return !!n && isMap(n);
  }

  isSeqAt(path: readonly PathItem[]): boolean {
    const n = this.node(path);
    return !!n && isSeq(n);
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? s;
}

/** Any YAML file (not a workflow) read with positions, for replay's own config files. */
export function parseYamlFile(
  file: string,
  text: string,
): { value: unknown; problems: Problem[]; problemAt: (path: (string | number)[], message: string) => Problem } {
  const { source, problems } = YamlSource.parse(file, text);
  return {
    value: problems.length ? undefined : source.doc.toJS(),
    problems,
    problemAt: (path, message) => source.problem(path, message, "key"),
  };
}
