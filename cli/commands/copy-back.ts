// Copy-back at the end of a replay: what the jobs changed in their checkouts (edits made
// in the `!` shell, files a step wrote) brought back into the working tree. A debugging
// session (replay debug, --step, --break-*) lists the files and asks; --copy-back copies
// without asking (for scripts and tests), --no-copy-back never offers. Other replays,
// and every one without a terminal, copy nothing and say nothing.
import { createInterface } from "node:readline/promises";
import { UsageError } from "../../common/index.js";
import { CopyBack, copyBackDone, copyBackNotes, copyBackQuestion } from "../../runners/index.js";

export interface CopyBackFlags {
  /** true with --copy-back, false with --no-copy-back. */
  copyBack?: boolean;
  from?: string;
  step: boolean;
  breakOnFailure: boolean;
  breakAt: string[];
}

/** How the session asks and tells: the terminal's stdin and stderr by default. */
export interface CopyBackIo {
  ask(question: string): Promise<string>;
  say(line: string): void;
}

export interface CopyBackSession {
  /** Given to the replay: takes each job's changes before its container goes. */
  ledger: CopyBack;
  /** After the screen is closed: lists, asks (or not), copies. */
  finish(): Promise<void>;
}

/** Asks on the terminal; Ctrl-C or Ctrl-D answers no. */
export const terminalIo: CopyBackIo = {
  ask: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const abort = new AbortController();
    rl.on("SIGINT", () => abort.abort());
    rl.on("close", () => abort.abort());
    try {
      return await rl.question(question, { signal: abort.signal });
    } catch {
      process.stderr.write("\n");
      return "";
    } finally {
      rl.close();
    }
  },
  say: (line) => void process.stderr.write(`${line}\n`),
};

/** The copy-back of this replay, or undefined when it has none; refuses --copy-back with --from HEAD. */
export function prepareCopyBack(flags: CopyBackFlags, o: { debug: boolean; io?: CopyBackIo }): CopyBackSession | undefined {
  if (flags.copyBack === true && flags.from === "HEAD") {
    throw new UsageError(
      `--copy-back brings the jobs' changes back to the working tree they started from, and --from ${flags.from} replays a commit`,
      "leave out --from HEAD to replay (and copy back to) the working tree",
    );
  }
  const debugging = o.debug || flags.step || flags.breakOnFailure || flags.breakAt.length > 0;
  const mode = flags.copyBack === true ? "copy" : flags.copyBack === false || !debugging || flags.from === "HEAD" ? undefined : "ask";
  if (!mode) return undefined;
  const io = o.io ?? terminalIo;
  const ledger = new CopyBack();
  return {
    ledger,
    finish: async () => {
      const plan = await ledger.plan();
      for (const line of copyBackNotes(plan)) io.say(line);
      if (!plan.write.length && !plan.remove.length) return;
      if (mode === "ask" && !/^\s*y(es)?\s*$/i.test(await io.ask(copyBackQuestion(plan)))) {
        io.say("nothing copied back");
        return;
      }
      // Planned again: the working tree may have changed while the question waited.
      const now = mode === "ask" ? await ledger.plan() : plan;
      const before = new Set(plan.conflicts.map((c) => c.path));
      for (const line of copyBackNotes({ ...now, problems: [], conflicts: now.conflicts.filter((c) => !before.has(c.path)) })) io.say(line);
      await ledger.apply(now);
      io.say(copyBackDone(now) || "nothing copied back");
    },
  };
}
