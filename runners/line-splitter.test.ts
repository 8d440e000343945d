import { describe, expect, it } from "vitest";
import { LineSplitter } from "./line-splitter.js";

function split(chunks: (string | Buffer)[], flush = true): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l));
  for (const c of chunks) splitter.push(c);
  if (flush) splitter.flush();
  return lines;
}

const bytes = (s: string): Buffer => Buffer.from(s, "utf8");

describe("LineSplitter", () => {
  it.each<[string, (string | Buffer)[], string[]]>([
    ["whole lines", ["a\nb\n"], ["a", "b"]],
    ["a line split across chunks", ["hel", "lo\nwor", "ld\n"], ["hello", "world"]],
    ["a line split across many one-character chunks", [..."one\ntwo\n"], ["one", "two"]],
    ["empty lines are lines", ["a\n\n\nb\n"], ["a", "", "", "b"]],
    ["CRLF", ["a\r\nb\r\n"], ["a", "b"]],
    ["a CRLF split between chunks makes no empty line", ["a\r", "\nb\r", "\n"], ["a", "b"]],
    ["a lone CR ends a line, as the runner's ReadLine", ["10%\r50%\r100%\n"], ["10%", "50%", "100%"]],
    ["a lone CR at a chunk's end, then more text", ["10%\r", "50%\n"], ["10%", "50%"]],
    ["Buffers", [bytes("from a buffer\n")], ["from a buffer"]],
    ["a UTF-8 character split between chunks", [bytes("caf\u00e9\n").subarray(0, 4), bytes("caf\u00e9\n").subarray(4)], ["café"]],
    [
      "a four-byte character split over three chunks",
      [bytes("\u{1F680} go\n").subarray(0, 1), bytes("\u{1F680} go\n").subarray(1, 3), bytes("\u{1F680} go\n").subarray(3)],
      ["🚀 go"],
    ],
    ["flush gives the partial last line", ["done\nno newline"], ["done", "no newline"]],
    ["flush of a last line ending in CR", ["last\r"], ["last"]],
    ["nothing to flush", ["a\n"], ["a"]],
    ["no output at all", [], []],
  ])("%s", (_name, chunks, lines) => {
    expect(split(chunks)).toEqual(lines);
  });

  it("holds a partial line until flush", () => {
    expect(split(["whole\npart"], false)).toEqual(["whole"]);
  });

  it("flushes once: a second flush gives nothing more", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push("tail");
    splitter.flush();
    splitter.flush();
    expect(lines).toEqual(["tail"]);
  });
});
