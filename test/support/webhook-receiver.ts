import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver does with the nth request (from 1): answer a status, or never answer. */
export type ReceiverBehaviour = (n: number, request: ReceivedWebhook) => number | 'hang';

/**
 * A webhook receiver on 127.0.0.1 that records every request and answers as told; hanging
 * requests are cut when it closes.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server?: Server;

  constructor(public behaviour: ReceiverBehaviour = () => 200) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
          at: Date.now(),
        };
        this.received.push(request);
        const answer = this.behaviour(this.received.length, request);
        if (answer !== 'hang') res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** The requests that carried this event (by its JSON `type` and a field of its data). */
  about(
    match: (event: { type: string; user_id?: string; data: Record<string, unknown> }) => boolean,
  ) {
    return this.received.filter((r) => match(JSON.parse(r.body) as Parameters<typeof match>[0]));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
