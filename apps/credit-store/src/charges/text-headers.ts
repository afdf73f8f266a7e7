import type { InboundMessage } from '@tally/platform';

/** A message's headers as text (the first value of a repeated one), to store as jsonb. */
export function textHeaders(headers: InboundMessage['headers']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? String(value[0]) : String(value)]],
    ),
  );
}
