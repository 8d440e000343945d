import { StringDecoder } from "node:string_decoder";

/** Turns chunks of output into whole lines; the last partial line comes out on flush. */
export class LineSplitter {
  private rest = "";
  // Chunks end anywhere, also inside a multi-byte UTF-8 character.
  private readonly decoder = new StringDecoder("utf8");

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    let text = this.rest + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    // A CR at the very end may be the first half of a CRLF that the next chunk completes.
    const heldCr = text.endsWith("\r");
    if (heldCr) text = text.slice(0, -1);
    // The runner reads output with .NET's ReadLine: CRLF, LF and a lone CR each end a line.
    const lines = text.split(/\r\n|\r|\n/);
    this.rest = (lines.pop() ?? "") + (heldCr ? "\r" : "");
    for (const l of lines) this.onLine(l);
  }

  flush(): void {
    const text = this.rest + this.decoder.end();
    this.rest = "";
    if (text === "") return;
    const lines = text.split(/\r\n|\r|\n/);
    // A trailing line break ends the last line; it does not start an empty one.
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    for (const l of lines) this.onLine(l);
  }
}
