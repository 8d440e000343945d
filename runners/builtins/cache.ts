import type { BuiltinAction } from "../builtin-actions.js";
import type { StepHost } from "../job/step-host.js";
import { inputLines, isExactKeyMatch } from "../services/index.js";
import type { RunStores } from "../services/index.js";
import { CacheValidationError, restoreCache, saveCache } from "./cache-archive.js";

// actions/cache@v4 and its /restore and /save actions over replay's cache store, with
// their inputs, outputs, state and log lines (restoreImpl.ts and saveImpl.ts).

const STATE_PRIMARY_KEY = "CACHE_KEY";
const STATE_MATCHED_KEY = "CACHE_RESULT";

const bool = (v: string | undefined): boolean => (v ?? "").trim().toLowerCase() === "true";

function required(host: StepHost, name: string): string | undefined {
  const v = host.inputs[name]?.trim();
  if (!v) host.log(`##[error]Input required and not supplied: ${name}`);
  return v || undefined;
}

/** Restore: `stateful` for actions/cache (its post step saves), else actions/cache/restore. */
async function restore(host: StepHost, stores: RunStores, stateful: boolean): Promise<boolean> {
  const setState = (name: string, value: string): void => {
    if (stateful) host.saveState(name, value);
    else host.setOutput(name === STATE_PRIMARY_KEY ? "cache-primary-key" : "cache-matched-key", value);
  };
  const key = required(host, "key");
  if (key === undefined) return false;
  setState(STATE_PRIMARY_KEY, key);
  const restoreKeys = inputLines(host.inputs["restore-keys"]);
  const paths = inputLines(host.inputs["path"]);
  if (paths.length === 0) {
    host.log("##[error]Input required and not supplied: path");
    return false;
  }
  const failOnCacheMiss = bool(host.inputs["fail-on-cache-miss"]);
  let matchedKey: string | undefined;
  try {
    ({ matchedKey } = await restoreCache(host, stores, {
      paths,
      key,
      restoreKeys,
      enableCrossOsArchive: bool(host.inputs["enableCrossOsArchive"]),
      lookupOnly: bool(host.inputs["lookup-only"]),
    }));
  } catch (e) {
    if (e instanceof CacheValidationError) {
      host.log(`##[error]${e.message}`);
      return false;
    }
    host.log(`##[warning]Failed to restore: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (matchedKey === undefined) {
    // `cache-hit` stays unset on a miss, as actions/cache leaves it (actions/cache#1466).
    if (failOnCacheMiss) {
      host.log(`##[error]Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: ${key}`);
      return false;
    }
    host.log(`Cache not found for input keys: ${[key, ...restoreKeys].join(", ")}`);
    return true;
  }
  setState(STATE_MATCHED_KEY, matchedKey);
  host.setOutput("cache-hit", String(isExactKeyMatch(key, matchedKey)));
  host.log(bool(host.inputs["lookup-only"]) ? `Cache found and can be restored from key: ${matchedKey}` : `Cache restored from key: ${matchedKey}`);
  return true;
}

/** Save: the post step of actions/cache (`primaryKey` from its state), or actions/cache/save. */
async function save(host: StepHost, stores: RunStores, primaryKey: string | undefined, restoredKey: string | undefined): Promise<number> {
  if (!primaryKey) {
    host.log("##[warning]Key is not specified.");
    return -1;
  }
  if (isExactKeyMatch(primaryKey, restoredKey)) {
    host.log(`Cache hit occurred on the primary key ${primaryKey}, not saving cache.`);
    return -1;
  }
  const paths = inputLines(host.inputs["path"]);
  if (paths.length === 0) {
    host.log("##[warning]Input required and not supplied: path");
    return -1;
  }
  try {
    const id = await saveCache(host, stores, { paths, key: primaryKey, enableCrossOsArchive: bool(host.inputs["enableCrossOsArchive"]) });
    if (id !== -1) host.log(`Cache saved with key: ${primaryKey}`);
    return id;
  } catch (e) {
    host.log(`##[warning]${e instanceof Error ? e.message : String(e)}`);
    return -1;
  }
}

export function cacheActions(stores: RunStores): BuiltinAction[] {
  return [
    {
      name: "actions/cache",
      async main(host) {
        // action.yml: `post-if: success()`, so nothing is saved after a failed step.
        host.addPost("success()");
        return restore(host, stores, true);
      },
      async post(host) {
        await save(host, stores, host.getState(STATE_PRIMARY_KEY), host.getState(STATE_MATCHED_KEY));
        return true;
      },
    },
    {
      name: "actions/cache/restore",
      main: (host) => restore(host, stores, false),
    },
    {
      name: "actions/cache/save",
      async main(host) {
        const key = required(host, "key");
        if (key === undefined) return false;
        const id = await save(host, stores, key, undefined);
        if (id === -1) host.log("##[warning]Cache save failed.");
        return true;
      },
    },
  ];
}
