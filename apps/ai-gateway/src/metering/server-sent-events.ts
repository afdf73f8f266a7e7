/**
 * Splits a text/event-stream into events as bytes arrive (an event ends at a blank line), so
 * each can be inspected and passed on whole, at once.
 */
export class ServerSentEvents {
  private pending = '';

  /** The events completed by this piece of text, without their blank-line terminators. */
  push(text: string): string[] {
    this.pending += text.replace(/\r\n?/g, '\n');
    const events = this.pending.split('\n\n');
    this.pending = events.pop()!;
    return events.filter((event) => event.trim() !== '');
  }

  /** Whatever the stream left unterminated. */
  rest(): string {
    return this.pending;
  }
}

/** The event's data (its `data:` lines joined), or undefined for comments and other fields. */
export function eventData(event: string): string | undefined {
  const lines = event
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
  return lines.length ? lines.join('\n') : undefined;
}
