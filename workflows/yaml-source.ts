import { LineCounter, isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseDocument, visit } from "yaml";
import type { Alias, Document, Node } from "yaml";
import type { Problem } from "../common/index.js";
import type { Pos, Value } from "./model.js";
import { MAX_YAML_ALIAS_COUNT } from "./workflow-limits.js";

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
  /** Every key and value node by path, built on first use: a lookup is then constant, not a walk. */
  private index: Map<string, { key?: Node; value?: Node }> | undefined;

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
    return this.nodes().get(path.join("\0"))?.value;
  }

  /** The key node of the last path item in its mapping, when there is one. */
  keyNode(path: readonly PathItem[]): Node | undefined {
    return path.length === 0 ? undefined : this.nodes().get(path.join("\0"))?.key;
  }

  private nodes(): Map<string, { key?: Node; value?: Node }> {
    if (this.index) return this.index;
    const index = new Map<string, { key?: Node; value?: Node }>();
    // Iterative, so that deep nesting cannot overflow the stack; aliases are not followed.
    const todo: [Node, string][] = [];
    const root = this.doc.contents;
    if (root && (isScalar(root) || isCollection(root) || isAlias(root))) {
      index.set("", { value: root });
      todo.push([root, ""]);
    }
    for (let item = todo.pop(); item; item = todo.pop()) {
      const [node, at] = item;
      if (isSeq(node)) {
        node.items.forEach((child, i) => {
          const p = at === "" ? String(i) : `${at}\0${i}`;
          if (isScalar(child) || isCollection(child) || isAlias(child)) {
            index.set(p, { value: child });
            todo.push([child, p]);
          }
        });
      } else if (isMap(node)) {
        for (const pair of node.items) {
          if (!isPair(pair) || !isScalar(pair.key)) continue;
          const p = at === "" ? String(pair.key.value) : `${at}\0${String(pair.key.value)}`;
          const value = pair.value;
          const entry: { key?: Node; value?: Node } = { key: pair.key };
          if (isScalar(value) || isCollection(value) || isAlias(value)) entry.value = value;
          // The first of two equal keys wins, as getIn found it (a duplicate is a YAML error anyway).
          if (index.has(p)) continue;
          index.set(p, entry);
          if (entry.value) todo.push([entry.value, p]);
        }
      }
    }
    this.index = index;
    return index;
  }

  /**
   * The document as plain data, or the problem that stops it: aliases expanding past
   * yaml's own limit (an "alias bomb", nine levels of `&x [*y, *y, …]`), positioned at
   * the alias that passes it.
   */
  toJS(): { value: Value } | { problem: Problem } {
    try {
      return { value: this.doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) as Value };
    } catch (e) {
      if (!(e instanceof ReferenceError)) throw e;
      let alias: Alias | undefined;
      try {
        alias = this.aliasPastLimit();
      } catch (deep) {
        // Nesting too deep to walk here: the problem is then named without its alias.
        if (!(deep instanceof RangeError)) throw deep;
      }
      const at = alias?.range ? this.posAt(alias.range[0]) : { line: 1, col: 1 };
      const what = alias ? `'*${alias.source}' here expands` : "its aliases expand";
      return {
        problem: { file: this.file, ...at, message: `too many aliases: ${what} the document past ${MAX_YAML_ALIAS_COUNT} nodes (yaml's maxAliasCount), as an alias bomb does` },
      };
    }
  }

  /** The first alias, in document order, whose expansion, with those before it, passes the limit. */
  private aliasPastLimit(): Alias | undefined {
    const anchored = new Map<string, Node>();
    const size = new Map<Node, number>();
    const sizeOf = (n: unknown): number => {
      if (isAlias(n)) {
        const target = anchored.get(n.source);
        return target ? sizeOf(target) : 1;
      }
      if (!isCollection(n)) return 1;
      const known = size.get(n);
      if (known !== undefined) return known;
      let total = 1;
      for (const item of n.items) total += isPair(item) ? sizeOf(item.key) + sizeOf(item.value) : sizeOf(item);
      size.set(n, Math.min(total, Number.MAX_SAFE_INTEGER));
      return total;
    };
    let expanded = 0;
    let first: Alias | undefined;
    let found: Alias | undefined;
    visit(this.doc, {
      Node: (_key, node) => {
        if (isAlias(node)) {
          first ??= node;
          expanded += sizeOf(node);
          if (expanded > MAX_YAML_ALIAS_COUNT) {
            found = node;
            return visit.BREAK;
          }
          return undefined;
        }
        if (node.anchor) anchored.set(node.anchor, node);
        return undefined;
      },
    });
    return found ?? first;
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
  const js = problems.length ? undefined : source.toJS();
  if (js && "problem" in js) problems.push(js.problem);
  return {
    value: js && "value" in js ? js.value : undefined,
    problems,
    problemAt: (path, message) => source.problem(path, message, "key"),
  };
}
