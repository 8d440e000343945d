// The built-in actions' code (checkout, the setup-* actions, cache, artifacts: ~100 kB
// bundled) is loaded by the first step that runs one, not as replay
// starts: a job's container is created and started before any step runs, and compiling
// that code first made every replay's start wait for it (#27). The names are known up
// front (BUILTIN_ACTION_NAMES), which is all a plan and the remote actions' resolution ask.
import { BugError } from "../common/index.js";
import { BuiltinRegistry } from "./builtin-actions.js";
import type { BuiltinAction } from "./builtin-actions.js";
import { BUILTIN_ACTION_NAMES } from "./builtins/builtin-names.js";
import type { builtinActions } from "./builtins/index.js";

/** builtinActions(...args) as a registry whose actions load their code on their first run; --no-builtin's names left out. */
export function deferredBuiltins(args: Parameters<typeof builtinActions>, disabled: readonly string[] = []): BuiltinRegistry {
  return deferredRegistry(async () => (await import("./builtins/index.js")).builtinActions(...args), disabled);
}

/** A registry of every built-in action by name, each loading the real one (`load`) on its first run. */
export function deferredRegistry(load: () => Promise<readonly BuiltinAction[]>, disabled: readonly string[] = []): BuiltinRegistry {
  let loading: Promise<ReadonlyMap<string, BuiltinAction>> | undefined;
  const loaded = (): Promise<ReadonlyMap<string, BuiltinAction>> => (loading ??= load().then((actions) => new Map(actions.map((a) => [a.name.toLowerCase(), a]))));
  const real = async (name: string): Promise<BuiltinAction> => {
    const action = (await loaded()).get(name.toLowerCase());
    if (!action) throw new BugError(`the built-in action ${name} is named but not built in (BUILTIN_ACTION_NAMES and builtinActions disagree)`);
    return action;
  };
  const standIns = BUILTIN_ACTION_NAMES.map(
    (name): BuiltinAction => ({
      name,
      main: async (host) => (await real(name)).main(host),
      // An action without a post registers none; one that has it runs it.
      post: async (host) => {
        const action = await real(name);
        return action.post ? action.post(host) : true;
      },
    }),
  );
  // A failed preload is the first run's to report: it loads again.
  const preload = (): void => void loaded().catch(() => {
    loading = undefined;
  });
  return new BuiltinRegistry(standIns, disabled, preload);
}
