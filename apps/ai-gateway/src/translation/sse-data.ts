import { eventData } from '../metering/server-sent-events';
import { isObject } from './untranslatable';

/** An event's JSON data as an object; undefined for `[DONE]`, comments and other text. */
export function jsonData(event: string): Record<string, unknown> | undefined {
  const data = eventData(event);
  if (data === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Turns the upstream's stream events into the caller's, one event at a time. */
export interface StreamTranslator {
  /** The caller's events (each without its blank-line end) for one upstream event. */
  translate(event: string): string[];
}
