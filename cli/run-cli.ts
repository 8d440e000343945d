import module from "node:module";
import { discardPrestart } from "../common/prestart.js";
import { takeDeferredCa } from "../common/extra-ca.js";
import { mark } from "../common/trace.js";
import { buildProgram, reportError } from "./program.js";

// Node 22.1 and later can keep the compiled code of the chunks a command loads (in the
// temp folder): compiling them is most of loading a command. Node 20 has no such cache;
// there this does nothing.
// REPLAY_TRACE's phase marks (bench/phases.mjs): Node's own start, and this file loaded.
mark("node started", performance.timeOrigin);
mark("cli loaded");
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// The launcher (bin/replay) kept NODE_EXTRA_CA_CERTS aside: what replay starts gets it back.
takeDeferredCa();

// A reader that closes the pipe early (`replay … | head`) makes every later write fail
// with EPIPE, as an 'error' event: without a listener, a crash with a stack trace. A
// replay cancels itself on the first one (cli/run-interrupts.ts); the rest is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
}

/** Runs the command line; `entry` is the CLI's main.js, which the pre-push hook runs. */
export async function runCli(entry: string): Promise<void> {
  const json = process.argv.includes("--json");
  let code: number | undefined;
  const program = buildProgram((c) => {
    code = c;
  }, entry);
  try {
    await program.parseAsync(process.argv);
    process.exitCode = code ?? 0;
  } catch (e) {
    process.exitCode = reportError(e, json);
  } finally {
    // A container the entry started that no job took (the command asked for another, or none).
    await discardPrestart();
  }
  // The command is done; the process ends once nothing is left in flight, and then at once.
  // The 'exit' event comes only when the event loop is empty (every write to a file, pipe
  // or terminal has completed: a pending one would keep the loop alive), after the 'exit'
  // listeners registered before this one. Node would otherwise take its environment down
  // piece by piece first, ~30 ms here after a replay, that nobody waits for.
  process.once("exit", (status) => process.exit(status));
}
