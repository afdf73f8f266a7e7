import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';

/**
 * An upstream's answer: its status and headers, and its body read once, whole (`text`) or as
 * the bytes come (`body`).
 */
export class UpstreamAnswer {
  constructor(
    readonly status: number,
    private readonly headerValues: IncomingHttpHeaders,
    readonly body: Readable,
  ) {}

  /** An answer already read, kept whole (a failed try's, passed on as the call's). */
  static whole(status: number, headers: IncomingHttpHeaders, text: string): UpstreamAnswer {
    return new UpstreamAnswer(status, headers, Readable.from([Buffer.from(text)]));
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  readonly headers = {
    get: (name: string): string | null => {
      const value = this.headerValues[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };

  /** The headers as they came. */
  get allHeaders(): IncomingHttpHeaders {
    return this.headerValues;
  }

  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
}
