import type { ReactElement } from "react";
import { Box, Text } from "ink";
import { ALL_KEYS } from "./keymap.js";

/** `?`: every key and what it does, in place of the panes until a key is pressed. */
export function HelpOverlay({ width, height }: { width: number; height: number }): ReactElement {
  const keyWidth = Math.max(...ALL_KEYS.map((k) => k.keys.length));
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="single" borderDimColor>
      <Text bold>Keys (any key closes this help)</Text>
      {ALL_KEYS.slice(0, Math.max(1, height - 3)).map((k) => (
        <Text key={k.keys} wrap="truncate-end">
          <Text bold color="cyan">
            {k.keys.padEnd(keyWidth)}
          </Text>
          <Text>{`  ${k.label}`}</Text>
        </Text>
      ))}
    </Box>
  );
}
