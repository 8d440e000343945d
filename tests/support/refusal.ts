import { ReplayError } from "../../common/index.js";

/** The ReplayError `f` throws; fails the test when it throws nothing or something else. */
export function refusal(f: () => unknown): ReplayError {
  try {
    f();
  } catch (e) {
    if (e instanceof ReplayError) return e;
    throw e;
  }
  throw new Error("expected a ReplayError");
}
