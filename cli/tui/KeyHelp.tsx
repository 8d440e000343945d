import type { ReactElement } from "react";
import { Text } from "ink";
import type { KeyHint } from "./keymap.js";

/** The footer: the keys that work now, and only those. */
export function KeyHelp({ keys }: { keys: readonly KeyHint[] }): ReactElement {
  return (
    <Text wrap="truncate-end">
      {keys.map((k, i) => (
        <Text key={k.keys}>
          {i > 0 ? <Text dimColor> · </Text> : null}
          <Text bold color="cyan">
            {k.keys}
          </Text>
          <Text> {k.label}</Text>
        </Text>
      ))}
    </Text>
  );
}
